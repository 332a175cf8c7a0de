"""Pictures of training: the preview grid, loss curves, the random warp, score curves.

The preview grid is plain tensor work (fast enough to refresh a widget every second); the plots
use matplotlib, imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from faceswap_kit.train.augment import warp_batch

PREVIEW_COLUMNS = (
    ("a", "A"),
    ("a_to_a", "A→A"),
    ("a_to_b", "A→B"),
    ("mask_a", "mask A"),
    ("b", "B"),
    ("b_to_b", "B→B"),
    ("b_to_a", "B→A"),
    ("mask_b", "mask B"),
)


def preview_grid(preview: dict[str, torch.Tensor], gap: int = 2) -> np.ndarray:
    """Lay out :meth:`Trainer.preview` as one uint8 RGB image.

    Columns: A, A→A, A→B, predicted mask of A, B, B→B, B→A, mask of B; one row per face.

    Returns:
        ``(H, W, 3)`` uint8.

    >>> p = {k: torch.rand(2, 1 if k.startswith("mask") else 3, 8, 8) for k, _ in PREVIEW_COLUMNS}
    >>> preview_grid(p).shape
    (18, 78, 3)
    """
    columns = []
    for key, _ in PREVIEW_COLUMNS:
        images = preview[key].float().clamp(0, 1)
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        _, _, height, width = images.shape
        rows = []
        for image in images:
            rows += [image, torch.ones(3, gap, width)]
        column = torch.cat(rows[:-1], dim=1)  # (3, n*h + (n-1)*gap, w)
        columns += [column, torch.ones(3, column.shape[1], gap)]
    grid = torch.cat(columns[:-1], dim=2)
    return (grid.permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()


def swap_preview(
    model: Any, faces_a: torch.Tensor, faces_b: torch.Tensor, count: int = 4
) -> dict[str, torch.Tensor]:
    """What a trained :class:`~faceswap_kit.models.SwapModel` makes of some faces, laid out like
    :meth:`Trainer.preview` (for :func:`plot_preview` and :func:`preview_grid`).

    Args:
        model: the swap model. faces_a, faces_b: ``(N, 3, S, S)`` aligned faces of A and B, uint8
            or float in [0, 1], any size (resized to the model's resolution).
        count: faces per side.
    """
    size = model.config.resolution
    out: dict[str, torch.Tensor] = {}
    for side, other, faces in (("a", "b", faces_a), ("b", "a", faces_b)):
        faces = faces[:count].float() / (255.0 if faces.dtype == torch.uint8 else 1.0)
        if faces.shape[-1] != size:
            faces = torch.nn.functional.interpolate(faces, size=(size, size), mode="area")
        out[side] = faces
        out[f"{side}_to_{side}"], out[f"mask_{side}"] = model.swap(faces, f"{side}_to_{side}")
        out[f"{side}_to_{other}"] = model.swap(faces, f"{side}_to_{other}")[0]
    return out


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a uint8 RGB image (for widgets)."""
    import cv2

    ok, data = cv2.imencode(".png", np.ascontiguousarray(image[..., ::-1]))
    if not ok:  # pragma: no cover
        raise ValueError("PNG encoding failed")
    return data.tobytes()


def plot_preview(preview: dict[str, torch.Tensor], ax: Any = None, title: str | None = None) -> Any:
    """Show the preview grid with column titles; returns the axes."""
    import matplotlib.pyplot as plt

    grid = preview_grid(preview)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, grid.shape[1] / 40), grid.shape[0] / 40 + 0.6))
    ax.imshow(grid)
    width = grid.shape[1] / len(PREVIEW_COLUMNS)
    ax.set_xticks([width * (i + 0.5) for i in range(len(PREVIEW_COLUMNS))])
    ax.set_xticklabels([label for _, label in PREVIEW_COLUMNS])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_losses(history: list[dict[str, float]], ax: Any = None) -> Any:
    """Loss curves from a trainer's history: total and each term (A and B summed)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    if not history:
        ax.set_title("no loss recorded yet")
        return ax
    steps = [h["step"] for h in history]
    ax.plot(steps, [h["total"] for h in history], label="total", color="black", linewidth=2)
    terms = sorted({k[:-2] for k in history[0] if k.endswith(("_a", "_b"))})
    for term in terms:
        values = [h.get(f"{term}_a", 0.0) + h.get(f"{term}_b", 0.0) for h in history]
        ax.plot(steps, values, label=term, linewidth=1)
    for extra in ("gan", "discriminator"):
        if extra in history[0]:
            ax.plot(steps, [h[extra] for h in history], label=extra, linestyle="--")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8, ncol=3)
    ax.grid(alpha=0.3)
    return ax


def plot_random_warp(
    faces: torch.Tensor, generator: torch.Generator, strength: float = 0.05, ax: Any = None
) -> Any:
    """Faces (top) and the same faces randomly warped (bottom), with the warp grid drawn."""
    import matplotlib.pyplot as plt

    n, _, size, _ = faces.shape
    lines = torch.zeros(n, 1, size, size)
    lines[..., :: max(4, size // 8), :] = 1
    lines[..., :, :: max(4, size // 8)] = 1
    warped, _, _ = warp_batch(
        torch.cat([faces, lines.expand(-1, 3, -1, -1)]),
        torch.zeros(2 * n, 1, size, size),
        generator,
        rotation=0, scale=0, shift=0, flip=False, warp=strength,
    )  # fmt: skip
    shown_grid = warped[n:, :1]
    overlay = warped[:n] * (1 - 0.6 * shown_grid) + 0.6 * shown_grid * torch.tensor(
        [1.0, 1, 0]
    ).view(1, 3, 1, 1)
    top = torch.cat(list(faces), dim=2)
    bottom = torch.cat(list(overlay), dim=2)
    image = torch.cat([top, bottom], dim=1).permute(1, 2, 0).clamp(0, 1).numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * n, 3.4))
    ax.imshow(image)
    ax.set_axis_off()
    ax.set_title("top: faces; bottom: randomly warped input (yellow: the warped grid)")
    return ax


def plot_scores(
    scores: list[dict[str, Any]], metric: str = "ssim", ax: Any = None, x: str = "step"
) -> Any:
    """The swap score against steps (``x="step"``) or minutes (``x="minutes"``), with baselines."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    xs = [s["step"] if x == "step" else s["seconds"] / 60 for s in scores]
    ax.plot(xs, [s["methods"]["model"][metric] for s in scores], marker="o", label="model A→B")
    for name, style in (("warp2d", "--"), ("unchanged", ":")):
        if scores and name in scores[-1]["methods"]:
            ax.plot(xs, [s["methods"][name][metric] for s in scores], linestyle=style, label=name)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric.upper()} in face mask vs ideal swap")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
