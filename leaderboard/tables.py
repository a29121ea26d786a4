"""Leaderboard boards as plain tables: one shape for the web page, CSV, Markdown, the terminal and W&B.

A column is text, a number, or an estimate (point with CI). CSV expands an estimate into three columns
so nothing is lost to formatting; Markdown and HTML show `point [low, high]`. The estimate columns are
the registered statistics (leaderboard.statistics.STATISTICS), each under its own name and label; one
that reads a run-summary value is a column only of the boards whose rows have it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from leaderboard.aggregate import BenchmarkBoard, Leaderboard, OverallBoard
from leaderboard.statistics import STATISTICS, Estimate, Statistic, summary_key

Kind = Literal["text", "number", "estimate", "integer"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = "text"
    digits: int = 3
    terminal: bool = True
    """Also shown by `clbench leaderboard show`."""


@dataclass
class TableData:
    """A named table: columns and rows of raw values (str, float, int, Estimate or None)."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]

    def display(self, row: dict[str, Any], column: Column) -> str:
        return format_value(row.get(column.key), column)

    def sort_value(self, row: dict[str, Any], column: Column) -> str:
        value = row.get(column.key)
        if isinstance(value, Estimate):
            return repr(value.point)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return repr(value)
        return "" if value is None else str(value)

    def flat_columns(self) -> list[str]:
        names = []
        for column in self.columns:
            names.extend([column.key, f"{column.key}_ci_low", f"{column.key}_ci_high"] if column.kind == "estimate" else [column.key])
        return names

    def flat_rows(self) -> list[list[Any]]:
        """Rows with estimates expanded to point, low, high (for CSV and W&B tables)."""
        flat = []
        for row in self.rows:
            values: list[Any] = []
            for column in self.columns:
                value = row.get(column.key)
                if column.kind == "estimate":
                    values.extend(value.as_list() if isinstance(value, Estimate) else [None, None, None])
                else:
                    values.append(value)
            flat.append(values)
        return flat

    def to_csv(self) -> str:
        """CSV for spreadsheets: numbers stay numbers, and a text cell a spreadsheet would run as a formula is text."""
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([csv_text(name) for name in self.flat_columns()])
        for values in self.flat_rows():
            writer.writerow(["" if v is None else csv_text(v) if isinstance(v, str) else v for v in values])
        return stream.getvalue()

    def to_markdown(self) -> str:
        """A Markdown table safe to paste into a README: every cell goes through `markdown_text`."""
        lines = [f"| {' | '.join(markdown_text(c.title) for c in self.columns)} |"]
        lines.append(f"| {' | '.join('---:' if c.kind != 'text' else '---' for c in self.columns)} |")
        for row in self.rows:
            lines.append(f"| {' | '.join(markdown_text(self.display(row, c)) for c in self.columns)} |")
        return f"## {markdown_text(self.title)}\n\n" + "\n".join(lines) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection")."""
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A text cell that is only a number (`-0.355`, `+1e-05`): a spreadsheet reads it as that number, not a formula."""


def csv_text(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs: one that would start a formula gets a leading `'` (OWASP's advice),
    unless it is a plain number such as `-0.355`, which a spreadsheet reads as that number. A carriage return becomes
    a line feed, which the writer quotes (it quotes only the characters of its line terminator)."""
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def markdown_text(text: str) -> str:
    """`text` as one Markdown table cell that shows as written: no HTML (`<`, `&` become entities), no extra column
    (`|`), no line break, no link or image (`](`). `>` is left as is: without `<` it cannot open a tag."""
    for raw, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), ("|", "\\|"), ("](", "]\\(")):
        text = text.replace(raw, escaped)
    return " ".join(text.splitlines())


def format_value(value: Any, column: Column) -> str:
    if value is None:
        return "—"
    if isinstance(value, Estimate):
        d = column.digits
        return f"{value.point:.{d}f} [{value.low:.{d}f}, {value.high:.{d}f}]"
    if column.kind == "integer":
        return str(value)
    if isinstance(value, float):
        return f"{value:.{column.digits}f}"
    return str(value)


RANK, METHOD, FLAGS = Column("rank", "rank", "integer"), Column("method", "method"), Column("flags", "flags")


def statistic_columns(which: Callable[[Statistic], bool]) -> list[Column]:
    """A column per registered statistic that `which` picks, in registration order, under its name and label."""
    return [Column(s.name, s.label, "estimate", s.digits, s.terminal) for s in STATISTICS.values() if s.column and which(s)]


