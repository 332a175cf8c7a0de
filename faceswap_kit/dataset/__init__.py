"""Datasets of aligned faces: extraction, on-disk format, curation, loading."""

from .config import ExtractConfig
from .curate import (
    CurationResult,
    FaceTable,
    balance_pose,
    curate,
    filter_faces,
    near_duplicates,
    read_table,
    remove_faces,
    restore_faces,
)
from .extract import ExtractSummary, extract
from .faceset import FaceSet
from .format import Identity, read_manifest
from .load import load_faceset
from .quality import sharpness
from .select import choose_face, face_signature

__all__ = [
    "CurationResult",
    "FaceTable",
    "balance_pose",
    "choose_face",
    "curate",
    "filter_faces",
    "near_duplicates",
    "read_table",
    "remove_faces",
    "restore_faces",
    "ExtractConfig",
    "ExtractSummary",
    "FaceSet",
    "Identity",
    "extract",
    "face_signature",
    "load_faceset",
    "read_manifest",
    "sharpness",
]
