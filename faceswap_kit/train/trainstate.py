"""Where a training run stands, besides its tensors: :class:`TrainState`.

:mod:`.state` saves and restores it (``state.json``), :mod:`.card` reads it, :mod:`.loop`
advances it; it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

HISTORY_LIMIT = 4000  # records kept in state.json; longer runs keep every other one


@dataclass
class TrainState:
    """Everything about a run that is not a tensor of the model, as saved in ``state.json``.

    Attributes:
        step: optimisation steps taken.
        elapsed: training seconds so far (previews and scoring not counted).
        history: loss records ``{"step", "seconds", <term>: mean over the logging window}``.
        scores: score records of the checkpoints (``Trainer.scorer``), oldest first.
        card_extra: fields added to the model card (init model, command lines, target).
        generator: the RNG of the data pipeline (batches, augmentation); restored on resume.
        rollbacks: non-finite-loss rollbacks of this run (saved, not restored: each run may
            roll back ``TrainConfig.max_rollbacks`` times).

    >>> state = TrainState.start(seed=0)
    >>> state.step = 2
    >>> state.record([{"total": 1.0}, {"total": 0.5}])
    {'step': 2, 'seconds': 0.0, 'total': 0.75}
    >>> TrainState.start(seed=0).restore(state.to_json()).history == state.history
    True
    """

    step: int = 0
    elapsed: float = 0.0
    history: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    card_extra: dict[str, Any] = field(default_factory=dict)
    generator: torch.Generator = field(default_factory=torch.Generator)
    rollbacks: int = 0

    @classmethod
    def start(cls, seed: int) -> TrainState:
        """The state of a new run whose data RNG starts from ``seed``."""
        return cls(generator=torch.Generator().manual_seed(seed))

    def record(self, window: list[dict[str, float]]) -> dict[str, Any]:
        """Append the mean of each loss term over ``window`` to the history; return the record."""
        record: dict[str, Any] = {"step": self.step, "seconds": round(self.elapsed, 2)}
        for key in window[-1]:
            record[key] = round(sum(w[key] for w in window) / len(window), 6)
        self.history.append(record)
        if len(self.history) > HISTORY_LIMIT:  # keep state.json small on long runs
            self.history = self.history[::2]
        return record

    def to_json(self) -> dict[str, Any]:
        """The ``state.json`` fields this state owns."""
        return {
            "step": self.step,
            "elapsed_seconds": round(self.elapsed, 3),
            "rng": {"data": self.generator.get_state().tolist()},
            "rollbacks": self.rollbacks,
            "history": self.history,
            "scores": self.scores,
            "card_extra": self.card_extra,
        }

    def restore(self, saved: dict[str, Any]) -> TrainState:
        """Take over the fields of a ``state.json`` (any layout so far); returns ``self``."""
        self.generator.set_state(torch.tensor(saved["rng"]["data"], dtype=torch.uint8))
        self.step = int(saved["step"])
        self.elapsed = float(saved.get("elapsed_seconds", 0.0))
        self.history = list(saved.get("history", []))
        self.scores = list(saved.get("scores", []))
        self.card_extra = dict(saved.get("card_extra") or {})
        return self
