"""Build hook: the bundled models travel inside the package.

Every folder under ``models/`` that holds a ``config.json`` (a swap model) or a ``card.json`` (any
other bundled network, such as the fake spotter) is copied into the built package as
``faceswap_kit/bundled_models/<name>/``, so a wheel, an sdist build or ``pip install git+...``
carries the models wherever it is installed. A new model folder needs no edit here. Everything
else about the package is declared in ``pyproject.toml``; an editable install reads ``models/``
from the checkout instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
MODELS = ROOT / "models"
TARGET = ("faceswap_kit", "bundled_models")


def bundled_model_files() -> list[tuple[Path, Path]]:
    """(source file, path inside the package) for each file of each model folder."""
    pairs = []
    if MODELS.is_dir():
        folders = [
            p
            for p in MODELS.iterdir()
            if (p / "config.json").is_file() or (p / "card.json").is_file()
        ]
        for folder in sorted(folders):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    pairs.append((path, Path(*TARGET, path.relative_to(MODELS))))
    return pairs


class BuildWithModels(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds models/ in the checkout
        for source, relative in bundled_model_files():
            destination = Path(self.build_lib, relative)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib, rel)) for _, rel in bundled_model_files()]


setup(cmdclass={"build_py": BuildWithModels})
