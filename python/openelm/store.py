"""The run store: one SQLite database (`run.db`, WAL mode) per run directory.

It holds the run's config and model identity, every program ever evaluated
(failures included), each change of archive membership, and per-iteration
metrics. An iteration's programs, archive changes and metrics are written in
one transaction, so a run killed at any moment holds whole iterations only.
The archive at the end of any iteration is rebuilt from `archive_events`
(the latest event of each cell), which is all a resume needs besides the
config. See docs/evolve.md for the schema.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openelm.errors import OpenelmError
from openelm.records import (
    SIMULATOR_VERSION,
    ArchiveEvent,
    CompletionStop,
    Elite,
    EvolveConfig,
    Funnel,
    IterationMetrics,
    ProgramRecord,
    ProgramStatus,
    PromptPair,
)

__all__ = [
    "DB_NAME",
    "LOCK_NAME",
    "SCHEMA_VERSION",
    "ArchiveEvent",
    "ProgramRecord",
    "PromptPair",
    "RunStore",
    "RunStoreError",
    "iter_run_dirs",
]

DB_NAME = "run.db"
# Held (flock) by the one process that may write the run; the kernel drops
# it when that process dies, kill -9 included.
LOCK_NAME = "run.lock"
SCHEMA_VERSION = 1

# Added after schema version 1 shipped: created on create and on any
# writable open, so older runs gain it on resume; readers treat a missing
# table as "no prompts stored".
_PROMPTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS prompts (
    program_id INTEGER PRIMARY KEY REFERENCES programs (id),
    prompt TEXT NOT NULL,
    completion TEXT NOT NULL
)
"""

