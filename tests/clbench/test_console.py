"""clbench/console.py: piped tables are grep-able lines, terminal tables fit the width and never cut a name."""

from __future__ import annotations

import io

from rich.console import Console

from clbench import console as console_module
from clbench.console import TableColumn, column_widths, print_table, rich_table

COLUMNS = [TableColumn("name", "name"), TableColumn("version"), TableColumn("score", "number"), TableColumn("description", "text")]
LONG = "shrink_perturb+layernorm v2@0123456789ab"
ROWS = [
    ["baseline", "1", "0.4000", "plain SGD, nothing against plasticity loss"],
    [LONG, "2", "-0.3550", "three methods composed, the second version, one of several configurations"],
]


def rendered(table, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return out.getvalue().splitlines()


def test_piped_a_table_is_a_title_a_header_and_one_tab_separated_line_per_row(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(console_module.console, "file", out)
    print_table(COLUMNS, [*ROWS, ["odd\tname", "1", "0", "two\nlines"]], "methods")
    assert out.getvalue().splitlines() == [
        "# methods",
        "name\tversion\tscore\tdescription",
        "\t".join(ROWS[0]),
        "\t".join(ROWS[1]),
        "odd name\t1\t0\ttwo lines",
    ]


def test_at_80_columns_a_terminal_table_fits_and_keeps_a_40_character_name_on_one_line():
    lines = rendered(rich_table(COLUMNS, ROWS, "methods", 80), 80)
    assert all(len(line) <= 80 for line in lines)
    assert any(LONG in line for line in lines) and any("-0.3550" in line for line in lines)
    assert "…" not in "".join(lines)


def test_a_name_wider_than_the_terminal_allows_folds_over_lines_and_is_never_cut():
    columns, name = [TableColumn("name", "name"), TableColumn("score", "number")], "shrink_perturb+layernorm+weight_decay@0123456789ab"
    (width, _) = column_widths(columns, [[name, "0.4000"]], 30)
    lines = rendered(rich_table(columns, [[name, "0.4000"]], "", 30), 30)
    assert all(len(line) <= 30 for line in lines)
    assert "".join(line[:width].strip() for line in lines[1:]) == name


def test_text_columns_narrow_to_their_titles_before_a_name_is_folded():
    columns = [TableColumn("method", "name"), TableColumn("score", "number"), TableColumn("flags", "text")]
    rows = [["reset_full (tuned)", "0.429 [0.333, 0.571]", "one scored seed: no interval"]]
    assert column_widths(columns, rows, 50) == [18, 20, 8]
    assert column_widths(columns, rows, 49) == [18, 20, 7]
    assert column_widths(columns, rows, 47) == [18, 20, 5]
    assert column_widths(columns, rows, 46) == [14, 20, 8]
