"""Pictures of the merge stage: the steps of one swap, colour-transfer modes, blend modes.

Every function returns a matplotlib ``Figure`` (matplotlib imported inside); the image helpers
return uint8 arrays so widgets can reuse them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..io import image_to_tensor, tensor_to_image
from ..merge import COLOR_MODES, MergeConfig, merge_face_detailed, transfer_color


def _row(axes, images: list[np.ndarray], titles: list[str]) -> None:
    for ax, image, title in zip(axes, images, titles, strict=False):
        ax.imshow(image)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()


def _compact(fig) -> None:
    """Cheap fixed margins (``tight_layout`` costs seconds on a busy CPU)."""
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.05, hspace=0.2)


def swap_steps_figure(frame: np.ndarray, result: Any, config: MergeConfig | None = None):
    """Frame -> aligned crop -> raw prediction -> predicted mask -> shaped mask -> merged frame.

    Args:
        frame: the (H,W,3) uint8 frame. result: a :class:`faceswap_kit.pipeline.SwapResult`.
        config: merge settings to show (default: ``MergeConfig.default()``).
    """
    import matplotlib.pyplot as plt

    config = config or MergeConfig.default()
    merged = merge_face_detailed(
        image_to_tensor(frame), result.predicted[:1], result.mask[:1], result.matrix[:1].float(),
        config, landmarks=result.landmarks[:1].float(),
    )  # fmt: skip
    fig, axes = plt.subplots(1, 6, figsize=(15, 3))
    _row(
        axes,
        [
            frame,
            tensor_to_image(result.aligned),
            tensor_to_image(result.predicted),
            tensor_to_image(result.mask),
            tensor_to_image(merged.alpha),
            tensor_to_image(merged.output),
        ],  # fmt: skip
        [
            "frame",
            "aligned crop",
            "raw prediction",
            "predicted mask",
            f"mask after erode {config.erode}, blur {config.blur}",
            "merged",
        ],  # fmt: skip
    )
    _compact(fig)
    return fig


def color_modes_figure(frame: np.ndarray, result: Any, config: MergeConfig | None = None):
    """Top row: the prediction recoloured by every colour-transfer mode; bottom: merged crops."""
    import matplotlib.pyplot as plt

    config = config or MergeConfig.default()
    image = image_to_tensor(frame)
    fig, axes = plt.subplots(2, len(COLOR_MODES), figsize=(2.4 * len(COLOR_MODES), 5))
    for col, mode in enumerate(COLOR_MODES):
        merged = merge_face_detailed(
            image, result.predicted[:1], result.mask[:1], result.matrix[:1].float(),
            config.replace(color=mode), landmarks=result.landmarks[:1].float(),
        )  # fmt: skip
        x0, y0, x1, y1 = merged.box
        _row([axes[0][col]], [tensor_to_image(merged.face)], [mode])
        _row(
            [axes[1][col]], [tensor_to_image(merged.output[..., y0:y1, x0:x1])], [f"{mode}, merged"]
        )
    _compact(fig)
    return fig


def blend_modes_figure(frame: np.ndarray, result: Any, config: MergeConfig | None = None):
    """Feathered alpha vs seamless (Poisson) clone, at the face's box, with the original."""
    import matplotlib.pyplot as plt

    config = config or MergeConfig.default()
    image = image_to_tensor(frame)
    outputs = {}
    for blend in ("feather", "seamless"):
        outputs[blend] = merge_face_detailed(
            image, result.predicted[:1], result.mask[:1], result.matrix[:1].float(),
            config.replace(blend=blend), landmarks=result.landmarks[:1].float(),
        )  # fmt: skip
    x0, y0, x1, y1 = outputs["feather"].box
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.3))
    _row(
        axes,
        [frame[y0:y1, x0:x1]]
        + [tensor_to_image(o.output[..., y0:y1, x0:x1]) for o in outputs.values()],
        ["original", "feathered alpha", "seamless (Poisson)"],
    )
    _compact(fig)
    return fig


def color_transfer_grid(
    source: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None
):
    """Source, target and the source recoloured by every mode, on any (1,3,H,W) pair."""
    import matplotlib.pyplot as plt

    images = [tensor_to_image(source), tensor_to_image(target)]
    titles = ["source", "target (colours to take)"]
    for mode in COLOR_MODES[1:]:
        images.append(tensor_to_image(transfer_color(source, target, mode, mask=mask)))
        titles.append(mode)
    fig, axes = plt.subplots(1, len(images), figsize=(2.2 * len(images), 2.6))
    _row(axes, images, titles)
    _compact(fig)
    return fig


def jitter_figure(raw: torch.Tensor, smoothed: torch.Tensor, point: int = 1, fps: float = 25.0):
    """x and y of one landmark over time, raw and One-Euro smoothed: (T,N,2) each."""
    import matplotlib.pyplot as plt

    t = np.arange(raw.shape[0]) / fps
    fig, axes = plt.subplots(1, 2, figsize=(10, 2.8))
    for axis, name in enumerate("xy"):
        axes[axis].plot(t, raw[:, point, axis].numpy(), lw=1, label="raw landmarks")
        axes[axis].plot(t, smoothed[:, point, axis].numpy(), lw=2, label="One-Euro")
        axes[axis].set_xlabel("seconds")
        axes[axis].set_ylabel(f"{name} (px) of point {point}")
    axes[0].legend()
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.2, top=0.95, wspace=0.25)
    return fig


def merged_face(
    frame: np.ndarray,
    result: Any,
    config: MergeConfig | None = None,
    predicted: torch.Tensor | None = None,
    pad: float = 0.15,
) -> np.ndarray:
    """One merge of a swapped frame, cropped around the face: ``(h, w, 3)`` uint8.

    Args:
        frame: the (H,W,3) uint8 frame. result: its :class:`~faceswap_kit.pipeline.SwapResult`.
        config: merge settings (default ``MergeConfig.default()``).
        predicted: ``(1,3,S,S)`` face to merge instead of the model's prediction (for example the
            model's other direction).
        pad: margin around the face's box, as a fraction of its size.
    """
    config = config or MergeConfig.default()
    face = result.predicted[:1] if predicted is None else predicted[:1]
    merged = merge_face_detailed(
        image_to_tensor(frame), face, result.mask[:1], result.matrix[:1].float(), config,
        landmarks=result.landmarks[:1].float(),
    )  # fmt: skip
    points = result.landmarks[0].float()
    (x0, y0), (x1, y1) = points.min(0).values.tolist(), points.max(0).values.tolist()
    margin = pad * max(x1 - x0, y1 - y0)
    height, width = frame.shape[:2]
    top, bottom = max(int(y0 - margin), 0), min(int(y1 + margin) + 1, height)
    left, right = max(int(x0 - margin), 0), min(int(x1 + margin) + 1, width)
    return tensor_to_image(merged.output)[top:bottom, left:right]


def before_after_figure(rows: dict[str, tuple[np.ndarray, np.ndarray]], titles=("before", "after")):
    """One row per problem: the picture before the fix and after it (``name -> (before, after)``)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(rows), 2, figsize=(5.6, 2.8 * len(rows)), squeeze=False)
    for (name, pictures), pair in zip(rows.items(), axes, strict=True):
        for ax, picture, title in zip(pair, pictures, titles, strict=True):
            ax.imshow(picture)
            ax.set_title(f"{name}: {title}", fontsize=9)
            ax.set_axis_off()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95, wspace=0.05, hspace=0.15)
    return fig
