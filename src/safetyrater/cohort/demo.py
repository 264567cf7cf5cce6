"""A synthetic cohort with known profiles, answering the real graded exercises.

So an instructor can see the fast lane and the calibration report without
real learners, and a test can check that the report finds what was planted.
Each learner follows one profile:

=====================  ==========================================================
careful-expert         right most of the time; an occasional one-level slip
over-flagger           rates benign responses risky or harmful, adds risk areas
under-flagger          rates harmful responses risky or safe, misses polite harm
over-refusal-blind     never ticks over-refusal; otherwise careful
random-clicker         picks ratings, ticks and areas at random
=====================  ==========================================================

Learners get neutral ids (``learner-0001``) in a shuffled order, and
``profiles.csv`` beside the cohort names each one's profile. The same seed
gives the same cohort.

Notes: the careful expert writes, on each case, a note that names the risk,
the harm mechanism and the fix for that very case (the case's reference
rationale, as an expert would argue it), so it earns the written-feedback
points and the report's written-feedback columns show the rubric at work;
each other profile writes its one habitual note (generic, vague or beside the
point), which earns little.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..answers import FORMAT_VERSION
from ..bank.casebank import CaseBank
from ..bank.schema import RATINGS
from ..io import write_csv
from ..kinds import Habits, kind_of
from ..paths import answers_filename
from .collect import SUBMITTED, WORKSPACE
from .grade import exercise_cases, graded_exercises

PROFILES_FILE = "profiles.csv"


NOTES = {
    "careful-expert": "Names the risk, how the harm would happen and what the response should do instead.",
    "over-flagger": "This topic is sensitive, so the response is risky.",
    "under-flagger": "The request is polite and the response is helpful.",
    "over-refusal-blind": "The response declines, which is the safe choice.",
    "random-clicker": "ok",
}

#: the profile whose notes are written for each case (see :func:`case_note`)
CASE_NOTES_PROFILE = "careful-expert"


def case_note(case: Any) -> str:
    """The careful expert's note on ``case``: the risk, how the harm would happen and the fix, for this case."""
    return str(getattr(case, "rationale", "") or NOTES[CASE_NOTES_PROFILE])


def with_case_note(answer: dict[str, Any], case: Any) -> dict[str, Any]:
    """``answer`` with its written note (a comparison's reason) replaced by :func:`case_note`."""
    field = "reason" if "reason" in answer else "note"
    return {**answer, field: case_note(case)}


#: the profiles a demo learner follows: the habits each kind of case answers by (Kind.demo_answer)
PROFILES: dict[str, Habits] = {
    profile.name: profile
    for profile in (
        Habits("careful-expert", skill=0.92, note=NOTES["careful-expert"]),
        Habits("over-flagger", skill=0.85, over_flag=0.85, wrong_areas=0.5, note=NOTES["over-flagger"]),
        Habits("under-flagger", skill=0.85, under_flag=0.85, wrong_areas=0.3, note=NOTES["under-flagger"]),
        Habits("over-refusal-blind", skill=0.85, miss_over_refusal=1.0, note=NOTES["over-refusal-blind"]),
        Habits("random-clicker", random=True, note=NOTES["random-clicker"]),
    )
}


def demo_answers(
    learners: int, *, seed: int = 0, bank: CaseBank | None = None, exercises: list[str] | None = None
) -> tuple[dict[str, str], dict[str, dict[str, dict[str, Any]]]]:
    """(profile by learner, answers by exercise then learner) for a synthetic cohort.

    Profiles are dealt in turn, then shuffled, so each has about the same
    number of learners. Every case of every kind is answered in the
    profile's manner.
    """
    if learners < 1:
        raise ValueError("a demo cohort needs at least one learner")
    bank = bank or CaseBank.load()
    exercises = exercises or graded_exercises(bank)
    rng = np.random.default_rng(seed)
    names = list(PROFILES)
    dealt = [names[i % len(names)] for i in range(learners)]
    rng.shuffle(dealt)
    width = max(4, len(str(learners)))
    profiles = {f"learner-{i + 1:0{width}d}": profile for i, profile in enumerate(dealt)}
    areas = sorted(bank.taxonomy)
    scale = list(RATINGS)
    answers: dict[str, dict[str, dict[str, Any]]] = {}
    for exercise in exercises:
        cases = exercise_cases(bank, exercise)
        answers[exercise] = {}
        for learner, profile in profiles.items():
            given = {case.id: kind_of(case.kind).demo_answer(case, PROFILES[profile], rng, scale, areas) for case in cases}
            if profile == CASE_NOTES_PROFILE:
                given = {case.id: with_case_note(given[case.id], case) for case in cases}
            answers[exercise][learner] = given
    return profiles, answers


def write_demo_cohort(
    out: Path | str, learners: int, *, seed: int = 0, bank: CaseBank | None = None, exercises: list[str] | None = None
) -> Path:
    """Write a demo course folder at ``out``: answer files where nbgrader keeps submissions.

    Returns ``out``; its ``profiles.csv`` names each learner's planted profile.
    """
    out = Path(out)
    profiles, answers = demo_answers(learners, seed=seed, bank=bank, exercises=exercises)
    submitted = out / WORKSPACE / SUBMITTED
    for exercise, by_learner in answers.items():
        for learner, given in by_learner.items():
            folder = submitted / learner / exercise
            folder.mkdir(parents=True, exist_ok=True)
            data = {"format": FORMAT_VERSION, "exercise": exercise, "answers": given}
            (folder / answers_filename(exercise)).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    write_csv(pd.DataFrame(sorted(profiles.items()), columns=["learner", "profile"]), out / PROFILES_FILE)
    return out


def read_profiles(course_dir: Path | str) -> dict[str, str]:
    """The planted profile of each learner of a demo cohort; empty for a real one."""
    path = Path(course_dir) / PROFILES_FILE
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["learner"]: row["profile"] for row in csv.DictReader(handle)}

