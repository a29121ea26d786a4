"""Write docs/performance.md from the perf scripts' measurements, with the exact command behind each figure.

Each section runs one script in `benchmarks/perf/` with `--json` and renders what it prints: a `rows`
list becomes a table, other fields a list, `ratios` their own list. A script that is missing or fails
is reported as not available, with the reason; the report never invents a figure. Each section says
when, at which commit and under what load it was measured; with `--only`, the other sections of the
existing page are kept as they are.

    python benchmarks/perf/report.py [--out docs/performance.md] [--only sweep_timing]
                                     [--args sweep_timing="--repeats 5"]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    script: str
    what: str


SECTIONS = (
    Section(
        "supervised_loop",
        "Supervised loop against a bare PyTorch loop, and Avalanche's Naive strategy",
        "benchmarks/perf/supervised_loop.py",
        "Training steps per second of clbench's lean loop, of a bare PyTorch loop on the same data and model, "
        "and of Avalanche's Naive strategy for comparison.",
    ),
    Section(
        "method_cost",
        "Each method's overhead",
        "benchmarks/perf/method_cost.py",
        "Time per training step of each registered method relative to the baseline on the same benchmark.",
    ),
    Section(
        "atari_env",
        "Atari environment against raw ALE",
        "benchmarks/perf/atari_env.py",
        "Agent steps per second of clbench's game-sequence environment and of the raw ALE it wraps.",
    ),
    Section(
        "minatar_env",
        "MinAtar environment against raw MinAtar",
        "benchmarks/perf/minatar_env.py",
        "Frames per second of clbench's MinAtar sequence environment and of bare MinAtar environments stepped with "
        "the same actions and seeds; DQN updates per second and a quick-preset visit's frames per second.",
    ),
    Section(
        "denormals",
        "Subnormal floats: flushed against kept",
        "benchmarks/perf/denormals.py",
        "Seconds per step of runs that lose plasticity with subnormal floats kept (IEEE) and flushed to zero "
        "(clbench's default, benchmarks/numerics.py), and the largest difference this makes to a per-task metric.",
    ),
    Section(
        "sweep_timing",
        "Sweep wall time: local with 1 and 2 jobs, and Ray against local",
        "benchmarks/perf/sweep_timing.py",
        "End-to-end wall time of the same small sweep through `clbench run` with each executor.",
    ),
    Section(
        "statistics_speed",
        "Leaderboard statistics: the vectorised bootstrap against rliable's loop",
        "benchmarks/perf/statistics_speed.py",
        "Seconds to compute every interval of a leaderboard with a cold statistics cache, before (rliable's "
        "bootstrap, one Python call per resample) and after (all resamples at once, leaderboard/bootstrap.py), "
        "whether the two agree bit for bit, and the whole `clbench leaderboard build` command end to end.",
    ),
)


@dataclass
class Measurement:
    section: Section
    command: str
    result: dict[str, Any] | None
    reason: str = ""
    seconds: float = 0.0
    when: str = ""


def run_section(section: Section, extra: list[str], timeout: float) -> Measurement:
    """Run the section's script with --json; a missing script or a failure gives the reason instead."""
    script = ROOT / section.script
    command = ["python", section.script, "--json", *extra]
    shown = shlex.join(command)
    if not script.exists():
        return Measurement(section, shown, None, f"not available: {section.script} is not in this checkout")
    start = time.perf_counter()
    when = measured_when()
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--json", *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ, RAY_USAGE_STATS_ENABLED="0"),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Measurement(section, shown, None, f"not available: it ran past the {timeout:.0f} s limit", when=when)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        return Measurement(section, shown, None, f"not available: it exited with code {done.returncode} ({last})", seconds, when)
    result = parse_json(done.stdout)
    if result is None:
        return Measurement(section, shown, None, "not available: it printed no JSON object", seconds, when)
    return Measurement(section, shown, result, seconds=seconds, when=when)


def parse_json(text: str) -> dict[str, Any] | None:
    """The JSON object a script printed (all of stdout, else its last line that parses)."""
    candidates = [text, *reversed(text.strip().splitlines())]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if text.startswith(("python ", "clbench ")) else text


