from fractions import Fraction

import av
import numpy as np
import pytest

from faceswap_kit.errors import InputError, MediaError
from faceswap_kit.io import VideoReader, VideoWriter, write_video


def _frames(n, w=64, h=48):
    for i in range(n):
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:, : (i * 4) % w] = (200, 50, 20)
        yield frame


def _tone(path, seconds=1.0):
    """A short mp4 with a sine-wave AAC track and a video track."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        audio = out.add_stream("aac", rate=16000)
        audio.layout = "mono"
        t = np.arange(int(16000 * seconds)) / 16000
        samples = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(samples[:, start : start + 1024], "fltp", "mono")
            frame.rate = 16000
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
        for i in range(int(25 * seconds)):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 8, np.uint8), "rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)


def test_write_then_read_streams_frames(tmp_path):
    path = write_video(tmp_path / "c.mp4", _frames(20), fps=25, metadata={"comment": "synthetic"})
    reader = VideoReader(path)
    assert reader.size == (64, 48) and reader.fps == pytest.approx(25)
    assert len(reader) == 20
    frames = list(reader)
    assert len(frames) == 20 and frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    expected = list(_frames(20))
    assert np.abs(frames[10].astype(int) - expected[10]).mean() < 6  # lossy but close
    with av.open(str(path)) as container:
        assert container.metadata.get("comment") == "synthetic"


def test_audio_is_copied(tmp_path):
    _tone(tmp_path / "tone.mp4")
    out = write_video(tmp_path / "o.mp4", _frames(10), audio_from=tmp_path / "tone.mp4")
    assert VideoReader(out).has_audio
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"


def test_odd_size_is_padded(tmp_path):
    out = write_video(tmp_path / "odd.mp4", [np.zeros((33, 35, 3), np.uint8)] * 3)
    assert VideoReader(out).size == (36, 34)


def test_rotation_metadata_gives_upright_frames(tmp_path):
    path = tmp_path / "rot.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 64, 32, "yuv420p"
        stream.set_display_rotation(90)
        for _ in range(3):
            frame = np.zeros((32, 64, 3), np.uint8)
            frame[:, :32] = 255  # left half white
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, "rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    reader = VideoReader(path)
    assert reader.size == (32, 64)
    frame = next(iter(reader))
    assert frame.shape == (64, 32, 3)
    # rotated 90 degrees counter-clockwise: the left half ends at the bottom
    assert frame[40:].mean() > 200 and frame[:24].mean() < 50


def test_interrupted_write_leaves_no_file(tmp_path):
    target = tmp_path / "x.mp4"
    with pytest.raises(RuntimeError), VideoWriter(target, 25, (32, 32)) as writer:
        writer.write(np.zeros((32, 32, 3), np.uint8))
        raise RuntimeError("boom")
    assert not target.exists() and not list(tmp_path.iterdir())


def test_bad_inputs(tmp_path):
    with pytest.raises(MediaError, match="does not exist"):
        VideoReader(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        VideoReader(tmp_path / "empty.mp4")
    (tmp_path / "text.mp4").write_text("hello " * 100)
    with pytest.raises(MediaError):
        VideoReader(tmp_path / "text.mp4")
    with pytest.raises(InputError):
        VideoWriter(tmp_path / "a.gif", 25, (32, 32))
    with pytest.raises(InputError):
        VideoWriter(tmp_path / "a.mp4", 25, (0, 32))
    writer = VideoWriter(tmp_path / "a.mp4", 25, (32, 32))
    with pytest.raises(InputError, match="16x16"):
        writer.write(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(MediaError, match="no frames"):
        writer.close()
    assert not (tmp_path / "a.mp4").exists()


def test_truncated_videos(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (40, 96, 128, 3), dtype=np.uint8)
    mp4 = write_video(tmp_path / "t.mp4", noise)
    mp4.write_bytes(mp4.read_bytes()[: mp4.stat().st_size // 2])  # index (moov) is lost
    with pytest.raises(MediaError):
        VideoReader(mp4)
    mkv = write_video(tmp_path / "t.mkv", noise)
    mkv.write_bytes(mkv.read_bytes()[: mkv.stat().st_size * 7 // 10])
    frames = list(VideoReader(mkv))  # streamable container: read as far as it goes
    assert 0 < len(frames) < 40
