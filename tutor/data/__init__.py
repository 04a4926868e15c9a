"""Provides the lecture data sets by name: `get`, `read_text`, `Dataset` and `DataMissing`.

Headless: nothing here imports textual or torch, and downloads and builds load lazily.
"""

from tutor.data.model import DataError, DataMissing, Dataset, UnknownDataset
from tutor.data.registry import names
from tutor.data.resolve import get, locate, on_disk, read_text

__all__ = ["DataError", "DataMissing", "Dataset", "UnknownDataset", "get", "locate", "names", "on_disk",
           "read_text"]
