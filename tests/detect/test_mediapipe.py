import numpy as np
import pytest
import torch

from faceswap_kit.dataset import choose_face, face_signature
from faceswap_kit.detect import (
    DetectedFace,
    Detector,
    MediaPipeDetector,
    estimate_pose,
    load_face_model,
)
from faceswap_kit.errors import InputError


@pytest.fixture(scope="module")
def portraits() -> dict[str, np.ndarray]:
    """The two public-domain portraits that ship inside our dependencies (one face each)."""
    import matplotlib.cbook
    import skimage.data

    from faceswap_kit.io import read_image

    grace = read_image(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return {"astronaut": skimage.data.astronaut(), "grace_hopper": grace}


@pytest.fixture(scope="module")
def detector():
    with MediaPipeDetector(mode="image", max_faces=2) as det:
        yield det


def test_protocol():
    assert isinstance(MediaPipeDetector(), Detector)


@pytest.mark.parametrize("name", ["astronaut", "grace_hopper"])
def test_portraits_have_exactly_one_face(detector, portraits, name):
    image = portraits[name]
    faces = detector(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (478, 2) and face.landmarks.dtype == np.float32
    assert face.depth.shape == (478,)
    assert face.score > 0.5
    x0, y0, x1, y1 = face.box
    assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
    left, right = face.landmarks[33], face.landmarks[263]
    assert left[0] < right[0]  # image-left eye corner is index 33
    iris = face.landmarks[468]
    assert np.linalg.norm(iris - face.landmarks[[33, 133]].mean(0)) < 0.5 * np.linalg.norm(
        left - face.landmarks[133]
    )


def test_grayscale_and_scaled_frames(detector, portraits):
    image = portraits["astronaut"]
    gray = np.repeat(image.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    faces = detector(gray)
    assert len(faces) == 1
    reference = detector(image)[0].landmarks
    eye_distance = np.linalg.norm(reference[33] - reference[263])
    assert np.abs(faces[0].landmarks - reference).mean() < 0.05 * eye_distance


def test_no_face_returns_empty(detector):
    frame = np.full((96, 128, 3), 127, np.uint8)
    assert detector(frame) == []


def test_bad_frames_raise(detector):
    with pytest.raises(InputError, match="uint8"):
        detector(np.zeros((64, 64, 3), np.float32))
    with pytest.raises(InputError, match=r"\(H, W, 3\)"):
        detector(np.zeros((64, 64), np.uint8))
    with pytest.raises(InputError):
        MediaPipeDetector(mode="webcam")


def test_video_mode_tracks_a_moving_face(portraits):
    image = portraits["grace_hopper"][:480, :480]
    with MediaPipeDetector(mode="video") as det:
        tracks = []
        for shift in range(0, 20, 4):
            frame = np.ascontiguousarray(np.roll(image, shift, axis=1))
            faces = det(frame)
            assert len(faces) == 1
            tracks.append(faces[0].landmarks[1, 0])
    moved = np.diff(tracks)
    assert np.allclose(moved, 4.0, atol=1.5)


def test_pose_is_mirror_symmetric(detector, portraits):
    image = portraits["astronaut"]
    turned = torch.from_numpy(detector(image)[0].landmarks)[None]
    mirrored = torch.from_numpy(detector(np.ascontiguousarray(image[:, ::-1]))[0].landmarks)[None]
    a, b = estimate_pose(turned)[0], estimate_pose(mirrored)[0]
    assert abs(a[0] + b[0]) < 3.0 and abs(a[2] + b[2]) < 3.0  # yaw and roll flip sign
    assert abs(a[1] - b[1]) < 3.0  # pitch stays


def test_pose_recovers_a_known_rotation():
    model = load_face_model()
    points = torch.tensor(model.points[:468], dtype=torch.float64)
    yaw, pitch, roll = np.radians([25.0, -10.0, 15.0])
    rz = torch.tensor(
        [[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]]
    )
    ry = torch.tensor([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rx = torch.tensor(
        [[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]]
    )
    rotated = points @ (rz @ ry @ rx).T
    landmarks = (rotated[:, :2] * 200 + 100)[None].float()
    pose = estimate_pose(landmarks)[0]
    assert torch.allclose(pose, torch.tensor([-25.0, -10.0, 15.0]), atol=0.5)


def test_choose_face(portraits, detector):
    image = portraits["grace_hopper"]
    face = detector(image)[0]
    small = DetectedFace(face.landmarks * 0.3, (0, 0, 10, 10), 0.9)
    assert choose_face([small, face]) is face
    assert choose_face([small, face], 0) is small and choose_face([small, face], 5) is None
    assert choose_face([]) is None
    signature = face_signature(image, face)
    assert signature.shape[0] > 100 and abs(np.linalg.norm(signature) - 1) < 1e-4
    other = portraits["astronaut"]
    other_face = detector(other)[0]
    same = float(face_signature(np.ascontiguousarray(np.roll(image, 3, 0)), face) @ signature)
    different = float(face_signature(other, other_face) @ signature)
    assert same > different
    with pytest.raises(InputError):
        choose_face([face], "reference")
    with pytest.raises(InputError):
        choose_face([face], "nearest")


def test_video_mode_finds_the_face_again_after_losing_it(portraits):
    image = np.ascontiguousarray(portraits["astronaut"][:384, 64:448])
    blank = np.full_like(image, 128)
    with MediaPipeDetector(mode="video") as det:
        counts = [len(det(frame)) for frame in (image, image, blank, blank, image, image)]
    assert counts == [1, 1, 0, 0, 1, 1]


def test_landmarks_read_from_the_serialised_list_match_the_protobuf_fields(portraits):
    """The fast reader of mediapipe's landmark list gives exactly the fields' values, and falls
    back to reading the fields when a landmark carries more than x, y, z."""
    import mediapipe as mp

    from faceswap_kit.detect.mediapipe_backend import _landmark_array

    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        found = mesh.process(portraits["astronaut"]).multi_face_landmarks[0]
    fields = np.array([(p.x, p.y, p.z) for p in found.landmark], dtype=np.float32)
    fast = _landmark_array(found)
    assert fast.shape == (478, 3) and fast.dtype == np.float32
    assert np.array_equal(fast, fields)
    found.landmark[5].visibility = 0.5  # another record layout: the slow path
    assert np.array_equal(_landmark_array(found), fields)
