"""The performance report: missing or failing scripts say 'not available'; JSON rows become tables."""

from __future__ import annotations

from benchmarks.perf.report import GPU_HEADING, SECTIONS, Measurement, Section, render_section, run_section, write_report


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


def test_a_one_section_update_replaces_that_section_and_keeps_the_others_and_the_gpu_one(tmp_path):
    out = tmp_path / "performance.md"
    first, second = SECTIONS[0], SECTIONS[1]
    out.write_text(
        f"# Performance\n\n- old header\n\n## {first.title}\n\nold figures of the first\n\n"
        f"## {second.title}\n\nold figures of the second\n\n{GPU_HEADING}\n\nH100 figures\n"
    )
    update = Measurement(second, "python x.py --json", {"ratio": 1.5}, seconds=3, when="2026-11-23T16:40+00:00 at commit abc")
    write_report([update], out, "python benchmarks/perf/report.py --only " + second.key)
    text = out.read_text()
    assert "old figures of the first" in text and "old figures of the second" not in text
    assert "- ratio: 1.5" in text and "_Measured 2026-11-23T16:40+00:00 at commit abc; the script took 3 s._" in text
    assert text.index(first.title) < text.index(second.title) < text.index(GPU_HEADING)
    assert text.rstrip().endswith("H100 figures")
