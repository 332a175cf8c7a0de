"""Figures for notebook 05 ("spot the fake"): where a swap leaves traces, cue by cue."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .. import forensics


def _image(t: Tensor) -> np.ndarray:
    return t.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()


def _gradient(t: Tensor) -> np.ndarray:
    gray = forensics._gray(t[None])
    return forensics._gradient_magnitude(gray)[0, 0].cpu().numpy()


def show_pair(real: Tensor, fake: Tensor, mask: Tensor, zoom: bool = True):
    """Real frame, fake frame, their difference, and the fake's gradients with the mask's edge.

    Args:
        real, fake: ``(3,H,W)`` or ``(1,3,H,W)`` frames. mask: ``(1,H,W)`` or ``(1,1,H,W)``.
        zoom: crop every panel to the face.
    """
    import matplotlib.pyplot as plt

    real, fake, mask = real.reshape(3, *real.shape[-2:]), fake.reshape(3, *fake.shape[-2:]), mask
    mask2d = mask.reshape(*mask.shape[-2:]).cpu().numpy() > 0.5
    ys, xs = np.nonzero(mask2d)
    box = (slice(None), slice(None))
    if zoom and len(ys):
        pad = int(0.15 * max(np.ptp(ys), np.ptp(xs)))
        box = (
            slice(max(ys.min() - pad, 0), ys.max() + pad),
            slice(max(xs.min() - pad, 0), xs.max() + pad),
        )
    difference = np.clip(np.abs(_image(fake) - _image(real)) * 4, 0, 1)
    panels = [
        (_image(real), "real frame"),
        (_image(fake), "swapped frame"),
        (difference, "difference x4"),
        (_gradient(fake), "gradients of the swap + mask edge"),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
    for ax, (image, title) in zip(axes, panels, strict=True):
        ax.imshow(image[box], cmap="magma" if image.ndim == 2 else None)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    axes[3].contour(mask2d[box], levels=[0.5], colors="cyan", linewidths=0.8)
    fig.tight_layout()
    return fig


def cue_histograms(real: dict[str, Tensor], fakes: dict[str, dict[str, Tensor]]):
    """One panel per cue: the distribution over frames for the real clip and each kind of fake,
    titled with each fake's AUC as it is: the chance that a fake frame scores *higher* than a real
    one (1: always higher, 0.5: a coin toss, 0: always lower — the cue points the other way)."""
    import matplotlib.pyplot as plt

    cues = list(real)
    fig, axes = plt.subplots(1, len(cues), figsize=(4.2 * len(cues), 3.2))
    for ax, cue in zip(np.atleast_1d(axes), cues, strict=True):
        values = [real[cue].cpu().numpy()] + [f[cue].cpu().numpy() for f in fakes.values()]
        low, high = min(v.min() for v in values), max(v.max() for v in values)
        bins = np.linspace(low, high + 1e-6, 20)
        ax.hist(values[0], bins=bins, alpha=0.6, label="real")
        title = [f"{cue}: AUC (fake scores higher)"]
        for (name, fake), value in zip(fakes.items(), values[1:], strict=True):
            ax.hist(value, bins=bins, alpha=0.6, label=name)
            title.append(f"{name}: {forensics.roc_auc(real[cue], fake[cue]):.2f}")
        ax.set_title("\n".join(title), fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def spectra_figure(curves: dict[str, Tensor], reference: str | None = None):
    """Mean radial log power spectrum of each set of face crops (``name -> (B, bins)``), without
    the zero-frequency bin (the mean brightness, removed before the transform); and, on the right,
    each curve minus the ``reference`` one (default: the first), where differences show."""
    import matplotlib.pyplot as plt

    reference = reference or next(iter(curves))
    means = {name: spectrum.float().mean(0).cpu().numpy()[1:] for name, spectrum in curves.items()}
    frequency = np.linspace(0, 1, len(means[reference]) + 1)[1:]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4))
    for name, mean in means.items():
        left.plot(frequency, mean, label=name)
        if name != reference:
            right.plot(frequency, mean - means[reference], label=f"{name} - {reference}")
    left.set_ylabel("log10 power")
    right.axhline(0, color="#888888", lw=0.8)
    right.set_ylabel(f"log10 power, minus {reference}")
    for ax in (left, right):
        ax.set_xlabel("spatial frequency (fraction of Nyquist)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def face_crops(frames: Tensor, masks: Tensor, size: int = 96) -> Tensor:
    """Square crops around each frame's mask, resized to ``size`` (for spectra)."""
    crops = []
    for frame, mask in zip(frames, masks, strict=True):
        ys, xs = torch.nonzero(mask[0] > 0.5, as_tuple=True)
        if len(ys) == 0:
            continue
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        crop = frame[:, y0:y1, x0:x1][None]
        crops.append(torch.nn.functional.interpolate(crop, size=(size, size), mode="area"))
    return torch.cat(crops) if crops else frames.new_zeros(0, 3, size, size)
