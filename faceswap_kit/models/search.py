"""Where models are found by name: one explicit search path, nothing assumed about a checkout.

A bare model name (``load_model("synth-4-7-df-tiny")``, ``--init crowd-lite``) is looked up in
these folders, in order (:func:`model_search_path`):

1. the ``models_dir`` argument, when the caller gives one;
2. ``$FSK_MODELS_DIR`` (one folder, or several separated by ``os.pathsep``);
3. the bundled models (:func:`bundled_models_dir`), the first of
   a. the models shipped inside the installed package, ``faceswap_kit/bundled_models/`` (a wheel,
      an sdist or ``pip install git+...``: ``setup.py`` copies every folder of ``models/`` there);
   b. ``models/`` of the source folder an editable install (``pip install -e .``, ``make venv``)
      was made from, as pip recorded it (PEP 610 ``direct_url.json``), when that folder is the
      package running now;
   c. ``models/`` in the current working directory: the fallback for running from a checkout
      that is not installed.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

DISTRIBUTION = "faceswap-kit"
MODELS_ENV = "FSK_MODELS_DIR"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # faceswap_kit/
SHIPPED_MODELS_DIR = PACKAGE_DIR / "bundled_models"  # written by setup.py into built packages


def is_model_dir(path: Path) -> bool:
    """A folder holding a model's ``config.json``."""
    return (path / "config.json").is_file()


def editable_source_dir() -> Path | None:
    """The source folder of an editable install of this package, or None.

    Read from pip's install record (``direct_url.json``), and only when that folder holds the
    ``faceswap_kit`` that is running (another checkout's models may differ).
    """
    # every record of the distribution: a source folder on sys.path may hold a build's
    # ``faceswap_kit.egg-info`` too, which has no install record and would hide pip's
    for dist in metadata.distributions(name=DISTRIBUTION):
        source = _editable_source(dist.read_text("direct_url.json"))
        if source is not None:
            return source
    return None


def _editable_source(record: str | None) -> Path | None:
    if not record:
        return None
    try:
        info = json.loads(record)
    except json.JSONDecodeError:
        return None
    url = urlparse(str(info.get("url", "")))
    if not info.get("dir_info", {}).get("editable") or url.scheme != "file":
        return None
    source = Path(unquote(url.path))
    if (source / "faceswap_kit").resolve() != PACKAGE_DIR:
        return None
    return source


def bundled_models_dir() -> Path | None:
    """The folder of the bundled models (step 3 of the module's search path), or None.

    >>> folder = bundled_models_dir()
    >>> folder is None or folder.name in ("bundled_models", "models")
    True
    """
    source = editable_source_dir()
    candidates = [
        SHIPPED_MODELS_DIR,
        source / "models" if source else None,
        Path.cwd() / "models",
    ]
    for folder in candidates:
        if folder is not None and folder.is_dir() and any(map(is_model_dir, folder.iterdir())):
            return folder
    return None


def bundled_models() -> list[str]:
    """Names of the bundled models (folders holding a ``config.json``)."""
    root = bundled_models_dir()
    if root is None:
        return []
    return sorted(p.name for p in root.iterdir() if is_model_dir(p))


def model_search_path(models_dir: str | Path | None = None) -> list[Path]:
    """The folders a bare model name is looked up in, in order (see the module docstring)."""
    folders = [Path(models_dir).expanduser()] if models_dir else []
    folders += [Path(p).expanduser() for p in os.environ.get(MODELS_ENV, "").split(os.pathsep) if p]
    bundled = bundled_models_dir()
    if bundled is not None:
        folders.append(bundled)
    return folders
