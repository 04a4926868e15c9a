"""The app's imports point one way: `tutor/app/app.py` imports the screens; nothing under tutor/app imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

APP_DIR = ROOT / "tutor" / "app"


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at the top or inside a function, as absolute dotted names."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)  # `from tutor.app import app`
    return names


def imports_app(path: Path, root: Path = ROOT) -> list[str]:
    return sorted(n for n in imported(path, root) if n == "tutor.app.app" or n.startswith("tutor.app.app."))


def test_the_check_sees_each_way_of_importing_app_py(tmp_path):
    """The checker itself catches a lazy import, a relative one and an aliased one (so a pass means something)."""
    for source in ("def f():\n    from tutor.app.app import HELP\n", "from .. import app\n",
                   "import tutor.app.app as a\n", "from tutor.app import app\n"):
        fake = tmp_path / "tutor" / "app" / "screens" / "bad.py"
        fake.parent.mkdir(parents=True, exist_ok=True)
        fake.write_text(source)
        assert imports_app(fake, tmp_path), source
    fake.write_text("from tutor.app import keys\nfrom ..messages import GradeRequested\n")
    assert imports_app(fake, tmp_path) == []


def test_no_screen_or_widget_imports_the_app_module():
    """Screens and widgets post messages and watch state; they never import `tutor.app.app` (no cycle)."""
    modules = sorted(p for p in APP_DIR.rglob("*.py") if p != APP_DIR / "app.py")
    assert any("screens" in p.parts for p in modules) and any("widgets" in p.parts for p in modules)
    bad = {str(p.relative_to(ROOT)): imports_app(p) for p in modules}
    assert {k: v for k, v in bad.items() if v} == {}
