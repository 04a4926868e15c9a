"""Tests that data/manifest.toml states the canonical files' facts and names only real lessons."""

from __future__ import annotations

import pytest

from tests.conftest import shakespeare_stand_in
from tutor.data import UnknownDataset, names, store
from tutor.data.registry import load_manifest, spec, tomllib
from tutor.paths import lessons_dir


def test_the_manifest_lists_both_lecture_data_sets():
    assert names() == ["names", "shakespeare"]
    assert spec("names").lessons == ("bigram", "mlp", "batchnorm", "backprop", "wavenet")
    assert spec("shakespeare").lessons == ("gpt",)


@pytest.mark.parametrize("name", ["names", "shakespeare"])
def test_the_manifest_matches_the_canonical_files(shared_data, name):
    s = spec(name)
    path, canonical = (shared_data / s.file, True) if name == "names" else shakespeare_stand_in(shared_data)
    if not canonical:  # the near copy stands in: the manifest pins its hash and size, not its counts
        assert store.digest(path) == (s.build.sha256, s.build.bytes)
        return
    assert store.digest(path) == (s.sha256, s.bytes)
    text = path.read_text("utf-8")
    assert (len(text.splitlines()), len(set(text))) == (s.lines, s.vocab)


def test_every_lesson_named_is_in_the_course():
    with (lessons_dir() / "course.toml").open("rb") as f:
        ids = {lesson["id"] for lesson in tomllib.load(f)["lessons"]}
    for s in load_manifest().values():
        assert set(s.lessons) <= ids


def test_an_unknown_name_lists_the_valid_ones():
    with pytest.raises(UnknownDataset, match="names, shakespeare"):
        spec("mnist")


def test_the_url_can_be_pointed_elsewhere(monkeypatch):
    assert spec("names").download_url.startswith("https://raw.githubusercontent.com/karpathy/makemore/")
    monkeypatch.setenv("ZEROHERO_DATA_URL_NAMES", "http://127.0.0.1:1/n.txt")
    assert spec("names").download_url == "http://127.0.0.1:1/n.txt"
