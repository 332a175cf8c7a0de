"""Training on a background thread, so a notebook kernel stays responsive while it runs.

The thread calls :meth:`Trainer.run` with a stop event; every ``preview_seconds`` it renders a
preview on the training thread (no locking needed) and hands it to ``on_update``. ``stop()``
sets the event: the loop finishes its step and saves a checkpoint before the thread ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import torch

from .loop import Trainer
from .preview import render_preview
from .progress import TrainSummary

log = logging.getLogger(__name__)


class BackgroundTraining:
    """Run ``trainer`` on a daemon thread.

    Args:
        trainer: a :class:`Trainer`.
        steps: total step to reach (``None`` for no step limit).
        minutes: wall-clock budget (``None`` for none).
        preview_seconds: how often to render a preview.
        preview_count: faces per identity in the preview.
        on_update: ``on_update(self)`` after each new preview or record (on the training thread).

    Attributes:
        preview: the latest :func:`~.preview.render_preview` dict (or ``None``).
        summary: the :class:`TrainSummary` once finished.
        error: the exception that ended the run, if any.
    """

    def __init__(
        self,
        trainer: Trainer,
        steps: int | None = None,
        minutes: float | None = None,
        preview_seconds: float = 2.0,
        preview_count: int = 4,
        on_update: Callable[[BackgroundTraining], None] | None = None,
    ) -> None:
        self.trainer = trainer
        self.steps = steps
        self.minutes = minutes
        self.preview_seconds = preview_seconds
        self.preview_count = preview_count
        self.on_update = on_update
        self.stop_event = threading.Event()
        self.preview: dict[str, torch.Tensor] | None = None
        self.summary: TrainSummary | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._last_preview = 0.0
        self.finished = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self.finished

    def start(self) -> BackgroundTraining:
        """Start (or restart after a stop) training; returns immediately."""
        if self.running:
            return self
        self.stop_event.clear()
        self.summary, self.error, self.finished = None, None, False
        self._thread = threading.Thread(target=self._run, name="faceswap-kit-train", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: bool = True, timeout: float | None = None) -> None:
        """Ask the loop to stop (it saves a checkpoint first); optionally wait for it."""
        self.stop_event.set()
        if wait:
            self.wait(timeout)

    def wait(self, timeout: float | None = None) -> TrainSummary | None:
        """Block until the run ends; re-raise its error, if any."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.summary

    def refresh_preview(self) -> None:
        self.preview = render_preview(self.trainer.averaged, self.trainer.data, self.preview_count)
        self._last_preview = time.perf_counter()

    def _callback(self, trainer: Trainer, record: dict[str, Any]) -> None:
        if time.perf_counter() - self._last_preview >= self.preview_seconds:
            self.refresh_preview()
        self._notify()

    def _notify(self) -> None:
        if self.on_update is not None:
            try:
                self.on_update(self)
            except Exception:  # a display problem must not kill training
                log.exception("preview update failed")

    def _run(self) -> None:
        try:
            self.summary = self.trainer.run(
                steps=self.steps,
                minutes=self.minutes,
                stop_event=self.stop_event,
                callback=self._callback,
            )
            self.refresh_preview()
        except BaseException as exc:  # reported through .error and wait()
            self.error = exc
            log.error("training stopped: %s", exc)
        finally:
            self.finished = True
            self._notify()
