"""A notebook widget that trains in the background: start/stop buttons, a refreshing preview
grid (A→A, B→B, A→B, B→A with masks) and a loss curve. The kernel stays free while it runs.

ipywidgets and matplotlib are imported when a widget is made, so importing this module is light.
"""

from __future__ import annotations

import io
import time
from typing import Any

from faceswap_kit.viz.training import encode_png, plot_losses, preview_grid

from ..errors import WidgetError
from ..train.background import BackgroundTraining
from ..train.loop import Trainer


def _loss_png(history: list[dict[str, float]]) -> bytes:
    # A Figure with its own Agg canvas: the kernel's backend and pyplot's state stay as they are
    # (switching the backend here once made every later plt.show() in the notebook draw nothing).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.8), dpi=80)
    FigureCanvasAgg(figure)
    plot_losses(history, ax=figure.add_subplot(111))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class TrainingWidget:
    """Start/stop training from a notebook and watch it learn.

    Args:
        trainer: a :class:`faceswap_kit.train.Trainer` (see ``make_trainer``).
        steps: total step to reach; minutes: wall-clock budget per start.
        preview_seconds: how often the preview refreshes.
        scale: on-screen magnification of the preview grid.

    Display it as the last expression of a cell (or ``display(widget)``); ``wait()`` blocks until
    the run ends (for scripts and tests).
    """

    def __init__(
        self,
        trainer: Trainer,
        steps: int | None = None,
        minutes: float | None = None,
        preview_seconds: float = 2.0,
        scale: int = 2,
    ) -> None:
        try:
            import ipywidgets as w
        except ImportError as exc:  # pragma: no cover
            raise WidgetError("ipywidgets is not installed; pip install ipywidgets") from exc
        self.trainer = trainer
        self.background = BackgroundTraining(
            trainer, steps=steps, minutes=minutes, preview_seconds=preview_seconds,
            on_update=self._update,
        )  # fmt: skip
        size = trainer.model_config.resolution
        self.start_button = w.Button(description="Start", icon="play", button_style="success")
        self.stop_button = w.Button(description="Stop & save", icon="stop", disabled=True)
        self.status = w.HTML(value="ready")
        self.preview_image = w.Image(format="png", width=8 * size * scale)
        self.loss_image = w.Image(format="png")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop(wait=False))
        self.widget = w.VBox(
            [
                w.HBox([self.start_button, self.stop_button, self.status]),
                w.HTML("<b>columns:</b> A, A→A, A→B, mask A, B, B→B, B→A, mask B"),
                self.preview_image,
                self.loss_image,
            ]
        )
        self._last_loss_plot = 0.0
        self.background.refresh_preview()
        self._update(self.background)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def start(self) -> None:
        """Start training on a background thread (returns at once)."""
        self.background.start()
        self.start_button.disabled = True
        self.stop_button.disabled = False

    def stop(self, wait: bool = True) -> None:
        """Stop after the current step; a checkpoint is saved first."""
        self.status.value = "stopping: saving a checkpoint…"
        self.background.stop(wait=wait)

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the run ends and return its summary."""
        return self.background.wait(timeout)

    def _update(self, background: BackgroundTraining) -> None:

        trainer = self.trainer
        if background.preview is not None:
            self.preview_image.value = encode_png(preview_grid(background.preview))
        now = time.perf_counter()
        finished = background.finished
        if trainer.history and (now - self._last_loss_plot > 5 or finished):
            self.loss_image.value = _loss_png(trainer.history)
            self._last_loss_plot = now
        last = trainer.history[-1] if trainer.history else {}
        rate = ""
        if len(trainer.history) >= 2:
            a, b = trainer.history[-2], trainer.history[-1]
            if b["seconds"] > a["seconds"]:
                samples = (b["step"] - a["step"]) * 2 * trainer.config.batch_size
                rate = f", {samples / (b['seconds'] - a['seconds']):.1f} samples/s"
        state = "training" if background.running else "stopped"
        if background.error is not None:
            state = f"<span style='color:#b00'>error: {background.error}</span>"
        elif background.summary is not None:
            state = f"done ({background.summary.stopped_by}), checkpoint saved"
        loss = f", loss {last['total']:.4f}" if "total" in last else ""
        self.status.value = f"{state} — step {trainer.step}{loss}{rate}"
        if not background.running:
            self.start_button.disabled = False
            self.stop_button.disabled = True
