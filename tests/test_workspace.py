from pathlib import Path

from faceswap_kit.workspace import choose_work_folder, prepare_notebook


def test_each_platform_gets_a_folder_that_persists(tmp_path):
    kaggle, drive, home = tmp_path / "kaggle", tmp_path / "drive", tmp_path / "home"
    where = {"kaggle_working": kaggle, "colab_drive": drive, "home": home}
    assert choose_work_folder({}, **where).path is None  # own machine: stay where we are
    assert choose_work_folder({"JUPYTERHUB_USER": "ann"}, **where).path == home / "faceswap_kit"
    colab = choose_work_folder({"COLAB_RELEASE_TAG": "x"}, **where)
    assert colab.path is None and "mount your Drive" in colab.note  # says how to keep work
    drive.mkdir()
    assert choose_work_folder({"COLAB_RELEASE_TAG": "x"}, **where).path == drive / "faceswap_kit"
    kaggle.mkdir()
    assert choose_work_folder({}, **where).path == kaggle / "faceswap_kit"
    mine = {"FSK_WORK_DIR": str(tmp_path / "mine"), "JUPYTERHUB_USER": "ann"}
    assert choose_work_folder(mine, **where).path == tmp_path / "mine"  # the user's choice wins


def test_prepare_notebook_creates_the_folder_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    folder = prepare_notebook(environ={"FSK_WORK_DIR": str(tmp_path / "work")})
    assert folder == tmp_path / "work" and Path.cwd() == folder
    out = capsys.readouterr().out
    assert "device:" in out and f"work folder: {folder}" in out
