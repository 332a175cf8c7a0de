import json
import shutil
import sys

import numpy as np
import pytest
import torch

from faceswap_kit.align import canonical_landmarks, transform_points, warp_to_source
from faceswap_kit.dataset import ExtractConfig, Identity, extract, load_faceset, read_manifest
from faceswap_kit.detect import load_face_model
from faceswap_kit.errors import DatasetError, MediaError


def test_extract_frames_and_load(tmp_path, portrait, make_frames):
    frames = make_frames(portrait, 6)
    out = tmp_path / "set"
    who = Identity(name="astronaut", synthetic=False, consent="public-domain portrait")
    summary = extract(frames, out, "whole_face", 128, identity=who, name="webcam")
    assert summary.faces_written == 6 and summary.frames_seen == 6 and not summary.skipped_files
    assert "6 faces" in str(summary)
    manifest = read_manifest(out)
    assert manifest["identity"] == who.to_dict() and manifest["faces"] == 6
    meta = json.loads((out / "faces" / "000003.json").read_text())
    assert meta["source"]["frame"] == 3 and meta["size"] == 128
    assert set(meta["pose"]) == {"yaw", "pitch", "roll"} and meta["sharpness"] > 0
    assert 0 < meta["score"] <= 1
    # stored aligned landmarks = matrix applied to stored source landmarks
    matrix = torch.tensor(meta["matrix"])[None]
    source = torch.tensor(meta["landmarks_source"])[None]
    aligned = torch.tensor(meta["landmarks_aligned"])[None]
    assert (transform_points(source, matrix) - aligned).abs().max() < 0.05
    # the face drifted 2 px right per frame in the source, and stays put in the crop
    first = json.loads((out / "faces" / "000000.json").read_text())
    shift = np.array(meta["landmarks_source"])[1] - np.array(first["landmarks_source"])[1]
    assert np.allclose(shift, [6, 3], atol=1.0)

    faces = load_faceset(out)
    assert len(faces) == 6 and faces.images.shape == (6, 3, 128, 128)
    assert faces.images.dtype == torch.uint8 and faces.identity["name"] == "astronaut"
    coverage = faces.masks.float().mean() / 255
    assert 0.3 < coverage < 0.8
    assert 0.02 < faces.regions.float().mean() / 255 < coverage
    # eyes land on the canonical spot (within 2 % of the crop)
    model = load_face_model()
    target = canonical_landmarks("whole_face", 128)
    for eye in ("left_eye", "right_eye"):
        index = list(model.outlines[eye])
        error = (faces.landmarks[:, index].mean(1) - target[index].mean(0)).norm(dim=-1) / 128
        assert error.max() < 0.02
    assert len(load_faceset(out, max_faces=2)) == 2


def test_crop_pastes_back_exactly(tmp_path, portrait, make_frames):
    frames = make_frames(portrait, 1)
    out = tmp_path / "set"
    threads, interval = torch.get_num_threads(), sys.getswitchinterval()
    extract(frames, out, config=ExtractConfig(face_type="full", size=192))
    # process-wide settings are the caller's: extraction leaves them as it found them
    assert (torch.get_num_threads(), sys.getswitchinterval()) == (threads, interval)
    meta = json.loads((out / "faces" / "000000.json").read_text())
    faces = load_faceset(out)
    crop = faces.images.float() / 255
    back = warp_to_source(crop, torch.tensor(meta["matrix"])[None], 256, 256)
    inside = warp_to_source(
        torch.ones(1, 1, 192, 192), torch.tensor(meta["matrix"])[None], 256, 256
    )
    source = torch.from_numpy(frames[0]).permute(2, 0, 1)[None].float() / 255
    keep = (inside > 0.999).expand_as(source)
    assert keep.sum() > 3000
    assert (back - source).abs()[keep].mean() < 0.03


def test_video_and_resume(tmp_path, clip):
    out = tmp_path / "set"
    partial = extract(clip, out, size=96, max_frames=5)
    assert partial.faces_written == 5
    assert read_manifest(out)["sources"][str(clip)]["complete"] is False
    full = extract(clip, out, size=96)
    assert full.faces_before == 5 and full.faces_written == 7
    keys = sorted(
        json.loads(p.read_text())["source"]["frame"] for p in (out / "faces").glob("*.json")
    )
    assert keys == list(range(12))
    again = extract(clip, out, size=96)
    assert again.faces_written == 0 and again.faces_total == 12
    with pytest.raises(DatasetError, match="face set of"):
        extract(clip, out, size=128)


