"""Installs that carry everything: a built wheel holds the bundled models and works outside the
checkout, and the notebooks' first cell installs the kit from the project's own source.

Each fresh environment is a venv in a temporary folder that sees this environment's dependencies
(torch, mediapipe...) through a ``.pth`` file pointing at a view of site-packages *without*
faceswap_kit, so the only faceswap_kit it can import is the one installed from the wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXTRA_MODEL = "copied-tiny"  # a model folder the build has never seen by name


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", MPLBACKEND="Agg", **extra)
    return env


def _run(args, cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_clean_env(**env), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, f"{args}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def _dependency_views(folder: Path) -> list[Path]:
    """Symlink views of this environment's site-packages, leaving faceswap_kit out."""
    views = []
    for index, packages in enumerate(p for p in site.getsitepackages() if Path(p).is_dir()):
        view = folder / f"deps{index}"
        view.mkdir(parents=True)
        for entry in Path(packages).iterdir():
            name = entry.name.lower()
            if name.startswith(("faceswap_kit", "__editable__", "faceswap-kit")):
                continue
            (view / entry.name).symlink_to(entry)
        views.append(view)
    return views


def _fresh_venv(folder: Path, views: list[Path]) -> Path:
    """A venv without pip or faceswap_kit that imports the dependencies from ``views``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": folder, "platbase": folder}))
    (purelib / "fsk_test_dependencies.pth").write_text("".join(f"{v}\n" for v in views))
    return folder / ("Scripts" if os.name == "nt" else "bin") / "python"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of this checkout with one more model folder in models/."""
    folder = tmp_path_factory.mktemp("build")
    source = folder / "src"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "bundled_models", "*.egg-info")
    shutil.copytree(ROOT / "faceswap_kit", source / "faceswap_kit", ignore=ignore)
    shutil.copytree(ROOT / "models", source / "models", ignore=ignore)
    shutil.copytree(ROOT / "models" / "synth-4-7-df-tiny", source / "models" / EXTRA_MODEL)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          source, "-w", folder / "dist"], cwd=folder)  # fmt: skip
    (built,) = (folder / "dist").glob("faceswap_kit-*.whl")
    return built


@pytest.fixture(scope="module")
def views(tmp_path_factory) -> list[Path]:
    return _dependency_views(tmp_path_factory.mktemp("views"))


def _bundled_names() -> list[str]:
    return sorted(p.name for p in (ROOT / "models").iterdir() if (p / "config.json").is_file())


def test_the_wheel_carries_every_model_folder(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for model in [*_bundled_names(), EXTRA_MODEL]:
        for file in ("config.json", "model.safetensors"):
            assert f"faceswap_kit/bundled_models/{model}/{file}" in names, (model, file)
    for file in ("card.json", "model.safetensors"):  # the fake spotter (no swap model config)
        assert f"faceswap_kit/bundled_models/spotter-cnn/{file}" in names, file


def test_the_wheel_leaves_the_test_machinery_out(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("testing/") or n.endswith("toyfaces.py")]
    assert "faceswap_kit/live/browser.py" not in names  # the Playwright driver: testing/


def test_an_installed_wheel_converts_outside_the_checkout(wheel, views, tmp_path):
    from faceswap_kit.synth import write_clip

    python = _fresh_venv(tmp_path / "venv", views)
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel],
         cwd=tmp_path)  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = (
        "import json, faceswap_kit\n"
        "from faceswap_kit.models.search import bundled_models\n"
        "from faceswap_kit.live.controls import find_models\n"
        "print(json.dumps([faceswap_kit.__file__, bundled_models(), find_models()]))\n"
    )
    where, bundled, found = json.loads(_run([python, "-c", probe], cwd=work).stdout)
    assert Path(where).is_relative_to(tmp_path / "venv")  # not the checkout
    assert set(bundled) == {*_bundled_names(), EXTRA_MODEL}
    assert {Path(p).name for p in found} == set(bundled)
    clip = write_clip(work / "clip.mp4", seed=5, frames=6, size=128)
    script = python.parent / ("faceswap-kit.exe" if os.name == "nt" else "faceswap-kit")
    done = _run([script, "convert", "synth-4-7-df-lite", clip.name, "out.mp4", "--quiet"], cwd=work)
    assert "wrote" in done.stdout and (work / "out.mp4").stat().st_size > 0
    assert "with a face" in done.stdout and "(0 with a face)" not in done.stdout


def _install_cell(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return next(c.source for c in notebook.cells if c.cell_type == "code")


PIP_LINE = re.compile(r"^\s*[%!]\s*pip3?\s+install\s+(.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_notebook_installs_a_bare_package_name(path):
    notebook = nbformat.read(path, as_version=4)
    lines = [m for c in notebook.cells if c.cell_type == "code" for m in PIP_LINE.findall(c.source)]
    assert lines, f"{path.name}: the first code cell installs the kit when it is missing"
    for line in lines:
        targets = [t.strip("\"'") for t in line.split() if not t.startswith("-")]
        assert targets == ["{FSK_SOURCE}"], f"{path.name}: pip install {line!r}"
    assert re.search(r"^FSK_SOURCE = ", _install_cell(path), re.MULTILINE), path.name


def test_the_install_cell_installs_the_wheel_in_a_fresh_kernel(wheel, views, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    python = _fresh_venv(tmp_path / "venv", views)
    spec = tmp_path / "jupyter" / "kernels" / "fresh"
    spec.mkdir(parents=True)
    work = tmp_path / "work"
    env = _clean_env(FSK_SOURCE=str(wheel), FSK_WORK_DIR=str(work), FSK_DEVICE="cpu")
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh", "language": "python", "env": env,
    }))  # fmt: skip
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    check = (
        "import json, faceswap_kit\n"
        "from faceswap_kit.models import load_model\n"
        "model = load_model('synth-4-7-df-lite')\n"
        "print(json.dumps([faceswap_kit.__file__, os.getcwd(), str(WORK), model.path.name]))"
    )
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(_install_cell(NOTEBOOKS[2])), nbformat.v4.new_code_cell(check)]
    )  # fmt: skip
    start = tmp_path / "start"
    start.mkdir()
    NotebookClient(
        notebook, kernel_name="fresh", timeout=600, resources={"metadata": {"path": str(start)}}
    ).execute()
    first = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
    assert f"installing faceswap_kit from {wheel}" in first
    assert "device: cpu" in first and f"work folder: {work}" in first
    last = json.loads(notebook.cells[1].outputs[-1]["text"])
    assert Path(last[0]).is_relative_to(tmp_path / "venv")
    assert last[1] == last[2] == str(work) and last[3] == "synth-4-7-df-lite"
