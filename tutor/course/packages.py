"""Provides `lesson_module`: lesson code imported as packages under one qualified root.

`lessons/` is mounted as the package `zerohero_lessons`, so `lessons/micrograd/checks/value.py` is
`zerohero_lessons.micrograd.checks.value` and shared course code (`lessons/makemore/`) is
`zerohero_lessons.makemore`. Qualified names mean a learner's file called `common.py` or
`checks.py` can never stand in for lesson code: learner modules are top-level names.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

from tutor.paths import lessons_dir

ROOT = "zerohero_lessons"


def mount() -> ModuleType:
    """Registers `zerohero_lessons` for the current course folder (idempotent)."""
    path = str(lessons_dir())
    root = sys.modules.get(ROOT)
    if root is not None and list(getattr(root, "__path__", [])) == [path]:
        return root
    unmount()
    spec = importlib.machinery.ModuleSpec(ROOT, None, is_package=True)
    spec.submodule_search_locations = [path]
    root = importlib.util.module_from_spec(spec)
    sys.modules[ROOT] = root
    importlib.invalidate_caches()
    return root


def unmount() -> None:
    """Forgets every lesson module (tests switch between the real and the fixture course)."""
    for name in [n for n in sys.modules if n == ROOT or n.startswith(ROOT + ".")]:
        del sys.modules[name]


def qualified(lesson_id: str, name: str) -> str:
    return f"{ROOT}.{lesson_id}.{name}"


def lesson_module(lesson_id: str, name: str) -> ModuleType:
    """Imports `lessons/<lesson_id>/<name>` (a module or a package; dots allowed in `name`)."""
    mount()
    return importlib.import_module(qualified(lesson_id, name))


def course_module(name: str) -> ModuleType:
    """Imports `lessons/<name>` as `zerohero_lessons.<name>`, e.g. the shared "makemore" helpers."""
    mount()
    return importlib.import_module(f"{ROOT}.{name}")


def cache_clear() -> None:
    """Same as `unmount`; kept under the name the lru_cache-based loader had."""
    unmount()


lesson_module.cache_clear = cache_clear  # type: ignore[attr-defined]
