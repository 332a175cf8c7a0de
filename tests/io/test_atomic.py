import os
import threading

import pytest

from faceswap_kit.io.atomic import write_bytes_atomic, write_json_atomic


def test_replaces_a_file_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.bin"
    write_bytes_atomic(target, b"old")
    write_bytes_atomic(target, b"new" * 100_000, sync=False)
    assert target.read_bytes() == b"new" * 100_000
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_a_leftover_temporary_of_a_crashed_run_is_overwritten(tmp_path):
    target = tmp_path / "b.json"
    stale = tmp_path / f".b.json.{os.getpid()}-{threading.get_ident()}.tmp"
    stale.write_bytes(b"half a file from before" * 1000)
    write_json_atomic(target, {"ok": True})
    assert target.read_text() == '{\n  "ok": true\n}\n' and not stale.exists()


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "c.txt"
    write_bytes_atomic(target, b"keep me")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, 12345)  # not bytes
    assert target.read_bytes() == b"keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["c.txt"]


def test_threads_writing_side_by_side_do_not_collide(tmp_path):
    def write(k: int) -> None:
        for round_ in range(20):
            write_bytes_atomic(tmp_path / "shared.bin", bytes([k]) * 5000, sync=False)
            write_bytes_atomic(tmp_path / f"own{k}-{round_}.bin", bytes([k]) * 10, sync=False)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    data = (tmp_path / "shared.bin").read_bytes()
    assert len(data) == 5000 and len(set(data)) == 1
    assert not list(tmp_path.glob(".*.tmp")) and len(list(tmp_path.glob("own*"))) == 80
