"""The continual-RL loop: play a game sequence with a DQN agent, call method hooks, measure every visit.

Each visit to a game is a task: `on_task_start` fires at the switch (with the game and cycle), the
ε schedule restarts, and by default the replay buffer is emptied, so a visit looks to the agent like a
fresh single-game run and only the network (and optimizer) carry over. A visit can be split into
reporting segments (atari-single reports one long visit in segments; hooks still fire once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from benchmarks.atari.arcade import ALE_ARCADE, Arcade
from benchmarks.atari.dqn import DQNAgent
from benchmarks.atari.dqn_settings import DQNSettings, clip_reward
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.atari.metrics import binned_curve, difference, final_return, learning_curve_area, mean_or_none
from benchmarks.atari.sequence import AtariSequenceVectorEnv, Visit
from benchmarks.base import BenchmarkResult
from benchmarks.diagnostics import DiagnosticsSettings, DiagnosticsTracker
from benchmarks.errors import BenchmarkError
from benchmarks.sinks import RunSink
from leaderboard.records import DiagnosticPoint, TaskMetrics
from core.config import require
from methods.learner import Learner, OptimizerSpec, TaskInfo, prepare_learner

LOSS_CHUNK = 1024
PROGRESS_EVERY = 256


@dataclass
class _Segment:
    visit: Visit
    number: int
    start_frame: int
    stop_frame: int
    first_episode: int
    loss_sum: float = 0.0
    updates: int = 0


def play_sequence(env: AtariSequenceVectorEnv, model: torch.nn.Module, method, config, seed: int, context, family: str,
                  segments_per_visit: int = 1, arcade: Arcade = ALE_ARCADE) -> BenchmarkResult:
    """One run of a sequence benchmark: the learner on `model` (Adam at `config.lr`, `config.adam_eps`), played through `env`.

    `config` is an Atari or MinAtar benchmark config: it hands the agent and the loop their settings.
    """
    optimizer = OptimizerSpec(name="adam", lr=config.lr, eps=config.adam_eps)
    learner = prepare_learner(model, method, optimizer, family, context.device)
    trainer = SequenceTrainer(learner, env, config.dqn_settings(), config.loop_settings(), seed, context.sink,
                              segments_per_visit=segments_per_visit, arcade=arcade)
    return trainer.run()


class SequenceTrainer:
    """Runs one learner through an `AtariSequenceVectorEnv` and returns the benchmark's result.

    Each visit is reported in `segments_per_visit` equal stretches (atari-single's `segments`). `arcade`
    says how the platform's games are scored and evaluated (the ALE's human-normalised score by default).
    """

    def __init__(self, learner: Learner, env: AtariSequenceVectorEnv, dqn: DQNSettings, settings: AtariLoopSettings,
                 seed: int, sink: RunSink, segments_per_visit: int = 1, arcade: Arcade = ALE_ARCADE):
        require(segments_per_visit > 0, "bench", "segments", "a positive integer", segments_per_visit, BenchmarkError)
        step_frames = env.frames_per_step * segments_per_visit
        require(env.schedule.frames_per_game % step_frames == 0, "bench", "frames_per_game",
                f"a multiple of num_envs × frameskip × segments = {step_frames}", env.schedule.frames_per_game, BenchmarkError)
        self.learner = learner
        self.arcade = arcade
        self.key = arcade.score_key
        self.env = env
        self.dqn = dqn
        self.settings = settings
        self.segments_per_visit = segments_per_visit
        self.seed = seed
        self.sink = sink
        self.rng = np.random.default_rng(seed)
        self.agent = DQNAgent(learner, dqn, self.rng)
        self.replay = arcade.replay(settings.replay_capacity, env.num_envs, env.settings)
        self.tracker = DiagnosticsTracker(DiagnosticsSettings()) if settings.diagnostics else None
        self.tasks: list[TaskMetrics] = []
        self.diagnostics: list[DiagnosticPoint] = []
        self.series: dict[str, list[float | None]] = {"return_curve": [], "return_curve_frame": []}
        self.first_visit: dict[str, dict[str, float | None]] = {}
        self.frames_done = 0
        self.diverged_at: int | None = None

    def updates_per_visit(self) -> int:
        return self.dqn.updates_due(self.env.schedule.frames_per_game // self.env.settings.frameskip)

    def run(self) -> BenchmarkResult:
        self.learner.total_steps = self.updates_per_visit() * len(self.env.visits)
        try:
            for _ in self.env.visits:
                self._play_visit()
                if self.diverged_at is not None:
                    break
        finally:
            self.env.close()
        return BenchmarkResult(
            tasks=self.tasks, steps=self.learner.step, diagnostics=self.diagnostics, series=self.series,
            diverged_at_step=self.diverged_at, summary=self._summary(),
        )

    def _play_visit(self) -> None:
        env, learner, agent, dqn = self.env, self.learner, self.agent, self.dqn
        obs = env.reset()
        visit = env.visit
        info = TaskInfo(index=visit.index, name=visit.game, steps=self.updates_per_visit(), cycle=visit.cycle)
        learner.task = info
        learner.method.on_task_start(learner, info)
        if self.settings.clear_replay_on_switch:
            self.replay.clear()
        first = np.ones(env.num_envs, dtype=bool)
        agent_steps = updates_done = 0
        segment_frames = visit.frames // self.segments_per_visit
        segment = _Segment(visit, 0, 0, segment_frames, 0)
        losses = torch.empty(LOSS_CHUNK, device=learner.device)
        filled = 0
        vector_steps = 0
        while not env.visit_over:
            actions = agent.act(obs, dqn.epsilon(agent_steps))
            next_obs, reward, terminated, truncated, _ = env.step(actions)
            self.replay.add(obs, actions, clip_reward(reward), terminated, truncated, first)
            first = terminated | truncated
            obs = next_obs
            agent_steps += env.num_envs
            vector_steps += 1
            for _ in range(dqn.updates_due(agent_steps) - updates_done):
                losses[filled] = agent.update(self.replay)
                filled += 1
                updates_done += 1
                segment.updates += 1
                if filled == LOSS_CHUNK:
                    filled = self._absorb_losses(losses, filled, segment)
                    if self.diverged_at is not None:
                        return
            if vector_steps % PROGRESS_EVERY == 0:
                self.sink.progress(self.frames_done + env.frame_in_visit, env.schedule.total_frames)
            if env.frame_in_visit >= segment.stop_frame:
                filled = self._absorb_losses(losses, filled, segment)
                if self.diverged_at is not None:
                    return
                self._finish_segment(segment)
                segment = _Segment(visit, segment.number + 1, segment.stop_frame, segment.stop_frame + segment_frames,
                                   len(env.episodes.returns))
        self.frames_done += visit.frames
        learner.method.on_task_end(learner, info)

    def _absorb_losses(self, losses: torch.Tensor, filled: int, segment: _Segment) -> int:
        if filled == 0:
            return 0
        chunk = losses[:filled]
        finite = torch.isfinite(chunk)
        if not bool(finite.all()):
            first_bad = int((~finite).nonzero()[0])
            self.diverged_at = self.learner.step - filled + first_bad + 1
            self.tasks.append(TaskMetrics(task=len(self.tasks), name=segment.visit.game, steps=segment.updates,
                                          metrics={self.key: None, "return": None}))
            return 0
        segment.loss_sum += float(chunk.sum())
        return 0

    def _finish_segment(self, segment: _Segment) -> None:
        visit, log, settings = segment.visit, self.env.episodes, self.settings
        returns = log.returns[segment.first_episode:]
        lengths = log.lengths[segment.first_episode:]
        ends = log.end_frames[segment.first_episode:]
        score = final_return(returns, settings.score_window)
        key, normalised = self.key, self.arcade.normalised_score
        value = normalised(visit.game, score)
        metrics: dict[str, float | None] = {
            "return": score,
            key: value,
            f"auc_{key}": learning_curve_area(visit.game, returns, lengths, normalised),
            "episodes": float(len(returns)),
            "mean_episode_return": mean_or_none(returns),
            "mean_loss": segment.loss_sum / segment.updates if segment.updates else None,
            "updates": float(segment.updates),
            "frames": float(segment.stop_frame - segment.start_frame),
            "cycle": float(visit.cycle),
        }
        if settings.eval_episodes:
            eval_seed = (self.seed * 7919 + len(self.tasks) * 104_729 + 17) % (2**31 - settings.eval_episodes)
            eval_returns = self.arcade.evaluate(self.agent, visit.game, self.env.settings, settings.eval_episodes,
                                                self.dqn.eval_epsilon, eval_seed)
            metrics["eval_return"] = mean_or_none(eval_returns)
            metrics[f"eval_{key}"] = normalised(visit.game, metrics["eval_return"])
        self._compare_with_first_visit(visit, metrics)
        last_cycle = visit.cycle == self.env.schedule.cycles - 1
        metrics[f"final_cycle_{key}"] = value if last_cycle else None
        curve = binned_curve(returns, ends, segment.start_frame, segment.stop_frame, settings.curve_bins)
        width = (segment.stop_frame - segment.start_frame) / settings.curve_bins
        self.series["return_curve"].extend(curve)
        self.series["return_curve_frame"].extend(
            self.frames_done + segment.start_frame + width * (i + 1) for i in range(settings.curve_bins)
        )
        record = TaskMetrics(task=len(self.tasks), name=visit.game, steps=segment.updates, metrics=metrics)
        self.tasks.append(record)
        if self.tracker is not None and len(self.replay) > 0:
            self._measure_diagnostics()
        self.sink.task_finished(record, self.learner.step)
        self.sink.progress(self.frames_done + segment.stop_frame, self.env.schedule.total_frames)

    def _compare_with_first_visit(self, visit: Visit, metrics: dict[str, float | None]) -> None:
        if self.segments_per_visit != 1:
            return
        key = self.key
        if visit.cycle == 0:
            self.first_visit[visit.game] = {key: metrics[key], f"auc_{key}": metrics[f"auc_{key}"]}
            return
        first = self.first_visit.get(visit.game, {})
        metrics[f"first_visit_{key}"] = first.get(key)
        metrics[f"revisit_{key}_gain"] = difference(metrics[key], first.get(key))
        metrics["revisit_auc_gain"] = difference(metrics[f"auc_{key}"], first.get(f"auc_{key}"))

    def _measure_diagnostics(self) -> None:
        probe_rng = np.random.default_rng(self.seed + 1 + len(self.tasks))
        try:
            batch = self.replay.sample(self.settings.probe_size, probe_rng)
        except BenchmarkError:
            return
        probe = torch.from_numpy(batch.observations).to(self.learner.device)
        values = self.tracker.measure(self.learner, probe)
        values = {k: (None if v is None or not math.isfinite(v) else float(v)) for k, v in values.items()}
        point = DiagnosticPoint(step=self.learner.step, task=self.tasks[-1].task, values=values)
        self.diagnostics.append(point)
        self.sink.diagnostics(point)

    def _summary(self) -> dict[str, float | None]:
        """Mean normalised score of the first and last cycles and the mean second-visit − first-visit gains."""
        key = self.key
        first = [t.metrics.get(key) for t in self.tasks if t.metrics.get("cycle") == 0.0]
        last_cycle = float(self.env.schedule.cycles - 1)
        last = [t.metrics.get(key) for t in self.tasks if t.metrics.get("cycle") == last_cycle]
        gains = [t.metrics.get(f"revisit_{key}_gain") for t in self.tasks]
        auc_gains = [t.metrics.get("revisit_auc_gain") for t in self.tasks]
        clean = lambda xs: [x for x in xs if x is not None]  # noqa: E731
        return {
            f"first_cycle_mean_{key}": mean_or_none(clean(first)),
            f"last_cycle_mean_{key}": mean_or_none(clean(last)),
            f"revisit_mean_{key}_gain": mean_or_none(clean(gains)),
            "revisit_mean_auc_gain": mean_or_none(clean(auc_gains)),
        }
