"""Reading and writing still images. Handles EXIF rotation, grayscale, alpha, palette and 16-bit."""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError, MediaError
from .atomic import write_bytes_atomic

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
#: The largest image read, in pixels (360 MB as RGB; a 108-megapixel phone photo fits). The size
#: a file declares is checked before it is decoded: a few hundred bytes can declare 30000 x 30000.
MAX_IMAGE_PIXELS = 120_000_000


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as uint8 RGB ``(H, W, 3)``, upright (EXIF orientation applied).

    Grayscale is repeated to three channels, alpha is composited away (dropped), 16-bit and float
    images are scaled to 8 bits.

    Raises:
        MediaError: the file is missing, empty or not a readable image, or it declares more than
            :data:`MAX_IMAGE_PIXELS` pixels (checked before decoding: a decompression bomb).
    """

    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise MediaError(f"image {str(path)!r} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise MediaError(f"image {str(path)!r} is empty (0 bytes)")
    try:
        with warnings.catch_warnings():  # the size is checked below, in our own words
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(path)
        with opened as image:
            _check_pixels(path, *image.size)
            image.load()
            image = ImageOps.exif_transpose(image)
            return _pil_to_rgb_uint8(image)
    except Image.DecompressionBombError as exc:  # declared far beyond PIL's own limit
        size = re.search(r"\((\d+) pixels\)", str(exc))
        _check_pixels(path, int(size.group(1)) if size else MAX_IMAGE_PIXELS + 1)
        raise  # pragma: no cover - _check_pixels raised
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"cannot read image {str(path)!r}: {exc}") from exc


def _check_pixels(path: Path, width: int, height: int | None = None) -> None:
    """Refuse an image that declares more than :data:`MAX_IMAGE_PIXELS` (``width`` alone: the
    pixel count)."""
    pixels = width * (height or 1)
    if pixels > MAX_IMAGE_PIXELS:
        size = f"{width} x {height} = " if height else ""
        raise MediaError(
            f"image {str(path)!r} declares {size}{pixels / 1e6:.0f} megapixels, expected at most "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f}; not decoded (a damaged file or a decompression bomb; "
            "scale a real photo down first)"
        )


def _pil_to_rgb_uint8(image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image).astype(np.float64)
        top = 65535.0 if mode.startswith("I;16") or array.max() > 255 else 255.0
        if mode == "F" and array.max() <= 1.0:
            top = 1.0
        array = np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(array[..., None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        array = np.asarray(image)[..., :3]
        return np.ascontiguousarray(array)
    if mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image))


def write_image(
    path: str | os.PathLike, image: np.ndarray, quality: int = 95, provenance=None
) -> Path:
    """Write a uint8 RGB ``(H, W, 3)`` (or ``(H, W)``) image atomically; format from the suffix.

    With a :class:`faceswap_kit.provenance.Provenance`, the image is watermarked and the file
    (PNG or JPEG) is written with signed Content Credentials.

    Returns:
        The path written.
    """
    from PIL import Image

    path = Path(path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(f"cannot write image {str(path)!r}: expected one of {IMAGE_SUFFIXES}")
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise InputError("write_image expects a uint8 (H, W, 3) or (H, W) numpy array")
    path.parent.mkdir(parents=True, exist_ok=True)
    if provenance is not None and image.ndim == 3:
        image = provenance.mark(image)
    buffer = io.BytesIO()
    kwargs = {"quality": quality} if path.suffix.lower() in (".jpg", ".jpeg", ".webp") else {}
    Image.fromarray(image).save(buffer, format=_pil_format(path), **kwargs)
    write_bytes_atomic(path, buffer.getvalue())
    if provenance is not None:
        provenance.finish(path)
    return path


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files directly in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MediaError(f"{str(folder)!r} is not a folder")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def _pil_format(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}.get(
        suffix, suffix[1:].upper()
    )
