"""Control benchmarks (no plasticity loss expected, `Benchmark.role = "control"`): listed as such, shown on the
leaderboard as such, and kept out of the overall plasticity ranking."""

from __future__ import annotations

import json

import pytest

from benchmarks import base
from benchmarks.protocols.permuted_mnist import PermutedMNIST
from leaderboard.aggregate import build_leaderboard
from leaderboard.statistics import BootstrapSettings
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import three_methods

FAST = BootstrapSettings(reps=200)
CONTROL = "class-incremental-mnist"


def test_class_incremental_mnist_is_the_control_and_every_other_benchmark_measures_plasticity():
    roles = {name: base.get(name).role for name in base.names()}
    assert roles.pop(CONTROL) == "control"
    assert set(roles.values()) == {"plasticity"}


def test_a_benchmark_with_an_unknown_role_is_refused_at_registration():
    odd = type("OddRole", (PermutedMNIST,), {"name": "odd-role", "role": "sanity"})
    with pytest.raises(TypeError, match="role 'sanity' is not one of"):
        base.register(odd)


def test_benchmarks_list_shows_each_benchmarks_role():
    result = run_cli("benchmarks", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows[CONTROL]["role"] == "control" and rows["permuted-mnist"]["role"] == "plasticity"


def test_a_control_board_is_marked_and_kept_out_of_the_overall_ranking():
    records = three_methods() + three_methods(benchmark="easy")
    leaderboard = build_leaderboard(records, FAST, controls={"easy"})
    boards = {board.benchmark: board for board in leaderboard.boards}
    assert boards["easy"].control and boards["easy"].title == "easy v1 (smoke) [control]"
    assert [row.rank for row in boards["easy"].rows] == [1, 2, 3]
    (overall,) = leaderboard.overall
    assert [board.benchmark for board in overall.benchmarks] == ["toy"] and not boards["easy"].in_overall
    assert overall.excluded == ["easy v1 (smoke) [control]: a control benchmark, where no plasticity loss is expected"]
    alone = build_leaderboard(three_methods(), FAST).overall[0]
    assert [(r.label, r.estimates) for r in overall.rows] == [(r.label, r.estimates) for r in alone.rows]


def test_without_the_control_flag_the_same_board_is_ranked():
    overall = build_leaderboard(three_methods() + three_methods(benchmark="easy"), FAST).overall[0]
    assert [board.benchmark for board in overall.benchmarks] == ["easy", "toy"]


def test_leaderboard_show_and_build_mark_class_incremental_mnist_as_a_control_and_leave_it_unranked(tmp_path):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(three_methods(benchmark=CONTROL))
    shown = run_cli("leaderboard", "show", "--store", str(store), "--reps", "100")
    assert shown.exit_code == 0, shown.output
    assert f"{CONTROL} v1 (smoke) [control]" in " ".join(shown.stdout.split())
    built = run_cli("leaderboard", "build", "--store", str(store), "--out", str(tmp_path / "site"), "--reps", "100")
    assert built.exit_code == 0, built.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Benchmarks in this ranking" not in index
    assert "a control benchmark, where no plasticity loss is expected" in index
    page = next((tmp_path / "site").glob(f"{CONTROL}-*.html")).read_text(encoding="utf-8")
    assert "control: no plasticity loss is expected here, so it is not in the overall ranking" in page
