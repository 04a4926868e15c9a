"""Provides `main`: the `zerohero` command. Subcommands mirror the app's keys.

One module per command group (exercises, training, data), one exit-code table (`base`), one
parser of the shared options and one check of every value given (`options`). The commands call
the headless core (tutor.course, tutor.grader, tutor.training, tutor.data), which returns data and
never imports this package.
"""

from __future__ import annotations

import argparse
import os
import sys

from tutor import __version__
from tutor.cli import data, exercises, follow, options, training
from tutor.cli.base import FAILED, INTERRUPTED, OK, USAGE, CliError, Parser, fail

__all__ = ["main", "parser"]
DATA_ENV = "ZEROHERO_DATA"


def cmd_tutor(args) -> int:
    from tutor.app.app import run_app

    return run_app(args)


def parser() -> Parser:
    # Two copies of the shared options: set_defaults below changes the top parser's actions, and a
    # default on the commands' copies would overwrite `zerohero --json COMMAND`'s value.
    common = options.shared()
    p = Parser(prog="zerohero", parents=[options.shared()], description="Learn Neural Networks: Zero to Hero by doing.")
    p.add_argument("--version", action="version", version=f"zerohero {__version__}")
    p.set_defaults(workspace=None, json=False, data_dir=None, func=None)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, help_):
        sp = sub.add_parser(name, parents=[common], help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    exercises.add_commands(add)
    training.add_commands(add)
    follow.add_commands(add)
    add("tutor", cmd_tutor, "open the tutor app")
    data.add_commands(add, common)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    p = parser()
    try:
        args = p.parse_args(argv)
        if args.func is None:
            p.print_help()
            return USAGE
        options.validate(args)
    except SystemExit as e:  # --help and --version
        return int(e.code or 0)
    except CliError as e:
        # The namespace may not exist yet: --json anywhere on the line asks for JSON.
        return fail(argparse.Namespace(json="--json" in argv), str(e), e.code)
    before = os.environ.get(DATA_ENV)
    if args.data_dir is not None:
        os.environ[DATA_ENV] = str(args.data_dir)  # for the children, which look there
    try:
        from tutor.course.loader import CourseError
        from tutor.course.progress import ProgressError
        from tutor.course.workspace import ReadOnlyWorkspace

        try:
            return int(args.func(args) or 0)
        except CourseError as e:
            return fail(args, f"the course files are broken: {e}", FAILED)
        except (ProgressError, ReadOnlyWorkspace) as e:  # locked, read-only: refused, with the reason
            return fail(args, str(e), FAILED)
        finally:  # main() called in-process (tests) leaves the environment as it found it
            if before is None:
                os.environ.pop(DATA_ENV, None)
            else:
                os.environ[DATA_ENV] = before
    except CliError as e:
        return fail(args, str(e), e.code)
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:  # `zerohero list | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
