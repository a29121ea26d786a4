"""The performance report: missing or failing scripts say 'not available'; JSON rows become tables."""

from __future__ import annotations

from benchmarks.perf.report import Measurement, Section, render_section, run_section


def section(script: str) -> Section:
    return Section("example", "Example", script, "What it measures.")


def test_a_missing_script_is_reported_not_available_with_its_path():
    measurement = run_section(section("benchmarks/perf/no_such_script.py"), [], timeout=30)
    assert measurement.result is None
    assert measurement.reason == "not available: benchmarks/perf/no_such_script.py is not in this checkout"
    assert "**not available" in "\n".join(render_section(measurement))


def test_a_failing_script_is_reported_not_available_with_its_exit_code(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import sys\nprint('no ALE here', file=sys.stderr)\nsys.exit(3)\n")
    measurement = run_section(section(str(script)), [], timeout=30)
    assert measurement.reason == "not available: it exited with code 3 (no ALE here)"


def test_rows_become_a_table_and_ratios_a_list_with_the_command_shown():
    result = {"title": "t", "rows": [{"setup": "a", "median_s": 2.0}, {"setup": "b", "median_s": 1.0}], "ratios": {"a / b": 2.0}}
    text = "\n".join(render_section(Measurement(section("x.py"), "python x.py --json", result)))
    assert "| setup | median_s |" in text and "| a | 2 |" in text
    assert "- a / b: **2**" in text and "Command: `python x.py --json`" in text
