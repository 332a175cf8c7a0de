import numpy as np
import pytest

from faceswap_kit.dataset import (
    balance_pose,
    curate,
    extract,
    filter_faces,
    load_faceset,
    near_duplicates,
    read_table,
    remove_faces,
    restore_faces,
)
from faceswap_kit.errors import InputError


@pytest.fixture(scope="module")
def turning(tmp_path_factory):
    """A generated person at yaw -30, 0 (three times), 2 and 30 degrees."""
    synth = pytest.importorskip("faceswap_kit.synth")
    out = tmp_path_factory.mktemp("turning") / "set"
    frames = [
        synth.render(synth.Identity.from_seed(2), pose=synth.Pose(yaw=yaw), size=160).image
        for yaw in (-30, 0, 0, 0, 15, 30)
    ]
    summary = extract(frames, out, size=64, name="turns")
    assert summary.faces_written == 6, str(summary)
    return out


def test_table(turning):
    table = read_table(turning)
    assert len(table) == 6 and list(table.frames) == list(range(6))
    assert np.all(table.sharpness > 0) and np.all(table.score > 0)


def test_near_duplicates_drop_the_repeats(turning):
    table = read_table(turning)
    dropped = near_duplicates(table, threshold=0.02)
    assert len(dropped) == 2 and set(dropped) <= {1, 2, 3}, dropped
    assert all("near-duplicate" in reason for reason in dropped.values())


def test_pose_filter_and_balance(turning):
    table = read_table(turning)
    assert table.yaw[0] < -20 and table.yaw[-1] > 20  # yaw sign matches the generator's
    rejected = filter_faces(table, max_yaw=20)
    assert sorted(rejected) == [0, 5]
    capped = balance_pose(table, per_bin=1, bin_degrees=10)
    kept = set(table.ids.tolist()) - set(capped)
    assert len(kept) == 4 and {0, 4, 5} <= kept  # one of the three frontal faces stays
    with pytest.raises(InputError):
        balance_pose(table, per_bin=0)


def test_remove_restore_and_resume(tmp_path, portrait, make_frames):
    frames = make_frames(portrait, 4)
    out = tmp_path / "set"
    extract(frames, out, size=64, name="rec")
    result = curate(out, min_sharpness=1e9, duplicate_threshold=None, apply=True)
    assert len(result.kept) == 0 and len(result.rejected) == 4 and "blurry" in str(result)
    with pytest.raises(Exception, match="no readable faces|empty"):
        load_faceset(out)
    again = extract(frames, out, size=64, name="rec")
    assert again.faces_written == 0  # removed faces are not extracted again
    assert restore_faces(out) == 4 and len(load_faceset(out)) == 4
    assert remove_faces(out, [1]) == 1 and len(load_faceset(out)) == 3
