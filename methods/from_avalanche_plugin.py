"""Avalanche strategy plugins as clbench methods: `avalanche:ewc`, `avalanche:si`, `avalanche:lwf`, … .

The lean loop is not an Avalanche strategy, so `StrategyShim` plays one: it exposes what plugins read
and write (model, optimizer, mbatch/mb_x/mb_y/mb_output, loss, experience, clock, device, train_mb_size)
and calls each plugin's own callbacks at the matching points of the loop. Avalanche is imported only
when such a method is built or run (about 7 s).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import types
import typing
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
import torch.nn.functional as F

from methods.base import Method, register_prefix
from core.config import as_dict, require
from core.errors import MethodError, unknown_name_message
from core.search_space import Choice, FloatRange, SearchSpace, nothing_to_tune
from methods.learner import Learner, TaskInfo

AVALANCHE_CITATION = "Carta et al. 2023, Avalanche: A PyTorch Library for Deep Continual Learning, JMLR 24(363)"
AVALANCHE_URL = "https://jmlr.org/papers/v24/23-0130.html"

TASK_START_EVENTS = ("before_training", "before_train_dataset_adaptation", "after_train_dataset_adaptation", "before_training_exp", "before_training_epoch")
FORWARD_EVENTS = ("before_training_iteration", "before_forward", "after_forward")
TASK_END_EVENTS = ("after_training_epoch", "after_training_exp", "after_training")


# -- configs of the curated plugins ----------------------------------------------------------------
@dataclass(frozen=True)
class EWCConfig:
    """ewc_lambda: penalty weight; mode: 'online' keeps one decayed importance sum (cost O(1) per step),
    'separate' one penalty per past task (cost grows with tasks); decay_factor: online decay γ."""

    ewc_lambda: float = 1.0
    mode: Literal["online", "separate"] = "online"
    decay_factor: float = 1.0

    def __post_init__(self) -> None:
        require(self.ewc_lambda >= 0, "avalanche:ewc", "ewc_lambda", "a number >= 0", self.ewc_lambda)
        require(0 <= self.decay_factor <= 1, "avalanche:ewc", "decay_factor", "a number in [0, 1]", self.decay_factor)

    def plugin_kwargs(self) -> dict[str, Any]:
        decay = self.decay_factor if self.mode == "online" else None
        return {"ewc_lambda": self.ewc_lambda, "mode": self.mode, "decay_factor": decay}


@dataclass(frozen=True)
class SIConfig:
    """si_lambda: surrogate-loss weight c; eps: damping ξ of the importance denominator."""

    si_lambda: float = 0.1
    eps: float = 1e-7

    def __post_init__(self) -> None:
        require(self.si_lambda >= 0, "avalanche:si", "si_lambda", "a number >= 0", self.si_lambda)
        require(self.eps > 0, "avalanche:si", "eps", "a positive number", self.eps)

    def plugin_kwargs(self) -> dict[str, Any]:
        return {"si_lambda": self.si_lambda, "eps": self.eps}


@dataclass(frozen=True)
class LwFConfig:
    """alpha: distillation weight; temperature: softmax temperature of the distillation targets."""

    alpha: float = 1.0
    temperature: float = 2.0

    def __post_init__(self) -> None:
        require(self.alpha >= 0, "avalanche:lwf", "alpha", "a number >= 0", self.alpha)
        require(self.temperature > 0, "avalanche:lwf", "temperature", "a positive number", self.temperature)

    def plugin_kwargs(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "temperature": self.temperature}


@dataclass(frozen=True)
class ReplayConfig:
    """mem_size: examples kept, balanced over past tasks; batch_size_mem: memory examples per step
    (none: the benchmark's batch size, as Avalanche does)."""

    mem_size: int = 200
    batch_size_mem: int | None = None

    def __post_init__(self) -> None:
        require(self.mem_size > 0, "avalanche:replay", "mem_size", "a positive integer", self.mem_size)
        require(self.batch_size_mem is None or self.batch_size_mem > 0, "avalanche:replay", "batch_size_mem", "a positive integer or none", self.batch_size_mem)

    def plugin_kwargs(self) -> dict[str, Any]:
        return {"mem_size": self.mem_size, "batch_size_mem": self.batch_size_mem}


@dataclass(frozen=True)
class MASConfig:
    """lambda_reg: penalty weight; alpha: weight of the old importance when a task's is merged in."""

    lambda_reg: float = 1.0
    alpha: float = 0.5

    def __post_init__(self) -> None:
        require(self.lambda_reg >= 0, "avalanche:mas", "lambda_reg", "a number >= 0", self.lambda_reg)
        require(0 <= self.alpha <= 1, "avalanche:mas", "alpha", "a number in [0, 1]", self.alpha)

    def plugin_kwargs(self) -> dict[str, Any]:
        return {"lambda_reg": self.lambda_reg, "alpha": self.alpha}


@dataclass(frozen=True)
class Curated:
    plugin: str
    config: type
    summary: str
    citation: str
    paper_url: str
    space: SearchSpace


CURATED: dict[str, Curated] = {
    "ewc": Curated(
        "EWCPlugin", EWCConfig,
        "Elastic weight consolidation: a Fisher-weighted quadratic pull toward each past task's weights.",
        "Kirkpatrick et al. 2017, Overcoming catastrophic forgetting in neural networks, PNAS 114(13) (Eq. 3); online mode: Schwarz et al. 2018, Progress & Compress, ICML (§3)",
        "https://arxiv.org/abs/1612.00796",
        SearchSpace(
            {"ewc_lambda": FloatRange(0.1, 1000.0, log=True)},
            source="ours: around Avalanche's default 1, also its baselines' permuted-MNIST value",
        ),
    ),
    "si": Curated(
        "SynapticIntelligencePlugin", SIConfig,
        "Synaptic intelligence: a quadratic pull weighted by each weight's path-integral contribution to the loss.",
        "Zenke, Poole, Ganguli 2017, Continual Learning Through Synaptic Intelligence, ICML (§3, Eq. 4-5)",
        "https://arxiv.org/abs/1703.04200",
        SearchSpace(
            {"si_lambda": FloatRange(0.01, 100.0, log=True)},
            source="ours: around Avalanche's default 0.1 and its baselines' permuted-MNIST 10",
        ),
    ),
    "lwf": Curated(
        "LwFPlugin", LwFConfig,
        "Learning without forgetting: distil the previous task's model outputs into the current one.",
        "Li & Hoiem 2017, Learning without Forgetting, TPAMI 40(12) (§3)",
        "https://arxiv.org/abs/1606.09282",
        SearchSpace(
            {"alpha": FloatRange(0.1, 10.0, log=True), "temperature": Choice((1.0, 2.0, 4.0))},
            source="ours: around Li & Hoiem's temperature 2 and weight 1",
        ),
    ),
    "replay": Curated(
        "ReplayPlugin", ReplayConfig,
        "Experience replay: train on a task-balanced reservoir memory of past examples alongside each batch.",
        "Rolnick et al. 2019, Experience Replay for Continual Learning, NeurIPS (§3); Chaudhry et al. 2019, On Tiny Episodic Memories in Continual Learning (§3)",
        "https://arxiv.org/abs/1811.11682",
        nothing_to_tune("the memory size is a resource budget, fixed for a fair comparison, not tuned"),
    ),
    "mas": Curated(
        "MASPlugin", MASConfig,
        "Memory aware synapses: a quadratic pull weighted by the sensitivity of the output norm to each weight.",
        "Aljundi et al. 2018, Memory Aware Synapses: Learning what (not) to forget, ECCV (§4)",
        "https://arxiv.org/abs/1711.09601",
        SearchSpace(
            {"lambda_reg": FloatRange(0.1, 100.0, log=True)},
            source="ours: three decades around Avalanche's default 1",
        ),
    ),
}

UNSUPPORTED: dict[str, str] = {
    "EvaluationPlugin": "it logs Avalanche evaluation metrics; clbench evaluates in its own loop",
    "EarlyStoppingPlugin": "it needs Avalanche's periodic evaluation on a validation stream",
    "LRSchedulerPlugin": "it needs a scheduler object built around the optimizer",
    "CWRStarPlugin": "it needs the model object in its constructor",
    "GenerativeReplayPlugin": "it trains a generator strategy of its own",
    "TrainGeneratorAfterExpPlugin": "it belongs to generative replay's generator strategy",
    "GDumbPlugin": "it replaces the training data set, which the lean loop owns",
    "BiCPlugin": "it replaces the strategy's data loader, which the lean loop owns",
    "GSS_greedyPlugin": "it replaces the strategy's data loader, which the lean loop owns",
    "RARPlugin": "it replaces the strategy's data loader, which the lean loop owns",
    "CoPEPlugin": "it replaces the strategy's data loader, which the lean loop owns",
    "CurrentDataNCMUpdate": "it needs a nearest-class-mean model head",
    "MemoryNCMUpdate": "it needs a nearest-class-mean model head",
    "NCMOracle": "it needs a nearest-class-mean model head",
    "CurrentDataFeCAMUpdate": "it needs a FeCAM model head",
    "MemoryFeCAMUpdate": "it needs a FeCAM model head",
    "FeCAMOracle": "it needs a FeCAM model head",
}


# -- the method -------------------------------------------------------------------------------------
class AvalanchePluginMethod(Method):
    """An Avalanche strategy plugin driven through `StrategyShim` (supervised benchmarks only)."""

    plugin_class: ClassVar[str] = ""
    families = frozenset({"supervised"})

    def __init__(self, config: Any | None = None):
        super().__init__(config)
        missing = [f.name for f in dataclasses.fields(self.config) if f.metadata.get("required") and getattr(self.config, f.name) is None]
        if missing:
            field = missing[0]
            raise MethodError(f"{self.name}.{field} is required (the plugin has no default): set it with --set {self.name}.{field}=VALUE")
        self.shim: StrategyShim | None = None

    def plugin_kwargs(self) -> dict[str, Any]:
        make = getattr(self.config, "plugin_kwargs", None)
        return make() if callable(make) else as_dict(self.config)

    def make_plugin(self) -> Any:
        from methods._avalanche_corrections import corrected

        return corrected(plugin_classes()[self.plugin_class])(**self.plugin_kwargs())

    def start(self, learner: Learner) -> None:
        self.shim = StrategyShim(learner, [self.make_plugin()])

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        self.shim.task_started(task)

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        return self.shim.penalty()

    def before_step(self, learner: Learner) -> None:
        self.shim.call("after_backward", "before_update")

    def after_step(self, learner: Learner) -> None:
        self.shim.call("after_update", "after_training_iteration")

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        self.shim.task_ended(task)


# -- the strategy-like shim --------------------------------------------------------------------------
class PendingExperience:
    """The experience while its task runs: its index and task label; its data set exists at task end."""

    def __init__(self, index: int):
        self.current_experience = index
        self.task_label = 0
        self.task_labels = [0]

    @property
    def dataset(self) -> Any:
        raise MethodError(
            "this Avalanche plugin reads the experience's data set before the task has ended; the clbench "
            "bridge builds it from the minibatches seen, so it exists only from after_training_exp on"
        )


class StrategyShim:
    """What Avalanche plugins read and write of a strategy, fed from a clbench `Learner`.

    Calls follow Avalanche's SGD template: per task before_training … before_training_epoch; per step
    before_training_iteration, before_forward, after_forward, before_backward (the loss exists),
    after_backward and before_update (gradients exist), after_update and after_training_iteration
    (the optimizer has stepped); then after_training_epoch, after_training_exp, after_training.
    A task is one epoch. The Clock runs last, as Avalanche requires.
    """

    def __init__(self, learner: Learner, plugins: list[Any]):
        from avalanche.training.plugins import ReplayPlugin, SupervisedPlugin
        from avalanche.training.plugins.clock import Clock

        self.learner = learner
        self.plugins = plugins
        self.clock = Clock()
        self.is_training = True
        self.is_eval = False
        self._criterion = torch.nn.CrossEntropyLoss()
        self.train_mb_size: int | None = None
        self.eval_mb_size: int | None = None
        self.train_epochs = 1
        self.mbatch: list[torch.Tensor] | None = None
        self.mb_output: torch.Tensor | None = None
        self.loss: torch.Tensor | None = None
        self.experience: Any = None
        self.adapted_dataset = None
        self.dataloader = None
        self._stop_training = False
        self._seen: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._task_labels: torch.Tensor | None = None
        self._memories = [MemoryReplay(p) for p in plugins if isinstance(p, ReplayPlugin)]
        skipped = {id(p): {"before_training_exp"} for p in plugins if isinstance(p, ReplayPlugin)}
        self._callbacks: dict[str, list[Callable[..., Any]]] = {}
        for event in (*TASK_START_EVENTS, *FORWARD_EVENTS, "before_backward", "after_backward", "before_update", "after_update", "after_training_iteration", *TASK_END_EVENTS):
            receivers = [p for p in plugins if event not in skipped.get(id(p), ()) and _overrides(p, event, SupervisedPlugin)]
            if _overrides(self.clock, event, SupervisedPlugin):
                receivers.append(self.clock)
            self._callbacks[event] = [getattr(p, event) for p in receivers]
        learner.model.register_forward_hook(_output_catcher(self))

    # what plugins read
    @property
    def model(self) -> torch.nn.Module:
        return self.learner.model

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        return self.learner.optimizer

    @property
    def device(self) -> torch.device:
        return self.learner.device

    @property
    def mb_x(self) -> torch.Tensor:
        return self.mbatch[0]

    @property
    def mb_y(self) -> torch.Tensor:
        return self.mbatch[1]

    @property
    def mb_task_id(self) -> torch.Tensor:
        return self.mbatch[-1]

    def criterion(self) -> torch.Tensor:
        return self._criterion(self.mb_output, self.mb_y)

    def stop_training(self) -> None:
        self._stop_training = True

    # driving the plugins
    def call(self, *events: str) -> None:
        for event in events:
            for callback in self._callbacks[event]:
                callback(self)

    def call_quietly(self, *events: str) -> None:
        """Task-level callbacks, without the deprecation warnings Avalanche 0.6 raises about itself."""
        with warnings.catch_warnings(record=True):
            self.call(*events)

    def task_started(self, task: TaskInfo) -> None:
        self.experience = PendingExperience(task.index)
        self._seen = []
        self.call_quietly(*TASK_START_EVENTS)
        for memory in self._memories:
            memory.load(self.device, task.steps)

    def penalty(self) -> torch.Tensor | None:
        x, y = self.learner.last_inputs, self.learner.last_targets
        if self.train_mb_size is None:
            self.train_mb_size = self.eval_mb_size = len(x)
        if self._task_labels is None or len(self._task_labels) != len(x):
            self._task_labels = torch.zeros(len(x), dtype=torch.long, device=x.device)
        self.mbatch = [x, y, self._task_labels]
        self._seen.append((x.detach(), y.detach()))
        self.call(*FORWARD_EVENTS)
        if not self._callbacks["before_backward"] and not self._memories:
            return None
        base = self._criterion(self.mb_output, y)
        self.loss = base.clone()
        self.call("before_backward")
        extra = self.loss - base
        for memory in self._memories:
            extra = extra + memory.term(self.model, base, len(x), self.train_mb_size)
        return extra

    def task_ended(self, task: TaskInfo) -> None:
        from avalanche.benchmarks.scenarios.dataset_scenario import DatasetExperience

        inputs = torch.cat([x for x, _ in self._seen]) if self._seen else torch.empty(0)
        targets = torch.cat([y for _, y in self._seen]) if self._seen else torch.empty(0, dtype=torch.long)
        self._seen = []
        self.experience = DatasetExperience(dataset=classification_dataset(inputs, targets), current_experience=task.index)
        self.call_quietly(*TASK_END_EVENTS)
        for memory in self._memories:
            memory.compact()



class MemoryReplay:
    """The data side of `ReplayPlugin`: its memory batches, which Avalanche feeds through its data loader.

    The plugin fills `storage_policy.buffer` in its own `after_training_exp`; at each task start this
    reads the buffer once, and each step adds the memory batch with the weight it has in Avalanche's
    concatenated batch: mean over (current ∪ memory) = CE_cur + n_mem/(n_cur+n_mem)·(CE_mem − CE_cur).
    """

    def __init__(self, plugin: Any):
        self.plugin = plugin
        self.inputs: torch.Tensor | None = None
        self.targets: torch.Tensor | None = None
        self.order: torch.Tensor | None = None
        self.position = 0

    def load(self, device: torch.device, steps: int) -> None:
        buffer = self.plugin.storage_policy.buffer
        self.inputs = self.targets = None
        if len(buffer) == 0:
            return
        inputs, targets = _examples(buffer)
        self.inputs, self.targets = inputs.to(device), targets.to(device)
        self._steps = steps
        self.order, self.position = None, 0

    def compact(self) -> None:
        """Rebuild each stored buffer over copies of its own examples.

        Avalanche's buffers are subsets that keep their source data set alive. In Avalanche that source is
        the benchmark's data set, held anyway; here it is the task's minibatches (`task_ended`), so without
        this every past task's data would stay in memory (gigabytes over a quick permuted-mnist run).
        """
        policy = self.plugin.storage_policy
        groups = getattr(policy, "buffer_groups", None)
        for holder in groups.values() if groups is not None else (policy,):
            if len(holder.buffer):
                holder.buffer = classification_dataset(*_examples(holder.buffer))

    def term(self, model: torch.nn.Module, current_loss: torch.Tensor, current_size: int, default_size: int) -> torch.Tensor | float:
        if self.inputs is None:
            return 0.0
        size = self.plugin.batch_size_mem or default_size
        rows = self._next_rows(size)
        memory_loss = F.cross_entropy(model(self.inputs[rows]), self.targets[rows])
        return size / (current_size + size) * (memory_loss - current_loss)

    def _next_rows(self, size: int) -> torch.Tensor:
        """Shuffled passes over the memory, as a shuffling data loader that oversamples a small memory."""
        if self.order is None or self.position + size > len(self.order):
            count = len(self.inputs)
            passes = max(1, math.ceil(size * max(1, self._steps) / count))
            self.order = torch.cat([torch.randperm(count) for _ in range(passes + 1)]).to(self.inputs.device)
            self.position = 0
        rows = self.order[self.position : self.position + size]
        self.position += size
        return rows


def _output_catcher(shim: StrategyShim) -> Callable[..., None]:
    """A forward hook keeping the model's last output as `shim.mb_output` (a closure, so that deep copies
    of the model, such as LwF's teacher, share it without copying the shim, and are ignored by it)."""

    def catch(module: torch.nn.Module, _inputs: Any, output: torch.Tensor) -> None:
        if module is shim.learner.model:
            shim.mb_output = output

    return catch


def _examples(dataset: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """All (inputs, targets) of an Avalanche classification data set, as two tensors.

    Collated directly: a DataLoader iterator would draw a seed from the global RNG, which Avalanche's
    reservoir sampling also uses, so bookkeeping would change which examples the memory keeps.
    """
    batch = dataset.collate_fn([dataset[i] for i in range(len(dataset))])
    return batch[0], batch[1]


def classification_dataset(inputs: torch.Tensor, targets: torch.Tensor) -> Any:
    """An Avalanche task-aware classification data set over CPU tensors, task label 0 (one head, as clbench streams)."""
    from avalanche.benchmarks.utils.classification_dataset import TaskAwareSupervisedClassificationDataset
    from avalanche.benchmarks.utils.data_attribute import DataAttribute
    from torch.utils.data import TensorDataset

    inputs, targets = inputs.detach().cpu(), targets.detach().cpu()
    return TaskAwareSupervisedClassificationDataset(
        [TensorDataset(inputs, targets)],
        data_attributes=[
            DataAttribute(targets.tolist(), "targets"),
            DataAttribute([0] * len(targets), "targets_task_labels", use_in_getitem=True),
        ],
    )


def _overrides(plugin: Any, event: str, base: type) -> bool:
    return getattr(type(plugin), event, None) is not getattr(base, event, None)


# -- resolving `avalanche:NAME` ----------------------------------------------------------------------
_RESOLVED: dict[str, type[AvalanchePluginMethod]] = {}


def plugin_classes() -> dict[str, type]:
    """Avalanche's supervised plugin classes by class name (imports Avalanche)."""
    import avalanche.training.plugins as plugins
    from avalanche.training.plugins import SupervisedPlugin

    found = {}
    for name in dir(plugins):
        value = getattr(plugins, name)
        if inspect.isclass(value) and issubclass(value, SupervisedPlugin) and value is not SupervisedPlugin:
            found[name] = value
    return found


def alias(class_name: str) -> str:
    """'SynapticIntelligencePlugin' → 'synaptic_intelligence'; 'LwFPlugin' → 'lwf'."""
    stem = re.sub(r"Plugin$", "", class_name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", "_", stem).lower().replace("__", "_")


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def listed_names() -> list[str]:
    """The `avalanche:` names clbench lists and tests (any other supported plugin resolves too)."""
    return [f"avalanche:{name}" for name in CURATED]


def resolve(rest: str) -> type[AvalanchePluginMethod]:
    """The method class for `avalanche:<rest>`, built once per plugin."""
    key = rest.strip().lower()
    if key in _RESOLVED:
        return _RESOLVED[key]
    if key in CURATED:
        cls = _curated_method(key, CURATED[key])
    else:
        cls = _generic_method(key)
    _RESOLVED[key] = cls
    return cls


def _curated_method(key: str, entry: Curated) -> type[AvalanchePluginMethod]:
    name = f"avalanche:{key}"
    return type(
        f"Avalanche{entry.plugin}",
        (AvalanchePluginMethod,),
        {
            "__doc__": f"{entry.summary}\n\nAvalanche's {entry.plugin}; {entry.citation}.",
            "__module__": __name__,
            "name": name,
            "summary": f"{entry.summary} (Avalanche {entry.plugin})",
            "citation": f"{entry.citation}; via {AVALANCHE_CITATION}",
            "paper_url": entry.paper_url,
            "Config": entry.config,
            "plugin_class": entry.plugin,
            "search_space": entry.space,
        },
    )


def _generic_method(key: str) -> type[AvalanchePluginMethod]:
    classes = plugin_classes()
    by_alias = {alias(n): n for n in classes}
    matches = [n for a, n in by_alias.items() if _squash(a) == _squash(key)]
    if not matches:
        valid = sorted(set(by_alias) | set(CURATED))
        raise MethodError(unknown_name_message("avalanche plugin", key, valid))
    class_name = matches[0]
    if class_name in UNSUPPORTED:
        raise MethodError(f"avalanche:{key} ({class_name}) cannot run as a clbench method: {UNSUPPORTED[class_name]}")
    plugin = classes[class_name]
    config = _config_from_signature(f"avalanche:{key}", plugin)
    doc = (inspect.getdoc(plugin) or class_name).splitlines()[0]
    return type(
        f"Avalanche{class_name}",
        (AvalanchePluginMethod,),
        {
            "__doc__": f"{doc}\n\nAvalanche's {class_name}, bridged generically (see docs/methods.md (second wave)).",
            "__module__": __name__,
            "name": f"avalanche:{key}",
            "summary": f"{doc} (Avalanche {class_name})",
            "citation": f"the paper named in Avalanche's {class_name} docstring; via {AVALANCHE_CITATION}",
            "paper_url": AVALANCHE_URL,
            "Config": config,
            "plugin_class": class_name,
            "search_space": nothing_to_tune("a generically bridged plugin declares no space: tuned on bench.lr alone"),
        },
    )


_SIMPLE = (int, float, bool, str)


def _config_from_signature(name: str, plugin: type) -> type:
    """A frozen config dataclass from the plugin constructor's simple arguments (others keep their defaults)."""
    signature = inspect.signature(plugin.__init__)
    try:
        hints = typing.get_type_hints(plugin.__init__)
    except Exception:  # noqa: BLE001 - unresolvable annotations fall back to the defaults' types
        hints = {}
    fields = []
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = _simple_type(hints.get(parameter.name), parameter.default)
        required = parameter.default is parameter.empty
        if annotation is None:
            if required:
                raise MethodError(f"{name} cannot run as a clbench method: its argument '{parameter.name}' is a Python object that --set cannot give")
            continue
        if required:
            annotation = annotation | None
        default = None if required else parameter.default
        fields.append((parameter.name, annotation, dataclasses.field(default=default, metadata={"required": required})))
    return dataclasses.make_dataclass(f"{plugin.__name__}Config", fields, frozen=True)


def _simple_type(hint: Any, default: Any) -> Any:
    """The field type for a constructor argument, or None when --set cannot express it."""
    if hint in _SIMPLE:
        return hint
    origin = typing.get_origin(hint)
    if origin is Literal:
        return hint
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if options and all(a in _SIMPLE for a in options):
            return hint
        return None
    if hint is None or hint is inspect.Parameter.empty:
        if isinstance(default, bool):
            return bool
        if isinstance(default, _SIMPLE):
            return type(default)
        if default is None or default is inspect.Parameter.empty:
            return int | float | str | None
    return None


register_prefix("avalanche", resolve)
