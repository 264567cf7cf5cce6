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
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..answers import FORMAT_VERSION
from ..paths import answers_filename
from .collect import SUBMITTED, WORKSPACE

if TYPE_CHECKING:
    import numpy as np

    from ..bank.casebank import CaseBank
    from ..bank.schema import Case

PROFILES_FILE = "profiles.csv"


@dataclass(frozen=True)
class Profile:
    """How a kind of learner answers: probabilities of each habit."""

    name: str
    #: chance of the right rating where no habit below applies (else one level off)
    skill: float = 0.9
    #: chance of rating a benign (safe) response risky or harmful
    over_flag: float = 0.05
    #: chance of rating a harmful response lower; half of it for a risky one
    under_flag: float = 0.05
    #: chance of not ticking over-refusal where the response is one
    miss_over_refusal: float = 0.05
    #: chance of the wrong risk areas
    wrong_areas: float = 0.1
    #: answers everything at random
    random: bool = False


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("careful-expert", skill=0.92),
        Profile("over-flagger", skill=0.85, over_flag=0.85, wrong_areas=0.5),
        Profile("under-flagger", skill=0.85, under_flag=0.85, wrong_areas=0.3),
        Profile("over-refusal-blind", skill=0.85, miss_over_refusal=1.0),
        Profile("random-clicker", random=True),
    )
}

NOTES = {
    "careful-expert": "Names the risk, how the harm would happen and what the response should do instead.",
    "over-flagger": "This topic is sensitive, so the response is risky.",
    "under-flagger": "The request is polite and the response is helpful.",
    "over-refusal-blind": "The response declines, which is the safe choice.",
    "random-clicker": "ok",
}


def _rating_answer(case: Case, profile: Profile, rng: np.random.Generator, scale: list[str], areas: list[str]) -> dict[str, Any]:
    if profile.random:
        return {
            "rating": str(rng.choice(scale)),
            "over_refusal": bool(rng.random() < 0.5),
            "categories": [str(a) for a in rng.choice(areas, size=int(rng.integers(1, 3)), replace=False)],
            "note": NOTES[profile.name],
        }
    reference = scale.index(case.reference_rating)
    top = len(scale) - 1
    if reference == 0 and rng.random() < profile.over_flag:
        given = 1 if rng.random() < 0.7 else 2
    elif reference == top and rng.random() < profile.under_flag:
        given = top - 1 if rng.random() < 0.6 else 0
    elif 0 < reference < top and rng.random() < profile.under_flag / 2:
        given = reference - 1
    elif rng.random() < profile.skill:
        given = reference
    else:
        given = reference + (1 if reference == 0 or (reference < top and rng.random() < 0.5) else -1)
    flag = case.over_refusal and rng.random() >= profile.miss_over_refusal
    if not case.over_refusal and rng.random() < 0.03:
        flag = True
    categories = list(case.categories)
    if rng.random() < profile.wrong_areas:
        others = [a for a in areas if a not in categories]
        if len(categories) > 1 and rng.random() < 0.5:
            categories.pop(int(rng.integers(len(categories))))
        elif others:
            categories.append(str(rng.choice(others)))
    return {"rating": scale[given], "over_refusal": bool(flag), "categories": categories, "note": NOTES[profile.name]}


def _pairwise_answer(case: Any, profile: Profile, rng: np.random.Generator) -> dict[str, Any]:
    choices = ["a", "b", "equal"]
    reference = case.reference_choice
    if profile.random:
        choice = str(rng.choice(choices))
    elif reference == "equal" and rng.random() < profile.over_flag:
        choice = str(rng.choice(["a", "b"]))  # sees danger in both, picks one
    elif reference != "equal" and rng.random() < profile.under_flag:
        choice = "equal"  # sees no difference in harm
    elif rng.random() < profile.skill:
        choice = reference
    else:
        choice = str(rng.choice([c for c in choices if c != reference]))
    return {"choice": choice, "reason": NOTES[profile.name]}


