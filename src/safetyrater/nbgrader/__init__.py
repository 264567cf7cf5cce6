"""What nbgrader runs: the functions grade cells call (:mod:`.cells`), the exercises'
source notebooks (``safetyrater build``), the autograde preprocessors and the private
exchange."""
