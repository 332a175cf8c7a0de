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


def test_mark_survives_half_size_h264_at_crf_28(tmp_path):
    import cv2

    from faceswap_kit.io import VideoReader, write_video

    frames = [wm.embed(_natural(20 + i), 0xC0DE) for i in range(4)]
    half = [cv2.resize(f, (320, 240), interpolation=cv2.INTER_AREA) for f in frames]
    decoded = list(VideoReader(write_video(tmp_path / "half.mp4", half, fps=25, crf=28)))
    reading = wm.read(decoded)
    assert reading.found and reading.payload_id == 0xC0DE and reading.alignment.startswith("direct")


def test_search_finds_a_crop_that_was_also_rescaled():
    import cv2

    marked = wm.embed(_natural(7), 4242)
    crop = np.ascontiguousarray(marked[40:440, 13:613])  # ~17% off the height, 6% off the width
    crop = cv2.resize(crop, (480, 320), interpolation=cv2.INTER_AREA)
    reading = wm.read(crop)
    assert reading.found and reading.payload_id == 4242
    assert reading.score >= wm.THRESHOLD_SEARCH == reading.threshold


def test_frames_with_black_and_white_areas_are_marked_where_they_can_be():
    frame = _natural(3)
    frame[:, :200] = 0  # a black bar: the mark cannot go below 0 there
    frame[:160, 400:] = 255  # a blown-out sky
    marked = wm.embed(frame, 99)
    reading = wm.read(marked)
    assert reading.found and reading.payload_id == 99


def test_unmarked_scores_look_like_chance():
    scores = [wm.read(_natural(200 + seed), search=False).score for seed in range(12)]
    assert max(scores) < wm.THRESHOLD_DIRECT
    assert abs(float(np.mean(scores))) < 1.5
