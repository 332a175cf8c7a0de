"""Every teaching notebook is committed without outputs and runs top to bottom in a fresh kernel,
on CPU, with its default parameters."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# the notebooks run on the last device FSK_TEST_DEVICE names (cuda in `FSK_TEST_DEVICE=cuda make test`)
NOTEBOOK_DEVICE = (os.environ.get("FSK_TEST_DEVICE") or "cpu").split(",")[-1].strip() or "cpu"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL = "faceswap-kit-test"


def _ids(paths):
    return [p.stem for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stripped_and_tagged(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: strip outputs before committing"
            assert cell.execution_count is None, f"{path.name}: strip execution counts"
    tags = [tag for cell in notebook.cells for tag in cell.get("metadata", {}).get("tags", [])]
    assert "parameters" in tags, f"{path.name}: needs a cell tagged 'parameters'"
    assert notebook.cells[0].cell_type == "markdown", f"{path.name}: start with what you will learn"


@pytest.fixture(scope="session")
def kernel_path(tmp_path_factory) -> Path:
    """A kernel spec running this interpreter, ahead of any user-level spec on the path."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "faceswap_kit tests",
                "language": "python",
                "env": {
                    "MPLBACKEND": "Agg",
                    "PYTHONPATH": str(ROOT),
                    "FSK_DEVICE": NOTEBOOK_DEVICE,
                    "FSK_WORK_DIR": ".",  # the test's own folder, even on a hub or Kaggle
                },
            }
        )
    )
    return folder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path, kernel_path, tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    monkeypatch.setenv("FSK_NOTEBOOK_TEST", "1")
    start = time.perf_counter()
    papermill.execute_notebook(
        str(path),
        str(tmp_path / path.name),
        kernel_name=KERNEL,
        cwd=str(tmp_path),
        progress_bar=False,
        execution_timeout=600,
    )
    elapsed = time.perf_counter() - start
    print(f"{path.name} ran in {elapsed:.1f} s")
    assert os.path.getsize(tmp_path / path.name) > 0
