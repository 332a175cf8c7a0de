"""A contact sheet of generated people: one row per person, a few poses and expressions each."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import InputError
from .params import Background, Expression, Identity, Lighting, Pose
from .renderer import _check_size, render, render_ideal_swap

#: The shots on each row: neutral, smiling, talking three-quarter, blinking profile-ish, looking up.
SHOTS = (
    (Expression(), Pose()),
    (Expression(smile=0.9, jaw_open=0.15), Pose(yaw=-20, pitch=5, roll=-4)),
    (Expression(jaw_open=0.5, brows=0.6, gaze_x=-10), Pose(yaw=32, pitch=-6, roll=3)),
    (Expression(blink_left=1.0, blink_right=1.0, smile=0.3), Pose(yaw=-40, pitch=10)),
)


def contact_sheet(
    seeds, size: int = 192, shots=SHOTS, swap_column: bool = True, supersample: int = 2
) -> torch.Tensor:
    """Render a grid of people: one row per seed, one column per shot.

    Args:
        seeds: identity seeds, one row each.
        size: side of each tile in pixels.
        shots: ``(Expression, Pose)`` pairs, one column each.
        swap_column: add a last column with the ideal swap of this row's face into the next
            row's head (the ground truth used to score swaps).

    Returns:
        ``(1, 3, rows*size, cols*size)`` float32 image.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("contact_sheet needs at least one seed, got none")
    size = _check_size(size)
    rows = []
    for row, seed in enumerate(seeds):
        identity = Identity.from_seed(seed)
        background = Background.from_seed(seed)
        lighting = Lighting(azimuth=25.0 - 12 * (row % 4), elevation=25.0)
        tiles = [
            render(
                identity, expression, pose, lighting, background, size, supersample=supersample
            ).image
            for expression, pose in shots
        ]
        if swap_column:
            target = Identity.from_seed(
                seeds[(row + 1) % len(seeds)] if len(seeds) > 1 else seed + 1
            )
            expression, pose = shots[1]
            tiles.append(
                render_ideal_swap(
                    identity,
                    target,
                    expression,
                    pose,
                    lighting,
                    Background.from_seed(target.seed),
                    size,
                    supersample=supersample,
                ).image  # fmt: skip
            )
        rows.append(torch.cat(tiles, dim=3))
    return torch.cat(rows, dim=2)


def sheet_array(sheet: torch.Tensor) -> np.ndarray:
    """The sheet as uint8 RGB ``(H, W, 3)`` (for writing to disk)."""
    return (sheet[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255 + 0.5).astype(np.uint8)
