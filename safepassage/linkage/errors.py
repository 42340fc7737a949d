"""Domain errors of record linkage (stable codes; mapped to pages in safepassage.web.errors)."""

from __future__ import annotations

from safepassage.core.errors import Conflict, IllegalTransition, ValidationFailed
from safepassage.linkage.pipeline import LinkageConflict

__all__ = [
    "LinkageConflict",
    "NoLinkageModel",
    "PairTransitionRefused",
    "RunInProgress",
    "RunInterrupted",
]


class NoLinkageModel(ValidationFailed):
    """An incremental run needs the model of an earlier successful run."""

    code = "linkage_no_model"


class RunInterrupted(Conflict):
    """Review decisions changed while the run was scoring: its result would overwrite them."""

    code = "linkage_run_interrupted"


class RunInProgress(Conflict):
    """Another linkage run holds the run lock: two runs would store competing clusters."""

    code = "linkage_run_in_progress"


class PairTransitionRefused(IllegalTransition):
    code = "linkage_pair_transition"
