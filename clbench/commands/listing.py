"""`clbench methods list`, `clbench methods show NAME` and `clbench benchmarks list`."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any

import typer
from rich.markup import escape

from clbench.console import TableColumn, console, print_json, print_table

methods_app = typer.Typer(help="The registered plasticity methods.", no_args_is_help=True)
benchmarks_app = typer.Typer(help="The registered benchmarks and their presets.", no_args_is_help=True)


@methods_app.command("list")
def list_methods(
    pattern: str = typer.Argument("*", help="Glob over method names, e.g. 'reset_*'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List registered methods with a one-line description."""
    from methods import base

    rows = [{"name": name, "version": base.get(name).version, "description": base.get(name).summary} for name in _method_names(pattern)]
    if as_json:
        print_json(rows)
        return
    columns = [TableColumn("name", "name"), TableColumn("version"), TableColumn("description", "text")]
    print_table(columns, [[row["name"], str(row["version"]), row["description"] or ""] for row in rows], "methods")


@methods_app.command("show")
def show_method(
    name: str = typer.Argument(..., help="A method name, e.g. 'nap' or 'avalanche:ewc'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Describe one method: what it does, its paper, its hyperparameters and defaults, where it applies."""
    info = method_description(name)
    if as_json:
        print_json(info)
        return
    console.print(f"[bold]{escape(info['name'])}[/] v{info['version']}  {escape(info['summary'])}")
    if info["description"]:
        console.print(escape(info["description"]))
    console.print(f"[bold]citation:[/] {escape(info['citation'] or '—')}")
    if info["paper_url"]:
        console.print(f"[bold]paper:[/] {escape(info['paper_url'])}")
    console.print(f"[bold]applies to:[/] {', '.join(info['families'])} benchmarks")
    if info["roles"]:
        console.print(f"[bold]exclusive roles:[/] {', '.join(info['roles'])} (cannot compose with another method in the same role)")
    if not info["hyperparameters"]:
        console.print("[bold]hyperparameters:[/] none")
        return
    space = info["search_space"]
    print_table(
        [TableColumn("field", "name"), TableColumn("type", "text"), TableColumn("default", "text"), TableColumn("tuned over", "text")],
        [[row["field"], row["type"], row["default"], space["dimensions"].get(row["field"], "—")] for row in info["hyperparameters"]],
        f"hyperparameters (set with --set {info['name']}.FIELD=VALUE)",
    )
    if info["config_doc"]:
        console.print(escape(info["config_doc"]))
    _print_tuning(info)


def _print_tuning(info: dict[str, Any]) -> None:
    space = info["search_space"]
    if space["declared"]:
        why = f"source: {space['source']}" if space["dimensions"] else f"nothing to tune: {space['reason']}"
        console.print(f"[bold]search space:[/] bench.lr and the fields above marked 'tuned over' ({escape(why)})", soft_wrap=True)
    else:
        console.print("[bold]search space:[/] not declared (clbench tune refuses this method)")
    if not info["tuned"]:
        console.print("[bold]tuned configurations:[/] none committed")
        return
    print_table(
        [TableColumn("benchmark", "name"), TableColumn("preset"), TableColumn("study", "text"), TableColumn("chosen", "text"),
         TableColumn("tuning score", "number")],
        [[row["benchmark"], row["preset"], row["study"], row["chosen"], f"{row['selection_score']:.4f}"] for row in info["tuned"]],
        "tuned configurations (clbench run --config tuned)",
    )


def method_description(name: str) -> dict[str, Any]:
    """Everything `methods show` prints about `name`, as plain data (raises MethodError if unknown)."""
    from methods import base
    from core.config import describe_type

    cls = base.get(name)
    hints = typing.get_type_hints(cls.Config)
    fields = []
    for field in base.config_fields(cls):
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
        required = field.metadata.get("required", False)
        fields.append(
            {
                "field": field.name,
                "type": describe_type(hints[field.name]),
                "default": "required" if required else _format_default(default),
            }
        )
    doc = inspect.getdoc(cls) or ""
    config_doc = inspect.getdoc(cls.Config) or ""
    if config_doc.startswith(f"{cls.Config.__name__}("):
        config_doc = ""
    return {
        "name": name,
        "version": cls.version,
        "summary": cls.summary,
        "description": _unwrap("\n".join(doc.splitlines()[1:])),
        "citation": cls.citation,
        "paper_url": cls.paper_url,
        "families": sorted(cls.families),
        "roles": sorted(cls.roles),
        "hyperparameters": fields,
        "config_doc": _unwrap(config_doc),
        "search_space": _space_description(cls.search_space),
        "tuned": _tuned_description(name),
    }


def _space_description(space: Any) -> dict[str, Any]:
    if space is None:
        return {"declared": False, "dimensions": {}, "source": "", "reason": ""}
    return {"declared": True, "dimensions": {k: v.describe() for k, v in space.dimensions.items()}, "source": space.source, "reason": space.reason}


def _tuned_description(name: str) -> list[dict[str, Any]]:
    """The committed tuned choices of `name` (benchmarks/tuned/), newest study facts first by benchmark."""
    from benchmarks.tuning import all_choices
    from leaderboard.tables import describe_params

    return [
        {"benchmark": c.benchmark, "preset": c.preset, "study": c.describe(), "chosen": describe_params(c.params),
         "params": c.params, "selection_score": c.selection_score, "method_version": c.method_version}
        for c in all_choices() if c.method == name
    ]


def _unwrap(text: str) -> str:
    """Docstring paragraphs as single lines, so the terminal wraps them."""
    return "\n".join(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())


def _format_default(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return "none" if value is None else str(value)


def _method_names(pattern: str) -> list[str]:
    """Registered names plus the `avalanche:` plugins clbench lists and tests."""
    import fnmatch

    from methods import base
    from methods.from_avalanche_plugin import listed_names

    return sorted(set(base.names(pattern)) | {n for n in listed_names() if fnmatch.fnmatch(n, pattern)})


@benchmarks_app.command("list")
def list_benchmarks(
    pattern: str = typer.Argument("*", help="Glob over benchmark names, e.g. '*mnist*'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List registered benchmarks with version, presets, role (a "control" expects no plasticity loss) and a one-line description."""
    from benchmarks import base

    rows = []
    for name in base.names(pattern):
        benchmark = base.get(name)
        rows.append(
            {
                "name": name,
                "version": benchmark.version,
                "family": benchmark.family,
                "presets": list(benchmark.presets),
                "offline": benchmark.offline,
                "role": benchmark.role,
                "description": benchmark.description,
            }
        )
    if as_json:
        print_json(rows)
        return
    columns = [TableColumn("name", "name"), TableColumn("version"), TableColumn("presets", "text"), TableColumn("offline", "text"),
               TableColumn("role"), TableColumn("description", "text")]
    print_table(columns, [
        [row["name"], str(row["version"]), ", ".join(row["presets"]), "yes" if row["offline"] else "needs --data-root",
         row["role"], row["description"] or ""]
        for row in rows
    ], "benchmarks")


def register(app: typer.Typer) -> None:
    app.add_typer(methods_app, name="methods")
    app.add_typer(benchmarks_app, name="benchmarks")
