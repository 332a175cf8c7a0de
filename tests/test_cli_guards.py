"""Nonsense numbers, unusable devices and interruptions end the command with one line and a
non-zero status, never a hang, a traceback or a silent success."""

import pytest
import torch

from faceswap_kit.cli import main
from faceswap_kit.errors import InputError

BAD_NUMBERS = [
    (["synth", "o.mp4", "--fps", "0"], "--fps", "from 1 to 240"),
    (["synth", "o.mp4", "--fps", "nan"], "--fps", "from 1 to 240"),
    (["synth", "o.mp4", "--frames", "0"], "--frames", "from 1 to 100000"),
    (["synth", "o.mp4", "--seed", "-1"], "--seed", ">= 0"),
    (["train", "a", "b", "m", "--steps", "-5"], "--steps", ">= 1"),
    (["train", "a", "b", "m", "--minutes", "-1"], "--minutes", "> 0"),
    (["train", "a", "b", "m", "--minutes", "nan"], "--minutes", "> 0"),
    (["train", "a", "b", "m", "--minutes", "inf"], "--minutes", "> 0"),
    (["train", "a", "b", "m", "--steps", "1", "--batch-size", "0"], "--batch-size", ">= 1"),
    (["train", "a", "b", "m", "--steps", "1", "--checkpoint-minutes", "0"], "--checkpoint", "> 0"),
    (["train", "a", "b", "m", "--steps", "1", "--gan-power", "-1"], "--gan-power", "from 0 to 10"),
    (["train", "a", "b", "m", "--steps", "1", "--threads", "0"], "--threads", "from 1 to 256"),
    (["extract", "a", "b", "--faces-per-frame", "0"], "--faces-per-frame", "from 1 to 16"),
    (["extract", "a", "b", "--every", "0"], "--every", ">= 1"),
    (["extract", "a", "b", "--min-face", "-3"], "--min-face", ">= 0"),
    (["extract", "a", "b", "--size", "8"], "--size", "from 16 to 2048"),
    (["convert", "m", "a.mp4", "b.mp4", "--blur", "100000"], "--blur", "from 0 to 256"),
    (["convert", "m", "a.mp4", "b.mp4", "--sharpen", "1e6"], "--sharpen", "from 0 to 5"),
    (["convert", "m", "a.mp4", "b.mp4", "--opacity", "2"], "--opacity", "from 0 to 1"),
    (["convert", "m", "a.mp4", "b.mp4", "--erode", "999"], "--erode", "from -200 to 200"),
    (["live", "--frames", "0"], "--frames", ">= 1"),
    (["demo", "--minutes", "0"], "--minutes", "> 0"),
]


@pytest.mark.parametrize(("argv", "option", "valid"), BAD_NUMBERS)
def test_nonsense_numbers_stop_at_parse_time(argv, option, valid, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"argument {option}" in err and valid in err and repr(argv[-1]) in err


def test_the_apis_refuse_the_same_numbers(tmp_path):
    from faceswap_kit.merge import MergeConfig
    from faceswap_kit.synth import write_clip

    with pytest.raises(InputError, match="fps"):
        write_clip(tmp_path / "o.mp4", seed=0, frames=2, size=32, fps=0)
    with pytest.raises(InputError, match="blur"):
        MergeConfig(blur=100000)
    for amount in (1e6, float("nan")):
        with pytest.raises(InputError, match="sharpen"):
            MergeConfig(sharpen=amount)
    from faceswap_kit.dataset import extract

    with pytest.raises(InputError, match="faces_per_frame"):
        extract([], tmp_path / "set", faces_per_frame=0)
    assert not (tmp_path / "set").exists()


class _ConstantModel:
    class config:  # noqa: N801 - what convert_video reads of a model's config
        resolution = 64
        face_type = "whole_face"

    def swap(self, aligned, direction="a_to_b"):
        return torch.full_like(aligned, 0.9), torch.ones_like(aligned[:, :1])


def test_an_interrupted_convert_exits_130_and_names_the_partial_file(tmp_path, monkeypatch, capsys):
    import faceswap_kit.convert as convert
    from faceswap_kit.detect import MediaPipeDetector
    from faceswap_kit.synth import write_clip

    clip = write_clip(tmp_path / "in.mp4", seed=5, frames=6, size=128)
    real = convert.convert_video

    class Interrupting:  # Ctrl+C while the fourth frame is being looked at
        def __init__(self):
            self.inner, self.calls = MediaPipeDetector(mode="video"), 0

        def __call__(self, frame):
            self.calls += 1
            if self.calls == 4:
                raise KeyboardInterrupt
            return self.inner(frame)

    def with_ctrl_c(model, in_path, out_path, config=None, **kwargs):
        kwargs.update(detector=Interrupting())
        return real(_ConstantModel(), in_path, out_path, config, **kwargs)

    monkeypatch.setattr(convert, "convert_video", with_ctrl_c)
    out = tmp_path / "out.mp4"
    code = main(["convert", "unused", str(clip), str(out), "--quiet", "--device", "cpu"])
    assert code == 130
    err = capsys.readouterr().err
    partial = tmp_path / "out.partial.mp4"
    assert "interrupted after 3 frames" in err and str(partial) in err
    assert partial.is_file() and not out.exists()
