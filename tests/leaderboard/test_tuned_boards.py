"""Default and tuned runs are never pooled: separate boards and rankings; tuned rows show their choice; runs on
tuning seeds never reach a board and feed only the sensitivity plots."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from leaderboard.aggregate import build_leaderboard
from leaderboard.records import TUNING_SEED_START
from leaderboard.sensitivity import sensitivities
from leaderboard.site.builder import build_site
from leaderboard.statistics import BootstrapSettings
from leaderboard.tables import benchmark_table
from tests.leaderboard.record_factory import make_record, three_methods, tuned

SETTINGS = BootstrapSettings(reps=100)


def tuned_three_methods(budget: int = 8):
    lrs = {"baseline": 0.003, "reset_full": 0.0005, "nap": 0.002}
    return [tuned(r, lrs[r.method], budget=budget) for r in three_methods()]


def test_default_and_tuned_runs_of_one_benchmark_get_separate_boards_and_rankings():
    board = build_leaderboard(three_methods() + tuned_three_methods(), SETTINGS)
    assert [b.regime for b in board.boards] == ["default", "tuned (budget 8, horizon 1)"]
    assert [b.regime for b in board.overall] == ["default", "tuned (budget 8, horizon 1)"]
    default, tuned_board = board.boards
    assert {row.label for row in default.rows} == {"baseline", "reset_full", "nap"}
    assert {row.label for row in tuned_board.rows} == {"baseline (tuned)", "reset_full (tuned)", "nap (tuned)"}
    assert all(len(row.seeds) == 3 for row in tuned_board.rows)
    assert "tuned (budget 8, horizon 1)" in tuned_board.title and tuned_board.slug != default.slug


def test_two_budgets_are_two_boards_never_one():
    board = build_leaderboard(tuned_three_methods(budget=8) + tuned_three_methods(budget=16), SETTINGS)
    assert sorted(b.regime for b in board.boards) == ["tuned (budget 16, horizon 1)", "tuned (budget 8, horizon 1)"]


def test_tuned_methods_with_different_step_sizes_share_one_board_normalised_by_the_tuned_reset_full():
    (tuned_board,) = build_leaderboard(tuned_three_methods(), SETTINGS).boards
    assert tuned_board.reference == pytest.approx(0.8)
    assert tuned_board.rows[0].normalised


def test_a_tuned_row_shows_its_chosen_hyperparameters():
    (tuned_board,) = build_leaderboard(tuned_three_methods(), SETTINGS).boards
    table = benchmark_table(tuned_board)
    assert "chosen" in [c.key for c in table.columns]
    assert {row["method"]: row["chosen"] for row in table.rows}["nap (tuned)"] == "bench.lr=0.002"
    (default_board,) = build_leaderboard(three_methods(), SETTINGS).boards
    assert "chosen" not in [c.key for c in benchmark_table(default_board).columns]


def test_runs_on_tuning_seeds_never_reach_a_board():
    trial = tuned(make_record("nap", 0, [0.5, 0.99]), 0.01, trial=3, seed=TUNING_SEED_START)
    board = build_leaderboard(three_methods() + [trial], SETTINGS)
    assert all(TUNING_SEED_START not in row.seeds for b in board.boards for row in b.rows)
    assert board.trials == [trial] and board.record_count == len(three_methods())


def test_a_record_whose_seed_role_contradicts_its_seed_is_invalid():
    record = make_record("nap", 0, [0.5, 0.6])
    with pytest.raises(ValidationError, match="tuning seed"):
        type(record).model_validate({**record.model_dump(), "seed": TUNING_SEED_START})
    with pytest.raises(ValidationError, match="evaluation seed"):
        type(record).model_validate({**record.model_dump(), "seed_role": "tuning"})


def study_records():
    """Three trials of nap in study s1 on two tuning seeds; trial 2's second seed diverged."""
    records = []
    for trial, lr, scores in ((0, 0.001, (0.5, 0.6)), (1, 0.003, (0.7, 0.8)), (2, 0.01, (0.9, None))):
        for offset, score in enumerate(scores):
            base = make_record("nap", 0, [0.5, score if score is not None else 0.5], status="ok" if score is not None else "diverged")
            records.append(tuned(base, lr, trial=trial, seed=TUNING_SEED_START + offset))
    return records


def test_sensitivity_gives_each_trial_its_mean_tuning_score_and_keeps_a_diverged_trial_unscored():
    (study,) = sensitivities(study_records())
    assert [p.trial for p in study.points] == [0, 1, 2]
    assert [p.score for p in study.points][:2] == pytest.approx([0.55, 0.75])
    assert study.points[2].score is None and study.unscored == 1
    assert study.best.trial == 1 and study.dimensions == ["bench.lr"]


def test_a_tuned_board_page_shows_a_sensitivity_plot_per_method_and_a_default_page_none(tmp_path):
    records = three_methods() + tuned_three_methods() + study_records()
    leaderboard = build_leaderboard(records, SETTINGS)
    build_site(leaderboard, tmp_path / "site")
    default_board, tuned_board = leaderboard.boards
    tuned_page = (tmp_path / "site" / f"{tuned_board.slug}.html").read_text()
    assert "Sensitivity (tuning trials)" in tuned_page and f"{tuned_board.slug}-sensitivity-0.svg" in tuned_page
    assert "Sensitivity" not in (tmp_path / "site" / f"{default_board.slug}.html").read_text()
