"""A learner's JupyterLab on the hub runs a course notebook when it opens (safetyrater-lab), as `safetyrater start --lab` does."""

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

try:
    from safetyrater.deploy.launch import LABEXTENSIONS
except ImportError:  # a server without the kit: JupyterLab as it comes, the cards after Run All
    pass
else:
    c.LabApp.extra_labextensions_path = [str(LABEXTENSIONS)]
