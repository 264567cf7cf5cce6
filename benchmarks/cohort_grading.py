"""How much faster is the fast lane than nbgrader autograde? (A benchmark, not a test.)

Builds a demo cohort of 1,000 learners across every graded exercise, grades
all of it with the fast lane (``safetyrater cohort grade``: the answer files,
the one grading core, no kernels), then grades a sample of 20 of the same
submissions with ``nbgrader autograde`` (one kernel per submission) and
compares: time per submission, their ratio, and the scores, case by case
and the written-feedback cell (the feedback coach's pre-score of the notes).

    .venv/bin/python benchmarks/cohort_grading.py [--learners 1000] [--sample 20] [--seed 0]

Targets on a 2-core machine: the fast lane at least 100 times faster per
submission, the whole cohort in 30 s or less, identical scores on the sample.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from support.nbgrader_course import make_course, nbgrader  # noqa: E402  (the tests' nbgrader course helpers)

from safetyrater.bank.casebank import CaseBank  # noqa: E402
from safetyrater.cohort.demo import write_demo_cohort  # noqa: E402
from safetyrater.cohort.grade import NOTES_CASE, grade_course, graded_exercises  # noqa: E402
from safetyrater.cohort.gradebook import grade_cell_name, open_gradebook  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20, help="submissions to autograde with nbgrader")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    bank = CaseBank.load(REPO / "datasets")
    exercises = graded_exercises(bank)
    work = Path(tempfile.mkdtemp(prefix="safetyrater-bench-"))
    try:
        cohort = write_demo_cohort(work / "cohort", args.learners, seed=args.seed, bank=bank)
        submissions = args.learners * len(exercises)
        cases = sum(len(bank.deck(e).cases) for e in exercises)
        print(f"cohort: {args.learners} learners x {len(exercises)} exercise(s) = {submissions} submissions, {cases} case(s) each learner")

        started = time.perf_counter()
        grades = grade_course(cohort, bank=bank, progress=False)
        fast_total = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "safetyrater", "cohort", "grade", str(cohort), "--no-progress", "--out", str(work / "scores.csv")],
                       check=True, capture_output=True)
        command_total = time.perf_counter() - started
        fast_each = fast_total / submissions
        print(f"fast lane: {fast_total:.2f} s for the cohort in-process ({fast_each * 1000:.2f} ms per submission); "
              f"`safetyrater cohort grade` end to end, with start-up and CSV: {command_total:.2f} s")

        rng = random.Random(args.seed)
        sample = rng.sample([(learner, exercise) for learner in grades.learners for exercise in exercises], min(args.sample, submissions))
        course = make_course(work)
        for exercise in sorted({e for _, e in sample}):
            nbgrader(course, "generate_assignment", exercise, "--force")
        for learner, exercise in sample:
            target = course / "graders" / "cohort" / "submitted" / learner / exercise
            shutil.copytree(course / "exercises" / exercise, target)
            shutil.copy2(cohort / "graders" / "cohort" / "submitted" / learner / exercise / f"{exercise}.answers.json", target)
        started = time.perf_counter()
        for exercise in sorted({e for _, e in sample}):
            nbgrader(course, "autograde", exercise, "--create")
        slow_total = time.perf_counter() - started
        slow_each = slow_total / len(sample)
        print(f"nbgrader autograde: {slow_total:.2f} s for {len(sample)} submissions ({slow_each * 1000:.0f} ms per submission)")

        mismatches = 0
        compared = 0
        scores = grades.scores.set_index(["learner", "exercise", "case"])["points"]
        with open_gradebook(f"sqlite:///{course}/gradebook.db", "safetyrater") as gradebook:
            for learner, exercise in sample:
                # every case, and the written-feedback cell (the feedback coach's pre-score of the notes)
                for case_id in [*bank.deck(exercise).cases, NOTES_CASE]:
                    recorded = gradebook.find_grade(grade_cell_name(case_id), exercise, exercise, learner).auto_score
                    compared += 1
                    if recorded != scores[(learner, exercise, case_id)]:
                        mismatches += 1
                        print(f"  differs: {learner} {exercise} {case_id}: autograde {recorded}, fast lane {scores[(learner, exercise, case_id)]}")

        ratio = slow_each / fast_each
        print(f"ratio: the fast lane is {ratio:,.0f} times faster per submission")
        print(f"scores: {compared - mismatches} of {compared} case and written-feedback scores identical on the sample")
        targets = {
            ">= 100x faster per submission": ratio >= 100,
            f"{args.learners} learners x the course in <= 30 s": fast_total <= 30,
            "identical scores on the sample": mismatches == 0,
        }
        for target, met in targets.items():
            print(f"  {'met' if met else 'MISSED'}: {target}")
        return 0 if all(targets.values()) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
