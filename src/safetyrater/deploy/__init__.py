"""Running the course: ``safetyrater start`` (:mod:`.launch`), the learner kit and the
JupyterHub trial (``safetyrater hub …``)."""
