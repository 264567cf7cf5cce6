"""Does the fast lane grade a whole cohort from its answer files, reporting the files it cannot read?"""

from __future__ import annotations

import csv

import pytest

from safetyrater.cli import main
from safetyrater.cohort.grade import grade_course

from conftest import perfect_answers, write_submission

EXERCISE = "ex01-two-questions"
ONE_OFF = {"safe": "risky", "risky": "harmful", "harmful": "risky"}


@pytest.fixture
def cohort(tmp_path, bank):
    """alice right everywhere, bob one level off everywhere, and four ways to hand in nothing gradable."""
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    write_submission(tmp_path, "alice", EXERCISE, perfect)
    write_submission(tmp_path, "bob", EXERCISE, {cid: {**a, "rating": ONE_OFF[a["rating"]]} for cid, a in perfect.items()})
    write_submission(tmp_path, "erin", EXERCISE, text='{"exercise": "ex01-two-questions", "answers": {')
    write_submission(tmp_path, "frank", EXERCISE)  # handed in without saving an answer
    write_submission(tmp_path, "gina", "lesson-01-two-questions")  # no folder for the exercise
    wrong = write_submission(tmp_path, "hugo", EXERCISE, perfect)
    wrong.write_text(wrong.read_text().replace(EXERCISE, "lesson-01-two-questions"))
    return tmp_path, cases


def test_tidy_table_has_one_row_per_learner_exercise_and_case(cohort, bank, policy):
    course, cases = cohort
    grades = grade_course(course, bank=bank, policy=policy, progress=False)
    scores = grades.scores
    # only exercises someone handed in are graded: no column of zeros for the rest
    assert set(scores["exercise"]) == {EXERCISE}
    assert list(scores.columns[:5]) == ["learner", "exercise", "case", "points", "max"]
    # a row per case, and one for the written-feedback cell
    assert len(scores) == 6 * (len(cases) + 1)
    alice = scores[(scores["learner"] == "alice") & (scores["kind"] != "written-feedback")]
    assert list(alice["case"]) == [c.id for c in cases]
    assert (alice["points"] == 3.0).all() and (alice["max"] == 3.0).all()
    # no notes written: the written-feedback cell scores 0 of 1 point a case
    notes = scores[scores["case"] == "written-feedback"]
    assert sorted(notes["learner"]) == ["alice", "bob", "erin", "frank", "gina", "hugo"]
    assert (notes["points"] == 0.0).all() and (notes["max"] == len(cases)).all()
    assert grades.totals()[EXERCISE].to_dict() == {"alice": 24.0, "bob": 20.0, "erin": 0.0, "frank": 0.0, "gina": 0.0, "hugo": 0.0}
    assert grades.max_points() == {EXERCISE: 32.0}


def test_notes_are_pre_scored_as_the_written_feedback_cell_scores_them(tmp_path, bank, policy):
    """Does a learner's written-feedback row hold grade_notes' pre-score, the notes included in their total?"""
    from safetyrater.nbgrader.cells import grade_notes

    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    notes = {c.id: {**perfect[c.id], "note": text} for c, text in zip(cases, [c.rationale for c in cases[:4]] + ["It should refuse."] * 2)}
    path = write_submission(tmp_path, "ines", EXERCISE, {**perfect, **notes})
    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)
    row = grades.scores[grades.scores["case"] == "written-feedback"].iloc[0]
    assert row["points"] == grade_notes(EXERCISE, points=len(cases), folder=path.parent)
    assert 4.0 < row["points"] < 8.0 and row["answered"]
    assert grades.totals()[EXERCISE]["ines"] == 24.0 + row["points"]


def test_unreadable_missing_and_misfiled_answers_are_reported_by_learner_and_path_and_score_zero(cohort, bank, policy):
    course, _ = cohort
    grades = grade_course(course, bank=bank, policy=policy, progress=False)
    status = grades.submissions.set_index("learner")["status"].to_dict()
    assert status == {
        "alice": "graded",
        "bob": "graded",
        "erin": "unreadable",
        "frank": "missing",
        "gina": "not-submitted",
        "hugo": "wrong-exercise",
    }
    messages = {str(p) for p in grades.problems}
    assert len(messages) == 3
    for learner, words in (("erin", "not valid JSON"), ("frank", "no answer file"), ("hugo", "holds answers for")):
        path = course / "graders/cohort/submitted" / learner / EXERCISE / f"{EXERCISE}.answers.json"
        assert any(str(path) in m and f"learner {learner}" in m and words in m and "scored 0" in m for m in messages), learner


