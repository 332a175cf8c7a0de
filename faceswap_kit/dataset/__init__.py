"""Datasets of aligned faces: extraction, on-disk format, curation, loading."""

from .extract import ExtractSummary, extract
from .faceset import FaceSet
from .format import Identity, read_manifest
from .load import load_faceset
from .quality import sharpness

__all__ = [
    "ExtractSummary",
    "FaceSet",
    "Identity",
    "extract",
    "load_faceset",
    "read_manifest",
    "sharpness",
]
