"""Swap quality on generated people against the ideal swap, per colour-transfer and blend mode.

For each pair of people who do not exist (A replaces B), the generator renders B's frame, the
ideal swap (A's inner face in B's head, B's pose, expression, lighting and background) and a
"perfect prediction": the same ideal swap lit as A's own footage would be (another light), cut
out as the model's aligned crop with the ideal face mask. Merging that prediction isolates the
merge stage from model quality: what is left is colour and blending error. Scores: PSNR/SSIM
inside the face mask and over the whole frame, and identity by the independent judge (dlib's face
recogniser, ``pip install ".[eval]"``): the share of frames judged to show A among a gallery of A,
B and eight other generated people, and the mean distance to A and to B. Baselines: the unchanged
frame, and the classic 2D landmark warp of a still photo of A (``faceswap_kit.warp2d``).

The ideal swap carries A's own skin tone into B's head, while colour transfer deliberately gives
the new face B's tone (as the classic tools do): the PSNR/SSIM rows with colour transfer are
therefore scored against a target they do not aim for; the identity columns are not.

    python benchmarks/bench_quality.py [--pairs 12] [--size 256] [--crop 128]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import torch


def scene(rng: np.random.Generator, seed: int):
    from faceswap_kit.synth import Background, Expression, Lighting, Pose

    expression = Expression(jaw_open=float(rng.uniform(0, 0.4)), smile=float(rng.uniform(0, 0.6)))
    pose = Pose(yaw=float(rng.uniform(-25, 25)), pitch=float(rng.uniform(-10, 10)),
                roll=float(rng.uniform(-8, 8)))  # fmt: skip

    azimuth, elevation = float(rng.uniform(-60, 60)), float(rng.uniform(0, 40))

    def light() -> Lighting:
        # same light direction, another exposure and white balance (a different camera/room)
        tint = rng.uniform(0.75, 1.0, 3)
        return Lighting(azimuth=azimuth, elevation=elevation,
                        intensity=float(rng.uniform(0.5, 1.0)), ambient=float(rng.uniform(0.25, 0.5)),
                        color=tuple(float(c) for c in tint / tint.max()))  # fmt: skip

    return expression, pose, light(), light(), Background.from_seed(seed)


def make_pair(index: int, size: int, crop: int, face_type: str = "whole_face") -> dict:
    from faceswap_kit.align import face_matrix, warp_to_aligned
    from faceswap_kit.synth import Identity, render, render_ideal_swap

    rng = np.random.default_rng(1000 + index)
    a, b = Identity.from_seed(200 + 2 * index), Identity.from_seed(201 + 2 * index)
    expression, pose, light_frame, light_a, background = scene(rng, index)
    frame = render(b, expression, pose, light_frame, background, size)
    ideal = render_ideal_swap(a, b, expression, pose, light_frame, background, size)
    as_lit_for_a = render_ideal_swap(a, b, expression, pose, light_a, background, size)
    matrix = face_matrix(frame.landmarks.double(), face_type, crop).float()
    still = render(a, size=size)
    return {
        "frame": frame.image, "ideal": ideal.image, "mask": ideal.mask,
        "landmarks": frame.landmarks, "matrix": matrix,
        "face": warp_to_aligned(as_lit_for_a.image, matrix, crop),
        "ideal_face": warp_to_aligned(ideal.image, matrix, crop),
        "face_mask": warp_to_aligned(ideal.mask, matrix, crop).clamp(0, 1),
        "still": still.image, "still_landmarks": still.landmarks,
        "seed_a": a.seed, "seed_b": b.seed,
    }  # fmt: skip


def score(image: torch.Tensor, pair: dict) -> tuple[float, ...]:
    from faceswap_kit.metrics import judge_available, masked_psnr, masked_ssim

    values = (
        float(masked_psnr(image, pair["ideal"], pair["mask"])),
        float(masked_ssim(image, pair["ideal"], pair["mask"])),
        float(masked_psnr(image, pair["ideal"])),
        float(masked_ssim(image, pair["ideal"])),
    )
    if not judge_available():
        return values
    from faceswap_kit.evaluate import identity_scores
    from faceswap_kit.metrics.identity import landmark_boxes

    judged = identity_scores(
        {"x": image}, landmark_boxes(pair["landmarks"]), pair["seed_b"], pair["seed_a"],
        image.shape[-1],
    )["x"]  # fmt: skip
    return (*values, judged["id_retrieval"], judged["id_to_intended"], judged["id_to_original"])


def warp2d_baseline(pair: dict) -> torch.Tensor | None:
    try:
        from faceswap_kit.warp2d import warp2d_swap
    except ImportError:
        return None
    return warp2d_swap(pair["frame"], pair["landmarks"], pair["still"], pair["still_landmarks"])


def table(rows: dict[str, list[tuple[float, ...]]]) -> None:
    judged = all(len(v) == 7 for values in rows.values() for v in values)
    extra = " judged A | distance to A | distance to B |" if judged else ""
    print("| method | PSNR face (dB) | SSIM face | PSNR frame (dB) | SSIM frame |" + extra)
    print("|---|---|---|---|---|" + ("---|---|---|" if judged else ""))
    for name, values in rows.items():
        means = [statistics.mean(v[i] for v in values) for i in range(len(values[0]))]
        line = f"| {name} | {means[0]:.2f} | {means[1]:.3f} | {means[2]:.2f} | {means[3]:.3f} |"
        if judged:
            line += f" {means[4]:.0%} | {means[5]:.3f} | {means[6]:.3f} |"
        print(line)
    if not judged:
        from faceswap_kit.metrics import judge_status

        print(f"\nIdentity not judged: {judge_status()}")


def main() -> None:
    from faceswap_kit.merge import COLOR_MODES, MergeConfig, merge_face

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--size", type=int, default=256, help="frame size in px")
    parser.add_argument("--crop", type=int, default=128, help="aligned crop (model) size in px")
    args = parser.parse_args()
    torch.manual_seed(0)
    pairs = [make_pair(i, args.size, args.crop) for i in range(args.pairs)]
    default = MergeConfig.default()

    modes: dict[str, list] = {"unchanged frame (baseline)": [], "2D landmark warp (baseline)": []}
    modes["ideal swap (the target)"] = [score(pair["ideal"], pair) for pair in pairs]
    for pair in pairs:
        modes["unchanged frame (baseline)"].append(score(pair["frame"], pair))
        warped = warp2d_baseline(pair)
        if warped is not None:
            modes["2D landmark warp (baseline)"].append(score(warped, pair))
    if not modes["2D landmark warp (baseline)"]:
        del modes["2D landmark warp (baseline)"]

    def run(config: MergeConfig) -> list:
        results = []
        with torch.inference_mode():
            for pair in pairs:
                out = merge_face(pair["frame"], pair["face"], pair["face_mask"], pair["matrix"],
                                 config, landmarks=pair["landmarks"])  # fmt: skip
                results.append(score(out, pair))
        return results

    with torch.inference_mode():
        modes["reference: ideal crop, feather, no colour transfer"] = [
            score(merge_face(p["frame"], p["ideal_face"], p["face_mask"], p["matrix"],
                             default.replace(color="none", blend="feather")), p)
            for p in pairs
        ]  # fmt: skip
    for blend in ("feather", "seamless"):
        for color in COLOR_MODES:
            config = default.replace(color=color, blend=blend)
            modes[f"merge: {color}, {blend}"] = run(config)
    print(f"{args.pairs} pairs of generated people, {args.size} px frames, {args.crop} px crops; "
          f"perfect prediction lit differently; erode {default.erode}, blur {default.blur}, "
          f"mask {default.mask}\n")  # fmt: skip
    table(modes)

    print("\n## Mask shaping and mask source (colour and blend of the default)\n")
    sweep: dict[str, list] = {}
    for mask in ("predicted", "hull", "both"):
        for erode, blur in ((0, 5), (1, 9), (2, 11), (3, 15), (5, 25)):
            config = default.replace(mask=mask, erode=erode, blur=blur)
            sweep[f"{mask}, erode {erode}, blur {blur}"] = run(config)
    table(sweep)
    print(f"\ndefault: {default}")


if __name__ == "__main__":
    main()
