"""Any clbench method as an Avalanche `SupervisedPlugin`, so it runs inside Avalanche strategies (`Naive`, ...).

Avalanche is imported only when a plugin is built (about 7 s). Hooks map as follows: `prepare` and
`start` at the first `before_training`; `on_task_start`/`on_task_end` around each experience. Avalanche's
strategy drives backward and the optimizer step, so the plugin calls the phases of `Learner.update` at the
matching callbacks: `with_penalty` in `before_backward`, `before_optimizer_step` after backward, and
`after_optimizer_step` after the update.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import torch

from methods.base import Method, create
from core.errors import MethodError
from methods.learner import Learner, OptimizerSpec, TaskInfo, prepare_learner
from methods.network import DescribedModel


class _StrategyLearner(Learner):
    """A Learner whose default optimizer is a fresh copy of the strategy's own optimizer type and settings."""

    def __init__(self, *args: Any, template: torch.optim.Optimizer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.template = template

    def build_optimizer(self) -> torch.optim.Optimizer:
        params = [p for p in self.model.parameters() if p.requires_grad]
        built = self.method.optimizer(self, params, self.optimizer_spec)
        self.optimizer = built if built is not None else type(self.template)(params, **self.template.defaults)
        return self.optimizer


def plugin(spec: str | Method, overrides: Mapping[str, Mapping[str, Any]] | None = None, family: str = "supervised") -> Any:
    """`plugin("nap")` or `plugin("nap+redo", {"nap": {"every": 10}})`: an Avalanche SupervisedPlugin."""
    from avalanche.core import SupervisedPlugin

    method = create(spec, overrides) if isinstance(spec, str) else spec

    class MethodPlugin(SupervisedPlugin):
        """Runs the clbench method `method` inside an Avalanche strategy."""

        def __init__(self) -> None:
            super().__init__()
            self.method = method
            self.learner: _StrategyLearner | None = None
            self.experiences = 0

        def before_training(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            if self.learner is not None:
                return
            model = strategy.model
            if not isinstance(model, DescribedModel):
                raise MethodError(
                    f"method '{method.spec}' needs a model that describes its layers (a methods.network.DescribedModel, "
                    f"e.g. benchmarks.models.MLP); got {type(model).__name__}"
                )
            lr = strategy.optimizer.param_groups[0]["lr"]
            learner = prepare_learner(
                model, method, OptimizerSpec(lr=lr), family, strategy.device,
                learner_type=functools.partial(_StrategyLearner, template=strategy.optimizer),
            )
            learner.batch_loss = lambda m: strategy._criterion(m(learner.last_inputs), learner.last_targets)
            self.learner = learner
            self._sync(strategy)

        def _sync(self, strategy: Any) -> None:
            if strategy.optimizer is not self.learner.optimizer:
                strategy.optimizer = self.learner.optimizer
            if strategy.model is not self.learner.model:
                strategy.model = self.learner.model

        def before_training_exp(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            self._sync(strategy)
            index = self.experiences
            steps = len(strategy.dataloader) * strategy.train_epochs if hasattr(strategy, "dataloader") else 0
            self.learner.task = TaskInfo(index=index, name=f"experience-{index}", steps=steps)
            method.on_task_start(self.learner, self.learner.task)
            self._sync(strategy)

        def before_forward(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            self.learner.last_inputs, self.learner.last_targets = strategy.mb_x, strategy.mb_y

        def before_backward(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            strategy.loss = self.learner.with_penalty(strategy.loss)

        def after_backward(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            self.learner.before_optimizer_step()
            self._sync(strategy)

        def after_update(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            self.learner.after_optimizer_step()
            self._sync(strategy)

        def after_training_exp(self, strategy: Any, *args: Any, **kwargs: Any) -> None:
            method.on_task_end(self.learner, self.learner.task)
            self.experiences += 1
            self._sync(strategy)

    return MethodPlugin()