def table(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return lines


def render_value(name: str, value: Any, depth: int = 0) -> list[str]:
    """Markdown for one field of a script's JSON: tables for lists of objects, nested lists otherwise."""
    indent = "  " * depth
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return ["", f"{indent}{name}:" if name else "", "", *table(value), ""]
    if isinstance(value, dict) and value and all(isinstance(v, dict) and not any(isinstance(x, (dict, list)) for x in v.values()) for v in value.values()):
        return ["", f"{indent}{name}:" if name else "", "", *table([{"": key, **inner} for key, inner in value.items()]), ""]
    if isinstance(value, dict):
        lines = [f"{indent}- {name}:"] if name else []
        for key, inner in value.items():
            lines += render_value(key, inner, depth + (1 if name else 0))
        return lines
    return [f"{indent}- {name}: {cell(value)}"]


def render_section(measurement: Measurement) -> list[str]:
    section = measurement.section
    lines = [f"## {section.title}", "", section.what, "", f"Command: `{measurement.command}`", ""]
    if measurement.result is None:
        return lines + [f"**{measurement.reason}**", ""]
    result = dict(measurement.result)
    result.pop("title", None)
    rows = result.pop("rows", None)
    ratios = result.pop("ratios", None)
    if rows:
        lines += table(rows) + [""]
    if ratios:
        lines += ["Ratios (of medians):", ""] + [f"- {k}: **{cell(v)}**" for k, v in ratios.items()] + [""]
    if result:
        lines += ["Details:", ""] + render_value("", result) + [""]
    took = f"the script took {measurement.seconds:.0f} s"
    lines += [f"_Measured {measurement.when}; {took}._" if measurement.when else f"_{took.capitalize()}._", ""]
    return lines


def measured_when() -> str:
    """Date, commit, processor and load average now, for the line under a section.

    The processor is named per section: sections of one page can come from different machines (`--only`).
    """
    from benchmarks.provenance import cpu_model

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    when = f"{datetime.now(timezone.utc).isoformat(timespec='minutes')} at commit {commit or 'unknown'} on {cpu_model() or 'an unnamed processor'}"
    return when + (f", load average {load:.2f}" if load is not None else "")


def machine() -> list[str]:
    try:
        import torch

        torch_line = f"torch {torch.__version__}, {torch.get_num_threads()} threads by default, CUDA {'yes' if torch.cuda.is_available() else 'no'}"
    except ImportError:
        torch_line = "torch not importable"
    return [
        f"- page last written on: {platform.platform(terse=True)}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores"
        " (each section names the processor it was measured on)",
        f"- python {platform.python_version()}; {torch_line}",
    ]


GPU_HEADING = "## On a GPU"


def existing_sections(out: Path) -> dict[str, list[str]]:
    """The `## ` sections of the page already at `out`, by heading, each as its lines."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.read_text().splitlines() if out.is_file() else []:
        if line.startswith("## "):
            current = sections.setdefault(line, [])
        if current is not None:
            current.append(line)
    return {heading: _strip_blank_tail(lines) + [""] for heading, lines in sections.items()}


def _strip_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def write_report(measurements: list[Measurement], out: Path, command: str) -> None:
    """Measured sections replace theirs; the other sections of the page, and the GPU one, are kept.

    Written through a temporary file, so a failure never loses the sections it was keeping.
    """
    from core.files import write_atomic

    kept = existing_sections(out)
    measured = {m.section.key: m for m in measurements}
    lines = [
        "# Performance",
        "",
        "Measured figures, each with the command that made it. Times are medians of several runs and",
        "comparisons are ratios of medians; each section says when it was measured and the load average then.",
        f"Regenerate the whole page with `python benchmarks/perf/report.py`, or one section with `{command}`."
        if "--only" in command else f"Regenerate the whole page with `{command}`.",
        "",
        *machine(),
        "",
    ]
    for section in SECTIONS:
        if section.key in measured:
            lines += render_section(measured[section.key])
        else:
            lines += kept.get(f"## {section.title}", [])
    lines += kept.get(GPU_HEADING, [])
    write_atomic(out, "\n".join(lines).rstrip() + "\n")


def parse_extra(values: list[str]) -> dict[str, list[str]]:
    extra: dict[str, list[str]] = {}
    keys = {s.key for s in SECTIONS}
    for value in values:
        key, equals, arguments = value.partition("=")
        if not equals or key not in keys:
            raise SystemExit(f"--args takes SECTION=ARGUMENTS with SECTION one of {', '.join(sorted(keys))}; got {value!r}")
        extra[key] = shlex.split(arguments)
    return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--only", action="append", default=[], help="run only this section (repeatable)")
    parser.add_argument("--args", action="append", default=[], metavar="SECTION=ARGS", help="extra arguments for a section's script")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per script")
    args = parser.parse_args()
    extra = parse_extra(args.args)
    unknown = set(args.only) - {s.key for s in SECTIONS}
    if unknown:
        parser.error(f"unknown --only {', '.join(sorted(unknown))}; sections: {', '.join(s.key for s in SECTIONS)}")
    chosen = [s for s in SECTIONS if not args.only or s.key in args.only]
    measurements = []
    for section in chosen:
        print(f"measuring {section.key} ...", file=sys.stderr, flush=True)
        measurement = run_section(section, extra.get(section.key, []), args.timeout)
        print(f"  {measurement.reason or 'done'}", file=sys.stderr, flush=True)
        measurements.append(measurement)
    shown = ["python", "benchmarks/perf/report.py", *sys.argv[1:]]
    write_report(measurements, args.out, shlex.join(shown))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
