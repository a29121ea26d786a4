"""JSON bundles of run records, for sharing results between machines and groups."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from leaderboard.errors import LeaderboardError
from leaderboard.records import SCHEMA_VERSION, RunRecord

BUNDLE_FORMAT = "clbench-bundle"


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_bundle(records: list[RunRecord], path: str | os.PathLike[str]) -> Path:
    """Write `records` as one JSON bundle; returns the path."""
    bundle = {
        "format": BUNDLE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "records": [record.model_dump(mode="json") for record in records],
    }
    target = Path(path)
    write_atomic(target, json.dumps(bundle, indent=1))
    return target


def read_bundle(path: str | os.PathLike[str]) -> list[RunRecord]:
    """Read and validate a bundle. Malformed or duplicated records are refused, naming the record."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LeaderboardError(f"bundle {source} does not exist") from None
    except json.JSONDecodeError as error:
        raise LeaderboardError(f"bundle {source} is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT or not isinstance(data.get("records"), list):
        raise LeaderboardError(f"{source} is not a clbench bundle (expected {{'format': '{BUNDLE_FORMAT}', 'records': [...]}})")
    records: list[RunRecord] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["records"]):
        label = raw.get("run_id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
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
