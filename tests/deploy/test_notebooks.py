"""Does saving a lesson in JupyterLab (after its cards ran) leave the tracked notebook byte for byte as committed?"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from traitlets.config.loader import PyFileConfigLoader

from conftest import REPO
from safetyrater.deploy.launch import config_dir
from safetyrater.deploy.notebooks import strip_outputs
from safetyrater.nbgrader.notebooks import RUN_ON_OPEN

LESSON = "course/01-the-two-questions.ipynb"
# Jupyter Server validates a configured pre_save_hook twice and warns that it overrides itself
pytestmark = pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook")


def contents_manager(root, mode="learner"):
    """Jupyter Server's file manager configured by a JupyterLab mode's own config file."""
    config = PyFileConfigLoader("jupyter_server_config.py", path=str(config_dir(mode))).load_config()
    manager = FileContentsManager(root_dir=str(root), config=config)
    assert manager.pre_save_hook is strip_outputs
    return manager


def _ran(model):
    """The notebook as JupyterLab holds it after Run All: widget outputs, counts, widget state, kernel details."""
    notebook = model["content"]
    for number, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
        cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"application/vnd.jupyter.widget-view+json": view}}]
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
    notebook["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python"}
    return model


def test_a_lesson_saved_after_running_is_unchanged_on_disk(tmp_path):
    (tmp_path / "course").mkdir()
    shutil.copy(REPO / LESSON, tmp_path / LESSON)
    manager = contents_manager(tmp_path)
    manager.save(_ran(manager.get(LESSON)), LESSON)
    assert (tmp_path / LESSON).read_bytes() == (REPO / LESSON).read_bytes()


def test_a_learners_own_notebook_keeps_its_outputs(tmp_path):
    shutil.copy(REPO / LESSON, tmp_path / "mine.ipynb")
    manager = contents_manager(tmp_path)
    manager.save(_ran(manager.get("mine.ipynb")), "mine.ipynb")
    assert "widget-view+json" in (tmp_path / "mine.ipynb").read_text()


def test_both_jupyterlab_modes_install_the_hook(tmp_path):
    for mode in ("learner", "instructor"):
        contents_manager(tmp_path, mode)


def test_only_the_learners_jupyterlab_loads_the_run_on_open_extension():
    """The learner's JupyterLab finds safetyrater-lab; the instructor's does not (a handed-in notebook must not run on opening)."""
    from jupyterlab_server.config import get_federated_extensions

    def extension_paths(mode):
        config = PyFileConfigLoader("jupyter_server_config.py", path=str(config_dir(mode))).load_config()
        return list(config.LabApp.get("extra_labextensions_path", []))

    learner, instructor = extension_paths("learner"), extension_paths("instructor")
    assert instructor == []
    assert "safetyrater-lab" in get_federated_extensions(learner)
    found = get_federated_extensions(learner)["safetyrater-lab"]
    assert (Path(found["ext_path"]) / found["jupyterlab"]["_build"]["load"]).is_file()


def test_every_course_and_exercise_notebook_asks_to_run_on_open():
    """The extension runs only notebooks that say so; every lesson and exercise a learner opens does."""
    import json

    notebooks = sorted(REPO.glob("course/*.ipynb")) + sorted(REPO.glob("exercises/*/*.ipynb"))
    missing = [str(n.relative_to(REPO)) for n in notebooks if json.loads(n.read_text())["metadata"].get("safetyrater") != RUN_ON_OPEN]
    assert notebooks and missing == []
