# JupyterLab saves the course's notebooks without outputs or widget state (safetyrater.deploy.notebooks).
# A callable, not an import string: Jupyter Server's check of the string form fails (it imports the old value).
from safetyrater.deploy.notebooks import strip_outputs

c.FileContentsManager.pre_save_hook = strip_outputs  # type: ignore[name-defined]  # noqa: F821

# A lesson runs when it opens, so reopening shows its cards without Run All (learners only:
# an instructor opening a handed-in notebook must not run it by opening it).
from safetyrater.deploy.launch import LABEXTENSIONS  # noqa: E402

c.LabApp.extra_labextensions_path = [str(LABEXTENSIONS)]  # type: ignore[name-defined]  # noqa: F821
