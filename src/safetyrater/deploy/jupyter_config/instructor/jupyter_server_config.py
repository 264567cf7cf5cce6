# JupyterLab saves the course's notebooks without outputs or widget state (safetyrater.deploy.notebooks).
# A callable, not an import string: Jupyter Server's check of the string form fails (it imports the old value).
from safetyrater.deploy.notebooks import strip_outputs

c.FileContentsManager.pre_save_hook = strip_outputs  # type: ignore[name-defined]  # noqa: F821