def test_interrupted_write_loses_nothing(tmp_path, clip):
    out = tmp_path / "set"
    extract(clip, out, size=64)
    (out / "faces" / "000004.json").unlink()  # as if killed between image and metadata
    (out / "faces" / ".000005.jpg.tmp").write_bytes(b"partial")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["sources"][str(clip)]["complete"] = False
    manifest["sources"][str(clip)]["frames_seen"] = 4
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = extract(clip, out, size=64)
    assert summary.faces_written == 1 and summary.faces_total == 12
    assert len(load_faceset(out)) == 12


def test_bad_files_are_reported_and_skipped(tmp_path, portrait, clip):
    folder = tmp_path / "mixed"
    folder.mkdir()
    from faceswap_kit.io import write_image

    write_image(folder / "a_face.png", portrait)
    write_image(folder / "b_blank.png", np.full((200, 200, 3), 128, np.uint8))
    (folder / "c_empty.mp4").write_bytes(b"")
    (folder / "d_text.mp4").write_text("not a video")
    (folder / "e_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    data = clip.read_bytes()
    (folder / "f_truncated.mp4").write_bytes(data[: len(data) // 2])
    (folder / "notes.txt").write_text("ignored")
    summary = extract(folder, tmp_path / "out", size=64)
    reasons = {p.source.rsplit("/", 1)[-1]: p.reason for p in summary.skipped_files}
    assert "empty" in reasons["c_empty.mp4"]
    assert "d_text.mp4" in reasons and "e_broken.jpg" in reasons
    assert summary.skipped_frames["no face found"] == 1
    assert summary.faces_written >= 1
    text = str(summary)
    assert "c_empty.mp4" in text and "no face found" in text


def test_small_faces_are_skipped(tmp_path, portrait):
    import cv2

    small = cv2.resize(portrait, (192, 192), interpolation=cv2.INTER_AREA)
    frame = np.full((256, 256, 3), 80, np.uint8)
    frame[32:224, 32:224] = small
    summary = extract([frame], tmp_path / "out", size=64, min_face_size=120)
    assert summary.faces_written == 0
    assert summary.skipped_frames == {"face too small (< 120 px)": 1}


def test_bad_sources_and_outputs(tmp_path, portrait):
    with pytest.raises(MediaError, match="does not exist"):
        extract(tmp_path / "missing.mp4", tmp_path / "out")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MediaError, match="no images"):
        extract(empty, tmp_path / "out")
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        extract(tmp_path / "zero.mp4", tmp_path / "out")
    other = tmp_path / "other"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    with pytest.raises(DatasetError, match="other files"):
        extract([portrait], other)
    assert sorted(p.name for p in other.iterdir()) == ["thesis.txt"]
    with pytest.raises(DatasetError, match="not a face set"):
        load_faceset(other)


def test_one_identity_per_set(tmp_path, portrait, grace):
    out = tmp_path / "set"
    extract([portrait], out, size=64, identity=Identity("astronaut", False, "public domain"))
    with pytest.raises(DatasetError, match="one identity"):
        extract([grace], out, size=64, identity=Identity("grace", False, "public domain"))


def test_image_variants(tmp_path, portrait):
    """Grayscale, RGBA, 16-bit and EXIF-rotated photos each give their one face."""
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(portrait).convert("L").save(folder / "gray.png")
    rgba = np.dstack([portrait, np.full(portrait.shape[:2], 255, np.uint8)])
    Image.fromarray(rgba).save(folder / "rgba.png")
    wide = (portrait.mean(axis=2) * 257).astype(np.uint16)
    Image.fromarray(wide).save(folder / "deep.png")
    rotated = Image.fromarray(np.ascontiguousarray(np.rot90(portrait, 1)))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter counter-clockwise: display turns it back
    rotated.save(folder / "exif.jpg", exif=exif)
    summary = extract(folder, tmp_path / "out", size=64)
    assert summary.faces_written == 4, str(summary)
    metas = [json.loads(p.read_text()) for p in sorted((tmp_path / "out/faces").glob("*.json"))]
    for meta in metas:
        assert abs(meta["pose"]["roll"]) < 10  # upright after EXIF rotation


def test_synthetic_identity_from_ground_truth(tmp_path, clip):
    video = tmp_path / "person.mp4"
    shutil.copy(clip, video)
    video.with_suffix(".json").write_text(json.dumps({"seed": 7, "frames": []}))
    extract(video, tmp_path / "out", size=64, max_frames=1)
    identity = read_manifest(tmp_path / "out")["identity"]
    assert identity == {"name": "synthetic-7", "synthetic": True, "consent": identity["consent"]}


def test_live_recording_folder(tmp_path, portrait, make_frames):
    """The live notebook's recorder layout: frames/*.jpg + consent.json (identity from it)."""
    from faceswap_kit.io import write_image

    folder = tmp_path / "recording"
    (folder / "frames").mkdir(parents=True)
    for k, frame in enumerate(make_frames(portrait, 3)):
        write_image(folder / "frames" / f"{k:06d}.jpg", frame)
    consent = {"subject": "me", "consent": "I am the person", "recorded_at": "2026-11-25"}
    (folder / "consent.json").write_text(json.dumps(consent))
    summary = extract(folder, tmp_path / "out", size=64)
    assert summary.faces_written == 3
    identity = read_manifest(tmp_path / "out")["identity"]
    assert identity["name"] == "me" and identity["synthetic"] is False
    assert "I am the person" in identity["consent"]


def test_choosing_among_several_faces(tmp_path, portrait, grace):
    import cv2

    frame = np.full((300, 560, 3), 90, np.uint8)
    frame[10:287, 0:240] = cv2.resize(portrait[0:300, 100:360], (240, 277), cv2.INTER_AREA)
    side = min(grace.shape[:2])
    square = grace[:side, (grace.shape[1] - side) // 2 :][:, :side]
    frame[40:240, 330:530] = cv2.resize(square, (200, 200), interpolation=cv2.INTER_AREA)

    def chosen_x(out, **options):
        extract([frame], out, size=64, **options)
        meta = json.loads((out / "faces" / "000000.json").read_text())
        return np.array(meta["landmarks_source"])[:, 0].mean()

    assert chosen_x(tmp_path / "a", faces_per_frame=2) < 256  # largest: the astronaut
    assert chosen_x(tmp_path / "b", choose=1) > 256  # index 1, left to right
    assert chosen_x(tmp_path / "c", reference=grace) > 256  # most like the reference photo


def test_generated_clip_end_to_end(tmp_path):
    """synth clip -> extract -> stored landmarks match the generator's ground truth."""
    synth = pytest.importorskip("faceswap_kit.synth")
    clip = synth.write_clip(tmp_path / "person.mp4", seed=2, frames=8, size=192)
    summary = extract(clip, tmp_path / "set", "whole_face", 96)
    assert summary.faces_written == 8 and not summary.skipped_frames
    truth = json.loads(clip.with_suffix(".json").read_text())["frames"]
    manifest = read_manifest(tmp_path / "set")
    assert (
        manifest["identity"]["synthetic"] is True and manifest["identity"]["name"] == "synthetic-2"
    )
    errors = []
    for path in sorted((tmp_path / "set" / "faces").glob("*.json")):
        meta = json.loads(path.read_text())
        found = np.array(meta["landmarks_source"])[:468]
        true = np.array(truth[meta["source"]["frame"]]["landmarks"])
        errors.append(
            np.linalg.norm(found - true, axis=1).mean() / np.linalg.norm(true[33] - true[263])
        )
    assert np.mean(errors) < 0.08  # the wide identity space: see tests/synth/test_accuracy.py
    faces = load_faceset(tmp_path / "set")
    assert len(faces) == 8 and faces.identity["synthetic"] is True


def test_default_format_is_jpeg_and_a_resumed_set_keeps_its_own(tmp_path, portrait, make_frames):
    frames = make_frames(portrait, 3)
    extract(frames[:2], tmp_path / "new", size=64, name="cam")
    assert read_manifest(tmp_path / "new")["image_format"] == "jpg"
    assert len(list((tmp_path / "new" / "faces").glob("*.jpg"))) == 2
    extract(frames[:2], tmp_path / "lossless", size=64, image_format="png", name="cam")
    summary = extract(frames, tmp_path / "lossless", size=64, name="more")  # no format given
    assert summary.faces_written == 3 and summary.faces_total == 5
    assert len(list((tmp_path / "lossless" / "faces").glob("*.png"))) == 5
    with pytest.raises(DatasetError, match="face set of"):
        extract(frames, tmp_path / "lossless", size=64, image_format="jpg", name="again")
    meta = json.loads((tmp_path / "lossless" / "faces" / "000004.json").read_text())
    assert len(meta["landmarks_source"]) == 478 and len(meta["landmarks_aligned"][0]) == 2
    assert all(len(repr(v)) <= 10 for point in meta["landmarks_source"] for v in point)
