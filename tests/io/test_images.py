import numpy as np
import pytest
from PIL import Image

from faceswap_kit.errors import InputError, MediaError
from faceswap_kit.io import list_images, read_image, write_image


def test_write_then_read_png_is_lossless(tmp_path):
    image = np.random.default_rng(1).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    path = write_image(tmp_path / "a.png", image)
    np.testing.assert_array_equal(read_image(path), image)
    assert not list(tmp_path.glob(".*")), "no temporary file is left behind"


def test_exif_rotation_is_applied(tmp_path):
    image = np.zeros((10, 20, 3), np.uint8)
    image[:, :10] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    Image.fromarray(image).save(tmp_path / "r.jpg", exif=exif, quality=100)
    upright = read_image(tmp_path / "r.jpg")
    assert upright.shape == (20, 10, 3)
    assert upright[:8].mean() > 200 and upright[12:].mean() < 50  # left half is now on top


def test_gray_rgba_16bit_and_palette(tmp_path):
    Image.fromarray(np.full((4, 4), 200, np.uint8)).save(tmp_path / "g.png")
    assert read_image(tmp_path / "g.png").shape == (4, 4, 3)
    Image.fromarray(np.full((4, 4, 4), 90, np.uint8), "RGBA").save(tmp_path / "a.png")
    assert read_image(tmp_path / "a.png")[0, 0].tolist() == [90, 90, 90]
    Image.fromarray(np.full((4, 4), 65535, np.uint16)).save(tmp_path / "d.png")
    assert read_image(tmp_path / "d.png").min() == 255
    Image.fromarray(np.full((4, 4, 3), 30, np.uint8)).convert("P").save(tmp_path / "p.png")
    assert read_image(tmp_path / "p.png").shape == (4, 4, 3)


def test_bad_files_raise_media_error(tmp_path):
    with pytest.raises(MediaError, match="does not exist"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        read_image(tmp_path / "empty.png")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(MediaError, match="cannot read"):
        read_image(tmp_path / "text.png")


def test_write_rejects_bad_input(tmp_path):
    with pytest.raises(InputError):
        write_image(tmp_path / "a.xyz", np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(InputError):
        write_image(tmp_path / "a.png", np.zeros((2, 2, 3), np.float32))


def test_list_images(tmp_path):
    for name in ("b.png", "a.jpg", "c.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_images(tmp_path)] == ["a.jpg", "b.png"]
    with pytest.raises(MediaError):
        list_images(tmp_path / "nope")
