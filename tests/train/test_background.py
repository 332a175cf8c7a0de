import time

import numpy as np
import pytest

from faceswap_kit.models import ModelConfig
from faceswap_kit.train import TrainConfig, make_trainer
from faceswap_kit.train.background import BackgroundTraining
from testing.toyfaces import toy_faceset

SMALL = dict(encoder_dims=4, bottleneck_dims=16, decoder_dims=4, mask_dims=2)


@pytest.fixture
def trainer(tmp_path):
    return make_trainer(
        toy_faceset(1, 8, 64), toy_faceset(2, 8, 64), tmp_path,
        ModelConfig.tiny(**SMALL), TrainConfig.tiny(batch_size=2, log_every=1),
    )  # fmt: skip


def test_background_does_not_block_and_stop_saves(trainer):
    updates = []
    run = BackgroundTraining(trainer, steps=10_000, preview_seconds=0, on_update=updates.append)
    start = time.perf_counter()
    run.start()
    assert time.perf_counter() - start < 1.0  # returned at once
    deadline = time.perf_counter() + 60
    while trainer.step < 3 and time.perf_counter() < deadline:
        time.sleep(0.05)
    run.stop()
    assert not run.running and run.summary.stopped_by == "stop"
    import json

    saved = json.loads((trainer.model_dir / "state.json").read_text())["step"]
    assert saved == trainer.step >= 3
    assert updates and run.preview is not None
    assert run.preview["a_to_b"].shape == (4, 3, 64, 64)


def test_background_reports_errors(trainer, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(trainer, "train_step", broken)
    run = BackgroundTraining(trainer, steps=5).start()
    with pytest.raises(RuntimeError, match="boom"):
        run.wait(30)


def test_widget_runs_to_the_end(trainer):
    pytest.importorskip("ipywidgets")
    from faceswap_kit.widgets.training import TrainingWidget

    widget = TrainingWidget(trainer, steps=3, preview_seconds=0)
    assert widget.preview_image.value[:4] == b"\x89PNG"
    widget.start()
    summary = widget.wait(60)
    assert summary.step == 3 and "done" in widget.status.value
    assert widget.loss_image.value[:4] == b"\x89PNG"
    assert not widget.start_button.disabled and widget.stop_button.disabled


def test_preview_grid_layout(trainer):
    from faceswap_kit.viz.training import PREVIEW_COLUMNS, preview_grid

    preview = trainer.preview(3)
    grid = preview_grid(preview, gap=2)
    assert grid.shape == (3 * 64 + 2 * 2, 8 * 64 + 7 * 2, 3) and grid.dtype == np.uint8
    # the first cell is the first input face
    expected = (preview["a"][0].permute(1, 2, 0).numpy() * 255).round()
    assert np.abs(grid[:64, :64].astype(float) - expected).max() <= 1
    assert len(PREVIEW_COLUMNS) == 8


def test_plots_draw(trainer):
    import matplotlib

    matplotlib.use("Agg")
    import torch

    from faceswap_kit.viz.training import plot_losses, plot_random_warp, plot_scores

    trainer.run(steps=2)
    assert plot_losses(trainer.history).get_lines()
    faces, _ = trainer.data.fixed("a", 3)
    assert plot_random_warp(faces, torch.Generator().manual_seed(0)).images
    scores = [
        {"step": 0, "seconds": 0, "methods": {"model": {"ssim": 0.3}, "warp2d": {"ssim": 0.6}}}
    ]
    assert len(plot_scores(scores).get_lines()) == 2


def test_the_loss_plot_leaves_the_notebook_backend_alone():
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); "
        "from faceswap_kit.widgets.training import _loss_png; "
        "png = _loss_png([{'step': 1, 'total': 1.0}, {'step': 2, 'total': 0.5}]); "
        "assert png[:4] == b'\\x89PNG', png[:8]; print(matplotlib.get_backend())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "svg"  # not switched to Agg behind the notebook's back


def test_swap_preview_of_a_saved_model(trainer):
    import torch

    from faceswap_kit.viz.training import PREVIEW_COLUMNS, swap_preview

    faces = torch.randint(0, 256, (3, 3, 96, 96), dtype=torch.uint8)  # another size: resized
    preview = swap_preview(trainer.swap_model(), faces, faces.float() / 255, count=2)
    assert set(preview) == {key for key, _ in PREVIEW_COLUMNS}
    assert preview["a_to_b"].shape == (2, 3, 64, 64) and preview["mask_b"].shape == (2, 1, 64, 64)
