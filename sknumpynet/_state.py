"""The progress of a fit: what the training loop records and the hooks read.

A module of its own, below both the loop (``_training``) and the hooks
(``_hooks``), so that neither has to import the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TrainingState:
    """What a fit knows of its progress: the one place it is kept while training.

    The per-epoch lists (``loss_curve``, ``epoch_times`` and, with early
    stopping, ``validation_scores`` and ``validation_loss_curve``) hold the
    whole history of the model: warm starts and ``partial_fit`` continue them.
    ``n_iter`` counts the epochs of the current call and ``t`` the samples seen
    in all calls, both derived from the curve so that they cannot disagree
    with it.
    """

    loss_curve: list = field(default_factory=list)
    t_start: int = 0
    best_loss: float | None = np.inf
    validation_scores: list | None = None
    validation_loss_curve: list | None = None
    epoch_times: list = field(default_factory=list)
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best_params: np.ndarray | None = None
    n_train: int = 0
    converged: bool = False
    curve_start: int = field(init=False)

    def __post_init__(self):
        self.curve_start = len(self.loss_curve)

    @property
    def n_iter(self) -> int:
        """Epochs (L-BFGS iterations) completed in this call."""
        return len(self.loss_curve) - self.curve_start

    @property
    def t(self) -> int:
        """Training samples seen by the stochastic solver, all calls together."""
        return self.t_start + self.n_iter * self.n_train

    def per_epoch_lists(self) -> list[list]:
        lists = [self.loss_curve, self.epoch_times]
        lists += [x for x in (self.validation_scores, self.validation_loss_curve) if x is not None]
        return lists

    def mark_call_start(self) -> None:
        """Remember where each per-epoch list stood when the call began."""
        self._starts = [len(x) for x in self.per_epoch_lists()]

    def drop_incomplete_epoch(self) -> None:
        """After an interrupt: forget the epoch whose records are not all written."""
        lists = self.per_epoch_lists()
        complete = min(len(x) - start for x, start in zip(lists, self._starts))
        for x, start in zip(lists, self._starts):
            del x[start + complete :]
