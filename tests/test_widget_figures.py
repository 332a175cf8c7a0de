"""Pictures with controls that stay in a saved notebook (``faceswap_kit.widgets.figures``)."""

import numpy as np
import pytest

from faceswap_kit.errors import WidgetError


def test_picture_follows_the_controls():
    widgets = pytest.importorskip("ipywidgets")
    from faceswap_kit.widgets.figures import interact_figure

    drawn = []

    def draw(level, size):
        drawn.append((level, size))
        return np.full((size, size, 3), level, np.uint8)

    shown = interact_figure(
        draw, level=widgets.IntSlider(10, 0, 255), size=widgets.IntSlider(8, 4, 16)
    )
    assert shown.render().startswith(b"\x89PNG") and drawn == [(10, 8)]
    shown.controls["level"].value = 200  # a slider move redraws (nothing displayed: no handle)
    assert drawn[-1] == (200, 8) and shown.redraws == 2
    assert shown.picture.png is not None and shown.values == {"level": 200, "size": 8}


def test_figures_are_closed_after_rendering():
    import matplotlib.pyplot as plt

    widgets = pytest.importorskip("ipywidgets")
    from faceswap_kit.widgets.figures import interact_figure

    def draw(k):
        fig, ax = plt.subplots()
        ax.plot([0, k])
        return fig

    before = len(plt.get_fignums())
    assert interact_figure(draw, k=widgets.IntSlider(1, 0, 3)).render().startswith(b"\x89PNG")
    assert len(plt.get_fignums()) == before  # pyplot will not show it a second time


def test_needs_a_control():
    from faceswap_kit.widgets.figures import interact_figure

    with pytest.raises(WidgetError):
        interact_figure(lambda: None)
