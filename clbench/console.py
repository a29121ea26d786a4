"""The shared rich consoles, the one-line error exit and the one way every command prints a table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `error: message` on stderr and exit with `code` (2 for bad input); `message` is text, not markup."""
    errors.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def print_scaffold(scaffold: Any, what: str) -> None:
    """Say which two files a `new-*` command wrote, and how to run the new test."""
    console.print(f"wrote {scaffold.code_path}", soft_wrap=True)
    console.print(f"wrote {scaffold.test_path}", soft_wrap=True)
    console.print(f"next: edit the {what}, then run  python -m pytest {scaffold.test_path}", soft_wrap=True)


def print_json(value: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colours or wrapping."""
    typer.echo(json.dumps(value, indent=2, default=str))


@dataclass(frozen=True)
class TableColumn:
    """How one column prints on a terminal: a `name` (bold, whole where the terminal allows, else folded over lines:
    never cut), a short `value` or a `number` (whole; numbers right-aligned), or `text` (prose that wraps at spaces
    in the width the others leave)."""

    title: str
    kind: Literal["name", "value", "number", "text"] = "value"


COLUMN_GAP = 2
"""Spaces between two columns of a terminal table."""
NAME_FLOOR = 12
"""A name column gives way to a narrow terminal down to this width, then folds its longer names over lines."""
TEXT_FLOOR = 10
"""A text column is never made narrower than its title, nor than its longest word up to this many characters."""


def print_table(columns: Sequence[TableColumn], rows: Sequence[Sequence[str]], title: str = "") -> None:
    """Print a table of plain strings: a rich table on a terminal, grep-able lines when stdout is piped.

    Piped (not a terminal), the output is `# title`, a header line and one line per row, cells separated by
    tabs (a tab or line break inside a cell becomes a space), so `grep NAME` finds a row and `cut -f1` a column.
    """
    if console.is_terminal:
        console.print(rich_table(columns, rows, title, console.width))
        return
    lines = [f"# {_one_line(title)}"] if title else []
    lines.append("\t".join(_one_line(column.title) for column in columns))
    lines.extend("\t".join(_one_line(cell) for cell in row) for row in rows)
    console.file.write("\n".join(lines) + "\n")  # not console.print, which would expand the tabs


def rich_table(columns: Sequence[TableColumn], rows: Sequence[Sequence[str]], title: str, width: int) -> Table:
    """The terminal form of `print_table`, its columns sized by `column_widths` to fit `width`."""
    table = Table(title=Text(title) if title else None, title_justify="left", box=None, pad_edge=False,
                  padding=(0, COLUMN_GAP // 2), header_style="bold underline")
    for column, size in zip(columns, column_widths(columns, rows, width)):
        table.add_column(Text(column.title), width=size, overflow="fold", justify="right" if column.kind == "number" else "left",
                         style="bold" if column.kind == "name" else None)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def column_widths(columns: Sequence[TableColumn], rows: Sequence[Sequence[str]], width: int) -> list[int | None]:
    """Content widths that fit a terminal `width` wide: names, values and numbers whole, text columns sharing the
    rest (shortest first). Text columns narrow to their titles so that names stay whole; when names cannot stay
    whole anyway, the longest narrow to `NAME_FLOOR` and fold. None when even that does not fit: rich sizes them."""
    def longest(values: Iterable[str]) -> int:
        return max((len(value) for value in values), default=0)

    text = [i for i, column in enumerate(columns) if column.kind == "text"]
    titles = [longest(column.title.split()) for column in columns]
    natural = [max(titles[i], longest(row[i] for row in rows)) for i in range(len(columns))]
    sizes = list(natural)
    for i in text:
        sizes[i] = max(titles[i], min(TEXT_FLOOR, longest(word for row in rows for word in row[i].split())))
    room = width - COLUMN_GAP * (len(columns) - 1)
    if sum(sizes) > room:
        narrowed = [titles[i] if i in text else size for i, size in enumerate(sizes)]
        if sum(narrowed) <= room:
            sizes = narrowed
        else:
            for i in sorted((i for i, c in enumerate(columns) if c.kind == "name"), key=lambda i: -sizes[i]):
                sizes[i] -= min(sum(sizes) - room, max(sizes[i] - NAME_FLOOR, 0)) if sum(sizes) > room else 0
            if sum(sizes) > room:
                return [None] * len(columns)
    spare = room - sum(sizes)
    for left, i in enumerate(sorted(text, key=lambda i: natural[i] - sizes[i])):
        give = min(natural[i] - sizes[i], spare // (len(text) - left))
        sizes[i] += give
        spare -= give
    return sizes


def _one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