def test_command_writes_the_scores_csv_and_lists_each_problem_on_one_line(cohort, tmp_path, capsys):
    course, cases = cohort
    out = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(course), "--out", str(out), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "ex01-two-questions: 2 graded, 1 unreadable, 1 wrong-exercise, 1 missing, 1 not-submitted" in captured.out
    assert len(captured.err.strip().splitlines()) == 4  # three files and the count
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["learner", "exercise", "case", "points", "max"]
    assert sum(float(r["points"]) for r in rows if r["learner"] == "bob") == 20.0
    assert len(rows) == 6 * (len(cases) + 1)


def test_command_exits_zero_when_every_file_is_read(tmp_path, bank, capsys):
    write_submission(tmp_path, "alice", EXERCISE, perfect_answers(bank.deck_cases(EXERCISE)))
    assert main(["cohort", "grade", str(tmp_path), "--no-progress"]) == 0
    assert "1 graded; mean 24.00 / 32 points" in capsys.readouterr().out


def test_grading_some_learners_refuses_ids_that_leave_the_course(cohort, capsys):
    course, _ = cohort
    assert main(["cohort", "grade", str(course), "--learner", "alice", "--learner", "../alice", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "1 graded" in captured.out and "'../alice'" in captured.err and "skipped" in captured.err


PROBES = "ex12-designing-probes"


def test_the_probe_exercise_is_graded_by_the_fast_lane_as_its_grade_cells_grade_it(tmp_path, bank, policy, capsys):
    """Does ex12 (designing probes) get a row per pair in the cohort's scores, each the points its nbgrader grade cell gives?"""
    from safetyrater.probes import grade_pair
    from safetyrater.probes.data import load_probe_rubric

    from support.probe_examples import good_pairs

    repeated = good_pairs()
    repeated["pair-2"]["first"]["prompt"] = repeated["pair-1"]["first"]["prompt"]  # counts against pair 2 only
    folders = {
        "paula": write_submission(tmp_path, "paula", PROBES, good_pairs()).parent,
        "quinn": write_submission(tmp_path, "quinn", PROBES, repeated).parent,
        "rosa": write_submission(tmp_path, "rosa", PROBES, {"pair-1": ["not", "a", "pair"], "pair-2": {}}).parent,
    }
    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)
    assert grades.exercises == [PROBES] and not grades.problems
    check_points = load_probe_rubric().check_points
    scores = grades.scores.set_index(["learner", "case"])
    for learner, folder in folders.items():
        for number in (1, 2, 3):
            row = scores.loc[(learner, f"pair-{number}")]
            assert row["kind"] == "probe" and row["max"] == check_points
            assert row["points"] == grade_pair(PROBES, number, points=check_points, folder=folder), (learner, number)
    capsys.readouterr()
    assert scores.loc[("paula", "pair-2"), "points"] == check_points
    assert scores.loc[("quinn", "pair-2"), "points"] < check_points == scores.loc[("quinn", "pair-1"), "points"]
    assert (scores.loc["rosa", "points"] == 0).all()
    assert grades.max_points() == {PROBES: 3 * check_points}


@pytest.mark.parametrize("enabled", [True, False])
def test_grading_leaves_pythons_cycle_collector_as_it_found_it(cohort, bank, policy, monkeypatch, enabled):
    """The fast lane pauses the cycle collector while it parses (for speed): is it back as it was, after a crash too?"""
    import gc

    import safetyrater.cohort.grade as grade

    course, _ = cohort
    (gc.enable if enabled else gc.disable)()
    try:
        grade_course(course, bank=bank, policy=policy, progress=False)
        assert gc.isenabled() is enabled

        def crash(*args, **kwargs):
            assert not gc.isenabled()  # paused while the files are scored
            raise RuntimeError("scoring failed")

        monkeypatch.setattr(grade, "score_learners", crash)
        with pytest.raises(RuntimeError, match="scoring failed"):
            grade_course(course, bank=bank, policy=policy, progress=False)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_an_answer_file_linking_outside_its_submission_is_not_read_and_scores_zero(tmp_path, bank, policy):
    """A learner who links their answer file to a perfect one elsewhere (another learner's, a key): named, not read, 0 points."""
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    alices = write_submission(tmp_path, "alice", EXERCISE, perfect)
    key = tmp_path / "elsewhere" / "key.answers.json"
    key.parent.mkdir()
    key.write_text(alices.read_text())
    write_submission(tmp_path, "mallory", EXERCISE).symlink_to(key)  # a file outside the course
    write_submission(tmp_path, "oscar", EXERCISE).symlink_to(alices)  # another learner's file, inside the course

    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)
    by_learner = grades.submissions.set_index("learner")
    assert by_learner.loc["alice", "points"] == 24.0
    for learner in ("mallory", "oscar"):
        assert by_learner.loc[learner, "status"] == "unreadable"
        assert by_learner.loc[learner, "points"] == 0.0
        assert any(f"learner {learner}" in str(p) and "links outside its submission folder" in str(p) for p in grades.problems), learner


