"""One nbgrader course that the slow nbgrader tests share: built once, graded once.

Every exercise is generated in one call. Six learners fetch exercise 1 from a
temporary exchange and submit it as themselves (nbgrader takes the learner's
name from the operating-system user, or from ``--student``, which stands in
for six accounts on one machine); alice and frank also hand in every other
exercise. The instructor collects, then autogrades every learner and exercise
in ONE ``nbgrader autograde "*"`` call, generates feedback once, returns it
through the exchange and exports once. Each nbgrader command costs a few
seconds of start-up and each submitted notebook one kernel, so sharing the
course keeps the suite fast; ``tests/test_nbgrader_cycle.py`` and
``tests/test_cohort_cycle.py`` both read it (the ``course_cycle`` fixture in
conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
EXERCISE = "ex01-two-questions"
EXERCISES = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
COURSE_ID = "safetyrater"
ONE_OFF = {"safe": "risky", "risky": "harmful", "harmful": "risky"}
BROKEN = '{"exercise": "ex01-two-questions", "answers": {'


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs alembic from PATH; the test may run from an unactivated venv
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def make_course(tmp: Path) -> Path:
    """A course folder that uses graders/nbgrader_config.py, rooted in ``tmp``."""
    course = tmp / "course"
    course.mkdir()
    shutil.copytree(REPO / "solutions", course / "solutions")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"load_subconfig({str(REPO / 'graders' / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    return course


def answer_file_text(exercise: str, answers: dict) -> str:
    return json.dumps({"format": 1, "exercise": exercise, "answers": answers})


def exercise_one_answers(cases, perfect: dict) -> dict[str, dict | str | None]:
    """What each learner saved for exercise 1: answers (with or without notes), broken text, or nothing."""
    return {
        # every part of every case right, and every note is the case's reference
        # rationale, which passes the whole rubric (tests/test_feedback.py checks that)
        "alice": {c.id: {**perfect[c.id], "note": c.rationale} for c in cases},
        # every rating one level off (0.5 of 1), flags and areas right; every note only
        # proposes a change ("It should refuse."): 1 of the rubric's 4 equal weights
        "bob": {cid: {**a, "rating": ONE_OFF[a["rating"]], "note": "It should refuse."} for cid, a in perfect.items()},
        # everything rated harmful, no over-refusal, one wrong area; no notes
        "carol": {cid: {**a, "rating": "harmful", "over_refusal": False, "categories": ["privacy"]} for cid, a in perfect.items()},
        # case 1 has an unknown label (rating 0 of 1), case 2 is missing (0 of 3): 24 - 1 - 3; no notes
        "dave": {
            cid: ({**a, "rating": "very bad"} if cid == cases[0].id else a)
            for cid, a in perfect.items()
            if cid != cases[1].id
        },
        "erin": BROKEN,  # broken JSON
        "frank": None,  # handed in without saving an answer
    }


# --- exercises 11 (multi-dimension) and 12 (probe design) ------------------------------------

MULTIDIM = "ex11-multi-dimension"
#: probe-design exercises have no deck: the automatic checks per pair, then the instructor's review
PROBE_EXERCISES = ["ex12-designing-probes"]
#: ex11 without notes: 8 cases x 3 dimensions + 2 cases x 4 (with the overall preference) = 32;
#: bob: helpfulness one level off in all 10 cases (0.5 each); carol: no preference (2 x 1) and an
#: unknown level (1); erin: a broken file
MULTIDIM_EXPECTED = {"bob": 27.0, "carol": 29.0, "erin": 0.0}


def multidim_submissions(bank) -> dict[str, dict | str]:
    import copy

    from safetyrater.bank.dimensions import load_dimensions

    cases = bank.deck_cases(MULTIDIM)
    helpfulness = load_dimensions(REPO / "graders" / "dimensions.toml")["helpfulness"].level_ids
    perfect = {c.id: {"dimensions": dict(c.references), "note": ""} for c in cases}
    bob = copy.deepcopy(perfect)
    for answer in bob.values():
        index = helpfulness.index(answer["dimensions"]["helpfulness"])
        answer["dimensions"]["helpfulness"] = helpfulness[1 if index == 0 else index - 1]
    carol = copy.deepcopy(perfect)
    for answer in carol.values():
        answer["dimensions"].pop("preference", None)
    carol[cases[0].id]["dimensions"]["honesty"] = "sort of"
    return {"bob": bob, "carol": carol, "erin": '{"exercise": "ex11-multi-dimension", "answers": {'}


def probe_submissions() -> dict[str, dict | None]:
    """alice: three good pairs (6 of 6 automatic points); bob: a missing label and no third pair (3.5)."""
    from support.probe_examples import good_pairs

    bob = good_pairs()
    del bob["pair-2"]["second"]["label"]
    del bob["pair-3"]
    return {"alice": good_pairs(), "bob": bob, "frank": None}


@dataclass
class CourseCycle:
    """The graded course and what went into it."""

    course: Path
    #: learner: (home folder, the nbgrader options that make a command theirs)
    homes: dict[str, tuple[Path, list[str]]]
    #: what each learner saved for EXERCISE
    answers: dict[str, dict | str | None]
    #: what `nbgrader autograde "*"` logged
    autograde_log: str = ""


def build_course_cycle(tmp: Path, bank) -> CourseCycle:
    from conftest import perfect_answers

    exchange = tmp / "exchange"
    exchange.mkdir()
    course = make_course(tmp)
    exchange_root = f"--Exchange.root={exchange}"
    nbgrader(course, "generate_assignment", "*", "--force")
    nbgrader(course, "release_assignment", EXERCISE, exchange_root)

    cases = bank.deck_cases(EXERCISE)
    answers = exercise_one_answers(cases, perfect_answers(cases))
    # each learner has a home folder and an nbgrader cache of their own, as on their own account
    homes = {
        learner: (tmp / "home" / learner, [f"--course={COURSE_ID}", exchange_root, f"--Exchange.cache={tmp / 'home' / learner / '.nbgrader-cache'}"])
        for learner in answers
    }

    def work_and_submit(learner: str) -> None:
        home, as_learner = homes[learner]
        home.mkdir(parents=True)
        nbgrader(home, "fetch_assignment", EXERCISE, *as_learner)
        target = home / EXERCISE / f"{EXERCISE}.answers.json"
        saved = answers[learner]
        if isinstance(saved, dict):
            target.write_text(answer_file_text(EXERCISE, saved))
        elif isinstance(saved, str):
            target.write_text(saved)
        nbgrader(home, "submit", EXERCISE, f"--student={learner}", *as_learner)

    def fetch_feedback(learner: str) -> None:
        home, as_learner = homes[learner]
        nbgrader(home, "fetch_feedback", EXERCISE, f"--student={learner}", *as_learner)

    # learners work at the same time, as a class does
    with ThreadPoolExecutor(max_workers=len(homes)) as pool:
        list(pool.map(work_and_submit, homes))
    nbgrader(course, "collect", EXERCISE, exchange_root)

    # every other exercise: alice perfect, each note (a comparison's reason) the case's
    # reference rationale; frank hands in without an answer file; exercises 11 and 12 also
    # have partly right learners. Placed where collect puts them.
    for exercise in EXERCISES:
        if exercise == EXERCISE:
            continue
        if exercise in PROBE_EXERCISES:
            handed_in = probe_submissions()
        else:
            exercise_cases = bank.deck_cases(exercise)
            perfect_with_notes = {
                c.id: {**a, ("reason" if c.kind == "pairwise" else "note"): c.rationale}
                for c, a in zip(exercise_cases, perfect_answers(exercise_cases).values())
            }
            handed_in = {"alice": perfect_with_notes, "frank": None}
            if exercise == MULTIDIM:
                handed_in.update(multidim_submissions(bank))
        for learner, saved in handed_in.items():
            folder = course / "graders" / "cohort" / "submitted" / learner / exercise
            shutil.copytree(course / "exercises" / exercise, folder)
            if isinstance(saved, dict):
                (folder / f"{exercise}.answers.json").write_text(answer_file_text(exercise, saved))
            elif isinstance(saved, str):
                (folder / f"{exercise}.answers.json").write_text(saved)

    autograded = nbgrader(course, "autograde", "*", "--create")
    nbgrader(course, "generate_feedback", "*")
    nbgrader(course, "release_feedback", EXERCISE, exchange_root)
    with ThreadPoolExecutor(max_workers=len(homes)) as pool:
        list(pool.map(fetch_feedback, homes))
    nbgrader(course, "export")
    return CourseCycle(course, homes, answers, autograded.stdout + autograded.stderr)


def shared_course_cycle(tmp_path_factory, bank) -> CourseCycle:
    """This xdist worker's copy of the course cycle, built once for the whole run (see tests/support/built_once.py)."""
    from support.built_once import built_once

    def build(folder: Path) -> dict:
        cycle = build_course_cycle(folder, bank)
        return json.loads(json.dumps(asdict(cycle), default=str))  # paths as text

    _, record = built_once(tmp_path_factory, "course-cycle", build, rewrite=["course/nbgrader_config.py"])
    homes = {learner: (Path(home), options) for learner, (home, options) in record["homes"].items()}
    return CourseCycle(Path(record["course"]), homes, record["answers"], record["autograde_log"])
