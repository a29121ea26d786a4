"""The static leaderboard site: HTML from Jinja2 templates (autoescaped), SVG plots, CSV and Markdown exports.

Everything is relative links and local files, so the site works from file:// with no server and no network.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from leaderboard.aggregate import BenchmarkBoard, Leaderboard, OverallBoard
from leaderboard.claims import DOC_PATH, SYMBOLS, ClaimStatus, method_statuses, status_of_version
from leaderboard.records import FIRST_METHOD_VERSION
from core.files import write_atomic
from leaderboard.curves import diagnostic_curves, diagnostic_keys, task_curve, task_metric_keys
from leaderboard.sensitivity import Sensitivity, sensitivities
from leaderboard.site import charts, plots
from leaderboard.statistics import STATISTICS
from leaderboard.tables import TableData, all_tables, benchmark_table, overall_table, unscored_runs_table

HERE = Path(__file__).parent
Methods = Sequence["MethodInfo"] | Callable[[], Sequence["MethodInfo"]] | None
"""The methods page's entries, or a callable that returns them (called once, when the build first needs them)."""
STATIC_FILES = ("site.css", "site.js", "uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE")
"""Copied into every site: its style and script, and the bundled uPlot (MIT) that draws the interactive charts."""


@dataclass(frozen=True)
class MethodInfo:
    """What the methods page says about a method; passed in as plain data (leaderboard never imports methods).

    `reproductions` are the committed verdicts of the claims about the method (docs/reproductions.md), each about
    one method version; left empty, the builder fills them in from `leaderboard.claims`. `version` is the
    registered (current) version, whose status the methods page shows.
    """

    name: str
    summary: str = ""
    citation: str = ""
    paper_url: str = ""
    reproductions: tuple[ClaimStatus, ...] = ()
    version: str = FIRST_METHOD_VERSION

    @property
    def reproduction(self) -> str:
        """The current version's reproduction status: ✔, ✘, ◐ or untested."""
        return self.reproduction_of(self.version)

    def reproduction_of(self, version: str) -> str:
        """The status of one version of the method, from the claims about that version (leaderboard.claims)."""
        return SYMBOLS[status_of_version(self.reproductions, version)]

    @property
    def several_versions(self) -> bool:
        """Whether claims about more than one version are listed (the page then labels each claim's version)."""
        return len({s.version for s in self.reproductions}) > 1

    @property
    def safe_url(self) -> str | None:
        """The paper link only if it is an http(s) URL, so a `javascript:` link can never be rendered."""
        return self.paper_url if re.match(r"^https?://", self.paper_url or "", re.IGNORECASE) else None

    @property
    def anchor(self) -> str:
        return anchor(self.name)


@dataclass(frozen=True)
class Plot:
    title: str
    path: str


