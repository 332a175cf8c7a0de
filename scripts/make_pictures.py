"""Make the README's swap pictures from a finished demo folder and the bundled any-face model.

    PYTHONPATH=. python scripts/make_pictures.py [--demo out/demo] [--out docs/images]

Writes ``demo_swap.jpg`` (frames of the demo's ``swap_b_to_a.mp4``: B's clip | A's face merged in,
with the ideal-swap reference of A beside them) and ``anyface.jpg`` (the any-face model on
generated people it never saw and on the two public-domain portraits; the independent judge's
distances to the target and to the input under each swap). Every picture is synthetic output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch


def _label(image: np.ndarray, text: str) -> np.ndarray:
    import cv2

    out = np.ascontiguousarray(image)
    (width, height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
    out[: height + 10, : width + 10] //= 3  # a dark band behind the text
    cv2.putText(out, text, (5, height + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                cv2.LINE_AA)  # fmt: skip
    return out


def _as_image(tensor: torch.Tensor) -> np.ndarray:
    return (tensor[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255).round().astype(np.uint8)


def demo_picture(demo: Path, out: Path) -> None:
    import json

    from faceswap_kit.io import VideoReader, write_image
    from faceswap_kit.synth import Identity, render

    frames = list(VideoReader(demo / "swap_b_to_a.mp4"))
    config = json.loads((demo / "summary.json").read_text())["config"]
    size = frames[0].shape[0]
    person_a = render(Identity.from_seed(config["seed_a"]), size=size).image[0]
    reference = (person_a.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    rows = []
    for index in np.linspace(5, len(frames) - 5, 3).astype(int):
        frame = frames[index]
        half = frame.shape[1] // 2
        rows.append(
            np.concatenate(
                [
                    _label(frame[:, :half], "B, original"),
                    _label(frame[:, half:], "swapped: A's face"),
                    _label(reference.copy(), "A, for reference"),
                ],
                1,
            )
        )
    write_image(out / "demo_swap.jpg", np.concatenate(rows, 0))


def anyface_picture(out: Path) -> None:
    import cv2

    from faceswap_kit.evaluate import anyface_on_frames
    from faceswap_kit.io import write_image
    from faceswap_kit.models import load_model
    from faceswap_kit.synth import Expression, Identity, Pose, render
    from faceswap_kit.synth.base_mesh import portraits

    model = load_model("anyface-lite")
    size = 256
    inputs = [
        render(Identity.from_seed(seed), Expression(smile=0.4), Pose(yaw=yaw), size=size).image
        for seed, yaw in ((101, -15), (202, 0), (303, 20), (404, 10))
    ]
    names = ["generated 101", "generated 202", "generated 303", "generated 404"]
    for name, portrait in zip(("astronaut, real", "G. Hopper, real"), portraits(), strict=True):
        square = min(portrait.shape[:2])
        crop = np.ascontiguousarray(portrait[:square, :square])
        crop = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
        inputs.append(torch.from_numpy(crop).permute(2, 0, 1)[None].float() / 255)
        names.append(name)
    result = anyface_on_frames(model, torch.cat(inputs))
    top, bottom = [], []
    for k, (name, frame) in enumerate(zip(names, inputs, strict=True)):
        to_target, to_input = result["to_target"][k], result["to_input"][k]
        verdict = "no face" if to_target is None else f"target {to_target:.2f} / in {to_input:.2f}"
        top.append(_label(_as_image(frame), name))
        bottom.append(_label(_as_image(result["swapped"][k : k + 1]), verdict))
    write_image(
        out / "anyface.jpg", np.concatenate([np.concatenate(top, 1), np.concatenate(bottom, 1)], 0)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default="out/demo", help="a finished demo folder")
    parser.add_argument("--out", default="docs/images")
    args = parser.parse_args()
    out = Path(args.out)
    demo_picture(Path(args.demo), out)
    anyface_picture(out)
    print(f"wrote {out / 'demo_swap.jpg'} and {out / 'anyface.jpg'}")


if __name__ == "__main__":
    main()
