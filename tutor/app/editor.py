"""Provides `edit`: opens a file in $VISUAL or $EDITOR with the app suspended, or says what to do instead."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path


def edit(app, path: Path) -> tuple[str, str] | None:
    """Runs the learner's editor on `path` in the terminal, then gives the terminal back to the app.

    Returns:
        None once the editor has exited, else (title, message) saying how to edit the file instead.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        return ("No editor set", f"Open {path} in any editor: this screen checks it each time you save.\n"
                                 "For e to open it here, set $EDITOR (e.g. export EDITOR=nano) and restart.")
    from textual.app import SuspendNotSupported

    try:
        argv = [*shlex.split(editor), str(path)]
        with app.suspend():
            subprocess.call(argv)
    except SuspendNotSupported:
        return ("Cannot open an editor here", f"This terminal cannot hand over to an editor; open {path} yourself.")
    except (OSError, ValueError) as e:
        return ("Editor failed", f"Could not start {editor!r}: {e}")
    return None
