"""The import path released exercise notebooks hold: ``from safetyrater.exercise import grade_item``.

Every graded exercise's grade cells (``solutions/`` and the ``exercises/`` nbgrader
releases, and the copies in a running cohort's gradebook) import their grading
functions from here, so this path stays as long as such notebooks may be graded.
The functions live in :mod:`safetyrater.nbgrader.cells`; new code imports them there.
"""

from __future__ import annotations

from .nbgrader.cells import grade_item, grade_notes

__all__ = ["grade_item", "grade_notes"]
