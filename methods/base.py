"""The method contract (a bundle of hooks with do-nothing defaults), its registry and `a+b` composition.

Loops call, in order: `applies_to` (before anything is built), `prepare` (change the architecture),
`optimizer` (build or wrap it), `start` (θ₀ and the optimizer exist), then per task `on_task_start`,
per step `penalty` → backward → `before_step` (gradients visible) → optimizer step → `after_step`,
and `on_task_end`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

import torch
from torch import nn

from core.config import as_dict, with_overrides
from core.errors import MethodError, unknown_name_message
from core.families import FAMILIES, not_applicable_reason, require_families
from core.search_space import SearchSpace
from methods.learner import Learner, OptimizerSpec, TaskInfo
from methods.network import NetworkDescription

ENTRY_POINT_GROUP = "clbench.methods"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
NAME_FORM = "lower_snake_case letters, digits and '_', starting with a letter (e.g. grad_clip)"
HOOKS = ("prepare", "optimizer", "start", "penalty", "before_step", "after_step", "on_task_start", "on_task_end")


@dataclass(frozen=True)
class NoConfig:
    """Hyperparameters of a method that has none."""


class Method:
    """A plasticity method: override only the hooks you need. Subclasses set `name` via `@register`."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    paper_url: ClassVar[str] = ""
    Config: ClassVar[type] = NoConfig
    version: ClassVar[int] = 1
    """Bump whenever a change alters results: runs of different versions never share a row or a run id."""
    families: ClassVar[frozenset[str]] = FAMILIES
    roles: ClassVar[frozenset[str]] = frozenset()
    """Exclusive roles such as "optimizer" or "normalization": two methods with one role cannot compose."""
    search_space: ClassVar[SearchSpace | None] = None
    """The config fields `clbench tune` may vary, or `nothing_to_tune(reason)`; None = not declared (tuning refuses)."""

    def __init__(self, config: Any | None = None):
        self.config = config if config is not None else self.Config()

    # -- hooks -------------------------------------------------------------------------------------
    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        """None if this method can act on `network`, else the reason it cannot (said before training)."""
        return not_applicable_reason(self.name, self.families, family)

    def prepare(self, learner: Learner) -> None:
        """Change the architecture in place (insert norms, drop biases) and update `learner.network`."""

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer | None:
        """Build the optimizer, or return None to use the benchmark's default `spec.build(params)`."""
        return None

    def start(self, learner: Learner) -> None:
        """Called once when θ₀ has been recorded and the optimizer exists."""

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        """An extra loss term added before backward, or None."""
        return None

    def before_step(self, learner: Learner) -> None:
        """Gradients are populated; the optimizer has not stepped yet."""

    def after_step(self, learner: Learner) -> None:
        """The optimizer has stepped and `learner.step` counts it."""

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        """A new task (a new permutation, a new game) begins."""

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        """A task has ended."""

    # -- description -------------------------------------------------------------------------------
    @property
    def spec(self) -> str:
        return self.name

    @property
    def method_version(self) -> str:
        """The version as records carry it: `2`, or for `a+b` the parts' versions joined, `1+2`."""
        return str(self.version)

    def config_dict(self) -> dict[str, dict[str, Any]]:
        """Hyperparameters keyed by method name, as stored in the run record."""
        return {self.name: as_dict(self.config)}

    def members(self) -> dict[str, Method]:
        return {self.name: self}

    def overrides(self, name: str) -> bool:
        """Whether this method overrides hook `name` (used to skip no-op hooks in hot loops)."""
        return getattr(type(self), name) is not getattr(Method, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config})"


class ComposedMethod(Method):
    """`a+b`: hooks run in spec order; state stays keyed by method name, never by position."""

    def __init__(self, parts: Iterable[Method]):
        self.parts: dict[str, Method] = {}
        for part in parts:
            if part.name in self.parts:
                raise MethodError(f"method '{part.name}' appears twice in the composition")
            self.parts[part.name] = part
        _check_compatible(list(self.parts.values()))
        self.config = None
        self._callers = {hook: [getattr(p, hook) for p in self.parts.values() if p.overrides(hook)] for hook in HOOKS}
        self._optimizer_callers = [(p.name, p.optimizer) for p in self.parts.values() if p.overrides("optimizer")]
        self.families = frozenset.intersection(*(p.families for p in self.parts.values()))
        self.roles = frozenset().union(*(p.roles for p in self.parts.values()))

    @property
    def spec(self) -> str:
        return "+".join(self.parts)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.spec

    @property
    def method_version(self) -> str:
        return "+".join(part.method_version for part in self.parts.values())

    def config_dict(self) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for part in self.parts.values():
            merged.update(part.config_dict())
        return merged

    def members(self) -> dict[str, Method]:
        return dict(self.parts)

    def overrides(self, name: str) -> bool:
        return bool(self._callers[name])

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        for part in self.parts.values():
            reason = part.applies_to(network, family)
            if reason:
                return reason
        return None

    def prepare(self, learner: Learner) -> None:
        for call in self._callers["prepare"]:
            call(learner)

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer | None:
        built = [(name, opt) for name, call in self._optimizer_callers if (opt := call(learner, params, spec)) is not None]
        if len(built) > 1:
            raise MethodError(
                f"methods {' and '.join(repr(name) for name, _ in built)} each build an optimizer, so '{self.spec}' "
                "would train with one and silently drop the other; declare the \"optimizer\" role to refuse this composition"
            )
        return built[0][1] if built else None

    def start(self, learner: Learner) -> None:
        for call in self._callers["start"]:
            call(learner)

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        terms = [t for call in self._callers["penalty"] if (t := call(learner)) is not None]
        return sum(terms[1:], terms[0]) if terms else None

    def before_step(self, learner: Learner) -> None:
        for call in self._callers["before_step"]:
            call(learner)

    def after_step(self, learner: Learner) -> None:
        for call in self._callers["after_step"]:
            call(learner)

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        for call in self._callers["on_task_start"]:
            call(learner, task)

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        for call in self._callers["on_task_end"]:
            call(learner, task)

    def __repr__(self) -> str:
        return f"ComposedMethod({self.spec})"