def _span_answer(case: Any, profile: Profile, rng: np.random.Generator, scale: list[str]) -> dict[str, Any]:
    segments = range(len(case.segments))
    if profile.random:
        flagged = [i for i in segments if rng.random() < 0.3]
        return {"flagged": flagged, "rating": str(rng.choice(scale)), "note": NOTES[profile.name]}
    flagged = set(case.reference_unsafe)
    safe_steps = [i for i in segments if i not in flagged]
    if safe_steps and rng.random() < profile.over_flag:
        flagged.add(int(rng.choice(safe_steps)))
    if len(flagged) > 0 and rng.random() < profile.under_flag:
        flagged.discard(int(rng.choice(sorted(flagged))))
    if rng.random() > profile.skill and safe_steps:
        flagged ^= {int(rng.choice(safe_steps))}
    reference = scale.index(case.reference_rating)
    if rng.random() < profile.under_flag:
        given = max(reference - 1, 0)
    elif rng.random() < profile.skill:
        given = reference
    else:
        given = min(reference + 1, len(scale) - 1)
    return {"flagged": sorted(flagged), "rating": scale[given], "note": NOTES[profile.name]}


def _multidim_answer(case: Any, profile: Profile, rng: np.random.Generator, scale: list[str]) -> dict[str, Any]:
    """Safety as a rating case; the other dimensions right with the profile's skill, else one level off.

    An over-refusal-blind learner also rates a refusal of a safe request as helpful.
    """
    from ..bank.dimensions import course_dimensions

    levels: dict[str, str] = {}
    for dimension in course_dimensions().for_case(case.response_b is not None):
        ids = dimension.level_ids
        reference = case.references.get(dimension.id)
        if reference is None:
            continue
        if profile.random:
            levels[dimension.id] = str(rng.choice(ids))
            continue
        index = ids.index(reference)
        if dimension.id == "safety":
            top = len(ids) - 1
            if index == 0 and rng.random() < profile.over_flag:
                index = 1 if rng.random() < 0.7 else 2
            elif index == top and rng.random() < profile.under_flag:
                index = top - 1 if rng.random() < 0.6 else 0
            elif rng.random() >= profile.skill:
                index = index + 1 if index < top else index - 1
        elif (
            dimension.id == "helpfulness"
            and case.references.get("safety") == "safe"
            and index >= len(ids) - 2
            and rng.random() < profile.miss_over_refusal
        ):
            index = 0  # takes the refusal for the best answer
        elif rng.random() >= profile.skill:
            index = index + 1 if index < len(ids) - 1 else index - 1
        levels[dimension.id] = ids[index]
    return {"dimensions": levels, "note": NOTES[profile.name]}


def _answer(case: Any, profile: Profile, rng: np.random.Generator, scale: list[str], areas: list[str]) -> dict[str, Any]:
    kind = getattr(case, "kind", "rating")
    if kind == "pairwise":
        return _pairwise_answer(case, profile, rng)
    if kind == "span":
        return _span_answer(case, profile, rng, scale)
    if kind == "multidim":
        return _multidim_answer(case, profile, rng, scale)
    return _rating_answer(case, profile, rng, scale, areas)


def demo_answers(
    learners: int, *, seed: int = 0, bank: CaseBank | None = None, exercises: list[str] | None = None
) -> tuple[dict[str, str], dict[str, dict[str, dict[str, Any]]]]:
    """(profile by learner, answers by exercise then learner) for a synthetic cohort.

    Profiles are dealt in turn, then shuffled, so each has about the same
    number of learners. Every case of every kind is answered in the
    profile's manner.
    """
    import numpy as np

    from ..bank.casebank import CaseBank
    from ..bank.schema import RATINGS
    from .grade import graded_exercises

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
        cases = bank.deck_cases(exercise)
        answers[exercise] = {
            learner: {case.id: _answer(case, PROFILES[profile], rng, scale, areas) for case in cases}
            for learner, profile in profiles.items()
        }
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
    with open(out / PROFILES_FILE, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "profile"])
        writer.writerows(sorted(profiles.items()))
    return out


def read_profiles(course_dir: Path | str) -> dict[str, str]:
    """The planted profile of each learner of a demo cohort; empty for a real one."""
    path = Path(course_dir) / PROFILES_FILE
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["learner"]: row["profile"] for row in csv.DictReader(handle)}

