"""Re-initialise the last k layers every N steps (Nikishin et al. 2022, *The Primacy Bias in Deep RL*, §4; spec §2.3 c)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from methods._layers import reinitialise_modules
from methods.base import Method, register
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


@dataclass(frozen=True)
class ResetLastKConfig:
    """k: how many weight layers, counted back from the output (with their norms); every: steps between resets.

    Defaults (❓, docs/methods.md): k=2 (head and last hidden layer); every=10,000 steps, which gives
    about four resets on the quick permuted-mnist budget, as SPR's 20k-of-100k schedule does.
    """

    k: int = 2
    every: int = 10_000

    def __post_init__(self) -> None:
        require(self.k >= 1, "reset_lastk", "k", "a positive integer (layers counted from the output)", self.k)
        require(self.every >= 1, "reset_lastk", "every", "a positive integer (steps between resets)", self.every)


@register("reset_lastk")
class ResetLastK(Method):
    """Every `every` steps, re-draw the last `k` weight layers (and their norms) and forget their optimizer state.

    Nikishin et al. 2022 (ICML, §4): periodic resets of the last layers undo the primacy bias.
    """

    citation = "Nikishin, Schwarzer, D'Oro, Bacon, Courville 2022, The Primacy Bias in Deep Reinforcement Learning, ICML (§4)"
    paper_url = "https://arxiv.org/abs/2205.07802"
    Config = ResetLastKConfig

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        reason = super().applies_to(network, family)
        if reason:
            return reason
        if self.config.k > len(network.layers):
            return (
                f"reset_lastk.k={self.config.k} is more than the {len(network.layers)} weight layers of this "
                f"{network.family} ({', '.join(i.name for i in network.layers)})"
            )
        return None

    def layers_to_reset(self, learner: Learner) -> list[str]:
        return [info.name for info in learner.network.layers[-self.config.k :]]

    def after_step(self, learner: Learner) -> None:
        if learner.step % self.config.every:
            return
        modules: list[nn.Module] = []
        for info in learner.network.layers[-self.config.k :]:
            modules.append(learner.module(info.name))
            if info.norm is not None:
                modules.append(learner.module(info.norm))
        learner.reset_optimizer_state(reinitialise_modules(learner, modules))
