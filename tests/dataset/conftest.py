import numpy as np
import pytest


@pytest.fixture(scope="session")
def portrait() -> np.ndarray:
    """The astronaut portrait (public domain), 512 px, one face."""
    import skimage.data

    return skimage.data.astronaut()


@pytest.fixture(scope="session")
def grace() -> np.ndarray:
    import matplotlib.cbook

    from faceswap_kit.io import read_image

    return read_image(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def moving_frames(image: np.ndarray, count: int, size: int = 256) -> list[np.ndarray]:
    """``count`` frames of the portrait's face drifting across a plain background."""
    import cv2

    face = cv2.resize(image[0:300, 100:360], (150, 172), interpolation=cv2.INTER_AREA)
    frames = []
    for k in range(count):
        frame = np.full((size, size, 3), 80, np.uint8)
        x, y = 40 + 2 * k, 30 + k
        frame[y : y + 172, x : x + 150] = face
        frames.append(frame)
    return frames


@pytest.fixture(scope="session")
def make_frames():
    return moving_frames


@pytest.fixture(scope="session")
def clip(tmp_path_factory, portrait):
    """A 12-frame mp4 of a face drifting across a plain background."""
    from faceswap_kit.io import VideoWriter

    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    with VideoWriter(path, fps=25, size=(256, 256)) as writer:
        for frame in moving_frames(portrait, 12):
            writer.write(frame)
    return path
