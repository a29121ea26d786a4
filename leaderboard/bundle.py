"""JSON bundles of run records, for sharing results between machines and groups."""

from __future__ import annotations

import gzip
import json
import math
import os
from pathlib import Path

from pydantic import ValidationError

from core.files import write_atomic
from leaderboard.errors import LeaderboardError
from leaderboard.records import SCHEMA_VERSION, HeadlineRule, RunRecord, TaskMetrics, headline_score

BUNDLE_FORMAT = "clbench-bundle"
BUNDLE_SUFFIXES = (".json", ".json.gz")
GZIP_MAGIC = b"\x1f\x8b"


def is_bundle_path(path: str | os.PathLike[str]) -> bool:
    """Whether `path` names a bundle (`.json`, or `.json.gz` compressed) rather than a results store."""
    return Path(path).name.endswith(BUNDLE_SUFFIXES)


def export_bundle(records: list[RunRecord], path: str | os.PathLike[str]) -> Path:
    """Write `records` as one JSON bundle, gzip-compressed when the name ends in `.gz`; returns the path.

    Compressed bundles carry no timestamp, so the same records give the same bytes (fit for committing).
    """
    bundle = {
        "format": BUNDLE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "records": [record.model_dump(mode="json") for record in records],
    }
    target = Path(path)
    text = json.dumps(bundle, indent=1)
    write_atomic(target, gzip.compress(text.encode("utf-8"), mtime=0) if target.name.endswith(".gz") else text)
    return target


def read_bundle(path: str | os.PathLike[str]) -> list[RunRecord]:
    """Read and validate a bundle, plain or gzip-compressed. Malformed or duplicated records are refused, naming the record."""
    source = Path(path)
    try:
        raw_bytes = source.read_bytes()
        data = json.loads(gzip.decompress(raw_bytes) if raw_bytes.startswith(GZIP_MAGIC) else raw_bytes)
    except FileNotFoundError:
        raise LeaderboardError(f"bundle {source} does not exist") from None
    except (OSError, EOFError) as error:
        raise LeaderboardError(f"bundle {source} is not a readable gzip file: {error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LeaderboardError(f"bundle {source} is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT or not isinstance(data.get("records"), list):
        raise LeaderboardError(f"{source} is not a clbench bundle (expected {{'format': '{BUNDLE_FORMAT}', 'records': [...]}})")
    records: list[RunRecord] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["records"]):
        label = raw.get("run_id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
        _check_headline(raw, source, label)
        try:
            record = RunRecord.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors()[:3])
            raise LeaderboardError(f"bundle {source}: record {label} is malformed: {problems}") from None
        if record.run_id in seen:
            raise LeaderboardError(f"bundle {source}: record {record.run_id} appears more than once")
        seen.add(record.run_id)
        records.append(record)
    return records


def _check_headline(raw: object, source: Path, label: str) -> None:
    """Recompute an ok record's headline score from its per-task metrics; refuse a claim that differs."""
    if not isinstance(raw, dict) or raw.get("status") != "ok":
        return
    try:
        rule = HeadlineRule.model_validate(raw.get("headline"))
        tasks = [TaskMetrics.model_validate(task) for task in raw.get("tasks") or []]
    except (ValidationError, TypeError):
        return  # the full validation below names what is malformed
    expected = headline_score(tasks, rule)
    claimed = raw.get("score")
    if expected is None or not isinstance(claimed, (int, float)) or isinstance(claimed, bool):
        return
    if not math.isclose(claimed, expected, rel_tol=1e-9, abs_tol=1e-12):
        scored = sum(1 for task in tasks if task.metrics.get(rule.metric) is not None)
        raise LeaderboardError(
            f"bundle {source}: record {label} is malformed: its headline score {claimed!r} does not match "
            f"{expected!r}, recomputed from its per-task '{rule.metric}' over the last {rule.window(scored)} of "
            f"{scored} tasks (scores in bundles are recomputed, never trusted)"
        )


def merge_bundles(paths: list[str | os.PathLike[str]], existing: list[RunRecord] | None = None) -> list[RunRecord]:
    """Read several bundles (and optionally records already at hand) into one list; a run id seen twice is refused."""
    origin: dict[str, str] = {record.run_id: "the results store" for record in existing or []}
    merged = list(existing or [])
    for path in paths:
        for record in read_bundle(path):
            if record.run_id in origin:
                raise LeaderboardError(
                    f"record {record.run_id} appears in both {origin[record.run_id]} and bundle {path}; "
                    "remove one copy before merging"
                )
            origin[record.run_id] = f"bundle {path}"
            merged.append(record)
    return merged
