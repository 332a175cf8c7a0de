"""How different are the generated people, to an independent face recogniser?

dlib's face recogniser (the kit's identity judge, ``pip install ".[eval]"``) embeds a frontal
render of each of N generated people (same light, same plain background) and the two real
public-domain portraits that ship inside dependencies (scikit-image's astronaut, matplotlib's
Grace Hopper). It prints the diversity table: share of pairs of different people judged
different (distance > 0.6), mean and lowest distance between different people; and the same
person across pose (yaw within +-30 degrees), expression and lighting (random scenes), against
that person's frontal render.

    python benchmarks/bench_identity.py --people 200 --views 4
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch


def _portraits() -> list[np.ndarray]:
    from faceswap_kit.synth.base_mesh import portraits

    return portraits()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200, help="generated people (default 200)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--views", type=int, default=4, help="shots per person, same-person test")
    parser.add_argument(
        "--same-people", type=int, default=40, help="people in the same-person test (default 40)"
    )
    parser.add_argument("--size", type=int, default=256, help="render side in pixels")
    args = parser.parse_args()

    from faceswap_kit.metrics.identity import (
        SAME_PERSON_DISTANCE,
        identity_embeddings,
        judge_status,
        landmark_boxes,
    )
    from faceswap_kit.synth import Identity, Scene, render
    from faceswap_kit.synth.check import distinct_pairs

    problem = judge_status()
    if problem is not None:
        print(f"cannot run: {problem}")
        return 2
    start = time.perf_counter()
    seeds = list(range(args.first_seed, args.first_seed + args.people))
    judged = distinct_pairs(seeds, args.size)
    people, pairs, missed = judged.embeddings, judged.distances, judged.missed
    different = pairs > SAME_PERSON_DISTANCE

    same = []
    for index, seed in enumerate(seeds[: args.same_people]):
        person = Identity.from_seed(seed)
        for view in range(args.views):
            scene = Scene.random(10_000 + 97 * seed + view, max_yaw=30, max_pitch=12)
            shot = render(person, scene.expression, scene.pose, scene.lighting, scene.background,
                          args.size)  # fmt: skip
            found = identity_embeddings(shot.image, landmark_boxes(shot.landmarks))[0]
            same.append(float((found.double() - people[index]).norm()))
    same = np.asarray(same)

    real_embeddings = torch.cat(
        [
            identity_embeddings(torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255)
            for image in _portraits()
        ]
    ).double()
    real_distance = float((real_embeddings[0] - real_embeddings[1]).norm())
    seconds = time.perf_counter() - start

    load = os.getloadavg()[0]
    print(
        f"\n### Identity diversity of generated people: {len(seeds)} people (seeds "
        f"{seeds[0]}-{seeds[-1]}), frontal {args.size} px renders, dlib face recogniser\n"
    )
    print("| measure | generated people | bar | met | two real portraits |")
    print("|---|---|---|---|---|")
    share = float(different.mean())
    print(
        f"| pairs of different people judged different (> {SAME_PERSON_DISTANCE}) | "
        f"{share:.1%} of {len(pairs)} | >= 80% (aim 90%) | {share >= 0.8} | "
        f"{'1 of 1' if real_distance > SAME_PERSON_DISTANCE else '0 of 1'} |"
    )
    print(
        f"| distance between different people: mean / 10th percentile / lowest | "
        f"{pairs.mean():.3f} / {np.percentile(pairs, 10):.3f} / {pairs.min():.3f} | - | - | "
        f"{real_distance:.3f} |"
    )
    print(
        f"| same person across yaw +-30, expression, light ({len(same)} shots of "
        f"{min(args.same_people, len(seeds))} people): mean / max | "
        f"{same.mean():.3f} / {same.max():.3f} | mean <= 0.45 | {same.mean() <= 0.45} | - |"
    )
    print(
        f"| same-person shots judged the same person (< {SAME_PERSON_DISTANCE}) | "
        f"{(same < SAME_PERSON_DISTANCE).mean():.1%} | - | - | - |"
    )
    print(f"| frontal renders where dlib's own detector missed the face | {missed} | - | - | - |")
    print(f"\n{seconds:.0f} s in all; load average {load:.1f} on {os.cpu_count()} CPU cores.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
