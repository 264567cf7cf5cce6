"""JupyterLab saves the course's notebooks without outputs, so tracked files stay as committed.

A lesson's outputs are its cards: live widgets that mean nothing once the kernel
is gone (JupyterLab shows "Error displaying widget: model not found"), and the
answers live in the answer files anyway. :func:`strip_outputs` is the contents
manager's ``pre_save_hook`` in both JupyterLab modes
(``jupyter_config/<mode>/jupyter_server_config.json``): a notebook under
``course/`` or ``exercises/`` is written with no outputs, execution counts or
widget state, so saving (or JupyterLab's autosave) leaves ``git status`` clean.
A learner's edits to cells are still saved.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..paths import COURSE

#: the folders whose notebooks are the course's own (tracked, handed out)
TRACKED = (COURSE, "exercises")


def is_tracked(path: str) -> bool:
    parts = PurePosixPath(path.lstrip("/")).parts
    return len(parts) > 1 and parts[0] in TRACKED and path.endswith(".ipynb")


def strip_outputs(model: dict[str, Any], path: str, contents_manager: Any = None, **_: Any) -> None:
    """``ContentsManager.pre_save_hook``: drop outputs and widget state of a course notebook before it is written."""
    if model.get("type") != "notebook" or not is_tracked(path):
        return
    notebook = model.get("content")
    if not isinstance(notebook, dict):
        return
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("widgets", None)
        # the kernel's version details, which JupyterLab adds after a run; the committed files name the language only
        language = metadata.get("language_info")
        if isinstance(language, dict) and "name" in language:
            metadata["language_info"] = {"name": language["name"]}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            if isinstance(cell.get("metadata"), dict):
                cell["metadata"].pop("execution", None)
