"""Full reset at every task boundary: the "retrained network" oracle (Dohare et al. 2024, Methods)."""

from __future__ import annotations

from methods._layers import modules_with_parameters, reinitialise_modules
from methods.base import Method, register
from core.search_space import nothing_to_tune
from methods.learner import Learner, TaskInfo


@register("reset_full")
class ResetFull(Method):
    """Re-draw every parameter and the optimizer state at each task start: a fresh network per task.

    Dohare et al. 2024 (Nature), "retrained network" baseline; it is the plasticity normaliser's 1.
    """

    citation = "Dohare et al. 2024, Loss of plasticity in deep continual learning, Nature 632 (Methods)"
    search_space = nothing_to_tune("a reset at every task start has no hyperparameter")
    paper_url = "https://doi.org/10.1038/s41586-024-07711-7"

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if task.index == 0:
            return
        reinitialise_modules(learner, modules_with_parameters(learner.model))
        learner.rebuild_optimizer()