def _check_compatible(parts: list[Method]) -> None:
    for i, first in enumerate(parts):
        for second in parts[i + 1 :]:
            shared = first.roles & second.roles
            if shared:
                raise MethodError(
                    f"methods '{first.name}' and '{second.name}' cannot be composed: both take the "
                    f"{', '.join(sorted(shared))} role"
                )
            for a, b in ((first, second), (second, first)):
                if b.name in getattr(a, "incompatible_with", ()):
                    raise MethodError(f"methods '{a.name}' and '{b.name}' cannot be composed: {a.name} excludes {b.name}")
    if not parts:
        raise MethodError("an empty method spec; give at least one method name")


# -- registry --------------------------------------------------------------------------------------
_REGISTRY: dict[str, type[Method]] = {}
_PREFIXES: dict[str, Callable[[str], type[Method]]] = {}
_LOADED = False
INTERNAL_MODULES = frozenset({"base", "learner", "network", "to_avalanche_plugin", "scaffold"})
"""Modules of `methods/` that register no method (and so are no method name a new method may take)."""


def register(name: str):
    """Class decorator: `@register("nap")` adds a Method subclass to the registry under `name`."""

    def decorate(cls: type[Method]) -> type[Method]:
        if not (isinstance(cls, type) and issubclass(cls, Method)):
            raise TypeError(f"@register('{name}') must decorate a Method subclass, got {cls!r}")
        if not NAME_PATTERN.fullmatch(name):
            raise TypeError(f"@register('{name}'): a method name is {NAME_FORM}")
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not cls:
            raise MethodError(f"method name '{name}' is already registered by {existing.__module__}.{existing.__qualname__}")
        cls.name = name
        require_families(cls.families, f"method '{name}'")
        if not (isinstance(cls.version, int) and cls.version >= 1):
            raise TypeError(f"method '{name}': version must be an integer >= 1, got {cls.version!r}")
        if cls.search_space is not None:
            cls.search_space.check_fields({f.name for f in dataclasses.fields(cls.Config) if f.init}, f"method '{name}'")
        if not cls.summary and cls.__doc__:
            cls.summary = cls.__doc__.strip().splitlines()[0]
        _REGISTRY[name] = cls
        return cls

    return decorate


def register_prefix(prefix: str, resolve: Callable[[str], type[Method]]) -> None:
    """Names `prefix:rest` resolve through `resolve(rest)` (e.g. `avalanche:ewc` → an Avalanche plugin)."""
    if prefix in _PREFIXES and _PREFIXES[prefix] is not resolve:
        raise MethodError(f"method prefix '{prefix}:' is already registered")
    _PREFIXES[prefix] = resolve


def load_all() -> None:
    """Import every built-in method module and every `clbench.methods` entry point (once)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import methods as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in INTERNAL_MODULES:
            importlib.import_module(f"methods.{info.name}")
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        if isinstance(loaded, type) and issubclass(loaded, Method) and loaded not in _REGISTRY.values():
            register(entry.name)(loaded)


def names(pattern: str = "*") -> list[str]:
    """Registered method names matching a glob pattern, sorted."""
    load_all()
    return sorted(n for n in _REGISTRY if fnmatch.fnmatch(n, pattern))


def get(name: str) -> type[Method]:
    load_all()
    if name in _REGISTRY:
        return _REGISTRY[name]
    prefix, colon, rest = name.partition(":")
    if colon and prefix in _PREFIXES:
        return _PREFIXES[prefix](rest)
    raise MethodError(unknown_name_message("method", name, _REGISTRY))


def create(spec: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Method:
    """Build a method from a spec such as `nap` or `nap+redo`, with `{"nap": {"every": "10"}}` overrides."""
    overrides = dict(overrides or {})
    part_names = [part.strip() for part in spec.split("+")]
    if any(not part for part in part_names):
        raise MethodError(f"method spec '{spec}' has an empty part; write names joined by '+', e.g. nap+redo")
    parts = []
    for part in part_names:
        cls = get(part)
        config = with_overrides(cls.Config(), overrides.pop(part, {}), scope=part)
        parts.append(cls(config))
    if overrides:
        unused = ", ".join(sorted(overrides))
        raise MethodError(f"--set names {unused}, which is not part of the method spec '{spec}'")
    return _combine(parts)


def build(configs: Mapping[str, Mapping[str, Any]]) -> Method:
    """The method whose parts (in spec order) have exactly these config field values, as a job carries them."""
    parts = []
    for name, values in configs.items():
        cls = get(name)
        parts.append(cls(cls.Config(**values)))
    return _combine(parts)


def _combine(parts: list[Method]) -> Method:
    return parts[0] if len(parts) == 1 else ComposedMethod(parts)


def validate_spec(spec: str) -> None:
    """Raise MethodError if any name in `spec` is unknown or the composition is refused."""
    create(spec)


def config_fields(cls: type[Method]) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls.Config) if f.init]
