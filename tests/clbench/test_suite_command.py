"""`clbench suite list`: each suite with its version and its (benchmark, preset, version) entries."""

from __future__ import annotations

import json

from benchmarks import base
from tests.cli_runner import run_cli


def test_suite_list_json_shows_each_suite_with_version_and_entries():
    result = run_cli("suite", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"quick", "paper"} <= set(rows)
    assert rows["quick"]["version"].startswith("1-")
    assert {"benchmark": "permuted-mnist", "preset": "quick", "benchmark_version": base.get("permuted-mnist").version} in rows["quick"]["entries"]
