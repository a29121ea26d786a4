"""Re-initialise the output layer at every task start (Dohare et al. 2024, head-resetting baseline; spec §2.3 b)."""

from __future__ import annotations

from methods._layers import reinitialise_modules
from methods.base import Method, register
from core.search_space import nothing_to_tune
from methods.learner import Learner, TaskInfo


@register("reset_head")
class ResetHead(Method):
    """Re-draw the output layer and forget its optimizer state at each task boundary; the rest is kept.

    Dohare et al. 2024 (Nature, Methods: "head resetting"); Nikishin et al. 2022 reset SPR's head.
    """

    citation = "Dohare et al. 2024, Loss of plasticity in deep continual learning, Nature 632 (Methods, head resetting)"
    search_space = nothing_to_tune("a reset at every task start has no hyperparameter")
    paper_url = "https://doi.org/10.1038/s41586-024-07711-7"

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if task.index == 0:
            return
        head = learner.module(learner.network.output.name)
        learner.reset_optimizer_state(reinitialise_modules(learner, [head]))
