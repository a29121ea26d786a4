"""JSON bundles of run records, for sharing results between machines and groups."""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from core.files import write_atomic
from leaderboard.errors import LeaderboardError
from leaderboard.records import SCHEMA_VERSION, HeadlineRule, RunRecord, TaskMetrics, headline_score

BUNDLE_FORMAT = "clbench-bundle"
BUNDLE_SUFFIXES = (".json", ".json.gz")
GZIP_MAGIC = b"\x1f\x8b"
MAX_BUNDLE_BYTES = 256 * 2**20
"""The largest bundle read, in bytes of JSON (after decompression for .json.gz), checked before and while reading.
A record with diagnostics is about 0.1 MB of JSON (the committed evidence: 81 records in 7.6 MB), so 256 MiB holds
about 2,500 of them; a larger set travels as several bundles, which `--from A B` reads together."""
MAX_BUNDLE_DEPTH = 64
"""The deepest nesting of lists and objects read. A bundle nests about `BUNDLE_DEPTH` (records, a record, its
diagnostics, a point, its values); the rest leaves room for nested configurations."""
BUNDLE_DEPTH = 6
READ_CHUNK = 2**20
SHOWN_CHARACTERS = 80
SPLIT_HINT = "; export smaller bundles (`clbench results export FILE --benchmark B`) and read them together with `--from A B`"
LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""A \\uD800-\\uDFFF escape: only then can a parsed string hold a lone surrogate (checked string by string)."""


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
    """Read and validate a bundle, plain or gzip-compressed. Malformed or duplicated records are refused, naming the record.

    A bundle larger than `MAX_BUNDLE_BYTES` (once decompressed) or nested deeper than `MAX_BUNDLE_DEPTH` is refused
    before any record is validated; every record is validated before the first is returned.
    """
    source = Path(path)
    data = _parse(source, _read_limited(source))
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT or not isinstance(data.get("records"), list):
        raise LeaderboardError(f"{source} is not a clbench bundle (expected {{'format': '{BUNDLE_FORMAT}', 'records': [...]}})")
    records: list[RunRecord] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["records"]):
        label = _shown(raw.get("run_id", f"#{position}")) if isinstance(raw, dict) else f"#{position}"
        _check_headline(raw, source, label)
        try:
            record = RunRecord.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(_shown, e['loc'])) or 'record'}: {_shown(e['msg'])}" for e in error.errors()[:3])
            raise LeaderboardError(f"bundle {source}: record {label} is malformed: {problems}") from None
        if record.run_id in seen:
            raise LeaderboardError(f"bundle {source}: record {label} appears more than once")
        seen.add(record.run_id)
        records.append(record)
    return records


def _read_limited(source: Path) -> bytes:
    """The bundle's JSON bytes, decompressed if gzip; refused past `MAX_BUNDLE_BYTES`, checked before and while reading."""
    try:
        if not source.is_file():
            raise LeaderboardError(f"bundle {source} {'is not a regular file' if source.exists() else 'does not exist'}")
        size = source.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise LeaderboardError(f"bundle {source} is {_mib(size)}, over the {_mib(MAX_BUNDLE_BYTES)} limit{SPLIT_HINT}")
        with source.open("rb") as stream:
            compressed = stream.read(len(GZIP_MAGIC)) == GZIP_MAGIC
            stream.seek(0)
            if not compressed:
                return _read_at_most(stream, MAX_BUNDLE_BYTES, source, "")
            with gzip.GzipFile(fileobj=stream) as unpacked:
                return _read_at_most(unpacked, MAX_BUNDLE_BYTES, source, " once decompressed")
    except (OSError, EOFError, zlib.error) as error:
        kind = "gzip file" if isinstance(error, (gzip.BadGzipFile, EOFError, zlib.error)) else "file"
        raise LeaderboardError(f"bundle {source} is not a readable {kind}: {error}") from None


def _read_at_most(stream: BinaryIO, limit: int, source: Path, how: str) -> bytes:
    chunks, total = [], 0
    while chunk := stream.read(READ_CHUNK):
        total += len(chunk)
        if total > limit:
            raise LeaderboardError(f"bundle {source} is over the {_mib(limit)} limit{how}{SPLIT_HINT}")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(source: Path, raw: bytes) -> object:
    """UTF-8 JSON with its nesting bounded by `MAX_BUNDLE_DEPTH` and every string valid Unicode."""
    too_deep = (f"bundle {source} nests lists or objects more than {MAX_BUNDLE_DEPTH} deep; a clbench bundle nests "
                f"about {BUNDLE_DEPTH}, so this is not one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LeaderboardError(f"bundle {source} is not UTF-8 text: {error}") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise LeaderboardError(too_deep) from None
    except json.JSONDecodeError as error:
        raise LeaderboardError(f"bundle {source} is not valid JSON: {error}") from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise LeaderboardError(f"bundle {source} is not valid JSON: {str(error).split(';')[0]}") from None
    if _deeper_than(data, MAX_BUNDLE_DEPTH):
        raise LeaderboardError(too_deep)
    if LONE_SURROGATE.search(text) and (bad := _unencodable_string(data)) is not None:
        raise LeaderboardError(f"bundle {source} holds a string that is not valid Unicode (a lone UTF-16 surrogate): {bad}")
    return data


def _deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (iterative: a hostile depth cannot overflow the stack)."""
    level, depth = [value] if type(value) in (dict, list) else [], 1
    while level:
        if depth > limit:
            return True
        inner = []
        for container in level:
            for item in container.values() if type(container) is dict else container:
                if type(item) is dict or type(item) is list:
                    inner.append(item)
        level, depth = inner, depth + 1
    return False


def _unencodable_string(value: object) -> str | None:
    """The first string (key or value) that UTF-8 cannot encode, shown shortened; None if there is none."""
    stack = [value]
    while stack:
        item = stack.pop()
        strings = [item] if isinstance(item, str) else list(item) if isinstance(item, dict) else []
        for text in strings:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return _shown(text)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _shown(value: object) -> str:
    """A value from a bundle as it may appear in a one-line message: printable and at most 80 characters."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and len(text) <= SHOWN_CHARACTERS:
        return text
    shown = ascii(text[:SHOWN_CHARACTERS])[1:-1]
    return shown + ("…" if len(text) > SHOWN_CHARACTERS else "")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB" if size >= 2**20 else f"{size:,} bytes"


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
    return merge_records([(Path(path), read_bundle(path)) for path in paths], existing)


def merge_records(bundles: list[tuple[Path, list[RunRecord]]], existing: list[RunRecord] | None = None) -> list[RunRecord]:
    """Records of bundles already read (path, records), after `existing`, one per run id.

    A run id seen twice is the same run made twice: the first copy is kept when both measured exactly the same
    (`leaderboard.reproduce.measured`: a rerun that reproduced it), and refused, naming both sources, when they differ.
    """
    from leaderboard.reproduce import measured

    origin: dict[str, str] = {record.run_id: "the results store" for record in existing or []}
    kept: dict[str, RunRecord] = {record.run_id: record for record in existing or []}
    merged = list(existing or [])
    for path, records in bundles:
        for record in records:
            if record.run_id in origin:
                if measured(record) == measured(kept[record.run_id]):
                    continue
                raise LeaderboardError(
                    f"record {_shown(record.run_id)} appears in both {origin[record.run_id]} and bundle {path} with different "
                    "measurements; remove one copy before merging (`clbench results compare` shows the difference)"
                )
            origin[record.run_id] = f"bundle {path}"
            kept[record.run_id] = record
            merged.append(record)
    return merged
