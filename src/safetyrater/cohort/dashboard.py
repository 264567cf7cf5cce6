"""What the instructor dashboard notebook (graders/dashboard.ipynb) calls.

``open_cohort()`` grades the course's cohort with the fast lane and computes
its calibration; with no learners in the course yet, it builds a demo cohort
in a temporary folder so the dashboard always has something to show.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Image, Markdown

from ..paths import project_root
from .collect import CourseLayout, find_learners
from .demo import read_profiles, write_demo_cohort
from .grade import CohortGrades, summary_lines
from .record import read_record
from .report import PLOTS, learner_view, problems_frame, render_plot, write_report
from .stats import CohortStats, cohort_stats


@dataclass
class Cohort:
    """A graded cohort and its calibration tables, ready to show in a notebook."""

    course_dir: Path
    grades: CohortGrades
    stats: CohortStats
    #: planted profiles when this is a demo cohort
    profiles: dict[str, str]
    demo: bool = False

    @property
    def learners(self) -> pd.DataFrame:
        return learner_view(self.stats, self.profiles)

    @property
    def cases(self) -> pd.DataFrame:
        return self.stats.cases

    @property
    def review_key(self) -> pd.DataFrame:
        return self.stats.review_key

    @property
    def agreement(self) -> pd.DataFrame:
        return self.stats.agreement

    @property
    def problems(self) -> pd.DataFrame:
        return problems_frame(self.grades)

    def plot(self, name: str) -> Any:
        """A plot of the report (calibration, kappa, confusion, cases, agreement, mistakes) as an image."""
        if name not in PLOTS:
            raise ValueError(f"no plot {name!r} (choose from {', '.join(PLOTS)})")
        return Image(data=render_plot(name, self.stats, self.profiles), format="png")

    def summary(self) -> Any:
        """Where the cohort came from, what was graded and what went wrong, as Markdown."""
        source = (
            f"a **demo cohort** of {len(self.grades.learners)} synthetic learners (no learner has submitted yet) in `{self.course_dir}`"
            if self.demo
            else f"`{self.course_dir}`"
        )
        lines = [f"Cohort from {source}.", ""]
        lines += [f"- {line}" for line in summary_lines(self.grades)]
        if self.grades.problems:
            lines += ["", f"{len(self.grades.problems)} answer file(s) could not be graded; see `cohort.problems`."]
        return Markdown("\n".join(lines))

    def write_report(self, out: Path | str) -> Path:
        return write_report(self.grades, out, stats=self.stats, profiles=self.profiles)


def open_cohort(course_dir: Path | str | None = None, *, demo_learners: int = 40, seed: int = 0) -> Cohort:
    """Grade and analyse the cohort in ``course_dir`` (default: this course), or a demo one."""
    course_dir = Path(course_dir) if course_dir is not None else project_root()
    demo = not find_learners(CourseLayout.find(course_dir))
    if demo:
        course_dir = write_demo_cohort(Path(tempfile.mkdtemp(prefix="safetyrater-demo-")), demo_learners, seed=seed)
    # the course's record: the gradebook's points (manual scores included) where it has them, as the report and exports
    grades = read_record(course_dir, progress=False)
    return Cohort(course_dir, grades, cohort_stats(grades), read_profiles(course_dir), demo)