def safe_name(name: str) -> str:
    """A file name from record text: letters, digits, dot, dash and underscore only, never hidden or `..`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).lstrip(".-") or "table"


def anchor(name: str) -> str:
    return "m-" + re.sub(r"[^a-z0-9_-]+", "-", name.lower())


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
    env.globals["anchor"] = anchor
    env.globals["safe_name"] = safe_name
    return env


def _method_links(table: TableData, methods: dict[str, MethodInfo]) -> None:
    """Link each part of a method spec (`nap+redo`) to its entry on the methods page, where there is one, and
    follow a single method with the reproduction status of the row's version (`_version`; ✔, ✘, ◐ or untested).

    The label is the row's spec (`_method`) plus what tells its versions or configs apart (` v2`, `@hash`).
    """
    known = set(methods)
    for row in table.rows:
        label, spec = row.get("method"), row.get("_method")
        if not (isinstance(label, str) and isinstance(spec, str) and label.startswith(spec)):
            continue
        parts = spec.split("+")
        if any(part in known for part in parts):
            row["_links"] = {"method": [(part, f"methods.html#{anchor(part)}" if part in known else None) for part in parts]}
            if label != spec:
                row["_links"]["method"].append((label[len(spec):], None))
            info = methods.get(spec)
            if len(parts) == 1 and info is not None and info.reproductions:
                version = row.get("_version") or info.version
                row["_links"]["method"].append((f" {info.reproduction_of(str(version))}", None))


class SiteBuilder:
    """Writes the site for one leaderboard into `out`."""

    def __init__(self, leaderboard: Leaderboard, out: Path, methods: Methods = None, note: str = ""):
        self.leaderboard = leaderboard
        self.out = Path(out)
        self._methods = methods
        self.note = note
        self.env = _environment()
        self.studies = sensitivities(leaderboard.trials)

    @functools.cached_property
    def methods(self) -> list[MethodInfo]:
        """The methods page's entries, resolved when first needed (a callable may still be loading them)."""
        given = self._methods() if callable(self._methods) else self._methods
        statuses = method_statuses()
        filled = (m if m.reproductions else replace(m, reproductions=statuses.get(m.name, ())) for m in given or [])
        return sorted(filled, key=lambda m: m.name)

    @functools.cached_property
    def known(self) -> set[str]:
        return {m.name for m in self.methods}

    def build(self) -> Path:
        for folder in ("plots", "exports", "static"):
            target = self.out / folder
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
        for name in STATIC_FILES:
            shutil.copyfile(HERE / "static" / name, self.out / "static" / name)
        self._exports()
        self._page("index.html", "index.html", overall=[self._overall(b) for b in self.leaderboard.overall],
                   boards=self.leaderboard.boards)
        for board in self.leaderboard.boards:
            self._page(f"{board.slug}.html", "benchmark.html", **self._board(board))
        used = sorted({part for r in self.leaderboard.labels for part in r.split("@")[0].split("+")})
        self._page("methods.html", "methods.html", methods=self.methods, unknown=[m for m in used if m not in self.known],
                   reproductions_doc=reproductions_link(self.out))
        return self.out / "index.html"

    def _page(self, filename: str, template: str, **context: Any) -> None:
        context.setdefault("title", "clbench leaderboard")
        html = self.env.get_template(template).render(
            settings=self.leaderboard.settings, record_count=self.leaderboard.record_count, note=self.note, **context
        )
        write_atomic(self.out / filename, html)

    def _table(self, table: TableData) -> TableData:
        _method_links(table, {m.name: m for m in self.methods})
        return table

    def _plot(self, name: str, figure) -> str:
        relative = f"plots/{safe_name(name)}.svg"
        (self.out / relative).write_bytes(plots.to_svg(figure))
        return relative

    def _overall(self, board: OverallBoard) -> dict[str, Any]:
        figures = []
        if board.rows:
            shown = [(s.name, s.label.removesuffix(" [95% CI]")) for s in INTERVAL_STATISTICS if any(s.name in r.estimates for r in board.rows)]
            rows = [(row.label, row.estimates) for row in board.rows]
            figure = plots.interval_figure(f"{board.title}: 95% stratified-bootstrap CIs", rows, shown)
            figures.append(Plot("Interval estimates (normalised scores)", self._plot(f"overall-{board.slug}-intervals", figure)))
            names = [b.benchmark for b in board.benchmarks]
            cells = [[_mean_normalised(b, row.method_key) for b in board.benchmarks] for row in board.rows]
            figure = plots.heatmap_figure(f"{board.title}: mean normalised score", [row.label for row in board.rows], names, cells)
            figures.append(Plot("Methods × benchmarks", self._plot(f"overall-{board.slug}-heatmap", figure)))
        return {"board": board, "table": self._table(overall_table(board)), "figures": figures}

    def _board(self, board: BenchmarkBoard) -> dict[str, Any]:
        records = [r for members in board.records.values() for r in members]
        methods = {row.label: row.method for row in board.rows}
        curve_charts, diagnostic_charts = [], []
        for index, metric in enumerate(task_metric_keys(records, board.headline.metric)):
            curves = [(row.method, c) for row in board.rows if (c := task_curve(row.label, board.records[row.method_key], metric))]
            curve_charts.append(charts.curves_chart(f"task-{index}", metric, "task", metric, curves))
        by_row = [(row.method, diagnostic_curves(row.label, board.records[row.method_key])) for row in board.rows]
        for index, key in enumerate(diagnostic_keys(records)):
            curves = [(method, found[key]) for method, found in by_row if key in found]
            diagnostic_charts.append(charts.curves_chart(f"diagnostic-{index}", key, "step", key, curves))
        profile_charts = []
        if board.profile:
            xlabel = "plasticity-normalised score τ" if board.profile_normalised else "headline score τ"
            profile_charts.append(charts.profile_chart("profile", "Performance profile", xlabel, board.profile, methods))
        every = curve_charts + diagnostic_charts + profile_charts
        runs = unscored_runs_table(board)
        sensitivity_plots = []
        for index, study in enumerate(self._studies_of(board)):
            best = study.best
            figure = plots.sensitivity_figure(
                f"{study.method} v{study.method_version}: {len(study.points)} trials",
                [(p.params, p.score) for p in study.points], study.points.index(best) if best else None,
            )
            sensitivity_plots.append(Plot(study.method, self._plot(f"{board.slug}-sensitivity-{index}", figure)))
        return {
            "title": f"{board.title} — clbench leaderboard",
            "sensitivity_plots": sensitivity_plots,
            "board": board,
            "table": self._table(benchmark_table(board)),
            "runs": runs if runs.rows else None,
            "curve_charts": curve_charts,
            "diagnostic_charts": diagnostic_charts,
            "profile_charts": profile_charts,
            "charts_json": charts.charts_json(every),
            "pickable": [row.label for row in board.rows if row.method not in charts.REFERENCE_METHODS and row.scores],
        }

    def _studies_of(self, board: BenchmarkBoard) -> list[Sensitivity]:
        """The tuning studies behind a tuned board: same benchmark, version, preset and regime."""
        if board.regime == "default":
            return []
        return [s for s in self.studies if (s.benchmark, s.benchmark_version, s.preset, s.regime) == (board.benchmark, board.version, board.preset, board.regime)]

    def _exports(self) -> None:
        tables = all_tables(self.leaderboard)
        for table in tables:
            write_atomic(self.out / "exports" / f"{safe_name(table.name)}.csv", table.to_csv())
            write_atomic(self.out / "exports" / f"{safe_name(table.name)}.md", table.to_markdown())
        write_atomic(self.out / "exports" / "leaderboard.md", "# clbench leaderboard\n\n" + "\n".join(t.to_markdown() for t in tables))


INTERVAL_STATISTICS = [s for s in STATISTICS.values() if s.reads in ("normalised", "either") and not s.versus_baseline]
"""The statistics of the overview's interval plot: those of normalised scores (IQM, optimality gap, …)."""


def _mean_normalised(board: BenchmarkBoard, key: str) -> float | None:
    row = next((r for r in board.rows if r.method_key == key and r.normalised), None)
    return sum(row.normalised.values()) / len(row.normalised) if row else None


def reproductions_link(out: Path) -> str | None:
    """docs/reproductions.md relative to the site folder `out`, for links from its pages; None outside a checkout."""
    if not DOC_PATH.exists():
        return None
    try:
        return Path(os.path.relpath(DOC_PATH, Path(out).resolve())).as_posix()
    except ValueError:  # another drive
        return None


def build_site(leaderboard: Leaderboard, out: str | Path, methods: Methods = None, note: str = "") -> Path:
    """Write the static site for `leaderboard` into `out`; returns the path of its index.html."""
    return SiteBuilder(leaderboard, Path(out), methods, note).build()
