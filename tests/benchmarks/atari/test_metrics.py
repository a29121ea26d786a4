"""Episode metrics built on the reference table (benchmarks/atari/metrics.py), with hand-computed numbers."""

from __future__ import annotations

import pytest

from benchmarks.atari.metrics import binned_curve, final_return, learning_curve_area


def test_final_return_is_the_mean_of_the_last_window_episodes():
    assert final_return([0.0, 10.0, 20.0, 30.0], window=2) == pytest.approx(25.0)
    assert final_return([], window=100) is None


def test_learning_curve_area_weights_each_episode_by_its_frames():
    area = learning_curve_area("breakout", returns=[1.7, 30.5], lengths=[100, 300])
    assert area == pytest.approx((0.0 * 100 + 1.0 * 300) / 400)


def test_binned_curve_averages_the_episodes_ending_in_each_window():
    curve = binned_curve(returns=[1.0, 3.0, 10.0], end_frames=[10, 50, 200], start=0, stop=200, bins=4)
    assert curve == [2.0, None, None, 10.0]