_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE programs (
    id INTEGER PRIMARY KEY,
    iteration INTEGER NOT NULL,
    batch_index INTEGER NOT NULL,
    operator TEXT NOT NULL,
    parent_ids TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    error_line INTEGER,
    error_col INTEGER,
    fitness REAL,
    height REAL,
    width REAL,
    mass REAL,
    joints INTEGER,
    muscles INTEGER,
    cell INTEGER,
    walker_json TEXT,
    warnings TEXT,
    stopped TEXT,
    target_cell INTEGER,
    UNIQUE (iteration, batch_index)
);
CREATE INDEX programs_by_source_hash ON programs (source_hash);
CREATE TABLE archive_events (
    iteration INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    program_id INTEGER NOT NULL REFERENCES programs (id),
    replaced_id INTEGER REFERENCES programs (id),
    PRIMARY KEY (cell, program_id)
);
CREATE INDEX archive_events_by_iteration ON archive_events (iteration);
CREATE TABLE iterations (
    iteration INTEGER PRIMARY KEY,
    committed_at TEXT NOT NULL,
    evaluations INTEGER NOT NULL,
    programs INTEGER NOT NULL,
    niches_filled INTEGER NOT NULL,
    niches_total INTEGER NOT NULL,
    qd_score REAL NOT NULL,
    max_fitness REAL,
    mean_fitness REAL,
    generated INTEGER NOT NULL,
    parsed INTEGER NOT NULL,
    ran INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    walked INTEGER NOT NULL,
    new_cells INTEGER NOT NULL,
    improved_cells INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    generation_seconds REAL NOT NULL,
    evaluation_seconds REAL NOT NULL,
    wall_seconds REAL NOT NULL,
    truncated INTEGER NOT NULL DEFAULT 0,
    targeted INTEGER NOT NULL DEFAULT 0,
    on_target INTEGER NOT NULL DEFAULT 0,
    lost_actors INTEGER NOT NULL DEFAULT 0
);
"""


class RunStoreError(OpenelmError):
    """A run directory or its database is missing, unreadable or not a run."""

    exit_code = 2


class RunStore:
    """Reads and writes one run's database. Not thread-safe: use it from one thread."""

    def __init__(
        self,
        run_dir: Path,
        connection: sqlite3.Connection,
        meta: dict[str, str],
        lock_fd: int | None = None,
    ) -> None:
        self.run_dir = run_dir
        self._connection = connection
        self._lock_fd = lock_fd
        try:
            self.config = EvolveConfig.from_dict(json.loads(meta["config"]))
            identity = json.loads(meta["model_identity"])
        except (KeyError, TypeError, ValueError) as error:
            self.close()
            raise RunStoreError(
                f"{run_dir / DB_NAME} has a damaged config record ({error})"
            ) from None
        self.model_identity: dict[str, str] | None = identity
        self.created_at = meta.get("created_at", "")
        # Runs from before the simulator was versioned were made by version 1.
        self.simulator_version = int(meta.get("simulator_version", "1"))
        # A CVT run's cells, as drawn when it started (unit-cube coordinates).
        self.centroids: tuple[tuple[float, ...], ...] | None = None
        if "cvt_centroids" in meta:
            try:
                self.centroids = tuple(
                    tuple(float(value) for value in centroid)
                    for centroid in json.loads(meta["cvt_centroids"])
                )
            except (TypeError, ValueError) as error:
                self.close()
                raise RunStoreError(
                    f"{run_dir / DB_NAME} has damaged CVT centroids ({error})"
                ) from None

    @classmethod
    def create(
        cls,
        run_dir: str | Path,
        config: EvolveConfig,
        model_identity: dict[str, str] | None,
        *,
        centroids: Sequence[Sequence[float]] | None = None,
    ) -> RunStore:
        """A new run in `run_dir` (created if needed); refuses a directory that
        already holds one. `centroids` are a CVT run's cells."""
        run_dir = Path(run_dir)
        path = run_dir / DB_NAME
        if path.exists():
            raise RunStoreError(
                f"{run_dir} already holds a run; continue it with: openelm evolve --resume {run_dir}"
            )
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunStoreError(f"cannot create {run_dir}: {error.strerror or error}") from None
        lock_fd = _lock_for_writing(run_dir)
        try:
            if path.exists():  # created by another process since the check above
                raise RunStoreError(f"{run_dir} already holds a run")
            connection = _connect(f"file:{path}?mode=rwc")
        except (sqlite3.Error, RunStoreError) as error:
            os.close(lock_fd)
            if isinstance(error, RunStoreError):
                raise
            raise RunStoreError(f"cannot create {path}: {error}") from None
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "created_at": _now(),
            "config": json.dumps(config.to_dict(), sort_keys=True),
            "model_identity": json.dumps(model_identity, sort_keys=True),
            "simulator_version": str(SIMULATOR_VERSION),
        }
        if centroids is not None:
            # JSON floats round-trip exactly (repr), so a resume gets the same cells.
            meta["cvt_centroids"] = json.dumps([list(map(float, c)) for c in centroids])
        connection.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(_PROMPTS_SCHEMA)
        connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        connection.execute("COMMIT")
        return cls(run_dir, connection, meta, lock_fd)

    @classmethod
    def open(cls, run_dir: str | Path, *, read_only: bool = False) -> RunStore:
        """An existing run; RunStoreError when it is missing or not a readable run database."""
        run_dir = Path(run_dir)
        path = run_dir / DB_NAME
        if not run_dir.is_dir():
            raise RunStoreError(f"no run directory at {run_dir}")
        if not path.is_file():
            raise RunStoreError(f"{run_dir} holds no run: {DB_NAME} is missing")
        lock_fd = None if read_only else _lock_for_writing(run_dir)
        try:
            connection = _connect(f"file:{path}?mode={'ro' if read_only else 'rw'}")
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not {"meta", "programs", "archive_events", "iterations"} <= tables:
                raise RunStoreError(f"{path} is not an openelm run database (tables are missing)")
            if meta.get("schema_version") != str(SCHEMA_VERSION):
                raise RunStoreError(
                    f"{path} has schema version {meta.get('schema_version')!r}; this openelm reads {SCHEMA_VERSION}"
                )
            if not read_only:
                connection.execute(_PROMPTS_SCHEMA)
                _add_missing_columns(connection)
        except (sqlite3.Error, RunStoreError) as error:
            if lock_fd is not None:
                os.close(lock_fd)
            if isinstance(error, RunStoreError):
                raise
            raise RunStoreError(f"{path} is not a readable run database ({error})") from None
        return cls(run_dir, connection, meta, lock_fd)

    def close(self) -> None:
        self._connection.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------

    def update_config(self, config: EvolveConfig) -> None:
        """Record a config changed on resume (only resume-safe fields differ)."""
        with self._transaction():
            self._connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'config'",
                (json.dumps(config.to_dict(), sort_keys=True),),
            )
        self.config = config

    def commit_iteration(
        self,
        metrics: IterationMetrics,
        programs: Sequence[ProgramRecord],
        events: Sequence[ArchiveEvent],
    ) -> None:
        """Writes one iteration's programs, archive changes and metrics in one transaction."""
        funnel = metrics.funnel
        with self._transaction():
            self._connection.executemany(
                "INSERT INTO programs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_program_row(program) for program in programs],
            )
            self._connection.executemany(
                "INSERT INTO prompts VALUES (?, ?, ?)",
                [
                    (program.id, program.prompt, program.completion or "")
                    for program in programs
                    if program.prompt is not None
                ],
            )
            self._connection.executemany(
                "INSERT INTO archive_events VALUES (?, ?, ?, ?)",
                [
                    (event.iteration, event.cell, event.program_id, event.replaced_id)
                    for event in events
                ],
            )
            self._connection.execute(
                "INSERT INTO iterations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    metrics.iteration,
                    _now(),
                    metrics.evaluations,
                    metrics.programs,
                    metrics.niches_filled,
                    metrics.niches_total,
                    metrics.qd_score,
                    metrics.max_fitness,
                    metrics.mean_fitness,
                    funnel.generated,
                    funnel.parsed,
                    funnel.ran,
                    funnel.valid,
                    funnel.walked,
                    metrics.new_cells,
                    metrics.improved_cells,
                    metrics.prompt_tokens,
                    metrics.completion_tokens,
                    metrics.generation_seconds,
                    metrics.evaluation_seconds,
                    metrics.wall_seconds,
                    funnel.truncated,
                    funnel.targeted,
                    funnel.on_target,
                    metrics.lost_actors,
                ),
            )

    # -- reading ----------------------------------------------------------

    def last_iteration(self) -> int | None:
        """The last committed iteration (0 is the seeds); None before the seeds are in."""
        last: int | None = self._connection.execute(
            "SELECT MAX(iteration) FROM iterations"
        ).fetchone()[0]
        return last

    def program_count(self) -> int:
        count: int = self._connection.execute("SELECT COUNT(*) FROM programs").fetchone()[0]
        return count

    def elites(self, through_iteration: int | None = None) -> list[Elite]:
        """The archive at the end of `through_iteration` (default: the last), by cell."""
        last = self.last_iteration() if through_iteration is None else through_iteration
        rows = self._connection.execute(
            """
            SELECT program.id, latest.cell, program.fitness, program.height, program.width,
                   program.mass, program.source, program.joints
            FROM (SELECT cell, MAX(program_id) AS program_id FROM archive_events
                  WHERE iteration <= ? GROUP BY cell) AS latest
            JOIN programs AS program ON program.id = latest.program_id
            ORDER BY latest.cell
            """,
            (-1 if last is None else last,),
        )
        return [
            Elite(
                program_id=row[0],
                cell=row[1],
                fitness=row[2],
                descriptors=(row[3], row[4], row[5]),
                source=row[6],
                joints=row[7],
            )
            for row in rows
        ]

    def iteration_metrics(self) -> list[IterationMetrics]:
        # A run older than a counter's column counted none.
        present = _columns(self._connection, "iterations")
        truncated, targeted, on_target, lost_actors = (
            name if name in present else "0"
            for name in ("truncated", "targeted", "on_target", "lost_actors")
        )
        rows = self._connection.execute(
            f"""
            SELECT iteration, evaluations, programs, niches_filled, niches_total, qd_score, max_fitness,
                   mean_fitness, generated, parsed, ran, valid, walked, new_cells, improved_cells,
                   prompt_tokens, completion_tokens, generation_seconds, evaluation_seconds, wall_seconds,
                   {truncated}, {targeted}, {on_target}, {lost_actors}
            FROM iterations ORDER BY iteration
            """
        )
        return [
            IterationMetrics(
                iteration=row[0],
                evaluations=row[1],
                programs=row[2],
                niches_filled=row[3],
                niches_total=row[4],
                qd_score=row[5],
                max_fitness=row[6],
                mean_fitness=row[7],
                funnel=Funnel(
                    generated=row[8],
                    parsed=row[9],
                    ran=row[10],
                    valid=row[11],
                    walked=row[12],
                    truncated=row[20],
                    targeted=row[21],
                    on_target=row[22],
                ),
                new_cells=row[13],
                improved_cells=row[14],
                prompt_tokens=row[15],
                completion_tokens=row[16],
                generation_seconds=row[17],
                evaluation_seconds=row[18],
                wall_seconds=row[19],
                lost_actors=row[23],
            )
            for row in rows
        ]

    def programs(self, ids: Sequence[int] | None = None) -> list[ProgramRecord]:
        """Programs by id (all of them, in id order, when `ids` is None)."""
        if ids is None:
            rows = self._connection.execute("SELECT * FROM programs ORDER BY id").fetchall()
        else:
            rows = []
            for chunk_start in range(0, len(ids), 500):
                chunk = list(ids[chunk_start : chunk_start + 500])
                marks = ",".join("?" * len(chunk))
                rows += self._connection.execute(
                    f"SELECT * FROM programs WHERE id IN ({marks})", chunk
                ).fetchall()
            rows.sort(key=lambda row: row[0])
        return [_program_record(row) for row in rows]

    def prompt_pairs(self) -> dict[int, PromptPair]:
        """Every stored (prompt, completion), by program id; empty for a run
        made before prompts were stored."""
        try:
            rows = self._connection.execute(
                "SELECT program_id, prompt, completion FROM prompts ORDER BY program_id"
            ).fetchall()
        except sqlite3.OperationalError:  # no such table: an older run
            return {}
        return {row[0]: PromptPair(*row) for row in rows}

    def archive_events(self) -> list[ArchiveEvent]:
        rows = self._connection.execute(
            "SELECT iteration, cell, program_id, replaced_id FROM archive_events ORDER BY program_id"
        )
        return [ArchiveEvent(*row) for row in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (KeyboardInterrupt too)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        self._connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self._connection.execute("COMMIT")
        else:
            self._connection.execute("ROLLBACK")


def _lock_for_writing(run_dir: Path) -> int:
    """The run's writer lock; RunStoreError when another process holds it."""
    try:
        fd = os.open(run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise RunStoreError(f"cannot lock {run_dir}: {error.strerror or error}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunStoreError(f"{run_dir} is being written by another openelm process") from None
    return fd


def _connect(uri: str) -> sqlite3.Connection:
    # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0)
    if "mode=ro" not in uri:
        connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed iteration survives power loss, not just kill -9.
        connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


# Columns added after schema version 1 shipped, in the order they were
# added (inserts are positional, so the order is the table's): a writable
# open adds the missing ones, NULL or 0 for what came before, so older runs
# can be resumed; readers of an older run treat a missing column as empty.
_ADDED_COLUMNS = (
    ("programs", "warnings", "TEXT"),
    ("programs", "stopped", "TEXT"),
    ("iterations", "truncated", "INTEGER NOT NULL DEFAULT 0"),
    ("programs", "target_cell", "INTEGER"),
    ("iterations", "targeted", "INTEGER NOT NULL DEFAULT 0"),
    ("iterations", "on_target", "INTEGER NOT NULL DEFAULT 0"),
    ("iterations", "lost_actors", "INTEGER NOT NULL DEFAULT 0"),
)


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    for table, column, declaration in _ADDED_COLUMNS:
        if column not in _columns(connection, table):
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _program_row(program: ProgramRecord) -> tuple[Any, ...]:
    height, width, mass = (
        program.descriptors if program.descriptors is not None else (None, None, None)
    )
    return (
        program.id,
        program.iteration,
        program.batch_index,
        program.operator,
        json.dumps(list(program.parent_ids)),
        program.source,
        program.source_hash,
        program.prompt_tokens,
        program.completion_tokens,
        program.status,
        program.error,
        program.error_line,
        program.error_col,
        program.fitness,
        height,
        width,
        mass,
        program.joints,
        program.muscles,
        program.cell,
        program.walker_json,
        json.dumps(list(program.warnings)) if program.warnings else None,
        program.stopped,
        program.target_cell,
    )


def _program_record(row: Sequence[Any]) -> ProgramRecord:
    descriptors = None if row[14] is None else (row[14], row[15], row[16])
    return ProgramRecord(
        id=row[0],
        iteration=row[1],
        batch_index=row[2],
        operator=row[3],
        parent_ids=tuple(json.loads(row[4])),
        source=row[5],
        source_hash=row[6],
        prompt_tokens=row[7],
        completion_tokens=row[8],
        status=ProgramStatus(row[9]),
        error=row[10],
        error_line=row[11],
        error_col=row[12],
        fitness=row[13],
        descriptors=descriptors,
        joints=row[17],
        muscles=row[18],
        cell=row[19],
        walker_json=row[20],
        # Databases written before the column existed have 21 columns.
        warnings=tuple(json.loads(row[21])) if len(row) > 21 and row[21] else (),
        stopped=CompletionStop(row[22]) if len(row) > 22 and row[22] else None,
        target_cell=row[23] if len(row) > 23 else None,
    )


def iter_run_dirs(root: str | Path) -> Iterator[Path]:
    """Directories under `root` (one level) that hold a run database, by name."""
    root = Path(root)
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if (child / DB_NAME).is_file():
            yield child
