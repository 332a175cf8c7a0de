import json

import pytest

from faceswap_kit.cli import main
from faceswap_kit.dataset.faceset import FaceSet
from faceswap_kit.dataset.format import MANIFEST_FORMAT
from faceswap_kit.io import write_image
from faceswap_kit.train.synthfaces import synth_faceset


def write_dataset(folder, faceset: FaceSet, seed: int):
    """A face set folder in the extraction format (manifest + faces/NNNNNN.png/.json)."""
    (folder / "faces").mkdir(parents=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "size": faceset.size,
        "face_type": faceset.face_type,
        "image_format": "png",
        "identity": {"name": f"synthetic-{seed}", "synthetic": True, "consent": "generated"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for index in range(len(faceset)):
        name = f"{index:06d}"
        write_image(
            folder / "faces" / f"{name}.png", faceset.images[index].permute(1, 2, 0).numpy()
        )
        meta = {"image": f"{name}.png", "landmarks_aligned": faceset.landmarks[index].tolist()}
        (folder / "faces" / f"{name}.json").write_text(json.dumps(meta))
    return folder


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    return (
        write_dataset(root / "a", synth_faceset(3, 6, 64), 3),
        write_dataset(root / "b", synth_faceset(5, 6, 64), 5),
    )


def test_train_and_resume_through_cli(datasets, tmp_path, capsys):
    a, b = datasets
    model = tmp_path / "model"
    args = ["train", str(a), str(b), str(model), "--steps", "2", "--batch-size", "2"]
    assert main([*args, "--no-progress", "--score-pairs", "2"]) == 0
    out = capsys.readouterr().out
    assert "trained to step 2" in out and "score:\nmodel" in out and "SSIM" in out
    card = json.loads((model / "card.json").read_text())
    assert card["synthetic"] is True and card["scores"]["methods"]["model"]["ssim"] < 1
    assert card["identities"]["b"]["name"] == "synthetic-5"
    resume = ["train", str(a), str(b), str(model), "--steps", "3", "--resume", "--no-progress"]
    assert main([*resume, "--score-pairs", "0"]) == 0
    assert json.loads((model / "state.json").read_text())["step"] == 3


def test_cli_bad_input_is_one_line(datasets, tmp_path, capsys):
    a, _ = datasets
    assert (
        main(["train", str(a), str(tmp_path / "missing"), str(tmp_path / "m"), "--steps", "1"]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "error:" in line] == [err.splitlines()[-1]]
    assert "does not exist" in err.splitlines()[-1]
    assert main(["train", str(a), str(a), str(tmp_path / "m")]) == 2
    assert "budget" in capsys.readouterr().err
    assert main(["train", str(a), str(a), str(tmp_path / "m"), "--steps", "1", "--resume"]) == 2
    assert "config.json is missing" in capsys.readouterr().err
