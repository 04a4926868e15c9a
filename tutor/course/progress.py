"""Provides `Progress`: every attempt, hint, pass and training run, kept in SQLite in the workspace.

Writes are single transactions in WAL mode, so a kill -9 at any moment loses at most the write in
flight. A plain-JSON mirror of what cannot be recomputed (passes, hints seen, where the learner
was) is rewritten atomically beside it after every write, and merged back in on every open, so a
database that was deleted, emptied or restored from an old copy regains every pass.

Nothing here throws progress away: a database that another process holds is waited for and then
reported (`ProgressLocked`); only one that fails `PRAGMA integrity_check` (or is not a database) is
moved aside and rebuilt from the mirror; a malformed mirror is kept under another name and what
can be read of it is used; a read-only workspace is shown from a snapshot, and writes raise
`ProgressReadOnly`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import quote

from tutor.course.workspace import ReadOnlyWorkspace

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
    state_path TEXT, curve TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

COLUMNS = {"runs": {"curve": "TEXT"}}
"""Columns added since the first schema: `_migrate` adds them to an older database, which then
works as before (its old runs have no curve)."""

RESET = -1
"""The `passed` value of the row that marks a reset."""

TIMEOUT_S = 10.0
"""How long an operation waits for another process's lock before `ProgressLocked`."""

T = TypeVar("T")


class ProgressError(Exception):
    """The progress record cannot be read or written; the message says why and what to do."""


class ProgressLocked(ProgressError):
    """Another process held the database for longer than the wait; nothing was changed or moved."""


class ProgressDamaged(ProgressError):
    """The database went bad while in use; opening it again moves it aside and rebuilds it."""


class ProgressReadOnly(ProgressError, ReadOnlyWorkspace):
    """The workspace cannot be written: the record is shown, but nothing new can be kept."""


# Primary SQLite result codes (the low byte of an extended code), grouped by what they mean here.
_LOCKED = {5, 6, 15}        # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL
_READ_ONLY = {3, 8, 14}     # SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN
_DAMAGED = {11, 26}         # SQLITE_CORRUPT, SQLITE_NOTADB
_WORDS = {"locked": ("locked", "locking protocol", "busy"),
          "read-only": ("readonly", "read-only", "unable to open"),
          "damaged": ("malformed", "not a database", "corrupt")}


