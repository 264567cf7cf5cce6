"""Designing probes: contrast pairs a learner writes, checked automatically, graded by the instructor.

* :mod:`.data`: topics, probe exercises, the lesson's gallery and the instructor's rubric;
* :mod:`.checks`: the automatic checks of a pair and the pre-score of its expectations;
* :mod:`.designer`: the probe designer (the pair cards) and the gallery a lesson shows;
* :mod:`.authoring`: the nbgrader source notebook of a probe exercise.

Released probe exercises' grade cells call ``safetyrater.probes.grade_pair``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["grade_pair"]


def grade_pair(exercise_id: str, number: int, points: float, folder: Any = None) -> float:
    """What a probe exercise's grade cell calls (see :func:`safetyrater.nbgrader.cells.grade_pair`)."""
    from ..nbgrader.cells import grade_pair as grade  # start-up speed: grading loads pandas

    return grade(exercise_id, number, points, folder)
