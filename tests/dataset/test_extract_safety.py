"""Extraction never loses or garbles a face set: concurrent runs, interrupted runs, bad files."""

import json
import struct
import threading
import zlib

import pytest
import torch

from faceswap_kit.cli import main
from faceswap_kit.dataset import extract, read_manifest
from faceswap_kit.errors import DatasetError, MediaError
from faceswap_kit.io import read_image, write_image


def _face_sources(folder):
    return [json.loads(p.read_text())["source"]["key"] for p in (folder / "faces").glob("*.json")]


def test_a_second_extraction_into_the_same_set_waits_its_turn(tmp_path, portrait, make_frames):
    """Two runs into one folder: the second refuses while the first writes; run again, both
    clips' faces are kept and the manifest lists both."""
    out = tmp_path / "set"
    started, release = threading.Event(), threading.Event()
    first_frames = make_frames(portrait, 4)

    def slow_clip():
        for k, frame in enumerate(first_frames):
            yield frame
            if k == 1:
                started.set()
                release.wait(30)

    result = {}

    def first():
        try:
            result["summary"] = extract(slow_clip(), out, size=64, name="clip-a")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(60)
        with pytest.raises(DatasetError, match="being written by another extraction"):
            extract(make_frames(portrait, 3), out, size=64, name="clip-b")
    finally:
        release.set()
        thread.join(60)
    assert "error" not in result and result["summary"].faces_written == 4
    second = extract(make_frames(portrait, 3), out, size=64, name="clip-b")
    assert second.faces_written == 3 and second.faces_before == 4
    assert sorted(_face_sources(out)) == ["clip-a"] * 4 + ["clip-b"] * 3
    manifest = read_manifest(out)
    assert {k: v["faces"] for k, v in manifest["sources"].items()} == {"clip-a": 4, "clip-b": 3}
    assert manifest["faces"] == 7
    assert not (out / ".lock").exists()


def test_no_folder_is_left_behind_when_nothing_was_extracted(tmp_path):
    with pytest.raises(MediaError):
        extract(tmp_path / "missing.mp4", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_resumed_extraction_counts_every_face_of_the_source(tmp_path, portrait, make_frames):
    """An interrupted run, then a resumed one: the manifest's count for the clip is the number of
    its faces on disk."""
    frames = make_frames(portrait, 8)
    out = tmp_path / "set"

    def interrupted():
        yield from frames[:5]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract(interrupted(), out, size=64, name="webcam")
    record = read_manifest(out)["sources"]["webcam"]
    assert record["faces"] == len(_face_sources(out)) == 5
    summary = extract(frames, out, size=64, name="webcam")
    assert summary.faces_before == 5 and summary.faces_written == 3
    record = read_manifest(out)["sources"]["webcam"]
    assert record["faces"] == len(_face_sources(out)) == 8
    assert record["complete"] is True


def _png_header(width: int, height: int) -> bytes:
    """A tiny grey PNG that declares ``width`` x ``height`` (its data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 1000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [30000, 13000])
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, side):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(side, side))
    assert path.stat().st_size < 200
    with pytest.raises(MediaError, match="megapixels, expected at most 120"):
        read_image(path)


def test_a_bomb_in_a_folder_is_skipped_and_the_good_images_extracted(tmp_path, portrait):
    folder = tmp_path / "photos"
    folder.mkdir()
    write_image(folder / "a_face.png", portrait)
    (folder / "b_bomb.png").write_bytes(_png_header(30000, 30000))
    (folder / "c_bomb.png").write_bytes(_png_header(13000, 13000))
    write_image(folder / "d_face.jpg", portrait)
    summary = extract(folder, tmp_path / "out", size=64)
    assert summary.faces_written == 2
    reasons = {p.source.rsplit("/", 1)[-1]: p.reason for p in summary.skipped_files}
    assert set(reasons) == {"b_bomb.png", "c_bomb.png"}
    assert all("megapixels" in reason for reason in reasons.values())
    assert "skipped file" in str(summary) and "b_bomb.png" in str(summary)


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        pytest.param(
            "cuda",
            "CUDA is not available",
            marks=pytest.mark.skipif(
                torch.cuda.is_available(), reason="needs a machine without CUDA"
            ),
        ),
        ("banana", "unknown device 'banana'; expected cuda, mps or cpu"),
    ],
)
def test_extract_on_an_unusable_device_is_one_line(tmp_path, portrait, capsys, device, expected):
    image = write_image(tmp_path / "face.png", portrait)
    out = tmp_path / "set"
    assert main(["extract", str(image), str(out), "--size", "64", "--device", device]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # refused before anything was written
