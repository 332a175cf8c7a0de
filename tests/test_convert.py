import json
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
import torch

from faceswap_kit.convert import convert_video, partial_path
from faceswap_kit.errors import CheckpointError, InputError, NoFaceFoundError
from faceswap_kit.merge import MergeConfig


@dataclass(frozen=True)
class _Config:
    resolution: int = 64
    face_type: str = "whole_face"


class ConstantModel:
    config = _Config()

    def swap(self, aligned, direction="a_to_b"):
        return torch.full_like(aligned, 0.9), torch.ones_like(aligned[:, :1])


def _with_audio(src, dst):
    """Re-encode ``src`` with a 440 Hz AAC track (the kit never writes audio by itself)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        video = out.add_stream("libx264", rate=Fraction(25))
        video.width, video.height, video.pix_fmt = 128, 128, "yuv420p"
        audio = out.add_stream("aac", rate=16000)
        audio.layout = "mono"
        for frame in inp.decode(video=0):
            for packet in video.encode(
                av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"))
            ):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        t = np.arange(16000) / 16000
        samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
        for start in range(0, 16000, 1024):
            chunk = av.AudioFrame.from_ndarray(
                samples[:, start : start + 1024], format="fltp", layout="mono"
            )
            chunk.sample_rate = 16000
            for packet in audio.encode(chunk):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    from faceswap_kit.synth import write_clip

    folder = tmp_path_factory.mktemp("clip")
    plain = write_clip(folder / "plain.mp4", seed=5, frames=10, size=128)
    with_audio = folder / "talk.mp4"
    _with_audio(plain, with_audio)
    return with_audio


def _frames(path):
    from faceswap_kit.io.video import VideoReader

    return list(VideoReader(path))


def test_convert_swaps_faces_copies_audio_and_tags(clip, tmp_path):
    import av

    out = tmp_path / "out.mp4"
    summary = convert_video(
        ConstantModel(),
        clip,
        out,
        MergeConfig(color="none", blend="feather"),
        progress=False,
    )
    assert summary.frames == 10 and summary.frames_with_face >= 9
    assert summary.output_path == out and out.is_file() and not partial_path(out).exists()
    assert set(summary.stage_ms) >= {"decode", "detect", "align", "model", "merge", "encode"}
    before, after = _frames(clip), _frames(out)
    assert len(after) == 10 and after[0].shape == before[0].shape
    assert np.abs(after[5].astype(int) - before[5].astype(int)).mean() > 3  # the face changed
    with av.open(str(out)) as container:
        assert "synthetic" in container.metadata.get("comment", "").lower()
        assert "faceswap_kit" in container.metadata.get("comment", "")
        assert len(container.streams.audio) == 1


def test_side_by_side_and_overwrite(clip, tmp_path):
    out = tmp_path / "sbs.mp4"
    out.write_bytes(b"old")
    with pytest.raises(InputError, match="overwrite"):
        convert_video(ConstantModel(), clip, out, progress=False)
    assert out.read_bytes() == b"old"
    summary = convert_video(
        ConstantModel(),
        clip,
        out,
        side_by_side=True,
        overwrite=True,
        max_frames=3,
        progress=False,
    )
    frames = _frames(out)
    assert summary.frames == 3 and len(frames) == 3 and frames[0].shape == (128, 256, 3)
    original = _frames(clip)[0]
    assert np.abs(frames[0][:, :128].astype(int) - original.astype(int)).mean() < 3


def test_no_face_video_raises_and_writes_nothing(tmp_path):
    from faceswap_kit.io.video import write_video

    blank = write_video(tmp_path / "blank.mp4", [np.full((64, 64, 3), 90, np.uint8)] * 4)
    out = tmp_path / "out.mp4"
    with pytest.raises(NoFaceFoundError):
        convert_video(ConstantModel(), blank, out, progress=False)
    assert not out.exists() and not partial_path(out).exists()


def test_interrupted_conversion_leaves_a_clean_partial(clip, tmp_path):
    from faceswap_kit.detect import MediaPipeDetector

    class Interrupting:
        def __init__(self):
            self.inner, self.calls = MediaPipeDetector(mode="video"), 0

        def __call__(self, frame):
            self.calls += 1
            if self.calls == 5:
                raise KeyboardInterrupt
            return self.inner(frame)

    out = tmp_path / "out.mp4"
    summary = convert_video(ConstantModel(), clip, out, detector=Interrupting(), progress=False)
    assert summary.interrupted and summary.frames == 4
    assert not out.exists()
    assert summary.output_path == partial_path(out) and len(_frames(summary.output_path)) == 4


def test_bad_paths_and_models(clip, tmp_path):
    with pytest.raises(InputError):
        convert_video(ConstantModel(), tmp_path / "missing.mp4", tmp_path / "o.mp4")
    with pytest.raises(InputError):
        convert_video(ConstantModel(), clip, tmp_path / "o.gif")
    with pytest.raises(InputError):
        convert_video(ConstantModel(), clip, clip, overwrite=True)
    with pytest.raises(CheckpointError):
        convert_video(tmp_path / "no_model", clip, tmp_path / "o.mp4")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    (broken / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(CheckpointError):
        convert_video(broken, clip, tmp_path / "o.mp4")


def test_end_to_end_with_a_trained_model(clip, tmp_path):
    """A (two-step) trained model loaded from disk by the real loader, through the CLI."""
    from faceswap_kit.cli import main
    from faceswap_kit.train import train
    from testing.toyfaces import toy_faceset

    model_dir = tmp_path / "model"
    train(toy_faceset(1, 8, 64), toy_faceset(2, 8, 64), model_dir, steps=2)
    out = tmp_path / "swapped.mp4"
    code = main(
        [
            "convert",
            str(model_dir),
            str(clip),
            str(out),
            "--color",
            "rct",
            "--max-frames",
            "4",
            "--quiet",
        ]
    )
    assert code == 0 and len(_frames(out)) == 4
    report = json.loads((out.with_suffix(".json")).read_text())
    assert report["frames"] == 4 and report["synthetic"] is True
    assert main(["convert", str(model_dir), str(clip), str(out)]) == 2  # exists: refused
