"""Model families that describe their layers: MLP here; CNN, small ResNet and the Atari Q-network too.

Every hidden weight layer is followed by an empty `NormSlot` and then its nonlinearity, so that methods
can insert a normalisation layer in the same place on every family.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from methods.network import DescribedModel, LayerInfo, NetworkDescription, NormSlot


KAIMING_NONLINEARITY = "kaiming_nonlinearity"
"""The attribute of a layer that names its Kaiming gain when it is not ReLU's; copies of the layer keep it."""


def kaiming_uniform_zero_bias(module: nn.Module) -> None:
    """Kaiming-uniform weights and zero biases (Dohare et al. 2024's initialiser): ReLU's gain √2, or the gain of
    the layer's `kaiming_nonlinearity` where set ("linear", gain 1, is the authors' output layer in `ffnn.py`)."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_uniform_(module.weight, nonlinearity=getattr(module, KAIMING_NONLINEARITY, "relu"))
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif callable(getattr(module, "reset_parameters", None)):
        module.reset_parameters()


class MLP(DescribedModel):
    """input → [Linear → NormSlot → ReLU] × depth → Linear. init: "pytorch" (default) or "kaiming".

    With init="kaiming", `output_nonlinearity` sets the output layer's gain: "relu" (√2, as the hidden layers)
    or "linear" (1, Dohare et al.'s output layer); re-drawing the layer, or a copy of it, keeps that gain.
    """

    def __init__(
        self, in_features: int, hidden: tuple[int, ...], num_outputs: int, init: str = "pytorch", output_nonlinearity: str = "relu"
    ):
        super().__init__()
        if init not in ("pytorch", "kaiming"):
            raise ValueError(f"init must be 'pytorch' or 'kaiming', got {init!r}")
        if output_nonlinearity not in ("relu", "linear"):
            raise ValueError(f"output_nonlinearity must be 'relu' or 'linear', got {output_nonlinearity!r}")
        self.init = init
        self.in_features = in_features
        self.hidden = nn.ModuleList()
        width = in_features
        for size in hidden:
            self.hidden.append(
                nn.ModuleDict({"linear": nn.Linear(width, size), "norm": NormSlot(size, "linear"), "act": nn.ReLU()})
            )
            width = size
        self.output = nn.Linear(width, num_outputs)
        self.num_outputs = num_outputs
        if init == "kaiming":
            if output_nonlinearity != "relu":
                setattr(self.output, KAIMING_NONLINEARITY, output_nonlinearity)
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    kaiming_uniform_zero_bias(module)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        h = inputs.flatten(1)
        for block in self.hidden:
            h = block["act"](block["norm"](block["linear"](h)))
        return self.output(h)

    def reinitialise(self, module: nn.Module) -> None:
        if self.init == "kaiming":
            kaiming_uniform_zero_bias(module)
        else:
            super().reinitialise(module)

    def describe(self) -> NetworkDescription:
        layers = []
        names = [f"hidden.{i}.linear" for i in range(len(self.hidden))] + ["output"]
        for i, block in enumerate(self.hidden):
            layers.append(
                LayerInfo(
                    name=names[i],
                    kind="linear",
                    width=block["linear"].out_features,
                    norm=f"hidden.{i}.norm",
                    activation=f"hidden.{i}.act",
                    consumers=(names[i + 1],),
                )
            )
        layers.append(LayerInfo(name="output", kind="linear", width=self.num_outputs, is_output=True))
        features = f"hidden.{len(self.hidden) - 1}.act" if len(self.hidden) else None
        return NetworkDescription(
            layers=layers, family="mlp", input_shape=(self.in_features,), num_outputs=self.num_outputs, features=features
        )


def parameter_count(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def fan_in(module: nn.Module) -> int:
    weight = module.weight
    return int(math.prod(weight.shape[1:]))


def _conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    return (size + 2 * padding - kernel) // stride + 1


class ConvNet(DescribedModel):
    """[Conv → NormSlot → ReLU → MaxPool(2)] × len(channels) → flatten → [Linear → NormSlot → ReLU] × … → Linear.

    The default (16, 16) channels, kernel 5 and (100, 100) hidden units are Kumar et al. 2023's CNN.
    """

    def __init__(
        self,
        input_shape: tuple[int, int, int],
        num_outputs: int,
        channels: tuple[int, ...] = (16, 16),
        kernel: int = 5,
        hidden: tuple[int, ...] = (100, 100),
    ):
        super().__init__()
        in_channels, height, width = input_shape
        self.input_shape = input_shape
        self.convs = nn.ModuleList()
        for out_channels in channels:
            self.convs.append(
                nn.ModuleDict(
                    {
                        "conv": nn.Conv2d(in_channels, out_channels, kernel),
                        "norm": NormSlot(out_channels, "conv"),
                        "act": nn.ReLU(),
                        "pool": nn.MaxPool2d(2),
                    }
                )
            )
            height, width = _conv_out(height, kernel) // 2, _conv_out(width, kernel) // 2
            in_channels = out_channels
        if height < 1 or width < 1:
            raise ValueError(f"input {input_shape} is too small for {len(channels)} conv layers of kernel {kernel}")
        self.spatial = height * width
        self.fcs = nn.ModuleList()
        features = in_channels * self.spatial
        for size in hidden:
            self.fcs.append(nn.ModuleDict({"linear": nn.Linear(features, size), "norm": NormSlot(size, "linear"), "act": nn.ReLU()}))
            features = size
        self.output = nn.Linear(features, num_outputs)
        self.num_outputs = num_outputs

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        h = inputs
        for block in self.convs:
            h = block["pool"](block["act"](block["norm"](block["conv"](h))))
        h = h.flatten(1)
        for block in self.fcs:
            h = block["act"](block["norm"](block["linear"](h)))
        return self.output(h)

    def describe(self) -> NetworkDescription:
        names = [f"convs.{i}.conv" for i in range(len(self.convs))] + [f"fcs.{i}.linear" for i in range(len(self.fcs))] + ["output"]
        layers = []
        for i, block in enumerate(self.convs):
            last_conv = i == len(self.convs) - 1
            layers.append(
                LayerInfo(
                    name=names[i],
                    kind="conv",
                    width=block["conv"].out_channels,
                    norm=f"convs.{i}.norm",
                    activation=f"convs.{i}.act",
                    consumers=(names[i + 1],),
                    consumer_repeat=self.spatial if last_conv else 1,
                )
            )
        offset = len(self.convs)
        for j, block in enumerate(self.fcs):
            layers.append(
                LayerInfo(
                    name=names[offset + j],
                    kind="linear",
                    width=block["linear"].out_features,
                    norm=f"fcs.{j}.norm",
                    activation=f"fcs.{j}.act",
                    consumers=(names[offset + j + 1],),
                )
            )
        layers.append(LayerInfo(name="output", kind="linear", width=self.num_outputs, is_output=True))
        features = f"fcs.{len(self.fcs) - 1}.act" if len(self.fcs) else f"convs.{len(self.convs) - 1}.pool"
        return NetworkDescription(layers, "cnn", tuple(self.input_shape), self.num_outputs, features=features)


class BasicBlock(nn.Module):
    """conv3x3 → norm → ReLU → conv3x3 → norm, plus a (1x1 conv → norm) shortcut when shapes change, → ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, norm: str):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.norm1 = _norm(out_channels, norm)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.norm2 = _norm(out_channels, norm)
        self.shortcut: nn.Module | None = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.shortcut_norm = _norm(out_channels, norm)
        self.act2 = nn.ReLU()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        h = self.act1(self.norm1(self.conv1(inputs)))
        h = self.norm2(self.conv2(h))
        skip = inputs if self.shortcut is None else self.shortcut_norm(self.shortcut(inputs))
        return self.act2(h + skip)


