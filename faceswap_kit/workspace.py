"""Where a notebook keeps its work, so a disconnect or a restarted kernel loses nothing.

Used by every notebook's first cell (after it installed the kit): :func:`prepare_notebook` picks a
work folder that outlives the session, moves the kernel into it (the notebooks write to relative
paths such as ``out/03``), and prints the kit's version and the device.

=================  ==================================================  =========================
where              work folder                                         why it persists
=================  ==================================================  =========================
``$FSK_WORK_DIR``  that folder                                         your choice
Kaggle             ``/kaggle/working/faceswap_kit``                    saved with the notebook
Colab              ``/content/drive/MyDrive/faceswap_kit`` (mounted)   your Google Drive
JupyterHub         ``~/faceswap_kit``                                  your persistent home
elsewhere          the current folder (unchanged)                      your own disk
=================  ==================================================  =========================
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .threads import passive_wait_in_effect, prefer_passive_wait

log = logging.getLogger(__name__)

FOLDER_NAME = "faceswap_kit"
KAGGLE_WORKING = Path("/kaggle/working")
COLAB_DRIVE = Path("/content/drive/MyDrive")


@dataclass(frozen=True)
class WorkFolder:
    """A work folder and the reason it outlives the session.

    Attributes:
        path: the folder (None: stay in the current folder).
        platform: ``"env"``, ``"kaggle"``, ``"colab"``, ``"jupyterhub"`` or ``"local"``.
        note: one line for the reader (what persists, or what to do so it does).
    """

    path: Path | None
    platform: str
    note: str


def choose_work_folder(
    environ: Mapping[str, str] | None = None,
    kaggle_working: Path = KAGGLE_WORKING,
    colab_drive: Path = COLAB_DRIVE,
    home: Path | None = None,
) -> WorkFolder:
    """Pick the work folder for this machine (nothing is created or changed).

    Args:
        environ: the environment to read (default ``os.environ``).
        kaggle_working, colab_drive, home: the platform folders (arguments for tests).

    >>> choose_work_folder({"FSK_WORK_DIR": "/tmp/mine"}).path
    PosixPath('/tmp/mine')
    >>> choose_work_folder({}, kaggle_working=Path("/nonexistent")).platform
    'local'
    """
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if environ.get("FSK_WORK_DIR"):
        return WorkFolder(Path(environ["FSK_WORK_DIR"]).expanduser(), "env", "set by $FSK_WORK_DIR")
    if environ.get("KAGGLE_KERNEL_RUN_TYPE") or kaggle_working.is_dir():
        return WorkFolder(
            kaggle_working / FOLDER_NAME,
            "kaggle",
            "Kaggle keeps /kaggle/working when you save a version (Save & Run All)",
        )
    if environ.get("COLAB_RELEASE_TAG") or environ.get("COLAB_GPU") is not None:
        if colab_drive.is_dir():
            return WorkFolder(colab_drive / FOLDER_NAME, "colab", "on your mounted Google Drive")
        return WorkFolder(
            None,
            "colab",
            "NOT persistent: mount your Drive first (from google.colab import drive; "
            "drive.mount('/content/drive')) and run this cell again",
        )
    if environ.get("JUPYTERHUB_USER"):
        return WorkFolder(home / FOLDER_NAME, "jupyterhub", "in your JupyterHub home folder")
    return WorkFolder(None, "local", "the current folder, on your own disk")


def prepare_notebook(chdir: bool = True, environ: Mapping[str, str] | None = None) -> Path:
    """The notebooks' first step after installing: threads, work folder, device; printed.

    Lets torch's threads sleep rather than spin while waiting (when torch is not imported yet:
    :func:`faceswap_kit.threads.prefer_passive_wait`), creates the work folder of
    :func:`choose_work_folder` and, with ``chdir``, moves the kernel into it so every relative
    output path of the notebook lands there.

    Returns:
        The work folder (the current folder where nothing persistent was chosen).
    """

    prefer_passive_wait()
    choice = choose_work_folder(environ)
    folder = Path.cwd() if choice.path is None else choice.path
    if choice.path is not None:
        folder.mkdir(parents=True, exist_ok=True)
        if chdir:
            os.chdir(folder)
    # imports torch: only after prefer_passive_wait() above
    from .device import get_device

    waits = "sleep" if passive_wait_in_effect() else "may spin (torch was imported first)"
    print(f"faceswap_kit {__version__} | device: {get_device()} | waiting CPU threads {waits}")
    print(f"work folder: {folder} ({choice.note})")
    return folder
