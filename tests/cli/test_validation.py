"""Every value given to `zerohero` is checked: exit 2 naming the option and its range, or exit 1.

Called in-process through `tutor.cli.main` on the fixture course: each refusal comes before any
work starts (no grade, no training child), so these are fast.
"""

from __future__ import annotations

import json
import os

import pytest

from tutor.cli import main


@pytest.fixture
def zh(toy_workspace, capsys, monkeypatch):
    """`zh(*argv)` -> (exit code, stdout, stderr) of `zerohero ARGV --workspace <toy workspace>`."""
    monkeypatch.delenv("ZEROHERO_DATA", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*map(str, argv), "--workspace", str(toy_workspace.root)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("argv, says", [
    (["train", "toy", "--steps", "-5"], "--steps takes 1 to 1,000,000, got -5"),
    (["train", "toy", "--steps", "0"], "--steps takes 1 to 1,000,000, got 0"),  # 0 is not "the default"
    (["train", "toy", "--steps", "10000000"], "--steps takes 1 to 1,000,000"),
    (["train", "toy", "--seed", "99999999999999999999"], "--seed takes 0 to 4294967295"),
    (["check", "toy.scale", "--seed", "99999999999999999999"], "--seed takes 0 to 4294967295"),
    (["check", "toy.scale", "--seed", "-1"], "--seed takes 0 to 4294967295"),
    (["sample", "toy", "--seed", "-3"], "--seed takes 0 to 4294967295"),
    (["train", "toy", "--device", "foo"], "--device takes cpu, cuda, cuda:N or mps, got 'foo'"),
    (["train", "toy", "--set", "lr"], "--set takes KEY=VALUE, got 'lr'"),
    (["train", "toy", "--set", "lr=nan"], "option lr takes a finite number >= 0, got 'nan'"),
    (["train", "toy", "--set", "lr=inf"], "option lr takes a finite number >= 0, got 'inf'"),
    (["train", "toy", "--set", "lr=-0.1"], "option lr takes a finite number >= 0, got '-0.1'"),
    (["train", "toy", "--set", "lr=fast"], "option lr takes a number, got 'fast'"),
    (["train", "toy", "--set", "nope=1"], "unknown option 'nope' for toy/fit (known: lr, sleep)"),
    (["train", "toy", "--steps", "five"], "argument --steps: invalid int value: 'five'"),
    (["hint", "toy.scale", "--tier", "0"], "--tier takes 1 to 2 for toy.scale, got 0"),
    (["hint", "toy.scale", "--tier", "3"], "--tier takes 1 to 2 for toy.scale, got 3"),
    (["runs", "--limit", "0"], "--limit takes 1 to 100,000, got 0"),
    (["sample", "toy", "-n", "0"], "-n takes 1 to 1,000, got 0"),
    (["data", "fetch", "names", "--timeout", "nan"], "--timeout takes seconds above 0 and up to 3600, got nan"),
    (["list", "--data-dir", "/no/such/folder"], "--data-dir takes an existing folder; there is none at /no/such/folder"),
])
def test_a_bad_value_is_a_usage_error_naming_the_option_and_its_range(zh, argv, says):
    code, out, err = zh(*argv)
    assert (code, out) == (2, "") and says in err and "Traceback" not in err
    code, out, err = zh(*argv, "--json")
    assert code == 2 and says in json.loads(out)["error"] and json.loads(out)["exit_code"] == 2


def test_a_data_dir_that_is_a_file_is_refused_too(zh, tmp_path):
    (tmp_path / "names.txt").write_text("emma\n")
    code, _, err = zh("train", "toy", "--data-dir", tmp_path / "names.txt")
    assert code == 2 and "--data-dir takes an existing folder" in err


def test_main_leaves_the_environment_as_it_found_it(zh, tmp_path):
    assert zh("list", "--data-dir", tmp_path)[0] == 0
    assert "ZEROHERO_DATA" not in os.environ


def test_good_values_still_run(zh):
    code, out, err = zh("train", "toy", "--steps", "3", "--seed", "4294967295", "--device", "cpu",
                        "--set", "lr=0.5", "--set", "sleep=0", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["steps"] == 3 and doc["device"] == "cpu" and doc["status"] == "finished"
