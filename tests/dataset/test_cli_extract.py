import json

from faceswap_kit.cli import main


def test_cli_extract(tmp_path, clip, capfd):
    out = tmp_path / "set"
    code = main(["extract", str(clip), str(out), "--size", "64", "--face-type", "full",
                 "--name", "astronaut", "--consent", "public domain"])  # fmt: skip
    assert code == 0
    assert "12 faces" in capfd.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["face_type"] == "full" and manifest["size"] == 64
    assert manifest["identity"]["name"] == "astronaut"


def test_cli_extract_errors(tmp_path, capfd):
    assert main(["extract", str(tmp_path / "missing.mp4"), str(tmp_path / "o")]) == 2
    err = capfd.readouterr().err
    assert "does not exist" in err and "Traceback" not in err and len(err.splitlines()) == 1
    blank = tmp_path / "blank.png"
    import numpy as np

    from faceswap_kit.io import write_image

    write_image(blank, np.full((64, 64, 3), 200, np.uint8))
    assert main(["extract", str(blank), str(tmp_path / "o2")]) == 2
    assert "no face found" in capfd.readouterr().err
    assert main(["extract", str(blank), str(tmp_path / "o3"), "--choose", "left"]) == 2
