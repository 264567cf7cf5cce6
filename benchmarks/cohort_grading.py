"""How fast is the fast lane: against its floor, at every scale, and against nbgrader autograde? (A benchmark, not a test.)

For each cohort size it builds a demo cohort (every graded exercise) and measures,
in the same run:

* the **floor**: listing the submissions and reading and parsing every answer file
  (``json.loads``), the least any grader of these files must do;
* the **fast lane**: ``grade_course`` in-process (finding the submissions, reading,
  scoring every case and the written-feedback pre-score), and its ratio to the floor;

then, once:

* **own notes** (``--own-notes N``): the cohort of N learners with every note
  its writer's own, as a real cohort's are (the demo's learners repeat a few
  habitual notes, which the coach checks once each); then graded twice more with
  the note scores kept between runs (``feedback/score_cache.py``), the first
  run filling them and the next reading them. Every other figure is of a run
  with nothing kept.

* **memory**: the peak resident memory of a fresh process that grades the largest
  cohort (its ``VmHWM``: the interpreter and libraries included);
* **the commands**: ``safetyrater cohort grade --out`` and ``safetyrater cohort report``
  end to end (start-up included) on the cohort of ``--report-learners``;
* **autograde**: ``--sample`` of the same submissions graded by ``nbgrader autograde``
  (one nbgrader start and kernel per exercise, which the per-submission figure
  includes), compared case by case and cell by cell with the fast lane.

    .venv/bin/python benchmarks/cohort_grading.py [--sizes 100,1000,10000] [--report-learners 1000] [--sample 20] [--seed 0] [--cohorts DIR] [--own-notes 1000]

``--cohorts DIR`` keeps the demo cohorts in DIR and reuses them on the next run
(writing 10,000 learners' files takes minutes; a size and seed always give the
same cohort while the case bank stays the same).

Targets on the 2-core machine: fast lane <= 5x its floor; 1,000 learners <= 3 s and
10,000 <= 30 s; <= 1 GB at 10,000; the report at 1,000 learners <= 10 s; identical
scores on the autograde sample.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from support.nbgrader_course import make_course, nbgrader  # noqa: E402  (the tests' nbgrader course helpers)

from safetyrater.bank.casebank import CaseBank  # noqa: E402
from safetyrater.bank.policy import load_policy  # noqa: E402
from safetyrater.cohort.demo import write_demo_cohort  # noqa: E402
from safetyrater.cohort.grade import NOTES_CASE, exercise_cases, grade_course, graded_exercises  # noqa: E402
from safetyrater.cohort.gradebook import grade_cell_name, open_gradebook  # noqa: E402
from safetyrater.feedback.score_cache import CACHE_ENV  # noqa: E402

SUBMITTED = Path("graders") / "cohort" / "submitted"


def read_and_parse(course: Path) -> int:
    """The floor: list every submission and parse every answer file; the number of files."""
    files = 0
    with os.scandir(course / SUBMITTED) as learners:
        for learner in learners:
            with os.scandir(learner.path) as exercises:
                for exercise in exercises:
                    path = os.path.join(exercise.path, f"{exercise.name}.answers.json")
                    with open(path, "rb") as handle:
                        json.loads(handle.read())
                    files += 1
    return files


def demo_cohort(folder: Path, size: int, seed: int, bank: CaseBank) -> Path:
    """The demo cohort of ``size`` learners in ``folder``, written unless a finished one is there."""
    course = folder / f"cohort-{size}-seed{seed}"
    finished = course / ".written"
    if not finished.is_file():
        shutil.rmtree(course, ignore_errors=True)
        write_demo_cohort(course, size, seed=seed, bank=bank)
        finished.touch()
    return course


def with_own_notes(course: Path, folder: Path, seed: int) -> tuple[Path, int]:
    """A copy of ``course`` where every learner writes their own note on every case; and how many notes it holds.

    The demo's learners write a handful of habitual notes, so the coach checks
    a few hundred distinct notes whatever the cohort's size. Here each note
    becomes one of the kit's labelled notes (every file in datasets/feedback_notes/),
    drawn at random, with the learner's id added so that no two learners' notes
    are the same text, as in a real cohort.
    """
    target = folder / f"{course.name}-own-notes"
    finished = target / ".written"
    pool = [row["text"] for path in sorted((REPO / "datasets" / "feedback_notes").glob("*.jsonl"))
            if not path.name.endswith(".cases.jsonl") and path.name != "cases.jsonl"
            for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row.get("text")]
    rng = random.Random(seed)
    notes = 0
    if finished.is_file():
        return target, int(finished.read_text())
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(course, target)
    with os.scandir(target / SUBMITTED) as learners:
        for learner in learners:
            with os.scandir(learner.path) as exercises:
                for exercise in exercises:
                    path = Path(exercise.path) / f"{exercise.name}.answers.json"
                    data = json.loads(path.read_bytes())
                    for answer in data["answers"].values():
                        for field in ("note", "reason"):
                            if isinstance(answer.get(field), str) and answer[field].strip():
                                answer[field] = f"{rng.choice(pool)} ({learner.name})"
                                notes += 1
                    path.write_text(json.dumps(data), encoding="utf-8")
    finished.write_text(str(notes))
    return target, notes


def timed(function, repeat: int) -> tuple[float, float]:
    """The median wall time and the median CPU time (this process's) of ``repeat`` calls.

    On a shared machine the CPU time moves much less with the other workers' load than the wall time.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def peak_memory_mb(course: Path) -> tuple[float, float]:
    """(after imports, peak) resident memory in MB of a fresh process grading ``course``.

    Read from ``VmHWM`` in ``/proc/self/status``, the process's own high-water mark:
    ``getrusage``'s ``ru_maxrss`` would carry over this (large) process's peak through
    fork and exec.
    """
    script = textwrap.dedent(
        f"""
        def peak():
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        from safetyrater.cohort.grade import grade_course
        from safetyrater.bank.casebank import CaseBank
        bank = CaseBank.load()
        before = peak()
        grades = grade_course({str(course)!r}, bank=bank, progress=False)
        print(before, peak())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=REPO).stdout.split()
    return float(out[0]), float(out[1])


def command_seconds(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "safetyrater", *args], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def autograde(cohort: Path, work: Path, bank: CaseBank, grades, sample: int, seed: int) -> tuple[float, int, int]:
    """Seconds per submission with ``nbgrader autograde`` over ``sample`` submissions, and (compared, differing) scores."""
    exercises = graded_exercises(bank)
    rng = random.Random(seed)
    chosen = rng.sample([(learner, exercise) for learner in grades.learners for exercise in exercises], sample)
    course = make_course(work)
    for exercise in sorted({e for _, e in chosen}):
        nbgrader(course, "generate_assignment", exercise, "--force")
    for learner, exercise in chosen:
        target = course / "graders" / "cohort" / "submitted" / learner / exercise
        shutil.copytree(course / "exercises" / exercise, target)
        shutil.copy2(cohort / SUBMITTED / learner / exercise / f"{exercise}.answers.json", target)
    started = time.perf_counter()
    for exercise in sorted({e for _, e in chosen}):
        nbgrader(course, "autograde", exercise, "--create")
    seconds = (time.perf_counter() - started) / len(chosen)
    compared = differing = 0
    scores = grades.scores.set_index(["learner", "exercise", "case"])["points"]
    with open_gradebook(f"sqlite:///{course}/gradebook.db", "safetyrater") as gradebook:
        for learner, exercise in chosen:
            # a deck's grade cells: one per case and the written feedback; a probe exercise's: each pair's checks
            kind = "probe" if exercise not in bank.decks else None
            cells = {c.id: grade_cell_name(c.id, kind) for c in exercise_cases(bank, exercise)}
            if exercise in bank.decks:
                cells[NOTES_CASE] = grade_cell_name(NOTES_CASE)
            for case_id, cell in cells.items():
                recorded = gradebook.find_grade(cell, exercise, exercise, learner).auto_score
                compared += 1
                if recorded != scores[(learner, exercise, case_id)]:
                    differing += 1
                    print(f"  differs: {learner} {exercise} {case_id}: autograde {recorded}, fast lane {scores[(learner, exercise, case_id)]}")
    return seconds, compared, differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="cohort sizes, comma-separated")
    parser.add_argument("--report-learners", type=int, default=1000, help="cohort size for the end-to-end commands (one of --sizes)")
    parser.add_argument("--sample", type=int, default=20, help="submissions to autograde with nbgrader (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure below 10,000 learners (the median is printed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cohorts", type=Path, help="keep the demo cohorts here and reuse them (default: a temporary folder)")
    parser.add_argument("--own-notes", type=int, default=0, metavar="N",
                        help="also grade the cohort of N learners (one of --sizes) with every note its writer's own (0: skip)")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    # every figure is of a first run: no note score kept from an earlier one (but see --own-notes)
    os.environ[CACHE_ENV] = "off"
    print(f"machine: {os.cpu_count()} cores; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    bank = CaseBank.load(REPO / "datasets")
    policy = load_policy(REPO / "graders" / "policy.toml")
    exercises = graded_exercises(bank)
    cases = sum(len(exercise_cases(bank, e)) for e in exercises)
    notes = sum(e in bank.decks for e in exercises)
    print(f"each learner: {len(exercises)} exercises, {cases} cases and pairs, {notes} written-feedback cells")
    work = Path(tempfile.mkdtemp(prefix="safetyrater-bench-"))
    targets: dict[str, bool] = {}
    rows = []
    try:
        warm = write_demo_cohort(work / "warm-up", 20, seed=args.seed, bank=bank)
        grade_course(warm, bank=bank, policy=policy, progress=False)  # imports and caches, not timed
        cohorts = {}
        for size in sizes:
            cohorts[size] = demo_cohort(args.cohorts or work, size, args.seed, bank)
            repeat = args.repeat if size < 10_000 else 1
            read_and_parse(cohorts[size])  # not timed: both measures then read from the page cache
            floor, floor_cpu = timed(lambda: read_and_parse(cohorts[size]), repeat)
            fast, fast_cpu = timed(lambda: grade_course(cohorts[size], bank=bank, policy=policy, progress=False), repeat)
            rows.append((size, floor, fast))
            print(f"{size:>6} learners ({size * len(exercises):,} files): floor {floor:6.2f} s, fast lane {fast:6.2f} s, "
                  f"ratio {fast / floor:4.1f}x, {fast / size * 1000:.2f} ms per learner; "
                  f"CPU time: floor {floor_cpu:6.2f} s, fast lane {fast_cpu:6.2f} s, ratio {fast_cpu / floor_cpu:4.1f}x")
            targets[f"{size:,} learners: fast lane <= 5x its floor"] = fast <= 5 * floor
            if size in (1000, 10_000):
                targets[f"{size:,} learners in <= {3 if size == 1000 else 30} s"] = fast <= (3 if size == 1000 else 30)

        if args.own_notes in cohorts:
            course, notes = with_own_notes(cohorts[args.own_notes], args.cohorts or work, args.seed)
            read_and_parse(course)
            floor, _ = timed(lambda: read_and_parse(course), 1)
            fast, _ = timed(lambda: grade_course(course, bank=bank, policy=policy, progress=False), 1)
            print(f"{args.own_notes:>6} learners, every note its writer's own ({notes:,} notes): floor {floor:6.2f} s, "
                  f"fast lane {fast:6.2f} s, ratio {fast / floor:4.1f}x ({notes / fast:,.0f} notes per second, the coach's checks included)")
            # the kept note scores (feedback/score_cache.py), in a folder of this run's: filled, then read
            os.environ[CACHE_ENV] = str(work / "note-scores")
            filling, _ = timed(lambda: grade_course(course, bank=bank, policy=policy, progress=False), 1)
            kept, _ = timed(lambda: grade_course(course, bank=bank, policy=policy, progress=False), 1)
            os.environ[CACHE_ENV] = "off"
            print(f"{'':>6} the same with the note scores kept between runs: the first run {filling:6.2f} s, "
                  f"the next {kept:6.2f} s, ratio {kept / floor:4.1f}x")

        largest = sizes[-1]
        after_imports, peak = peak_memory_mb(cohorts[largest])
        print(f"memory grading {largest:,} learners in a fresh process: peak {peak:.0f} MB resident "
              f"({after_imports:.0f} MB after imports and the case bank)")
        if largest >= 10_000:
            targets[f"{largest:,} learners in <= 1 GB"] = peak <= 1024

        if args.report_learners in cohorts:
            course = cohorts[args.report_learners]
            grade_seconds = command_seconds("cohort", "grade", str(course), "--no-progress", "--out", str(work / "scores.csv"))
            report_seconds = command_seconds("cohort", "report", str(course), "--no-progress", "--out", str(work / "report"))
            print(f"commands at {args.report_learners:,} learners, start-up included: `cohort grade --out` {grade_seconds:.2f} s, "
                  f"`cohort report` {report_seconds:.2f} s")
            targets[f"`cohort report` at {args.report_learners:,} learners <= 10 s"] = report_seconds <= 10

        if args.sample:
            size = args.report_learners if args.report_learners in cohorts else sizes[0]
            grades = grade_course(cohorts[size], bank=bank, policy=policy, progress=False)
            fast_each = dict((s, f) for s, _, f in rows)[size] / (size * len(exercises))
            slow_each, compared, differing = autograde(cohorts[size], work, bank, grades, min(args.sample, size * len(exercises)), args.seed)
            print(f"nbgrader autograde: {slow_each:.2f} s per submission over {args.sample} (one nbgrader start per exercise "
                  f"included); fast lane {fast_each * 1000:.2f} ms per submission: {slow_each / fast_each:,.0f}x")
            print(f"scores: {compared - differing} of {compared} case and written-feedback scores identical on the sample")
            targets["identical scores on the autograde sample"] = differing == 0
        for target, met in targets.items():
            print(f"  {'met' if met else 'MISSED'}: {target}")
        return 0 if all(targets.values()) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
