"""Provides `Progress`: every attempt, hint, pass and training run, kept in SQLite in the workspace.

Writes are single transactions in WAL mode, so a kill -9 at any moment loses at most the write in
flight. A plain-JSON mirror of what cannot be recomputed (passes, hints seen, where the learner
was) is rewritten atomically beside it; an unreadable database is moved aside and rebuilt from it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY, time REAL NOT NULL, exercise TEXT NOT NULL, passed INTEGER NOT NULL,
    seed INTEGER, summary TEXT, duration_s REAL);
CREATE INDEX IF NOT EXISTS attempts_exercise ON attempts(exercise);
CREATE TABLE IF NOT EXISTS hints (
    exercise TEXT NOT NULL, tier INTEGER NOT NULL, time REAL NOT NULL, PRIMARY KEY (exercise, tier));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, time REAL NOT NULL, lesson TEXT NOT NULL, run TEXT NOT NULL,
    implementation TEXT, steps INTEGER, status TEXT, metrics TEXT, lecture TEXT, dataset TEXT,
    state_path TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


RESET = -1
"""The `passed` value of the row that marks a reset."""


class Progress:
    """The learner's record in one workspace; safe to use from several threads."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.db_path = self.state_dir / "progress.db"
        self.mirror_path = self.state_dir / "state.json"
        self.notice: str | None = None
        """Set when the database had to be moved aside and rebuilt; the UI shows it once."""
        self._lock = threading.Lock()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._open_or_rebuild()

    # -- storage ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _open_or_rebuild(self) -> None:
        try:
            with self._db() as db:
                if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise sqlite3.DatabaseError("quick_check failed")
                db.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            aside = self.db_path.with_name(f"progress.db.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.db_path) + suffix)
                if src.exists():
                    os.replace(src, Path(str(aside) + suffix))
            self.notice = (f"The progress database was unreadable ({e}); it was moved to {aside.name} "
                           "and rebuilt from the workspace's state.json.")
            with self._db() as db:
                db.executescript(SCHEMA)
            self._restore_from_mirror()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connect()
            try:
                yield conn
            finally:
                conn.close()

    def _write(self, sql: str, args: tuple = ()) -> None:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(sql, args)
            db.execute("COMMIT")
        self._save_mirror()

    # -- the JSON mirror --------------------------------------------------------------------
    def _save_mirror(self) -> None:
        state = {"passed": sorted(self.passed()), "hints": self.hints_seen(), "meta": self.all_meta()}
        tmp = self.mirror_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, self.mirror_path)

    def _restore_from_mirror(self) -> None:
        try:
            state = json.loads(self.mirror_path.read_text())
        except (OSError, ValueError):
            return
        now = time.time()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            for ex in state.get("passed", []):
                db.execute("INSERT INTO attempts(time, exercise, passed, summary) VALUES (?,?,1,?)",
                           (now, str(ex), "restored from state.json"))
            for ex, tiers in (state.get("hints") or {}).items():
                for tier in tiers:
                    db.execute("INSERT OR IGNORE INTO hints VALUES (?,?,?)", (str(ex), int(tier), now))
            for key, value in (state.get("meta") or {}).items():
                db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (str(key), str(value)))
            db.execute("COMMIT")

    # -- attempts and passes ----------------------------------------------------------------
    def record_attempt(self, exercise: str, passed: bool, seed: int | None, summary: str,
                       duration_s: float = 0.0) -> None:
        self._write("INSERT INTO attempts(time, exercise, passed, seed, summary, duration_s) "
                    "VALUES (?,?,?,?,?,?)", (time.time(), exercise, int(passed), seed, summary, duration_s))

    def record_reset(self, exercise: str) -> None:
        """The stub was restored: the exercise counts as not started again (its history stays)."""
        self._write("INSERT INTO attempts(time, exercise, passed, summary) VALUES (?,?,?,?)",
                    (time.time(), exercise, RESET, "reset to the stub"))

    def statuses(self) -> dict[str, str]:
        """'passed' or 'failing' for every exercise attempted since its last reset."""
        with self._db() as db:
            rows = db.execute(
                "SELECT a.exercise, MAX(a.passed) FROM attempts a WHERE a.id > COALESCE("
                "(SELECT MAX(r.id) FROM attempts r WHERE r.exercise = a.exercise AND r.passed = ?), 0) "
                "GROUP BY a.exercise", (RESET,)).fetchall()
        return {ex: ("passed" if p == 1 else "failing") for ex, p in rows}

    def passed(self) -> set[str]:
        return {ex for ex, s in self.statuses().items() if s == "passed"}

    def status(self, exercise: str) -> str:
        """'passed', 'failing' or 'not started'."""
        return self.statuses().get(exercise, "not started")

    def attempts(self, exercise: str, limit: int = 20) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT time, passed, seed, summary FROM attempts WHERE exercise=? "
                              "AND passed >= 0 ORDER BY id DESC LIMIT ?", (exercise, limit)).fetchall()
        return [{"time": t, "passed": bool(p), "seed": s, "summary": m} for t, p, s, m in rows]

    # -- hints ------------------------------------------------------------------------------
    def record_hint(self, exercise: str, tier: int) -> None:
        self._write("INSERT OR IGNORE INTO hints VALUES (?,?,?)", (exercise, tier, time.time()))

    def hints_seen(self, exercise: str | None = None) -> Any:
        with self._db() as db:
            rows = db.execute("SELECT exercise, tier FROM hints ORDER BY tier").fetchall()
        seen: dict[str, list[int]] = {}
        for ex, tier in rows:
            seen.setdefault(ex, []).append(tier)
        return seen.get(exercise, []) if exercise is not None else seen

    # -- training runs ----------------------------------------------------------------------
    def record_run(self, lesson: str, run: str, implementation: str, steps: int, status: str,
                   metrics: dict, lecture: dict, dataset: str = "", state_path: str = "") -> None:
        self._write("INSERT INTO runs(time, lesson, run, implementation, steps, status, metrics, "
                    "lecture, dataset, state_path) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (time.time(), lesson, run, implementation, steps, status, json.dumps(metrics),
                     json.dumps(lecture), dataset, state_path))

    def runs(self, lesson: str | None = None, limit: int = 50) -> list[dict]:
        sql = ("SELECT time, lesson, run, implementation, steps, status, metrics, lecture, dataset, "
               "state_path FROM runs")
        args: tuple = ()
        if lesson:
            sql += " WHERE lesson=?"
            args = (lesson,)
        with self._db() as db:
            rows = db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        keys = ("time", "lesson", "run", "implementation", "steps", "status", "metrics", "lecture",
                "dataset", "state_path")
        out = []
        for row in rows:
            d = dict(zip(keys, row))
            d["metrics"], d["lecture"] = json.loads(d["metrics"] or "{}"), json.loads(d["lecture"] or "{}")
            out.append(d)
        return out

    # -- where the learner was --------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def all_meta(self) -> dict[str, str]:
        with self._db() as db:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
