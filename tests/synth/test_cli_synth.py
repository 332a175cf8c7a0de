"""``faceswap-kit synth`` through the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from faceswap_kit.cli import main


def test_synth_writes_clip_and_ground_truth(tmp_path, capfd):
    out = tmp_path / "person.mp4"
    assert main(["synth", str(out), "--seed", "3", "--frames", "4", "--size", "64"]) == 0
    assert out.stat().st_size > 0
    assert len(json.loads(out.with_suffix(".json").read_text())["frames"]) == 4


def test_synth_sheet(tmp_path):
    from faceswap_kit.io.images import read_image

    out = tmp_path / "sheet.png"
    assert main(["synth", "--sheet", str(out), "--people", "2", "--size", "48"]) == 0
    assert read_image(out).shape == (96, 48 * 5, 3)


def _run(args, capfd) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse errors exit directly
        code = exc.code
    return code, capfd.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["synth", "OUT.mp4", "--size", "3"],
        ["synth", "OUT.mp4", "--frames", "0"],
        ["synth", "/proc/no/such/OUT.mp4", "--size", "64", "--frames", "2"],
        ["synth", "--sheet", "sheet.gif"],
        ["synth", "OUT.mp4", "--size", "big"],
        ["synth"],
    ],
)
def test_bad_input_is_one_line(args, capfd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = _run(args, capfd)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "OUT.mp4").exists()


def test_unwritable_path_through_the_real_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "faceswap_kit", "synth", "/proc/x/OUT.mp4", "--frames", "2"],
        capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[2]), "PATH": ""},
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
