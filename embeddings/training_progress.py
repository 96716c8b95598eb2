"""A progress bar over PyKEEN's training epochs, with the loss and the best validation MRR.

PyKEEN hands every epoch's loss and every early-stopping evaluation to its result trackers
(``log_metrics``): the loss after each epoch (no prefix, the epoch as ``step``), the validation
metrics every ``check_every`` epochs (prefix ``validation``), and the training time when the
epochs are over (prefix ``times``). ``EpochProgress`` is such a tracker, so the bar follows
training without touching the loop or the stopping rule. Imported
only where training runs (it imports PyKEEN).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from pykeen.trackers import ResultTracker
from tqdm import tqdm

#: The validation metric shown: filtered MRR over both sides, as the test MRR is reported.
VALIDATION_MRR = "both.realistic.inverse_harmonic_mean_rank"


class EpochProgress(ResultTracker):
    """One tqdm bar of ``epochs`` (at most: early stopping usually ends sooner, and the bar
    then says so), its postfix the last loss and the best validation MRR so far with its
    epoch. ``disable`` is tqdm's (None: a bar only when ``file``, by default stderr, is a
    terminal)."""

    def __init__(
        self, epochs: int, *, desc: str, disable: bool | None = None, file: IO[str] | None = None
    ) -> None:
        self.desc = desc
        self.bar = tqdm(total=epochs, desc=f"{desc} (early stopping)", unit="epoch",
                        disable=disable, file=file)  # fmt: skip
        self.loss: float | None = None
        self.best_mrr: float | None = None
        self.best_epoch: int | None = None
        self.checks = 0

    def log_metrics(
        self, metrics: Mapping[str, float], step: int | None = None, prefix: str | None = None
    ) -> None:
        if prefix == "validation" and VALIDATION_MRR in metrics:
            self.checks += 1
            mrr = float(metrics[VALIDATION_MRR])
            if self.best_mrr is None or mrr > self.best_mrr:
                self.best_mrr, self.best_epoch = mrr, step
            self._show()
        elif prefix is None and "loss" in metrics and step is not None:
            self.loss = float(metrics["loss"])
            self.bar.update(max(0, step - self.bar.n))
            self._show()
        elif prefix == "times" and "total_training" in metrics:  # before the test evaluation
            if self.bar.total is not None and self.bar.n < self.bar.total:
                self.bar.set_description_str(f"{self.desc}, stopped early", refresh=False)
                self.bar.total = self.bar.n
            self.close()

    def _show(self) -> None:
        shown = {}
        if self.loss is not None:
            shown["loss"] = f"{self.loss:.4f}"
        if self.best_mrr is not None:
            shown["val MRR"] = f"{self.best_mrr:.4f} (epoch {self.best_epoch})"
        self.bar.set_postfix(shown, refresh=True)

    def end_run(self, success: bool = True) -> None:
        self.close()

    def close(self) -> None:
        self.bar.close()
