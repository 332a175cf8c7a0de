"""The kit's outputs verify; untouched, re-encoded, tampered and unmarked files are reported as such."""

import numpy as np
import pytest

from faceswap_kit.cli import main
from faceswap_kit.io import VideoReader, write_image, write_video
from faceswap_kit.provenance import Provenance, verify


def _frames(count=10, size=(240, 320), seed=0):
    import cv2

    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.uniform(0, 255, (6, 8, 3)).astype(np.float32), size[::-1])
    out = []
    for i in range(count):
        noise = cv2.GaussianBlur(rng.normal(0, 20, (*size, 3)).astype(np.float32), (0, 0), 1.2)
        out.append(np.clip(np.roll(base, i, axis=0) + noise, 0, 255).astype(np.uint8))
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    from faceswap_kit.convert import convert_video
    from faceswap_kit.synth import write_clip

    folder = tmp_path_factory.mktemp("verify")
    clip = write_clip(folder / "person.mp4", 7, 10, size=320)
    summary = convert_video(
        "synth-4-7-df-tiny", clip, folder / "swap.mp4", direction="b_to_a", progress=False
    )
    return summary.output_path


def test_converted_clip_verifies_by_mark_and_manifest(converted, capsys):
    report = verify(converted)
    assert report.found and report.watermark.found
    assert report.credentials.present and report.credentials.from_kit
    assert not report.credentials.tampered
    assert report.credentials.digital_source_type.endswith("trainedAlgorithmicMedia")
    assert "synth-4" in " ".join(report.credentials.record["identities"])
    assert report.records and report.records[-1]["file"] == str(converted.resolve())
    assert report.watermark.payload_id == report.credentials.record["payload_id"]
    assert main(["verify", str(converted)]) == 0
    assert "made with faceswap_kit" in capsys.readouterr().out


def test_half_size_crf28_copy_still_verifies_by_its_watermark(converted, tmp_path):
    import cv2

    frames = [
        cv2.resize(f, (160, 160), interpolation=cv2.INTER_AREA) for f in VideoReader(converted)
    ]
    copy = write_video(tmp_path / "reupload.mp4", frames, fps=25, crf=28)
    report = verify(copy)
    assert not report.credentials.present  # a re-encode drops the manifest...
    assert report.watermark.found  # ...the mark stays
    # its id: a 160 px copy at CRF 28 can lose one or two of the 16 id bits (docs/provenance.md:
    # the id bits carry no error correction); verify shows how many bits agree with the record
    written = verify(converted).watermark.payload_id
    assert report.watermark.bits_agreement(written) >= 30 / 32
    assert main(["verify", str(copy)]) == 0


def test_untouched_clip_and_image_are_unmarked(tmp_path, capsys):
    clip = write_video(tmp_path / "camera.mp4", _frames(), fps=25)
    assert main(["verify", str(clip)]) == 1
    assert "no faceswap_kit mark" in capsys.readouterr().out
    image = write_image(tmp_path / "photo.png", _frames(1, seed=3)[0])
    report = verify(image)
    assert not report.found and not report.credentials.present


def test_signed_image_verifies_and_tampering_is_reported(tmp_path):
    record = Provenance.new("test", "a frame", identities=["nobody"])
    path = write_image(tmp_path / "snap.png", _frames(1, seed=4)[0], provenance=record)
    report = verify(path)
    assert report.found and report.credentials.state in ("Valid", "Trusted")
    assert report.watermark.payload_id == record.payload_id
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # change one byte of the pixels after signing
    tampered = tmp_path / "tampered.png"
    tampered.write_bytes(bytes(data))
    again = verify(tampered)
    assert again.credentials.present and again.credentials.tampered
    assert again.found  # the kit's manifest is there, reported as tampered


def test_removing_the_mark_is_explicit_and_recorded(tmp_path):
    record = Provenance.new("test", "a clip", watermark=False)
    path = write_video(tmp_path / "plain.mp4", _frames(), fps=25, provenance=record)
    report = verify(path)
    assert not report.watermark.found
    assert report.credentials.from_kit and report.credentials.record["watermark_removed"]
    assert "REMOVED" in report.metadata["comment"]


def test_bad_input_exits_2(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing.mp4")]) == 2
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["verify", str(tmp_path / "notes.txt")]) == 2
    assert "expected" in capsys.readouterr().err
