"""A throwaway workspace with one lesson's follow-along file, and a kernel on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tutor.follow.cells import parse
from tutor.follow.kernel import Kernel, follow_path
from tutor.grader.sandbox import plan

needs_jail = pytest.mark.skipif(not sys.platform.startswith("linux") or not plan()[0],
                                reason="the namespaced jail needs Linux with user namespaces")


class Notebook:
    """A follow-along file written cell by cell, and the kernel that runs it."""

    def __init__(self, root: Path, **limits):
        self.root = root
        self.path = follow_path(root, "bigram")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sources: list[tuple[str, str]] = []
        self.kernel = Kernel("bigram", root, **limits)

    def add(self, title: str, source: str) -> int:
        self.sources.append((title, source))
        self.path.write_text("".join(f"# %% {t}\n{s.rstrip()}\n\n" for t, s in self.sources))
        return len(self.sources) - 1

    def cells(self):
        return parse(self.path.read_text())

    def run(self, index: int) -> list:
        return list(self.kernel.run(self.cells()[index]))

    def cell(self, title: str, source: str) -> list:
        return self.run(self.add(title, source))


def text(outputs, kind: str | None = None) -> str:
    return "".join(o.text for o in outputs if kind is None or o.kind == kind)


@pytest.fixture
def notebook(tmp_path):
    nb = Notebook(tmp_path / "ws", memory_mb=1024, cell_timeout_s=30)
    yield nb
    nb.kernel.close()
