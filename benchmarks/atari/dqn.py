"""DQN with Double-DQN targets, Adam, a target network and uniform replay, driven through method hooks.

Mnih et al. 2015 (Nature DQN) with van Hasselt et al. 2016's Double-DQN target
r + γ·Q_target(s', argmax_a Q_online(s', a)) and the Huber loss. The Q-network is built through
`prepare_learner`, so every registered method's hooks act on it; the target network follows whenever a
method replaces parameters (pitfalls.md, item 1), and the optimizer is always read from the learner.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.replay import Batch, ReplayBuffer
from methods.learner import Learner


class DQNAgent:
    """Acts ε-greedily with the learner's Q-network and trains it from replay, calling the method's hooks."""

    def __init__(self, learner: Learner, settings: DQNSettings, rng: np.random.Generator):
        self.learner = learner
        self.settings = settings
        self.rng = rng
        self.method = learner.method
        self.device = learner.device
        self.target = self._copy_of_online()
        learner.on_parameters_replaced(self.sync_target)
        self._batch: dict[str, torch.Tensor] = {}
        learner.batch_loss = self._loss_of

    def _copy_of_online(self) -> torch.nn.Module:
        target = copy.deepcopy(self.learner.model)
        for parameter in target.parameters():
            parameter.requires_grad_(False)
        return target

    def sync_target(self) -> None:
        """Copy the online weights into the target network (re-copying the module if its shape changed)."""
        try:
            self.target.load_state_dict(self.learner.model.state_dict())
        except RuntimeError:
            self.target = self._copy_of_online()

    def greedy_actions(self, observations: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            q_values = self.learner.model(torch.from_numpy(observations).to(self.device))
        return q_values.argmax(1).cpu().numpy()

    def act(self, observations: np.ndarray, epsilon: float) -> np.ndarray:
        """ε-greedy actions (N,) for observations (N, S, H, W) uint8, over the full action set."""
        actions = self.greedy_actions(observations)
        explore = self.rng.random(len(actions)) < epsilon
        if explore.any():
            actions[explore] = self.rng.integers(0, self.learner.network.num_outputs, int(explore.sum()))
        return actions.astype(np.int64)

    def _loss_of(self, model: torch.nn.Module) -> torch.Tensor:
        """Huber TD loss of `model` on the current batch against its fixed Double-DQN targets."""
        batch = self._batch
        q_taken = model(batch["observations"]).gather(1, batch["actions"][:, None]).squeeze(1)
        return F.smooth_l1_loss(q_taken, batch["targets"], beta=self.settings.huber_delta)

    def _load(self, batch: Batch) -> None:
        device = self.device
        observations = torch.from_numpy(batch.observations).to(device)
        next_observations = torch.from_numpy(batch.next_observations).to(device)
        rewards = torch.from_numpy(batch.rewards).to(device)
        not_done = torch.from_numpy(~batch.terminated).to(device=device, dtype=torch.float32)
        with torch.no_grad():
            next_actions = self.learner.model(next_observations).argmax(1, keepdim=True)
            next_values = self.target(next_observations).gather(1, next_actions).squeeze(1)
            targets = rewards + self.settings.gamma * not_done * next_values
        self._batch = {
            "observations": observations,
            "actions": torch.from_numpy(batch.actions).to(device),
            "targets": targets,
        }
        self.learner.last_inputs = observations
        self.learner.last_targets = targets

    def update(self, replay: ReplayBuffer) -> torch.Tensor:
        """One gradient step on a replay batch; returns the detached TD loss (kept on the device)."""
        learner = self.learner
        self._load(replay.sample(self.settings.batch_size, self.rng))
        loss = self._loss_of(learner.model)
        td_loss = loss.detach()
        learner.update(loss)
        if learner.step % self.settings.target_update_every == 0:
            self.sync_target()
        return td_loss
