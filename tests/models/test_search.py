"""Models are found by an explicit search path: the argument, $FSK_MODELS_DIR, then the bundled
models (the installed package's, an editable install's source, or ./models)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from faceswap_kit.errors import CheckpointError
from faceswap_kit.models import resolve_model_path, search


def _model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({}))
    return folder


@pytest.fixture
def no_install(monkeypatch):
    """As if the kit ran from a checkout that is not installed."""
    monkeypatch.setattr(search, "SHIPPED_MODELS_DIR", Path("/nonexistent/bundled_models"))
    monkeypatch.setattr(search, "editable_source_dir", lambda: None)
    monkeypatch.delenv(search.MODELS_ENV, raising=False)


def test_the_current_directory_models_are_the_last_fallback(tmp_path, monkeypatch, no_install):
    monkeypatch.chdir(tmp_path)
    assert search.bundled_models_dir() is None and search.bundled_models() == []
    _model(tmp_path / "models" / "mine")
    assert search.bundled_models_dir() == tmp_path / "models"
    assert search.bundled_models() == ["mine"]
    assert resolve_model_path("mine") == tmp_path / "models" / "mine"


def test_the_argument_and_the_environment_come_first(tmp_path, monkeypatch, no_install):
    monkeypatch.chdir(tmp_path)
    _model(tmp_path / "models" / "same")
    first, second = _model(tmp_path / "one" / "same"), _model(tmp_path / "two" / "other")
    monkeypatch.setenv(search.MODELS_ENV, os.pathsep.join([str(first.parent), str(second.parent)]))
    assert search.model_search_path("arg") == [
        Path("arg"),
        first.parent,
        second.parent,
        tmp_path / "models",
    ]
    assert resolve_model_path("same") == first
    assert resolve_model_path("other") == second
    assert (
        resolve_model_path("same", models_dir=tmp_path / "models") == tmp_path / "models" / "same"
    )


def test_a_missing_name_says_where_it_looked_and_how_to_get_models(
    tmp_path, monkeypatch, no_install
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError, match="FSK_MODELS_DIR"):
        resolve_model_path("synth-4-7-df-tiny")


def test_an_editable_install_is_recognised_only_for_the_running_package():
    source = search.editable_source_dir()
    if source is not None:  # make venv: pip install -e . of this checkout
        assert (source / "faceswap_kit").resolve() == search.PACKAGE_DIR


def test_a_build_record_on_the_path_does_not_hide_the_editable_install(tmp_path, monkeypatch):
    """A source folder holds ``faceswap_kit.egg-info`` after a build; pip's record still counts."""
    from faceswap_kit.models.search import editable_source_dir

    before = editable_source_dir()
    if before is None:
        pytest.skip("the kit is not installed in editable mode here")
    info = tmp_path / "faceswap_kit.egg-info"
    info.mkdir()
    (info / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: faceswap-kit\nVersion: 0.1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert editable_source_dir() == before
