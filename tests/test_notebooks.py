"""Every teaching notebook is committed without outputs and runs top to bottom in a fresh kernel,
on CPU, with its default parameters, the way `make lab` runs it: figures inline.

A notebook declares the pictures it promises by tagging the code cell that draws each one
``figure``; the run fails when such a cell shows no image, or when any image it shows is blank.
The notebooks run in order in one shared folder, as a reader running them one after the other:
the face set of 01 feeds 02, the model of 02 is used by 03 and 04 (each falls back to bundled
data when run alone).
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# the notebooks run on the last device FSK_TEST_DEVICE names (cuda in `FSK_TEST_DEVICE=cuda make test`)
NOTEBOOK_DEVICE = (os.environ.get("FSK_TEST_DEVICE") or "cpu").split(",")[-1].strip() or "cpu"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL = "faceswap-kit-test"
FIGURE_TAG = "figure"
# what ipykernel uses when nothing is set (the conftest's MPLBACKEND=Agg must not reach the kernel)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _ids(paths):
    return [p.stem for p in paths]


def png_is_blank(data: bytes, tolerance: int = 3, share: float = 0.005) -> bool:
    """True when (nearly) every pixel of the PNG has one colour: fewer than ``share`` of the
    pixels differ from the most common colour by more than ``tolerance`` (of 255)."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).reshape(-1, 3).astype(int)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    dominant = colours[counts.argmax()]
    different = (np.abs(pixels - dominant).max(1) > tolerance).mean()
    return bool(different < share)


def figure_problems(notebook) -> list[str]:
    """What is wrong with the pictures of an executed notebook (an empty list when nothing)."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        images = [
            base64.b64decode(output["data"]["image/png"])
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        first_line = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        where = f"cell {index} ({first_line!r})"
        if FIGURE_TAG in cell.get("metadata", {}).get("tags", []) and not images:
            problems.append(f"{where} promises a figure but shows none")
        problems += [
            f"{where}: image {k} is blank" for k, png in enumerate(images) if png_is_blank(png)
        ]
    return problems


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_blank_and_missing_figures_are_found():
    blank = np.full((40, 60, 3), 255, np.uint8)
    drawn = blank.copy()
    drawn[10:30, 10:50] = (200, 30, 30)
    assert png_is_blank(_png(blank)) and not png_is_blank(_png(drawn))
    cells = [
        nbformat.v4.new_code_cell("plt.show()", metadata={"tags": [FIGURE_TAG]}),
        nbformat.v4.new_code_cell("show(drawn)", metadata={"tags": [FIGURE_TAG]}),
        nbformat.v4.new_code_cell("show(blank)"),
    ]
    for cell, image in ((cells[1], drawn), (cells[2], blank)):
        data = {"image/png": base64.b64encode(_png(image)).decode(), "text/plain": "<Figure>"}
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    problems = figure_problems(nbformat.v4.new_notebook(cells=cells))
    assert len(problems) == 2
    assert "promises a figure but shows none" in problems[0] and "blank" in problems[1]


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
    assert FIGURE_TAG in tags, f"{path.name}: tag the cells that draw its figures '{FIGURE_TAG}'"
    assert notebook.cells[0].cell_type == "markdown", f"{path.name}: start with what you will learn"
    ids = [cell.get("id") for cell in notebook.cells]
    assert len(set(ids)) == len(ids), f"{path.name}: cell ids must be unique"


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
                    "MPLBACKEND": INLINE_BACKEND,
                    "PYTHONPATH": str(ROOT),
                    "FSK_DEVICE": NOTEBOOK_DEVICE,
                    "FSK_WORK_DIR": ".",  # the test's own folder, even on a hub or Kaggle
                },
            }
        )
    )
    return folder


@pytest.fixture(scope="session")
def journey_dir(tmp_path_factory) -> Path:
    """One folder for all notebooks, as `make lab` runs them all in notebooks/."""
    return tmp_path_factory.mktemp("notebooks")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path, kernel_path, journey_dir, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    monkeypatch.setenv("FSK_NOTEBOOK_TEST", "1")
    executed = journey_dir / "executed" / path.name
    executed.parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    papermill.execute_notebook(
        str(path),
        str(executed),
        kernel_name=KERNEL,
        cwd=str(journey_dir),
        progress_bar=False,
        execution_timeout=600,
    )
    elapsed = time.perf_counter() - start
    print(f"{path.name} ran in {elapsed:.1f} s")
    problems = figure_problems(nbformat.read(executed, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)
