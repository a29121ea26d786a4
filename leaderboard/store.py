"""The results store: SQLite, one row per run id, each write one atomic transaction."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from leaderboard.errors import LeaderboardError
from leaderboard.records import RunRecord

DEFAULT_STORE = Path("results") / "clbench.db"
STORE_ENV = "CLBENCH_STORE"
COMPLETE = ("ok", "diverged")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    benchmark TEXT NOT NULL,
    benchmark_version TEXT NOT NULL,
    preset TEXT NOT NULL,
    method TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    finished_at TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_group ON runs (benchmark, preset, method);
"""


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """`--store` if given, else $CLBENCH_STORE, else results/clbench.db."""
    if path:
        return Path(path)
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


class ResultsStore:
    """Run records in one SQLite file. Only the sweep driver writes; readers may run at any time."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = resolve_store_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as error:
            raise LeaderboardError(f"cannot open the results store {self.path}: {error}") from None
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            yield connection
            connection.commit()
        except sqlite3.DatabaseError as error:
            connection.rollback()
            raise LeaderboardError(f"the results store {self.path} is unreadable: {error}") from None
        finally:
            connection.close()

    def put(self, record: RunRecord) -> None:
        """Insert or replace the record of `record.run_id`, validated, in one transaction."""
        self.put_many([record])

    def put_many(self, records: Iterable[RunRecord]) -> int:
        rows = []
        for record in records:
            record = RunRecord.model_validate(record.model_dump())
            rows.append(
                (
                    record.run_id,
                    record.benchmark,
                    record.benchmark_version,
                    record.preset,
                    record.method,
                    record.seed,
                    record.status,
                    record.score,
                    record.finished_at,
                    record.to_json(),
                )
            )
        with self._connect() as connection:
            connection.executemany("INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def get(self, run_id: str) -> RunRecord | None:
        with self._connect() as connection:
            row = connection.execute("SELECT record FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _parse(row[0], run_id) if row else None

    def completed_ids(self) -> set[str]:
        """Ids of runs that need not run again (ok or diverged; failed runs are retried)."""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT run_id FROM runs WHERE status IN ({','.join('?' * len(COMPLETE))})", COMPLETE
            ).fetchall()
        return {row[0] for row in rows}

    def records(self, benchmark: str | None = None, preset: str | None = None, method: str | None = None) -> list[RunRecord]:
        clauses, params = [], []
        for column, value in (("benchmark", benchmark), ("preset", preset), ("method", method)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT run_id, record FROM runs{where} ORDER BY benchmark, preset, method, seed", params
            ).fetchall()
        return [_parse(text, run_id) for run_id, text in rows]

    def __len__(self) -> int:
        with self._connect() as connection:
            return connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


def _parse(text: str, run_id: str) -> RunRecord:
    try:
        return RunRecord.model_validate(json.loads(text))
    except (ValidationError, json.JSONDecodeError) as error:
        raise LeaderboardError(f"record {run_id} in the store is invalid: {error}") from None
