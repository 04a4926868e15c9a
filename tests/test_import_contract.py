"""The import contract: the headless core never reaches the front ends, and no package cycles.

The graph is read from the source with ast (every `import`, including those inside functions, where
cycles used to hide), not from what one run happens to import. The packages:

    tutor.cli, tutor.app            front ends: may import the core
    tutor.course, tutor.grader,     the headless core: returns data, never imports a front end
    tutor.training, tutor.data,     or Textual
    tutor.follow

`test_the_checker_fails_on_a_cycle_and_a_forbidden_import` shows the same checks failing on a small
package written for it.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FRONT_ENDS = ("tutor.cli", "tutor.app")
HEADLESS = ("tutor.course", "tutor.grader", "tutor.training", "tutor.data", "tutor.follow")
UI_LIBRARIES = ("textual", "rich", "plotext")


# -- the graph ------------------------------------------------------------------------------
def module_files(package_dir: Path) -> dict[str, Path]:
    """Module name -> file, for every .py under `package_dir` (a package's folder)."""
    base = package_dir.parent
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules it imports (inside the package, by full name; others by top name)."""
    files = module_files(package_dir)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(_resolve(alias.name, files) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, name, is_package)
                for alias in node.names:
                    # `from pkg import mod` depends on pkg.mod when that is a module, else on pkg.
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in files else _resolve(base, files))
        targets.discard(name)
        graph[name] = targets
    return graph


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[:len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _resolve(name: str, files: dict[str, Path]) -> str:
    """The longest prefix of `name` that is one of our modules, else the top-level name."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in files:
            return ".".join(parts[:i])
    return parts[0]


def group(module: str, groups: tuple[str, ...]) -> str:
    """The package (one of `groups`) a module belongs to; itself when it is in none."""
    return next((g for g in groups if module == g or module.startswith(g + ".")), module)


# -- the checks -----------------------------------------------------------------------------
def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def package_graph(graph: dict[str, set[str]], groups: tuple[str, ...]) -> dict[str, set[str]]:
    """The module graph folded onto packages: an edge wherever a module of one imports the other."""
    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        src = group(module, groups)
        out.setdefault(src, set()).update(group(t, groups) for t in targets if group(t, groups) != src)
    return out


def forbidden(graph: dict[str, set[str]], sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    """`module -> target` for every import from a module in `sources` of a module in `targets`."""
    return sorted(f"{m} -> {t}" for m, ts in graph.items() if group(m, sources) in sources
                  for t in ts if group(t, targets) in targets)


def module_cycles(graph: dict[str, set[str]], package: str) -> list[list[str]]:
    """Cycles among the modules of one package."""
    inside = {m: {t for t in ts if group(t, (package,)) == package}
              for m, ts in graph.items() if group(m, (package,)) == package}
    return cycles(inside)


GRAPH = import_graph(ROOT / "tutor")
PACKAGES = FRONT_ENDS + HEADLESS


# -- the contract ---------------------------------------------------------------------------
def test_the_graph_sees_imports_inside_functions():
    # tutor.cli.exercises imports the grader only inside cmd_check, to keep `zerohero list` light.
    assert "tutor.grader.grade" in GRAPH["tutor.cli.exercises"]
    assert "tutor.app.app" in GRAPH["tutor.cli"]  # `zerohero tutor`, imported when it runs


def test_the_data_package_and_its_resolver_do_not_import_each_other():
    assert "tutor.data.resolve" in GRAPH["tutor.data"]
    assert "tutor.data" not in GRAPH["tutor.data.resolve"]


def test_no_cycle_between_packages():
    assert cycles(package_graph(GRAPH, PACKAGES)) == []


def test_the_headless_core_imports_no_front_end_and_no_ui_library():
    assert forbidden(GRAPH, HEADLESS, FRONT_ENDS + UI_LIBRARIES) == []


@pytest.mark.parametrize("package", ("tutor.cli",) + HEADLESS)
def test_no_cycle_between_modules_of(package):
    assert module_cycles(GRAPH, package) == []


def test_no_cycle_between_modules_of_the_app():
    assert module_cycles(GRAPH, "tutor.app") == []


def test_the_checker_fails_on_a_cycle_and_a_forbidden_import(tmp_path):
    """The same checks on a package written to break them: they must say so."""
    pkg = tmp_path / "tutor"
    for rel, text in {
        "__init__.py": "",
        "cli/__init__.py": "from tutor.course import rules\n",
        "course/__init__.py": "",
        "course/rules.py": "def next_exercise():\n    from tutor.cli import main  # hidden in a function\n",
        "data/__init__.py": "from .resolve import get\n",
        "data/resolve.py": "from tutor import data\nimport textual.app\n",
    }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    graph = import_graph(pkg)
    assert graph["tutor.data.resolve"] == {"tutor.data", "textual"}
    assert cycles(package_graph(graph, PACKAGES)) == [["tutor.cli", "tutor.course"]]
    assert forbidden(graph, HEADLESS, FRONT_ENDS + UI_LIBRARIES) == [
        "tutor.course.rules -> tutor.cli", "tutor.data.resolve -> textual"]
    assert module_cycles(graph, "tutor.data") == [["tutor.data", "tutor.data.resolve"]]
    with pytest.raises(AssertionError):  # what test_no_cycle_between_packages would say here
        assert cycles(package_graph(graph, PACKAGES)) == []


# -- what a run actually loads --------------------------------------------------------------
HEADLESS_ENTRY_POINTS = ["tutor.cli", "tutor.course.loader", "tutor.course.workspace", "tutor.course.progress",
                         "tutor.course.rules", "tutor.grader.grade", "tutor.grader.server", "tutor.grader.client",
                         "tutor.training.runner", "tutor.training.child", "tutor.training.headless",
                         "tutor.training.kept", "tutor.training.config", "tutor.data"]


def _loaded(modules: list[str], libraries: tuple[str, ...]) -> str:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r})))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True, timeout=120).stdout.strip()


def test_headless_modules_and_the_cli_do_not_load_textual():
    """`zerohero check` does not pay for Textual (nor the core, wherever it is used)."""
    assert _loaded(HEADLESS_ENTRY_POINTS, UI_LIBRARIES) == ""


def test_the_data_package_and_its_commands_load_neither_textual_nor_torch():
    assert _loaded(["tutor.data", "tutor.cli.data"], ("textual", "torch")) == ""
