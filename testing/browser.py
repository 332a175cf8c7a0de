"""Drive the camera widget in a real JupyterLab with headless Chromium (tests and the benchmark).

Uses Debian's ``chromium`` through the ``playwright`` package (``executable_path``; never
``playwright install``) and the flags measured in DESIGN.md §4. With ``camera=False`` the fake
capture device is left out, so ``getUserMedia`` fails with ``NotFoundError``: the "no camera" case.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from faceswap_kit.errors import WidgetError

BASE_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
FAKE_CAMERA_FLAG = "--use-fake-device-for-media-stream"


def find_chromium() -> str | None:
    """Path of a system Chromium (``FSK_CHROMIUM`` overrides), or None."""
    for candidate in (os.environ.get("FSK_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def browser_unavailable_reason() -> str | None:
    """Why the real-browser check cannot run here (None when it can)."""
    if find_chromium() is None:
        return "no system Chromium (apt-get install chromium, or set FSK_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "jupyterlab is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    url: str
    token: str
    root: pathlib.Path
    process: subprocess.Popen

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


@contextlib.contextmanager
def jupyter_lab(root: str | os.PathLike, timeout: float = 120.0) -> Iterator[LabServer]:
    """Start JupyterLab on 127.0.0.1 (random free port, random token) serving ``root``."""
    port, token = _free_port(), secrets.token_hex(16)
    repo = pathlib.Path(__file__).resolve().parents[1]  # the checkout: testing/ sits in it
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
    }
    env["JUPYTER_CONFIG_DIR"] = str(pathlib.Path(root) / ".jupyter")  # no user settings leak in
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    log_path = pathlib.Path(root) / "jupyterlab.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise WidgetError(f"JupyterLab exited early: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise WidgetError(f"JupyterLab did not start within {timeout:.0f} s") from None
                time.sleep(0.25)
        yield LabServer(url, token, pathlib.Path(root), process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def write_y4m(path: str | os.PathLike, frames, fps: int = 30) -> pathlib.Path:
    """Write uint8 RGB frames as a Y4M (YUV 4:2:0) file: Chromium's fake camera can play it
    (``--use-file-for-fake-video-capture``), so the browser sees a face, e.g. a generated person."""
    import cv2

    path = pathlib.Path(path)
    with open(path, "wb") as handle:
        for index, frame in enumerate(frames):
            height, width = frame.shape[:2]
            if index == 0:
                handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
            handle.write(b"FRAME\n")
            handle.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def write_notebook(path: str | os.PathLike, code: str) -> pathlib.Path:
    """A one-code-cell notebook using the ``python3`` kernel."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code)]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = pathlib.Path(path)
    nbformat.write(notebook, path)
    return path


def run_widget_page(
    server: LabServer,
    notebook: str,
    camera: bool = True,
    until_frames: int = 30,
    until_status: tuple[str, ...] = ("no-camera", "denied", "unsupported", "error"),
    timeout: float = 60.0,
    camera_fps: int = 30,
    camera_file: str | os.PathLike | None = None,
    screenshot: str | os.PathLike | None = None,
) -> dict:
    """Open ``notebook`` in Chromium, run its cell, and watch the camera widget.

    Returns once the widget has drawn ``until_frames`` processed frames, or reached one of
    ``until_status``, with ``status``, ``error``, ``message``, ``drawn``, ``stats`` (the widget's
    browser-side measurements) and ``pixel`` (RGBA at the canvas centre). ``camera_fps`` is the
    fake camera's frame rate (Chromium's default is 20); ``camera_file`` a Y4M file the fake
    camera plays instead of its test pattern (see :func:`write_y4m`); ``screenshot`` a PNG path
    for a picture of the widget at the end.
    """
    from playwright.sync_api import sync_playwright

    flags = list(BASE_FLAGS) + ([f"{FAKE_CAMERA_FLAG}=fps={camera_fps}"] if camera else [])
    if camera and camera_file is not None:
        flags.append(f"--use-file-for-fake-video-capture={camera_file}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=flags, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.notebook_url(notebook), timeout=timeout * 1000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout * 1000
            )
            _execute_first_cell(page, timeout)
            widget = page.wait_for_selector(".fsk-camera", timeout=timeout * 1000)
            deadline = time.monotonic() + timeout
            while True:
                state = _widget_state(widget)
                if state["drawn"] >= until_frames or state["status"] in until_status:
                    break
                if time.monotonic() > deadline:
                    raise WidgetError(
                        f"camera widget did not get there in {timeout:.0f} s: {state}"
                    )
                page.wait_for_timeout(100)
            page.wait_for_timeout(1100)  # one more stats report from the widget
            if screenshot is not None:
                widget.screenshot(path=str(screenshot))
            return _widget_state(widget)
        finally:
            browser.close()


def _execute_first_cell(page, timeout: float) -> None:
    """Shift+Enter on the first cell until its prompt shows an execution count (the first key
    press after load can be lost)."""
    prompt = page.locator(".jp-Cell").first.locator(".jp-InputPrompt")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.locator(".jp-Cell .jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "el => /\\[[0-9*]+\\]/.test(el.textContent)",
                arg=prompt.element_handle(),
                timeout=8000,
            )
            return
        except Exception:  # playwright's TimeoutError: press again
            continue
    raise WidgetError("the notebook cell never started executing")


def _widget_state(widget) -> dict:
    return widget.evaluate(
        """root => {
            const canvas = root.querySelector('canvas');
            const c = canvas.getContext('2d');
            const p = c.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
            return {
                status: root.dataset.status || '',
                drawn: Number(root.dataset.drawn || 0),
                stats: JSON.parse(root.dataset.stats || '{}'),
                text: root.querySelector('.fsk-camera-status').textContent,
                message: root.querySelector('.fsk-camera-message').textContent,
                canvas: [canvas.width, canvas.height],
                pixel: Array.from(p),
            };
        }"""
    )


def as_json(state: dict) -> str:
    return json.dumps(state, indent=1)
