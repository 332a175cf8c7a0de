"""Datasets of aligned faces: extraction, on-disk format, curation, loading."""

from .faceset import FaceSet

__all__ = ["FaceSet"]
