"""Letterboxed and pillarboxed copies: the picture is found inside plain bars and read there."""

import numpy as np
import pytest
from test_watermark import _natural

from faceswap_kit.errors import InputError
from faceswap_kit.provenance import watermark as wm
from faceswap_kit.provenance.bars import content_box


def _boxed(picture: np.ndarray, width: int, height: int, colour=0) -> np.ndarray:
    """``picture`` scaled to fit a ``width`` x ``height`` frame, centred, plain bars around it."""
    import cv2

    h, w = picture.shape[:2]
    scale = min(width / w, height / h)
    size = (round(w * scale), round(h * scale))
    frame = np.full((height, width, 3), colour, np.uint8)
    x, y = (width - size[0]) // 2, (height - size[1]) // 2
    frame[y : y + size[1], x : x + size[0]] = cv2.resize(picture, size)
    return frame


def _jpeg(frame: np.ndarray, quality: int = 80) -> np.ndarray:
    import cv2

    ok, data = cv2.imencode(".jpg", frame[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1].copy()


def test_content_box_finds_bars_on_any_side_in_any_plain_colour():
    picture = _natural(1, (240, 320))
    assert content_box(_boxed(picture, 640, 360)) == (0, 360, 80, 560)  # pillarbox
    assert content_box(_boxed(picture, 320, 320, colour=40)) == (40, 280, 0, 320)  # letterbox
    framed = np.full((300, 400, 3), 255, np.uint8)
    framed[30:270, 40:360] = picture
    assert content_box(framed) == (30, 270, 40, 360)  # a white border all round


def test_content_box_is_none_without_bars():
    assert content_box(_natural(2)) is None
    assert content_box(np.zeros((120, 160, 3), np.uint8)) is None  # plain: nothing inside
    thin = _natural(3)
    thin[:1] = 0  # one black line is not a bar
    assert content_box(thin) is None
    sky = _natural(5)
    sky[:60] = 200  # a plain sky at the top of a picture is not a bar: bars come in pairs
    assert content_box(sky) is None
    uneven = _natural(6)
    uneven[:60], uneven[-20:] = 0, 0  # one thick, one thin: not a centred picture
    assert content_box(uneven) is None
    with pytest.raises(InputError, match="at least one frame"):
        content_box([])


def test_content_box_of_a_clip_follows_the_bars_not_the_moving_picture():
    frames = []
    for shift in range(4):
        picture = np.roll(_natural(4, (240, 320)), 20 * shift, axis=1)
        frames.append(_boxed(picture, 640, 360))
    assert content_box(frames) == (0, 360, 80, 560)


@pytest.mark.parametrize(
    ("width", "height", "colour"), [(1280, 720, 0), (854, 480, 16), (640, 640, 0)]
)
def test_a_marked_picture_is_read_inside_bars(width, height, colour):
    marked = wm.embed(_natural(5), 4321)
    copy = _jpeg(_boxed(marked, width, height, colour))
    reading = wm.read(copy, search=False)  # no crop search needed: the bars are cut off
    assert reading.found and reading.payload_id == 4321
    assert "inside bars" in reading.alignment


def test_unmarked_pictures_inside_bars_are_not_found():
    for seed in range(4):
        assert not wm.read(_jpeg(_boxed(_natural(300 + seed), 1280, 720))).found
