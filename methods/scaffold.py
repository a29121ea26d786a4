"""`clbench new-method NAME`: write a working method file and a test of its defining effect, both passing as written."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from core.errors import MethodError
from core.scaffolding import Scaffold, check_new_name, class_name, write_new_files
from methods.base import NAME_FORM, NAME_PATTERN

METHOD_TEMPLATE = '''"""{title}: clip the global gradient norm before every step (replace with your method; cite its paper and section)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.config import require
from core.search_space import FloatRange, SearchSpace
from methods.base import Method, register
from methods.learner import Learner


@dataclass(frozen=True)
class {class_name}Config:
    """max_norm: the largest global gradient norm allowed (override with --set {name}.max_norm=0.5)."""

    max_norm: float = 1.0

    def __post_init__(self) -> None:
        require(self.max_norm > 0, "{name}", "max_norm", "a positive number", self.max_norm)


@register("{name}")
class {class_name}(Method):
    """Rescale all gradients so that their global norm is at most `max_norm` (Pascanu et al. 2013, §3.2)."""

    citation = "Pascanu, Mikolov, Bengio 2013, On the difficulty of training recurrent neural networks, ICML (§3.2)"
    paper_url = "https://arxiv.org/abs/1211.5063"
    Config = {class_name}Config
    search_space = SearchSpace(
        {{"max_norm": FloatRange(0.1, 10.0, log=True)}},
        source="ours: a decade either side of the default",
    )

    def before_step(self, learner: Learner) -> None:
        params = [p for p in learner.model.parameters() if p.grad is not None]
        torch.nn.utils.clip_grad_norm_(params, self.config.max_norm)
'''

TEST_TEMPLATE = '''"""{name}: its defining effect, on a tiny network."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from benchmarks.models import MLP
from core.errors import MethodError
from methods import base
from methods.learner import OptimizerSpec, prepare_learner


def test_{name}_clips_the_global_gradient_norm_before_the_step():
    torch.manual_seed(0)
    method = base.create("{name}", {{"{name}": {{"max_norm": "0.5"}}}})
    learner = prepare_learner(MLP(12, (16,), 4), method, OptimizerSpec(), "supervised", "cpu")
    inputs, targets = 100 * torch.rand(8, 12), torch.randint(0, 4, (8,))
    F.cross_entropy(learner.model(inputs), targets).backward()
    assert torch.stack([p.grad.norm() for p in learner.model.parameters()]).norm() > 0.5
    method.before_step(learner)
    assert torch.stack([p.grad.norm() for p in learner.model.parameters()]).norm() == pytest.approx(0.5, rel=1e-4)


def test_{name}_refuses_a_non_positive_max_norm_naming_the_field():
    with pytest.raises(MethodError, match="{name}.max_norm=0.0 is invalid"):
        base.create("{name}", {{"{name}": {{"max_norm": "0"}}}})
'''



def check_name(name: str, taken: list[str]) -> None:
    """Refuse names that are not lower_snake, are already registered, or shadow a module of `methods`."""
    check_new_name(name, "method", NAME_PATTERN, NAME_FORM, taken, MethodError)
    if name in _module_names():
        raise MethodError(f"method name '{name}' is taken by a module of the methods package; choose another")


def _module_names() -> set[str]:
    import methods

    return {info.name for info in pkgutil.iter_modules(methods.__path__)}


def render(name: str) -> tuple[str, str]:
    """The method file and test file for `name`, as text."""
    fields = {"name": name, "class_name": class_name(name), "title": name.replace("_", " ").capitalize()}
    return METHOD_TEMPLATE.format(**fields), TEST_TEMPLATE.format(**fields)


def write(name: str, methods_dir: Path, tests_dir: Path, taken: list[str], force: bool = False) -> Scaffold:
    """Write `methods_dir/NAME.py` and `tests_dir/test_NAME.py`; refuse to overwrite unless `force`."""
    check_name(name, taken)
    scaffold = Scaffold(methods_dir / f"{name}.py", tests_dir / f"test_{name}.py")
    method_text, test_text = render(name)
    write_new_files({scaffold.code_path: method_text, scaffold.test_path: test_text}, MethodError, force=force)
    return scaffold
