"""The DQN update timer: warm-up updates untimed, then a rate over exactly the requested updates."""

from __future__ import annotations

from benchmarks.perf.dqn_timing import WARMUP_UPDATES, timed_updates_per_second


class CountingAgent:
    def __init__(self) -> None:
        self.updates: list[object] = []

    def update(self, replay: object) -> None:
        self.updates.append(replay)


def test_the_timer_warms_up_then_times_exactly_the_requested_updates_on_the_given_replay():
    agent, replay = CountingAgent(), object()
    rate = timed_updates_per_second(agent, replay, 25, "cpu")
    assert len(agent.updates) == WARMUP_UPDATES + 25 and all(r is replay for r in agent.updates)
    assert rate > 0
