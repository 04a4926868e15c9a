"""Provides what every command shares: the exit-code table, `CliError`, and the output rules.

Exit codes, for every command (`zerohero data …` included):
    0  success;
    1  what was asked for failed or was refused (a failing check, a crashed run, missing data);
    2  a usage error: an unknown option, id or name, a value out of range, no workspace;
    130  interrupted (Ctrl-C).
With --json, stdout holds exactly one JSON object, errors included (`{"error": …, "exit_code": …}`).
"""

from __future__ import annotations

import argparse
import json
import sys

from tutor.grader.render import escape

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """A usage problem (exit 2) or a refusal (exit 1), with the message to show."""

    def __init__(self, message: str, code: int = USAGE):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are CliErrors, so `--json` gets its one JSON object."""

    def error(self, message: str):
        raise CliError(f"{message} (see `{self.prog} --help`)")


def emit(args, obj: dict, text: str = "") -> None:
    """Prints the JSON object with --json, else the human text.

    `text` is printed as it is (a verdict carries our own colours): a command escapes what in it
    came from learner code or files (`tutor.grader.render.escape`); JSON escapes itself.
    """
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    elif text:
        print(text)


def fail(args, message: str, code: int) -> int:
    """Reports an error (as JSON with --json, else on stderr, escaped) and returns its exit code."""
    if getattr(args, "json", False):
        emit(args, {"error": message, "exit_code": code})
    else:
        print(f"zerohero: {escape(message)}", file=sys.stderr)
    return code
