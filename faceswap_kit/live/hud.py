"""What is drawn over the live output: the "AI-generated" label, the HUD, landmarks, side-by-side.

These work on ``uint8`` RGB ``(H, W, 3)`` arrays because they sit at the sink edge of the live loop,
right before JPEG encoding, where a tensor round trip would only cost time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LABEL_TEXT = "AI-generated"


def draw_label(frame: np.ndarray, text: str = LABEL_TEXT) -> np.ndarray:
    """Draw a visible label (white on a dark box) at the bottom-right corner, in place.

    Args:
        frame: ``(H, W, 3)`` uint8 RGB, modified in place and returned.
        text: the label; "AI-generated" by default.

    >>> img = np.zeros((120, 200, 3), np.uint8)
    >>> int(draw_label(img)[100:, 100:].max())
    255
    """
    import cv2

    height, width = frame.shape[:2]
    scale = max(0.4, min(width, height) / 600.0)
    thickness = max(1, int(round(scale * 2)))
    (text_w, text_h), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(3, int(4 * scale))
    x1, y1 = width - pad, height - pad
    x0, y0 = max(0, x1 - text_w - 2 * pad), max(0, y1 - text_h - baseline - 2 * pad)
    region = frame[y0:y1, x0:x1]
    region[:] = (region.astype(np.uint16) * 2 // 5).astype(np.uint8)  # darken under the text
    cv2.putText(
        frame,
        text,
        (x0 + pad, y1 - pad - baseline // 2),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        thickness,
        cv2.LINE_AA,
    )
    return frame


def draw_hud(frame: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Draw HUD text lines (FPS, per-stage ms) at the top-left corner, in place.

    >>> img = np.zeros((120, 200, 3), np.uint8)
    >>> int(draw_hud(img, ["30.0 FPS"])[:30, :100].max()) > 0
    True
    """
    import cv2

    if not lines:
        return frame
    height, width = frame.shape[:2]
    scale = max(0.35, min(width, height) / 1000.0)
    line_h = int(19 * scale / 0.5)
    box_w = min(width, int(max(len(line) for line in lines) * 10.5 * scale / 0.5) + 8)
    box_h = min(height, line_h * len(lines) + 8)
    region = frame[:box_h, :box_w]
    region[:] = (region.astype(np.uint16) * 2 // 5).astype(np.uint8)
    for row, line in enumerate(lines):
        cv2.putText(
            frame,
            line,
            (4, (row + 1) * line_h),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (120, 255, 120),
            1,
            cv2.LINE_AA,
        )
    return frame


def draw_landmarks(frame: np.ndarray, landmarks: np.ndarray, color=(0, 255, 255)) -> np.ndarray:
    """Draw ``(N, 2)`` pixel landmarks as small dots, in place."""
    import cv2

    for x, y in np.asarray(landmarks, dtype=np.float32).reshape(-1, 2):
        cv2.circle(frame, (int(round(x)), int(round(y))), 1, color, -1, cv2.LINE_AA)
    return frame


def draw_mask(frame: np.ndarray, mask: np.ndarray, color=(255, 0, 160), alpha=0.35) -> np.ndarray:
    """Tint the pixels under a ``(H, W)`` float mask in [0, 1], in place."""
    weight = (np.asarray(mask, dtype=np.float32)[..., None] * alpha).clip(0, 1)
    tint = np.asarray(color, dtype=np.float32)
    frame[:] = (frame.astype(np.float32) * (1 - weight) + tint * weight).astype(np.uint8)
    return frame


def side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Two same-height uint8 images next to each other (``(H, W1 + W2, 3)``).

    >>> side_by_side(np.zeros((4, 3, 3), np.uint8), np.ones((4, 5, 3), np.uint8)).shape
    (4, 8, 3)
    """
    if left.shape[0] != right.shape[0]:
        import cv2

        scale = left.shape[0] / right.shape[0]
        right = cv2.resize(right, (int(round(right.shape[1] * scale)), left.shape[0]))
    return np.concatenate([left, right], axis=1)
