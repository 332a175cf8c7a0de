"""Short clips of a person who does not exist: talking, blinking, turning the head smoothly.

Every frame comes with its ground truth (landmarks, pose, expression), and :func:`write_clip`
writes the video and a JSON file beside it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..errors import InputError, MediaError
from ..io.atomic import write_json_atomic
from ..io.video import VideoWriter
from ..provenance import Provenance
from .params import Background, Expression, Identity, Lighting, Pose
from .renderer import Render, _check_size, render

log = logging.getLogger(__name__)

MAX_FRAMES = 100_000


def clip_parameters(
    seed: int, frames: int, fps: float = 25.0, max_yaw: float = 30.0, max_pitch: float = 12.0
) -> list[tuple[Expression, Pose]]:
    """Smooth expression and pose for every frame of a clip (deterministic in ``seed``).

    The head turns on slow sine paths; the jaw follows syllable-like bursts; the eyes blink
    every few seconds.
    """
    rng = np.random.Generator(np.random.PCG64(int(seed) + 424242))
    t = np.arange(frames) / fps
    phase = rng.uniform(0, 2 * np.pi, 8)
    speed = rng.uniform(0.7, 1.3, 4)
    yaw = max_yaw * np.sin(2 * np.pi * 0.13 * speed[0] * t + phase[0])
    pitch = max_pitch * 0.6 * np.sin(2 * np.pi * 0.21 * speed[1] * t + phase[1])
    roll = 5.0 * np.sin(2 * np.pi * 0.09 * speed[2] * t + phase[2])
    # Talking: fast syllables under a slower phrase envelope.
    syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 3.7 * t + phase[3]) * np.sin(
        2 * np.pi * 1.3 * t + phase[4]
    )
    phrase = np.clip(1.3 * np.sin(2 * np.pi * 0.25 * speed[3] * t + phase[5]) + 0.4, 0, 1)
    jaw = np.clip(0.45 * syllables * phrase, 0, 1)
    smile = np.clip(0.35 + 0.3 * np.sin(2 * np.pi * 0.07 * t + phase[6]), 0, 1)
    brows = 0.3 * np.sin(2 * np.pi * 0.17 * t + phase[7])
    blink = np.zeros(frames)
    start = rng.uniform(0.5, 2.0)
    while start < t[-1] + 1 if frames else False:
        blink = np.maximum(blink, np.clip(1 - np.abs(t - start) / 0.09, 0, 1))
        start += rng.uniform(2.0, 4.5)
    gaze_x = -0.3 * yaw
    out = []
    for k in range(frames):
        expression = Expression(
            jaw_open=float(jaw[k]), smile=float(smile[k]), blink_left=float(blink[k]),
            blink_right=float(blink[k]), brows=float(brows[k]), gaze_x=float(gaze_x[k]),
        )  # fmt: skip
        pose = Pose(yaw=float(yaw[k]), pitch=float(pitch[k]), roll=float(roll[k]))
        out.append((expression, pose))
    return out


def _check_frames(frames) -> int:
    if (
        isinstance(frames, bool)
        or not isinstance(frames, (int, np.integer))
        or not 1 <= frames <= MAX_FRAMES
    ):
        raise InputError(f"frames must be an integer in [1, {MAX_FRAMES}], got {frames!r}")
    return int(frames)


def render_clip(
    seed: int,
    frames: int,
    size: int = 256,
    fps: float = 25.0,
    lighting: Lighting | None = None,
    background: Background | None = None,
    supersample: int = 1,
) -> Iterator[Render]:
    """Render the frames of a clip of person ``seed`` one by one.

    Args:
        seed: identity (and motion) seed.
        frames: number of frames. size: frame side in pixels. fps: frames per second.
        lighting, background: defaults derived from the seed when ``None``.

    Yields:
        One :class:`Render` per frame.

    >>> [tuple(r.image.shape) for r in render_clip(1, 2, size=32)]
    [(1, 3, 32, 32), (1, 3, 32, 32)]
    """
    identity = Identity.from_seed(seed)
    frames = _check_frames(frames)
    size = _check_size(size)
    background = background or Background.from_seed(seed)
    lighting = lighting or Lighting()
    for expression, pose in clip_parameters(seed, frames, fps):
        yield render(
            identity, expression, pose, lighting, background, size, supersample=supersample
        )


def _check_writable(path: Path) -> None:
    """Fail early, in one line, when ``path`` cannot be written (before any rendering)."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MediaError(
            f"cannot write {str(path)!r}: folder {str(parent)!r} is not writable ({reason}); "
            "choose another output path"
        ) from None


def write_clip(
    path: str | os.PathLike,
    seed: int,
    frames: int,
    size: int = 256,
    fps: float = 25.0,
    supersample: int = 1,
    progress: bool = False,
    watermark: bool = True,
) -> Path:
    """Write a clip as H.264 mp4 and its ground truth as ``path.with_suffix('.json')``.

    Every frame carries the kit's invisible watermark and the file signed Content Credentials
    (``watermark=False`` leaves the mark out and records that it was removed).

    The JSON holds the identity, the per-frame pose and expression, and per-frame landmarks
    (468 points, pixels, mediapipe topology). The video is tagged ``synthetic``.

    Returns:
        The path of the video.
    """

    path = Path(path)
    frames = _check_frames(frames)
    size = _check_size(size)
    if not 1 <= float(fps) <= 240:  # also refuses nan
        raise InputError(f"fps must be a number from 1 to 240, got {fps!r}")
    if path.suffix.lower() not in (".mp4", ".mov", ".mkv", ".m4v"):
        raise InputError(f"cannot write a clip to {str(path)!r}: use a .mp4 name")
    if path.is_dir():
        raise MediaError(f"{str(path)!r} is a folder; give a video file name such as clip.mp4")
    _check_writable(path)
    params = clip_parameters(seed, frames, fps)
    identity = Identity.from_seed(seed)
    records = []
    iterator = render_clip(seed, frames, size, fps, supersample=supersample)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=frames, desc="synth", unit="frame")
    metadata = {"comment": f"synthetic: faceswap_kit.synth person seed {seed} (does not exist)"}

    provenance = Provenance.new(
        "synth", f"generated person seed {seed}", identities=[f"synth-{seed} (generated, does not exist)"],
        watermark=watermark,
    )  # fmt: skip
    with VideoWriter(path, fps, (size, size), metadata=metadata, provenance=provenance) as writer:
        for index, (frame, (expression, pose)) in enumerate(zip(iterator, params, strict=True)):
            image = (frame.image[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
            writer.write(image)
            records.append(
                {
                    "index": index,
                    "landmarks": np.round(
                        frame.landmarks[0].numpy().astype(np.float64), 3
                    ).tolist(),
                    "pose": asdict(pose),
                    "expression": asdict(expression),
                }
            )
    truth = {
        "synthetic": True,
        "generator": "faceswap_kit.synth",
        "seed": int(seed),
        "identity": asdict(identity),
        "fps": float(fps),
        "size": [size, size],
        "landmark_topology": "mediapipe_face_mesh_468",
        "frames": records,
    }
    write_json_atomic(path.with_suffix(".json"), truth, indent=None)
    log.info("wrote %s (%d frames) and its ground truth", path, frames)
    return path