def _norm(channels: int, norm: str) -> nn.Module:
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "none":
        return NormSlot(channels, "conv")
    raise ValueError(f"norm must be 'batch' or 'none', got {norm!r}")


class SmallResNet(DescribedModel):
    """A CIFAR-style ResNet: a 3x3 stem, stages of BasicBlocks, global average pooling, a linear head.

    Dohare et al. 2024 use ResNet-18 with BatchNorm on class-incremental CIFAR-100; this is its small
    sibling (widths (16, 32, 64), one block per stage by default) for CPU presets.
    """

    def __init__(
        self,
        input_shape: tuple[int, int, int],
        num_outputs: int,
        widths: tuple[int, ...] = (16, 32, 64),
        blocks_per_stage: int = 1,
        norm: str = "batch",
    ):
        super().__init__()
        self.input_shape = input_shape
        self.norm_kind = norm
        self.stem = nn.Conv2d(input_shape[0], widths[0], 3, padding=1, bias=False)
        self.stem_norm = _norm(widths[0], norm)
        self.stem_act = nn.ReLU()
        blocks = []
        in_channels = widths[0]
        for stage, width in enumerate(widths):
            for index in range(blocks_per_stage):
                stride = 2 if stage > 0 and index == 0 else 1
                blocks.append(BasicBlock(in_channels, width, stride, norm))
                in_channels = width
        self.blocks = nn.ModuleList(blocks)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.output = nn.Linear(in_channels, num_outputs)
        self.num_outputs = num_outputs

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        h = self.stem_act(self.stem_norm(self.stem(inputs)))
        for block in self.blocks:
            h = block(h)
        return self.output(self.pool(h))

    def describe(self) -> NetworkDescription:
        layers: list[LayerInfo] = []
        first = "blocks.0"
        stem_consumers = (f"{first}.conv1",) + ((f"{first}.shortcut",) if self.blocks[0].shortcut is not None else ())
        layers.append(LayerInfo("stem", "conv", self.stem.out_channels, "stem_norm", "stem_act", consumers=stem_consumers, residual=True))
        for i, block in enumerate(self.blocks):
            prefix = f"blocks.{i}"
            nxt = f"blocks.{i + 1}" if i + 1 < len(self.blocks) else None
            if nxt is None:
                after = ("output",)
            else:
                after = (f"{nxt}.conv1",) + ((f"{nxt}.shortcut",) if self.blocks[i + 1].shortcut is not None else ())
            width = block.conv1.out_channels
            layers.append(LayerInfo(f"{prefix}.conv1", "conv", width, f"{prefix}.norm1", f"{prefix}.act1", consumers=(f"{prefix}.conv2",)))
            layers.append(LayerInfo(f"{prefix}.conv2", "conv", width, f"{prefix}.norm2", f"{prefix}.act2", consumers=after, residual=True))
            if block.shortcut is not None:
                layers.append(
                    LayerInfo(f"{prefix}.shortcut", "conv", width, f"{prefix}.shortcut_norm", f"{prefix}.act2", consumers=after, residual=True)
                )
        layers.append(LayerInfo("output", "linear", self.num_outputs, is_output=True))
        return NetworkDescription(layers, "resnet", tuple(self.input_shape), self.num_outputs, features="pool")