def _unique(columns: list[Column]) -> list[Column]:
    keys = [column.key for column in columns]
    clashes = sorted({key for key in keys if keys.count(key) > 1})
    if clashes:
        raise ValueError(f"column key(s) {', '.join(clashes)} appear twice: a statistic is named like a table column")
    return columns


def _of_summary(statistic: Statistic) -> bool:
    return summary_key(statistic.reads) is not None


def benchmark_columns() -> list[Column]:
    """Rank, method, seeds; statistics of headline scores, then their mean ± sd; the other statistics; facts."""
    return _unique([
        RANK, METHOD, Column("seeds", "scored seeds", "integer"),
        *statistic_columns(lambda s: s.reads == "score"),
        Column("score_mean_std", "score mean ± sd"),
        *statistic_columns(lambda s: s.reads != "score"),
        Column("retention", "retention", "number"), Column("cost", "cost × baseline", "number", 2), FLAGS,
    ])


def overall_columns() -> list[Column]:
    """Rank, method, coverage, then the statistics of normalised scores (headline scores and run summaries do not
    pool across benchmarks)."""
    return _unique([
        RANK, METHOD, Column("benchmarks", "benchmarks", "integer"), Column("runs", "scored runs", "integer"),
        *statistic_columns(lambda s: s.reads != "score" and not _of_summary(s)),
        FLAGS,
    ])


RUN_COLUMNS = [
    Column("run_id", "run"),
    Column("method", "method"),
    Column("seed", "seed", "integer"),
    Column("status", "status"),
    Column("reason", "reason"),
]


def benchmark_table(board: BenchmarkBoard) -> TableData:
    rows = []
    for row in board.rows:
        mean_std = None if row.mean is None else f"{row.mean:.4f} ± {row.std:.4f}"
        rows.append(
            {
                **row.estimates,
                "rank": row.rank,
                "method": row.label,
                "_method": row.method,
                "_version": row.method_version,
                "seeds": len(row.scores),
                "score_mean_std": mean_std,
                "retention": row.retention,
                "cost": row.cost,
                "chosen": describe_params(row.tuned) if row.tuned is not None else None,
                "flags": "; ".join(row.flags) or None,
            }
        )
    summaries = {s.name for s in STATISTICS.values() if _of_summary(s)}
    shown = {name for row in board.rows for name in row.estimates}
    columns = [c for c in benchmark_columns() if c.key not in summaries or c.key in shown]
    if any(row.tuned is not None for row in board.rows):
        columns.insert(-1, CHOSEN)
    return TableData(f"benchmark-{board.slug}", board.title, columns, rows)


CHOSEN = Column("chosen", "chosen hyperparameters")


def describe_params(params: dict[str, object]) -> str:
    """`bench.lr=0.00316, nap.every=1`: a tuned row's chosen values, in the order the study lists them."""
    return ", ".join(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}" for name, value in params.items())


def overall_table(board: OverallBoard) -> TableData:
    rows = [
        {
            **row.estimates,
            "rank": row.rank,
            "method": row.label,
            "_method": row.method,
            "_version": row.method_version,
            "benchmarks": len(row.benchmarks),
            "runs": row.scored_runs,
            "flags": "; ".join(row.flags) or None,
        }
        for row in board.rows
    ]
    return TableData(f"overall-{board.slug}", board.title, overall_columns(), rows)


def unscored_runs_table(board: BenchmarkBoard) -> TableData:
    """Failed and diverged runs with their reasons: shown, never silently dropped."""
    rows = []
    for key, members in board.records.items():
        for record in members:
            if record.status != "ok":
                reason = record.error or (f"diverged at step {record.diverged_at_step}" if record.diverged_at_step else "")
                rows.append({"run_id": record.run_id, "method": board_label(board, key), "seed": record.seed, "status": record.status, "reason": reason})
    return TableData(f"runs-{board.slug}", f"{board.title}: failed and diverged runs", RUN_COLUMNS, rows)


def board_label(board: BenchmarkBoard, key: str) -> str:
    return next((row.label for row in board.rows if row.method_key == key), key)


def all_tables(leaderboard: Leaderboard) -> list[TableData]:
    tables = [overall_table(board) for board in leaderboard.overall]
    for board in leaderboard.boards:
        tables.append(benchmark_table(board))
        runs = unscored_runs_table(board)
        if runs.rows:
            tables.append(runs)
    return tables
