"""A sweep whose driver is killed with SIGKILL resumes: only the missing runs run, none twice, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from leaderboard.store import ResultsStore
from tests.helpers import run_cli

SWEEP = ("run", "-b", "permuted-mnist", "-m", "baseline,reset_full", "--seeds", "2", "--preset", "smoke",
         "--jobs", "2", "--no-progress")


def start_sweep(store_path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200")
    return subprocess.Popen(
        [sys.executable, "-m", "clbench.cli", *SWEEP, "--store", str(store_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )


def kill_after_finished_runs(driver: subprocess.Popen, runs: int) -> list[str]:
    """Read the driver's lines until `runs` runs have finished, then SIGKILL it mid-sweep."""
    lines = []
    while sum(line.startswith("[") for line in lines) < runs:
        line = driver.stdout.readline()
        assert line, f"the sweep ended before {runs} runs finished:\n{''.join(lines)}"
        lines.append(line)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    return lines


@pytest.mark.slow
def test_rerunning_a_killed_sweep_runs_only_the_missing_runs(store_path):
    lines = kill_after_finished_runs(start_sweep(store_path), runs=1)
    assert not any("[4/4]" in line for line in lines)
    before = {r.run_id: r.finished_at for r in ResultsStore(store_path).records()}
    assert 1 <= len(before) < 4

    resumed = run_cli(*SWEEP, "--store", str(store_path))
    assert resumed.exit_code == 0, resumed.output
    assert f"{len(before)} of 4 runs already complete" in resumed.output
    assert f"{4 - len(before)} runs ({4 - len(before)} ok)" in resumed.output

    after = ResultsStore(store_path).records()
    assert len(after) == 4 and len({r.run_id for r in after}) == 4
    assert {r.run_id: r.finished_at for r in after if r.run_id in before} == before
    assert {r.status for r in after} == {"ok"}