class QNetwork(DescribedModel):
    """The Nature DQN torso (Mnih et al. 2015): three convs, a 512-unit layer, one Q-value per action.

    Inputs are uint8 frame stacks (N, 4, 84, 84), scaled to [0, 1] inside `forward`.
    """

    def __init__(self, num_actions: int = 18, frames: int = 4, channels: tuple[int, int, int] = (32, 64, 64), hidden: int = 512):
        super().__init__()
        specs = ((channels[0], 8, 4), (channels[1], 4, 2), (channels[2], 3, 1))
        self.convs = nn.ModuleList()
        in_channels, size = frames, 84
        for out_channels, kernel, stride in specs:
            self.convs.append(
                nn.ModuleDict({"conv": nn.Conv2d(in_channels, out_channels, kernel, stride), "norm": NormSlot(out_channels, "conv"), "act": nn.ReLU()})
            )
            in_channels, size = out_channels, _conv_out(size, kernel, stride)
        self.spatial = size * size
        self.fc = nn.ModuleDict({"linear": nn.Linear(in_channels * self.spatial, hidden), "norm": NormSlot(hidden, "linear"), "act": nn.ReLU()})
        self.output = nn.Linear(hidden, num_actions)
        self.num_outputs = num_actions
        self.frames = frames

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        h = frames.float() / 255.0 if frames.dtype == torch.uint8 else frames
        for block in self.convs:
            h = block["act"](block["norm"](block["conv"](h)))
        h = h.flatten(1)
        h = self.fc["act"](self.fc["norm"](self.fc["linear"](h)))
        return self.output(h)

    def describe(self) -> NetworkDescription:
        names = [f"convs.{i}.conv" for i in range(3)] + ["fc.linear", "output"]
        layers = []
        for i, block in enumerate(self.convs):
            layers.append(
                LayerInfo(
                    names[i], "conv", block["conv"].out_channels, f"convs.{i}.norm", f"convs.{i}.act",
                    consumers=(names[i + 1],), consumer_repeat=self.spatial if i == 2 else 1,
                )
            )
        layers.append(LayerInfo("fc.linear", "linear", self.fc["linear"].out_features, "fc.norm", "fc.act", consumers=("output",)))
        layers.append(LayerInfo("output", "linear", self.num_outputs, is_output=True))
        return NetworkDescription(layers, "qnetwork", (self.frames, 84, 84), self.num_outputs, features="fc.act")


class MinAtarQNetwork(DescribedModel):
    """The MinAtar DQN network (Young & Tian 2019, §4): one 3×3 conv (16 channels), 128 hidden units, one Q-value per action.

    Inputs are (N, 10, 10, C) binary states in MinAtar's own layout (bool, uint8 or float), used as they are.
    """

    def __init__(self, num_actions: int = 6, in_channels: int = 10, channels: int = 16, hidden: int = 128, grid: int = 10):
        super().__init__()
        self.conv = nn.ModuleDict({"conv": nn.Conv2d(in_channels, channels, 3, 1), "norm": NormSlot(channels, "conv"), "act": nn.ReLU()})
        self.spatial = _conv_out(grid, 3) ** 2
        self.fc = nn.ModuleDict({"linear": nn.Linear(channels * self.spatial, hidden), "norm": NormSlot(hidden, "linear"), "act": nn.ReLU()})
        self.output = nn.Linear(hidden, num_actions)
        self.num_outputs = num_actions
        self.input_shape = (grid, grid, in_channels)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        h = self.conv["act"](self.conv["norm"](self.conv["conv"](states.permute(0, 3, 1, 2).float())))
        h = self.fc["act"](self.fc["norm"](self.fc["linear"](h.flatten(1))))
        return self.output(h)

    def describe(self) -> NetworkDescription:
        layers = [
            LayerInfo("conv.conv", "conv", self.conv["conv"].out_channels, "conv.norm", "conv.act",
                      consumers=("fc.linear",), consumer_repeat=self.spatial),
            LayerInfo("fc.linear", "linear", self.fc["linear"].out_features, "fc.norm", "fc.act", consumers=("output",)),
            LayerInfo("output", "linear", self.num_outputs, is_output=True),
        ]
        return NetworkDescription(layers, "qnetwork", self.input_shape, self.num_outputs, features="fc.act")
