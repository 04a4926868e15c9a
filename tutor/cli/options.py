"""Provides the options every command accepts, and the one check of every value given on the line.

argparse only reads types; `validate` then holds each value to its accepted range, naming the
option, so `--steps -5`, `--seed 99999999999999999999` or a missing `--data-dir` are usage errors
(exit 2) before any work starts. The ranges of run settings live in `tutor.training.config`, where
the app reads them too; `--set KEY=VALUE` is checked there once the command knows its run.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from tutor.cli.base import CliError
from tutor.training import config
from tutor.training.kept import MAX_N as MAX_SAMPLES

MAX_LIMIT = 100_000
"""`zerohero runs --limit`."""


def shared() -> argparse.ArgumentParser:
    """The global options, accepted before and after any command.

    SUPPRESS keeps a value given before the command from being overwritten by a subparser's default.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", type=Path, default=argparse.SUPPRESS,
                        help="the learner's workspace (default: $ZEROHERO_WORKSPACE, or found from here)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print exactly one JSON object on stdout")
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="a folder holding the lecture data sets (default: $ZEROHERO_DATA, then the cache)")
    return common


def validate(args: argparse.Namespace) -> None:
    """Checks every option value the command line gave against its accepted range.

    Raises:
        CliError: exit 2, naming the option, what it accepts and what it got.
    """
    try:
        if getattr(args, "steps", None) is not None:
            config.steps(args.steps, 1)
        if getattr(args, "seed", None) is not None:
            config.seed(args.seed)
        if getattr(args, "device", None) is not None:
            config.device(args.device, "cpu")
    except config.OptionError as e:
        raise CliError(str(e)) from None
    _within(args, "n", "-n", 1, MAX_SAMPLES)
    _within(args, "limit", "--limit", 1, MAX_LIMIT)
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= 3600):
        raise CliError(f"--timeout takes seconds above 0 and up to 3600, got {timeout}")
    data_dir = getattr(args, "data_dir", None)
    if data_dir is not None and not Path(data_dir).expanduser().is_dir():
        raise CliError(f"--data-dir takes an existing folder; there is none at {data_dir}")


def _within(args, dest: str, flag: str, lo: int, hi: int) -> None:
    value = getattr(args, dest, None)
    if value is not None and not lo <= value <= hi:
        raise CliError(f"{flag} takes {lo} to {hi:,}, got {value}")
