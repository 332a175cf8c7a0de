import numpy as np
import pytest
import torch

from faceswap_kit.dataset import extract, load_faceset


@pytest.fixture(scope="module")
def small_set(tmp_path_factory, portrait, make_frames):
    out = tmp_path_factory.mktemp("browse") / "set"
    frames = make_frames(portrait, 7)
    extract(frames, out, size=64, name="rec")
    return out


def test_browser_pages_select_remove_restore(small_set):
    pytest.importorskip("ipywidgets")
    from faceswap_kit.widgets.dataset_browser import DatasetBrowser

    browser = DatasetBrowser(small_set, columns=3, rows=1, sort="sharpness")
    assert browser.pages == 3 and len(browser._grid.children) == 3
    browser.show_page(2)
    assert len(browser._grid.children) == 1
    browser.show_page(9)
    assert browser.page == 2
    toggle = browser._grid.children[0].children[1]
    toggle.value = True  # a click
    assert len(browser.selected) == 1
    browser.select([0, 1])
    chosen = len(browser.selected)
    assert chosen in (2, 3)
    assert browser.remove_selected() == chosen
    assert len(load_faceset(small_set)) == 7 - chosen and browser.pages == (7 - chosen + 2) // 3
    assert browser.restore() == chosen
    assert len(load_faceset(small_set)) == 7 and browser.selected == set()


def test_browser_still_picture(small_set):
    pytest.importorskip("ipywidgets")
    import matplotlib.pyplot as plt

    from faceswap_kit.widgets.dataset_browser import DatasetBrowser

    browser = DatasetBrowser(small_set, columns=3, rows=1, sort="sharpness")
    browser.select(browser.page_ids()[:1])
    fig = browser.figure()
    assert sum(ax.has_data() for ax in fig.axes) == 3  # one picture per face on the page
    assert "page 1/3" in fig._suptitle.get_text()
    plt.close(fig)


def test_browser_on_empty_folder(tmp_path):
    pytest.importorskip("ipywidgets")
    from faceswap_kit.errors import WidgetError
    from faceswap_kit.widgets.dataset_browser import DatasetBrowser

    browser = DatasetBrowser(tmp_path)
    assert "no faces" in browser._label.value
    with pytest.raises(WidgetError):
        DatasetBrowser(tmp_path, sort="colour")


def test_figures(small_set, portrait):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from faceswap_kit.align import face_matrix, transform_points, warp_to_aligned
    from faceswap_kit.dataset import curate
    from faceswap_kit.detect import MediaPipeDetector
    from faceswap_kit.io import image_to_tensor
    from faceswap_kit.viz import dataset as viz

    with MediaPipeDetector(mode="image") as detector:
        faces = detector(portrait)
    assert len(viz.show_landmarks(portrait, faces).axes) == 1
    assert len(viz.show_alignment(portrait, faces[0], "full", 128).axes) == 3
    assert len(viz.show_face_types(portrait, faces[0], 96).axes) == 4
    landmarks = torch.from_numpy(faces[0].landmarks)[None]
    matrix = face_matrix(landmarks, "whole_face", 96)
    crop = warp_to_aligned(image_to_tensor(portrait), matrix, 96)
    assert len(viz.show_masks(crop, transform_points(landmarks, matrix)).axes) == 4
    assert len(viz.show_summary(small_set).axes) == 4  # scatter + colour bar + histogram + grid
    result = curate(small_set)
    assert len(viz.show_rejected(small_set, result.rejected).axes) >= 1
    grid = viz.face_grid([np.zeros((8, 8, 3), np.uint8)] * 5, columns=2)
    assert grid.shape == (3 * 8 + 4, 2 * 8 + 2, 3)
    plt.close("all")
