"""The control panel beside the live picture (ipywidgets). Only wiring: state lives in the runner,
the processor and ``LiveSwap``; each control writes one setting."""

from __future__ import annotations

import dataclasses
import logging
import pathlib

from ..models.search import is_model_dir, model_search_path
from .headless import make_processor
from .processors import ModelProcessor

log = logging.getLogger(__name__)


def find_models(root: str | pathlib.Path = "models") -> list[str]:
    """Model directories (holding ``config.json``) directly under ``root``, then under
    ``$FSK_MODELS_DIR`` and the kit's bundled models (the search path of
    :mod:`faceswap_kit.models.search`: a notebook running anywhere still offers them); each
    directory once."""
    found: dict[pathlib.Path, str] = {}
    for folder in model_search_path(root):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if is_model_dir(path):
                found.setdefault(path.resolve(), str(path))
    return list(found.values())


COLOR_MODES = ("rct", "lct", "mkl", "idt", "sot", "none")


def _set_processor_option(live, name: str, value) -> None:
    """Write one control into the current processor.

    The 2D warp has ``color_transfer`` (on/off), ``feather`` (fraction of the face width),
    ``opacity`` and the overlays; a model's ``FrameSwapper`` has a ``MergeConfig`` (``color`` mode,
    ``erode`` and ``blur`` in aligned-crop pixels, ``blend``, ``opacity``). Settings a processor
    does not have are ignored.
    """
    processor = live.runner.process
    swapper = getattr(processor, "swapper", None)
    merge_config = getattr(swapper, "merge_config", None)
    if swapper is None:  # the 2D warp (or a plain callable)
        attribute, converted = {
            "color": ("color_transfer", value != "none"),
            "blur": ("feather", value),
        }.get(name, (name, value))
        if hasattr(processor, attribute):
            setattr(processor, attribute, converted)
        return
    if merge_config is None or not dataclasses.is_dataclass(merge_config):
        return
    if name == "blur":  # fraction of the face -> pixels of the aligned crop
        value = int(round(value * getattr(swapper, "size", 128)))
    if name in {f.name for f in dataclasses.fields(merge_config)}:
        swapper.merge_config = dataclasses.replace(merge_config, **{name: value})


def build_controls(live, models_root: str | pathlib.Path = "models"):
    """Build the panel for a ``LiveSwap``; returns an ``ipywidgets.VBox``."""
    import ipywidgets as w

    style = {"description_width": "110px"}
    layout = w.Layout(width="320px")

    def slider(description, value, low, high, step=0.01):
        return w.FloatSlider(
            value=value,
            min=low,
            max=high,
            step=step,
            description=description,
            style=style,
            layout=layout,
            continuous_update=False,
        )

    def check(description, value):
        return w.Checkbox(value=value, description=description, style=style, indent=False)

    models = find_models(models_root)
    mode = w.Dropdown(
        options=[("2D warp (no training)", "warp2d")]
        + [(p, p) for p in models]
        + [("pass-through", "passthrough")],
        value=live.mode if live.mode in ("warp2d", "passthrough") else "warp2d",
        description="swap",
        style=style,
        layout=layout,
    )
    source = w.Dropdown(
        options=[
            ("browser camera", "browser"),
            ("generated person", "generated"),
            ("local camera (kernel)", "local"),
        ],
        value=live.source_kind if live.source_kind != "video" else "generated",
        description="source",
        style=style,
        layout=layout,
    )
    color = w.Dropdown(
        options=list(COLOR_MODES), value="rct", description="colour", style=style, layout=layout
    )
    merge_config = getattr(getattr(live.runner.process, "swapper", None), "merge_config", None)
    blend = w.Dropdown(
        options=[("feather (fast)", "feather"), ("seamless (Poisson, +7 ms)", "seamless")],
        value=getattr(merge_config, "blend", "feather"), description="blend (model)",
        style=style, layout=layout,
    )  # fmt: skip
    erode = w.IntSlider(
        value=2, min=-10, max=20, description="mask erode (model)", style=style, layout=layout,
        continuous_update=False,
    )  # fmt: skip
    feather = slider("mask blur", 0.06, 0.0, 0.2)
    opacity = slider("opacity", 1.0, 0.0, 1.0)
    landmarks, mask = check("show landmarks", False), check("show mask", False)
    side, mirror = check("side by side", False), check("mirror", live.runner.config.mirror)
    hud, label = check("HUD", live.runner.config.hud), check("AI-generated label", True)
    record = w.ToggleButton(description="record clip", icon="circle")
    snap = w.Button(description="snapshot", icon="camera")
    consent = check("I consent: this is my own face", False)
    dataset = w.Button(description="record my dataset", icon="user")
    vcam = w.Button(description="virtual camera", icon="video")
    note = w.HTML()

    def on_mode(change):

        try:
            if change["new"] in ("warp2d", "passthrough"):
                processor = make_processor(change["new"], seed=live.seed)
            else:
                processor = ModelProcessor.from_directory(change["new"])
        except Exception as exc:  # show the reason instead of raising inside a callback
            note.value = f"<b>could not switch:</b> {exc}"
            return
        live.runner.process = processor or (lambda frame: (frame, {}))
        note.value = f"swap: {change['new']}"

    mode.observe(on_mode, names="value")
    source.observe(lambda c: live.use_source(c["new"]), names="value")
    color.observe(lambda c: _set_processor_option(live, "color", c["new"]), names="value")
    blend.observe(lambda c: _set_processor_option(live, "blend", c["new"]), names="value")
    erode.observe(lambda c: _set_processor_option(live, "erode", c["new"]), names="value")
    feather.observe(lambda c: _set_processor_option(live, "blur", c["new"]), names="value")
    opacity.observe(lambda c: _set_processor_option(live, "opacity", c["new"]), names="value")
    landmarks.observe(
        lambda c: _set_processor_option(live, "show_landmarks", c["new"]), names="value"
    )
    mask.observe(lambda c: _set_processor_option(live, "show_mask", c["new"]), names="value")
    side.observe(lambda c: live.runner.update(side_by_side=c["new"]), names="value")
    mirror.observe(lambda c: live.runner.update(mirror=c["new"]), names="value")
    hud.observe(lambda c: live.runner.update(hud=c["new"]), names="value")
    label.observe(lambda c: live.runner.update(label=c["new"]), names="value")

    def on_record(change):
        if change["new"]:
            live.start_recording("live.mp4")
            note.value = "recording to live.mp4"
        else:
            note.value = f"saved {live.stop_recording()}"

    def on_snap(_):
        try:
            note.value = f"saved {live.snapshot('snapshot.png')}"
        except Exception as exc:
            note.value = str(exc)

    def on_dataset(_):
        try:
            live.record_dataset("data/me", consent=consent.value)
            note.value = "recording frames of you to data/me/frames (300 max)"
        except Exception as exc:
            note.value = str(exc)

    record.observe(on_record, names="value")
    snap.on_click(on_snap)
    dataset.on_click(on_dataset)
    vcam.on_click(lambda _: setattr(note, "value", live.enable_virtual_camera()))
    return w.VBox(
        [
            mode,
            source,
            color,
            blend,
            erode,
            feather,
            opacity,
            w.HBox([landmarks, mask]),
            w.HBox([side, mirror]),
            w.HBox([hud, label]),
            w.HBox([record, snap]),
            consent,
            w.HBox([dataset, vcam]),
            note,
        ]
    )
