"""`clbench reproduce [CLAIM…]`: rerun the claims of docs/reproductions.md here and set the fresh figures beside the committed ones."""

from __future__ import annotations

from pathlib import Path

import typer

from clbench.console import TableColumn, console, errors, print_json, print_table

STORE_HELP = "SQLite results file for the reruns (default $CLBENCH_STORE or results/clbench.db)."


def reproduce(
    claim_ids: list[str] = typer.Argument(None, help="Claim ids from docs/reproductions.md (none: every claim)."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", help="Runs at once: 1 = in this process, N = N worker processes."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say which runs each claim needs, run nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Rerun each claim's runs (skipping those the store already has), evaluate it on them, and print the fresh
    verdict and figure next to the committed ones. Agreement is by statistics, not digits: the same verdict with
    overlapping 95% CIs agrees, whatever the processor. Exit 1 if a verdict differs."""
    from benchmarks.base import RunContext
    from benchmarks.executors import make_executor
    from benchmarks.planning import plan_jobs
    from clbench.commands.run import describe
    from clbench.sweep import pending_jobs, run_sweep
    from leaderboard import claims as registry
    from leaderboard.bundle import read_bundle
    from leaderboard.reproduce import compare_records
    from leaderboard.store import ResultsStore

    chosen = [registry.get(claim_id) for claim_id in dict.fromkeys(claim_ids or registry.CLAIMS)]
    context = RunContext()
    planned = {c.id: plan_jobs([c.benchmark], list(c.methods), list(range(c.seeds)), c.preset, {}, context) for c in chosen}
    results = ResultsStore(store)
    todo = pending_jobs([job for claim_jobs in planned.values() for job in claim_jobs], results, force=False)
    if dry_run:
        for claim in chosen:
            waiting = {job.run_id for job in todo} & {job.run_id for job in planned[claim.id]}
            console.print(f"{claim.id}: {len(planned[claim.id])} runs, {len(waiting)} to do ({claim.command()})", soft_wrap=True)
        console.print(f"{len(todo)} runs to do (dry run; nothing ran)")
        return
    if todo:
        say = (errors if as_json else console).print  # with --json, stdout holds the JSON alone
        say(f"{len(todo)} runs to do for {len(chosen)} claims; results in {results.path}", soft_wrap=True, markup=False)
        run_sweep(todo, results, make_executor("local", jobs, None, 1), context,
                  on_record=lambda record: say(describe(record), soft_wrap=True, markup=False))

    committed = dict(zip((c.id for c in chosen), registry.evaluate_committed(chosen)))
    bundles: dict[str, list] = {}
    rows = []
    for claim in chosen:
        fresh_records = [r for job in planned[claim.id] if (r := results.get(job.run_id)) is not None]
        fresh = registry.evaluate(claim, fresh_records)
        identical = ""
        bundle = registry.EVIDENCE_DIR / claim.bundle
        if bundle.exists():
            if claim.bundle not in bundles:
                bundles[claim.bundle] = read_bundle(bundle)
            comparison = compare_records(fresh_records, [r for r in bundles[claim.bundle] if r.method in claim.methods])
            shared = len(comparison.agreeing) + len(comparison.differing)
            identical = f"{len(comparison.agreeing)} of {shared}"
        rows.append((claim, committed[claim.id], fresh, registry.agreement(committed[claim.id], fresh), identical))

    if as_json:
        print_json([
            {"claim": claim.id, "committed": _as_json(old), "fresh": _as_json(new), "agreement": verdict, "identical_runs": same}
            for claim, old, new, verdict, same in rows
        ])
    else:
        columns = [TableColumn("claim", "name"), TableColumn("committed"), TableColumn("rerun here"), TableColumn("agreement", "text"),
                   TableColumn("runs bit-identical", "number")]
        print_table(columns, [
            [claim.id, _cell(old), _cell(new), verdict, same or "—"] for claim, old, new, verdict, same in rows
        ], f"{len(rows)} claims (docs/reproductions.md)")
    if any(verdict.startswith("differs") for _, _, _, verdict, _ in rows):
        raise typer.Exit(1)


def _cell(outcome) -> str:
    return outcome.symbol if outcome.estimate is None else f"{outcome.symbol} {outcome.figure}"


def _as_json(outcome) -> dict:
    estimate = outcome.estimate.as_list() if outcome.estimate is not None else None
    return {"verdict": outcome.verdict, "estimate": estimate, "runs": outcome.runs, "reason": outcome.reason}


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce)
