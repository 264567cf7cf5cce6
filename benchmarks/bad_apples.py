"""A 1,000-learner cohort with bad apples: is everyone else graded and every bad file named? (A benchmark, not a test.)

Writes a demo cohort (every graded exercise), grades it, breaks 5% of the
answer files in the ways of :data:`FAULTS` of ``tests/support/faults.py``, grades it again
and checks: each good file keeps its grade, each bad file scores 0 and is
listed once, by path and learner. Prints the counts and the time taken.

    .venv/bin/python benchmarks/bad_apples.py [--learners 1000] [--share 0.05] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from support.faults import spoil_answer_files  # noqa: E402  (the tests' fault injection)

from safetyrater.bank.casebank import CaseBank  # noqa: E402
from safetyrater.bank.policy import load_policy  # noqa: E402
from safetyrater.cohort.demo import write_demo_cohort  # noqa: E402
from safetyrater.cohort.grade import grade_course  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--share", type=float, default=0.05, help="share of answer files to break")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    bank, policy = CaseBank.load(), load_policy()
    with tempfile.TemporaryDirectory(prefix="sr-bad-apples-") as tmp:
        course = write_demo_cohort(Path(tmp) / "course", learners=args.learners, seed=args.seed, bank=bank)
        before = grade_course(course, bank=bank, policy=policy, progress=False)
        spoiled = spoil_answer_files(course, share=args.share, seed=args.seed)
        start = time.perf_counter()
        after = grade_course(course, bank=bank, policy=policy, progress=False)
        seconds = time.perf_counter() - start

        key = ["learner", "exercise"]
        old = before.submissions.set_index(key)["points"]
        new = after.submissions.set_index(key)
        bad = {(path.parents[1].name, path.parent.name) for path in spoiled}
        wrong = [
            index for index, row in new.iterrows()
            if (row["points"] != 0.0 if index in bad else (row["status"] != "graded" or row["points"] != old[index]))
        ]
        listed = Counter(str(problem.path) for problem in after.problems)
        unlisted = [path for path in spoiled if listed[str(path)] != 1]
        extra = [path for path in listed if Path(path) not in spoiled]

    print(f"{args.learners} learners, {len(new)} answer files, {len(spoiled)} broken ({args.share:.0%}): "
          + ", ".join(f"{fault} {count}" for fault, count in sorted(Counter(spoiled.values()).items())))
    print(f"graded in {seconds:.1f} s; good files with a changed grade or bad files scored: {len(wrong)}; "
          f"bad files not listed exactly once: {len(unlisted)}; files listed that were not broken: {len(extra)}")
    ok = not (wrong or unlisted or extra)
    print("OK: every good file graded as before, every bad one named once" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