def test_an_answer_file_linking_within_its_own_submission_folder_is_graded(tmp_path, bank, policy):
    cases = bank.deck_cases(EXERCISE)
    path = write_submission(tmp_path, "rita", EXERCISE, perfect_answers(cases))
    kept = path.with_name("saved.json")
    path.rename(kept)
    path.symlink_to(kept.name)
    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)
    assert grades.problems == []
    assert grades.submissions.set_index("learner").loc["rita", "points"] == 24.0


def test_the_points_column_rounds_as_python_rounds_each_value(bank):
    """Vectorised rounding with Python's exact rounding near ties: every value as nbgrader_points gives it."""
    import numpy as np

    from safetyrater.cohort.grade import nbgrader_points_column
    from safetyrater.nbgrader.cells import nbgrader_points

    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.random(20_000) * 12,
        np.arange(0, 3, 0.00005),  # every tie at the fifth decimal, and float error around each
        np.array([2.00005, 0.00015, 1.00025, 0.5, -1.0, np.nan, 13.0, 1e-12]),
    ])
    maximum = np.full(len(values), 12.0)
    expected = [nbgrader_points(value, top) for value, top in zip(values.tolist(), maximum.tolist(), strict=True)]
    assert nbgrader_points_column(values, maximum).tolist() == expected


@pytest.fixture
def deadline():
    """Fail, rather than hang the suite, if grading blocks (a FIFO opened the ordinary way waits for a writer forever)."""
    import signal

    def stop(*_):
        raise TimeoutError("grading blocked on a handed-in file")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_no_handed_in_file_can_stop_or_swamp_the_cohorts_grading(tmp_path, bank, policy, deadline):
    """A FIFO for an answer file or a timestamp, a timestamp linked to an endless device, a huge answer file: each named, the rest graded."""
    import os

    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    write_submission(tmp_path, "alice", EXERCISE, perfect)
    os.mkfifo(write_submission(tmp_path, "fifo-answers", EXERCISE))
    os.mkfifo(write_submission(tmp_path, "fifo-time", EXERCISE, perfect).with_name("timestamp.txt"))
    write_submission(tmp_path, "endless-time", EXERCISE, perfect).with_name("timestamp.txt").symlink_to("/dev/zero")
    huge = write_submission(tmp_path, "huge", EXERCISE, perfect)
    with huge.open("a") as handle:
        handle.truncate(17 * 1024 * 1024)  # 17 MB (sparse): over the 16 MB an answer file may hold

    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)
    points = grades.submissions.set_index("learner")["points"].to_dict()
    assert points["alice"] == points["fifo-time"] == points["endless-time"] == 24.0  # graded without the time
    assert points["fifo-answers"] == points["huge"] == 0.0
    named = "\n".join(str(p) for p in grades.problems)
    assert "learner fifo-answers" in named and "not a regular file" in named
    assert "learner huge" in named and "larger than 16 MB" in named
    assert "learner fifo-time" in named and "learner endless-time" in named and "submission time" in named