def _kind(e: sqlite3.Error) -> str:
    """'locked', 'read-only', 'damaged' or 'other'."""
    code = getattr(e, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        code &= 0xFF
        return ("locked" if code in _LOCKED else "read-only" if code in _READ_ONLY
                else "damaged" if code in _DAMAGED else "other")
    text = str(e).lower()  # Python 3.10: only the message says
    return next((kind for kind, words in _WORDS.items() if any(w in text for w in words)), "other")


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _migrate(db: sqlite3.Connection) -> None:
    """Brings a database made by an older version up to `SCHEMA` (after it ran): adds new columns."""
    for table, columns in COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def read_mirror(path: Path) -> tuple[dict, list[str]]:
    """What can be read of a state.json, and what was wrong with it (empty when nothing).

    Returns:
        `{"passed": [str], "hints": {str: [int]}, "meta": {str: str}}` holding every entry of the
        right type, and one line per problem; a missing file is no problem.
    """
    out: dict = {"passed": [], "hints": {}, "meta": {}}
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return out, []
    except (OSError, ValueError) as e:
        return out, [f"it cannot be read as JSON ({e})"]
    if not isinstance(doc, dict):
        return out, [f"it holds a {type(doc).__name__}, not an object"]
    problems: list[str] = []

    def valid(what: str, value: Any, ok: bool) -> bool:
        if not ok:
            problems.append(f"{what} {json.dumps(value)[:60]} is not valid")
        return ok

    passed, hints, meta = doc.get("passed", []), doc.get("hints", {}), doc.get("meta", {})
    if valid("passed", passed, isinstance(passed, list)):
        out["passed"] = [ex for ex in passed if valid("the passed exercise", ex, isinstance(ex, str))]
    if valid("hints", hints, isinstance(hints, dict)):
        for ex, tiers in hints.items():
            if valid(f"the hint tiers of {ex}", tiers, isinstance(tiers, list)):
                good = [t for t in tiers if valid(f"the hint tier of {ex}", t, _is_tier(t))]
                if good:
                    out["hints"][ex] = good
    if valid("meta", meta, isinstance(meta, dict)):
        out["meta"] = {k: v for k, v in meta.items() if valid(f"meta {k}", v, isinstance(v, str))}
    return out, problems


def _is_tier(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class Progress:
    """The learner's record in one workspace; safe to use from several threads.

    Raises (from any method, the constructor included):
        ProgressLocked: another process held the database for `timeout` seconds.
        ProgressReadOnly: a write in a workspace that cannot be written (`read_only` is True).
        ProgressError: any other failure to read or write it, with the reason.
    """

    def __init__(self, state_dir: Path, timeout: float = TIMEOUT_S):
        self.state_dir = Path(state_dir)
        self.db_path = self.state_dir / "progress.db"
        self.mirror_path = self.state_dir / "state.json"
        self.timeout = timeout
        self.notices: list[str] = []
        self._lock = threading.Lock()
        self._snapshot: sqlite3.Connection | None = None  # the record of a read-only workspace
        self.read_only = not self._writable()
        mirror, malformed = self._read_mirror()
        if self.read_only:
            self._open_snapshot()
        else:
            self._open_or_rebuild()
        restored = self._merge(mirror)
        if (restored or malformed) and not self.read_only:
            self._save_mirror()  # now, so a malformed mirror is kept aside once, not on every open

    @property
    def notice(self) -> str | None:
        """What the UI should show once: a database moved aside, passes restored, a bad mirror."""
        return " ".join(self.notices) or None

    # -- storage ----------------------------------------------------------------------------
    def _writable(self) -> bool:
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        # access() is False on a read-only mount even for root, who ignores permission bits.
        files = [p for p in (self.db_path, self.mirror_path) if p.exists()]
        return all(os.access(p, os.W_OK) for p in (self.state_dir, *files))

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if self._snapshot is not None:
            return self._snapshot
        conn = sqlite3.connect(self.db_path, timeout=timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _run(self, work: Callable[[sqlite3.Connection], T], write: bool = False, what: str = "") -> T:
        """`work(conn)` in one transaction (for a write) or one read; waits out locks until the timeout."""
        if write and self.read_only:
            raise ProgressReadOnly(
                f"cannot record {what}: the workspace folder {self.state_dir} is read-only. Make it "
                "writable (or copy the workspace somewhere you can write) and run the command again.")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with self._lock:
                    conn = self._connect(max(0.01, deadline - time.monotonic()))
                    try:
                        if write:
                            conn.execute("BEGIN IMMEDIATE")
                        out = work(conn)
                        if write:
                            conn.execute("COMMIT")
                        return out
                    finally:
                        if conn is not self._snapshot:
                            conn.close()  # closing rolls back a transaction left open by an error
            except sqlite3.Error as e:
                kind = _kind(e)
                if kind == "locked" and time.monotonic() < deadline:
                    time.sleep(0.05)  # some lock states (SQLITE_PROTOCOL) bypass SQLite's own wait
                    continue
                raise self._error(e, kind) from None

    def _error(self, e: sqlite3.Error, kind: str) -> ProgressError:
        where = self.db_path
        if kind == "locked":
            return ProgressLocked(
                f"{where} is in use by another process (locked for over {self.timeout:g} s: {e}). "
                "Nothing was changed. Close other zerohero windows or commands and try again.")
        if kind == "read-only":
            return ProgressReadOnly(f"{where} cannot be written ({e}); check the folder's permissions.")
        if kind == "damaged":
            return ProgressDamaged(f"{where} is damaged ({e}); run the command again to rebuild it "
                                   "from state.json.")
        return ProgressError(f"{where} could not be used: {e}")

    def _open_or_rebuild(self) -> None:
        def check(db: sqlite3.Connection) -> str:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict == "ok":
                db.executescript(SCHEMA)
                _migrate(db)
            return verdict

        try:
            verdict = self._run(check)
        except ProgressDamaged as e:
            verdict = str(e)
        if verdict != "ok":
            self._move_aside(verdict)
            self._run(lambda db: db.executescript(SCHEMA))

    def _move_aside(self, why: str) -> None:
        aside = self.db_path.with_name(f"progress.db.unreadable-{_stamp()}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.db_path) + suffix)
            if src.exists():
                os.replace(src, Path(str(aside) + suffix))
        why = why if len(why) <= 200 else why[:200] + "…"  # integrity_check can list many pages
        self.notices.append(f"The progress database failed its integrity check ({why}); it was moved to "
                            f"{aside.name} and rebuilt from the workspace's state.json.")

    def _open_snapshot(self) -> None:
        """A private in-memory copy of the database, so reads work where SQLite cannot write a -shm."""
        mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        why = ""
        if self.db_path.exists():
            path = quote(str(self.db_path.resolve()))
            # mode=ro reads the -wal when a -shm is there; immutable=1 is the way in when none can be made.
            for uri in (f"file:{path}?mode=ro", f"file:{path}?mode=ro&immutable=1"):
                try:
                    src = sqlite3.connect(uri, uri=True, timeout=self.timeout)
                    try:
                        verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
                        if verdict == "ok":
                            src.backup(mem)
                            why = ""
                            break
                        why = verdict
                    finally:
                        src.close()
                except sqlite3.Error as e:
                    if _kind(e) == "locked":
                        raise self._error(e, "locked") from None
                    why = str(e)
        mem.executescript(SCHEMA)
        _migrate(mem)  # an older workspace's record, read where it cannot be upgraded on disk
        self._snapshot = mem
        self.notices.append(f"The workspace folder {self.state_dir} is read-only: your progress is shown, "
                            "but nothing new can be recorded.")
        if why:
            self.notices.append(f"Its progress database could not be read ({why}); what is shown comes "
                                "from state.json.")

    # -- the JSON mirror --------------------------------------------------------------------
    def _read_mirror(self) -> tuple[dict, bool]:
        """What the mirror holds, and whether it was malformed (then its bytes are kept aside)."""
        state, problems = read_mirror(self.mirror_path)
        if problems:
            kept = self.mirror_path
            if not self.read_only:  # keep the learner's bytes before the next write replaces them
                kept = self.mirror_path.with_name(f"state.json.malformed-{_stamp()}")
                kept.write_bytes(self.mirror_path.read_bytes())
            self.notices.append(f"{self.mirror_path.name} is malformed ({'; '.join(problems[:3])}"
                                f"{'; …' if len(problems) > 3 else ''}); it is kept as {kept.name}, and "
                                "what could be read of it was used.")
        return state, bool(problems)

    def _save_mirror(self) -> None:
        state = {"passed": sorted(self.passed()), "hints": self.hints_seen(), "meta": self.all_meta()}
        tmp = self.mirror_path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(state, indent=1))
            os.replace(tmp, self.mirror_path)
        except OSError as e:
            raise ProgressError(f"recorded in {self.db_path.name}, but its mirror {self.mirror_path} "
                                f"could not be written ({e.strerror or e})") from None

    def _merge(self, state: dict) -> bool:
        """Adds the mirror's passes, hints and meta that the database lacks; the database wins on conflicts.

        Returns whether anything was added.

        A pass is restored unless the database's latest row for that exercise is a reset: a
        reset is the only thing that undoes a pass, and then the mirror is the stale one.
        """
        def missing(db: sqlite3.Connection) -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str]]]:
            latest = dict(db.execute("SELECT exercise, passed FROM attempts WHERE id IN "
                                     "(SELECT MAX(id) FROM attempts GROUP BY exercise)").fetchall())
            passed = self._statuses(db)
            passes = [ex for ex in dict.fromkeys(state["passed"])
                      if passed.get(ex) != "passed" and latest.get(ex) != RESET]
            have = set(db.execute("SELECT exercise, tier FROM hints").fetchall())
            hints = [(ex, t) for ex, tiers in state["hints"].items() for t in tiers if (ex, t) not in have]
            keys = {k for (k,) in db.execute("SELECT key FROM meta")}
            meta = [(k, v) for k, v in state["meta"].items() if k not in keys]
            return passes, hints, meta

        passes, hints, meta = self._run(missing)
        if not (passes or hints or meta):
            return False
        now = time.time()

        def restore(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO attempts(time, exercise, passed, summary) VALUES (?,?,1,?)",
                           [(now, ex, "restored from state.json") for ex in passes])
            db.executemany("INSERT OR IGNORE INTO hints VALUES (?,?,?)", [(ex, t, now) for ex, t in hints])
            db.executemany("INSERT OR IGNORE INTO meta VALUES (?,?)", meta)

        if self.read_only:  # shown for this session only: the snapshot is never written back
            with self._lock:
                restore(self._snapshot)
        else:
            self._run(restore, write=True)
        if passes:
            self.notices.append(f"{len(passes)} pass{'es' if len(passes) != 1 else ''} missing from the "
                                "progress database were restored from state.json.")
        return True

    def _write(self, sql: str, args: tuple, what: str) -> None:
        self._run(lambda db: db.execute(sql, args), write=True, what=what)
        self._save_mirror()

    # -- attempts and passes ----------------------------------------------------------------
    def record_attempt(self, exercise: str, passed: bool, seed: int | None, summary: str,
                       duration_s: float = 0.0) -> None:
        self._write("INSERT INTO attempts(time, exercise, passed, seed, summary, duration_s) "
                    "VALUES (?,?,?,?,?,?)", (time.time(), exercise, int(passed), seed, summary, duration_s),
                    f"the attempt at {exercise}")

    def record_reset(self, exercise: str) -> None:
        """The stub was restored: the exercise counts as not started again (its history stays)."""
        self._write("INSERT INTO attempts(time, exercise, passed, summary) VALUES (?,?,?,?)",
                    (time.time(), exercise, RESET, "reset to the stub"), f"the reset of {exercise}")

    @staticmethod
    def _statuses(db: sqlite3.Connection) -> dict[str, str]:
        rows = db.execute(
            "SELECT a.exercise, MAX(a.passed) FROM attempts a WHERE a.id > COALESCE("
            "(SELECT MAX(r.id) FROM attempts r WHERE r.exercise = a.exercise AND r.passed = ?), 0) "
            "GROUP BY a.exercise", (RESET,)).fetchall()
        return {ex: ("passed" if p == 1 else "failing") for ex, p in rows}

    def statuses(self) -> dict[str, str]:
        """'passed' or 'failing' for every exercise attempted since its last reset."""
        return self._run(self._statuses)

    def passed(self) -> set[str]:
        return {ex for ex, s in self.statuses().items() if s == "passed"}

    def status(self, exercise: str) -> str:
        """'passed', 'failing' or 'not started'."""
        return self.statuses().get(exercise, "not started")

    def attempts(self, exercise: str, limit: int = 20) -> list[dict]:
        """The attempts since the exercise's last reset, newest first (what came before is another file's)."""
        rows = self._run(lambda db: db.execute(
            "SELECT time, passed, seed, summary FROM attempts WHERE exercise=? AND passed >= 0 AND id > "
            "COALESCE((SELECT MAX(id) FROM attempts WHERE exercise=? AND passed = ?), 0) "
            "ORDER BY id DESC LIMIT ?", (exercise, exercise, RESET, limit)).fetchall())
        return [{"time": t, "passed": bool(p), "seed": s, "summary": m} for t, p, s, m in rows]

    def latest(self) -> dict[str, bool]:
        """Whether each exercise's latest attempt since its last reset passed (exercise id -> bool)."""
        rows = self._run(lambda db: db.execute(
            "SELECT a.exercise, a.passed FROM attempts a WHERE a.id = (SELECT MAX(b.id) FROM attempts b "
            "WHERE b.exercise = a.exercise)").fetchall())
        return {ex: p == 1 for ex, p in rows if p != RESET}

    # -- hints ------------------------------------------------------------------------------
    def record_hint(self, exercise: str, tier: int) -> None:
        self._write("INSERT OR IGNORE INTO hints VALUES (?,?,?)", (exercise, tier, time.time()),
                    f"hint {tier} of {exercise} as seen")

    def hints_seen(self, exercise: str | None = None) -> Any:
        rows = self._run(lambda db: db.execute("SELECT exercise, tier FROM hints ORDER BY tier").fetchall())
        seen: dict[str, list[int]] = {}
        for ex, tier in rows:
            seen.setdefault(ex, []).append(tier)
        return seen.get(exercise, []) if exercise is not None else seen

    # -- training runs ----------------------------------------------------------------------
    def record_run(self, lesson: str, run: str, implementation: str, steps: int, status: str,
                   metrics: dict, lecture: dict, dataset: str = "", state_path: str = "",
                   curve: dict | None = None) -> None:
        """Args:
            curve: The run's plotted metrics, thinned (`tutor.training.curve`): metric -> [[step,
                value], ...]; kept so a later run of the same name can be drawn beside this one.
        """
        self._write("INSERT INTO runs(time, lesson, run, implementation, steps, status, metrics, "
                    "lecture, dataset, state_path, curve) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (time.time(), lesson, run, implementation, steps, status, json.dumps(metrics),
                     json.dumps(lecture), dataset, state_path, json.dumps(curve) if curve else None),
                    f"the {lesson} run {run}")

    def runs(self, lesson: str | None = None, limit: int = 50) -> list[dict]:
        """Recorded runs, newest first; each has its `id` and `has_curve` (`curve(id)` reads it)."""
        sql = ("SELECT time, lesson, run, implementation, steps, status, metrics, lecture, dataset, "
               "state_path, id, curve IS NOT NULL FROM runs")
        args: tuple = ()
        if lesson:
            sql += " WHERE lesson=?"
            args = (lesson,)
        rows = self._run(lambda db: db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall())
        keys = ("time", "lesson", "run", "implementation", "steps", "status", "metrics", "lecture",
                "dataset", "state_path", "id", "has_curve")
        out = []
        for row in rows:
            d = dict(zip(keys, row))
            d["metrics"], d["lecture"] = json.loads(d["metrics"] or "{}"), json.loads(d["lecture"] or "{}")
            d["has_curve"] = bool(d["has_curve"])
            out.append(d)
        return out

    def curve(self, run_id: int) -> dict[str, list[tuple[int, float]]]:
        """A recorded run's kept curve (metric -> (step, value) points); {} when it kept none.

        What does not read as points (a damaged or foreign entry) is left out, never raised.
        """
        row = self._run(lambda db: db.execute("SELECT curve FROM runs WHERE id=?", (run_id,)).fetchone())
        try:
            doc = json.loads(row[0]) if row and row[0] else {}
        except ValueError:
            return {}
        out: dict[str, list[tuple[int, float]]] = {}
        for name, points in (doc.items() if isinstance(doc, dict) else ()):
            good = [(int(p[0]), float(p[1])) for p in points if isinstance(p, list) and len(p) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)] \
                if isinstance(points, list) else []
            if good:
                out[str(name)] = good
        return out

    def status_at(self, exercise: str, when: float) -> str | None:
        """Whether the exercise's latest check before `when` passed: 'passing', 'failing', or None
        when it had none since its last reset then (what a run at that time trained is unknown)."""
        row = self._run(lambda db: db.execute(
            "SELECT passed FROM attempts WHERE exercise=? AND time <= ? ORDER BY id DESC LIMIT 1",
            (exercise, when)).fetchone())
        if row is None or row[0] == RESET:
            return None
        return "passing" if row[0] == 1 else "failing"

    # -- where the learner was --------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value), f"where you were ({key})")

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._run(lambda db: db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone())
        return row[0] if row else default

    def all_meta(self) -> dict[str, str]:
        return self._run(lambda db: dict(db.execute("SELECT key, value FROM meta").fetchall()))
