import numpy as np
import pytest

from faceswap_kit.errors import InputError
from faceswap_kit.provenance import watermark as wm


def _natural(seed: int, size=(480, 640)) -> np.ndarray:
    """A textured frame: smooth shapes plus noise, like a photo."""
    import cv2

    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.uniform(0, 255, (12, 16, 3)).astype(np.float32), size[::-1])
    detail = cv2.GaussianBlur(rng.normal(0, 25, (*size, 3)).astype(np.float32), (0, 0), 1.5)
    return np.clip(base + detail, 0, 255).astype(np.uint8)


def test_payload_bits_carry_the_fixed_bits_and_the_id():
    bits = wm.payload_bits(0xBEEF)
    assert bits.shape == (32,)
    word = int("".join(map(str, bits)), 2)
    assert word >> 16 == wm.MAGIC and word & 0xFFFF == 0xBEEF
    with pytest.raises(InputError, match="expected a payload id"):
        wm.payload_bits(2**16)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_embed_then_read_recovers_every_bit_and_is_invisible(seed):
    frame = _natural(seed)
    marked = wm.embed(frame, 0x1234 + seed)
    assert marked.shape == frame.shape and marked.dtype == np.uint8
    psnr = 10 * np.log10(255**2 / np.mean((marked.astype(float) - frame) ** 2))
    assert psnr > 38
    reading = wm.read(marked)
    assert reading.found and reading.payload_id == 0x1234 + seed
    assert reading.bits_agreement(0x1234 + seed) == 1.0


def test_unmarked_frames_are_not_found():
    for seed in range(6):
        assert not wm.read(_natural(100 + seed)).found


def test_mark_survives_half_size_jpeg_and_a_crop():
    import cv2

    marked = wm.embed(_natural(5), 777)
    half = cv2.resize(marked, (320, 240), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", half[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 60])
    jpeg = cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1].copy()
    assert wm.read(jpeg).payload_id == 777 and wm.read(jpeg).found
    cropped = np.ascontiguousarray(marked[24:456, 32:608])  # 10% off, off-centre
    reading = wm.read(cropped)
    assert reading.found and reading.payload_id == 777
    assert reading.alignment.startswith("search")


def test_bad_frames_raise_domain_errors():
    with pytest.raises(InputError, match="expected a uint8"):
        wm.embed(np.zeros((64, 64, 3), np.float32), 1)
    with pytest.raises(InputError, match="expected 3 channels"):
        wm.read(np.zeros((64, 64, 4), np.uint8))
    with pytest.raises(InputError, match="at least one frame"):
        wm.read([])
