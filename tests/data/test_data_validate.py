"""Tests that a data file no lesson can use (empty, blank, a reserved '.') is a clear data error, early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tutor.data import DataError, DataMissing, get, read_text, store, user
from tutor.data.registry import spec

UNUSABLE = {
    "empty": (b"", "it is empty"),
    "blank": (b"\n \n\n", "it holds only blank lines"),
    "dots": (b".\n..\n", "line 1 ('.') holds '.'"),
    "one dot among names": (b"emma\nolivia\nav.a\n", "line 3 ('av.a') holds '.'"),
    "not utf-8": (b"emma\n\xff\xfe\n", "not UTF-8 text"),
}


@pytest.mark.parametrize("kind", UNUSABLE)
def test_an_unusable_names_file_in_the_data_dir_is_a_data_error_with_the_fix(tmp_path, kind):
    data, why = UNUSABLE[kind]
    (tmp_path / "names.txt").write_bytes(data)
    for ask in (get, read_text):
        with pytest.raises(DataMissing) as e:
            ask("names", data_dir=tmp_path)
        message = str(e.value)
        assert f"{tmp_path / 'names.txt'} in your data directory cannot be used" in message and why in message
        assert e.value.commands[0] == "zerohero data fetch names"


def test_a_usable_file_of_the_learners_is_still_used_and_labelled(tmp_path):
    (tmp_path / "names.txt").write_text("emma\nolivia\n")
    (tmp_path / "tinyshakespeare.txt").write_text("First Citizen:\nSpeak. Speak.\n")  # '.' is text here
    assert get("names", data_dir=tmp_path).source == "data-dir"
    assert get("shakespeare", data_dir=tmp_path).source == "data-dir"


@pytest.mark.parametrize("kind", ["dots", "one dot among names"])
def test_data_add_refuses_a_names_file_with_the_reserved_dot(tmp_path, kind):
    mine = tmp_path / "mine.txt"
    mine.write_bytes(UNUSABLE[kind][0])
    with pytest.raises(DataError, match="cannot be used for makemore's names.txt: .*holds '.'"):
        user.add("names", mine)
    assert not store.user_path(spec("names")).exists()


def test_a_file_added_before_the_check_is_refused_when_asked_for(tmp_path):
    dest = store.user_path(spec("names"))
    store.write_atomic(dest, b".\n")  # as an older zerohero would have stored it
    sha, size = store.digest(dest)
    store.write_meta(dest, {"origin": "added", "sha256": sha, "bytes": size, "at": time.time()})
    with pytest.raises(DataMissing, match="that you added .*holds '.'.*data add names --remove"):
        get("names")


@pytest.mark.parametrize("kind", ["empty", "dots"])
def test_training_on_an_unusable_names_file_fails_cleanly(tmp_path, kind):
    data = tmp_path / "data"
    data.mkdir()
    (data / "names.txt").write_bytes(UNUSABLE[kind][0])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEROHERO_")}
    env.update(PYTHONPATH=str(ROOT), ZEROHERO_CACHE=str(tmp_path / "cache"))
    cli = [sys.executable, "-m", "tutor.cli"]
    subprocess.run([*cli, "init", str(tmp_path / "ws")], env=env, check=True, capture_output=True, timeout=120)
    out = subprocess.run([*cli, "train", "bigram", "--reference", "--steps", "1", "--json", "--workspace",
                          str(tmp_path / "ws"), "--data-dir", str(data)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    assert "cannot be used for makemore's names.txt" in json.loads(out.stdout)["error"]
