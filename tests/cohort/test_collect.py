"""Does the cohort search find every answer file, where nbgrader's configuration says, and nothing outside?"""

from __future__ import annotations

from safetyrater.cohort.collect import CourseLayout, find_learners, find_submissions, learner_id_problem

from conftest import REPO, write_submission

EXERCISE = "ex01-two-questions"


def test_the_repositorys_layout_comes_from_graders_nbgrader_config():
    """Run from the course root, is the layout the one graders/nbgrader_config.py sets?"""
    layout = CourseLayout.find(REPO)
    assert layout.config_file == REPO / "graders" / "nbgrader_config.py"
    assert layout.submitted == REPO / "graders" / "cohort" / "submitted"
    assert layout.db_url == f"sqlite:///{REPO / 'graders' / 'cohort' / 'gradebook.db'}"
    assert layout.course_id == "safetyrater"
    assert CourseLayout.find(REPO / "graders") == layout


def test_a_course_config_that_moves_the_gradebook_is_followed(tmp_path):
    """Does a course's own nbgrader_config.py (root, database) win, as it does for nbgrader?"""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"load_subconfig({str(REPO / 'graders' / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    layout = CourseLayout.find(course)
    assert layout.submitted == course / "graders" / "cohort" / "submitted"
    assert layout.gradebook_file == course / "gradebook.db"


def test_a_folder_without_config_uses_the_kits_layout(tmp_path):
    write_submission(tmp_path, "alice", EXERCISE, {})
    layout = CourseLayout.find(tmp_path)
    assert layout.config_file is None
    assert layout.answer_path("alice", EXERCISE) == tmp_path / "graders/cohort/submitted/alice" / EXERCISE / f"{EXERCISE}.answers.json"
    assert find_learners(layout) == ["alice"]


def test_every_learner_and_exercise_is_listed_submitted_or_not(tmp_path):
    write_submission(tmp_path, "bob", EXERCISE, {})
    (tmp_path / "graders/cohort/submitted/carol").mkdir()
    (tmp_path / "graders/cohort/submitted/.ipynb_checkpoints").mkdir()
    submissions, problems = find_submissions(CourseLayout.find(tmp_path), [EXERCISE])
    assert problems == []
    assert [(s.learner, s.submitted) for s in submissions] == [("bob", True), ("carol", False)]


def test_learner_ids_that_leave_the_course_are_reported_and_skipped(tmp_path):
    """Is an id with '..' or a separator, or a folder linking outside, skipped with a message?"""
    course = tmp_path / "course"
    outside = tmp_path / "elsewhere"
    secret = write_submission(outside, "victim", EXERCISE, {"core-009": {"rating": "safe"}})
    write_submission(course, "alice", EXERCISE, {})
    (course / "graders/cohort/submitted/mallory").symlink_to(secret.parents[1], target_is_directory=True)
    layout = CourseLayout.find(course)

    submissions, problems = find_submissions(layout, [EXERCISE])
    assert [s.learner for s in submissions] == ["alice"]
    assert len(problems) == 1 and "mallory" in str(problems[0]) and "outside" in str(problems[0])

    submissions, problems = find_submissions(layout, [EXERCISE], learners=["../../elsewhere/graders/cohort/submitted/victim", "a/b", "..", "alice"])
    assert [s.learner for s in submissions] == ["alice"]
    assert len(problems) == 3
    assert all("skipped" in str(p) for p in problems)


def test_learner_id_check_accepts_ordinary_ids_and_refuses_paths():
    for good in ("alice", "bob.smith", "c.d@example.org", "learner-0001", "José"):
        assert learner_id_problem(good) is None, good
    for bad in ("", ".", "..", "../x", "a/b", "a\\b", ".hidden", "x+y", "x*", "nul\x00"):
        assert learner_id_problem(bad) is not None, bad


def test_a_missing_course_folder_is_one_clear_error(tmp_path):
    import pytest

    from safetyrater.errors import DataError

    with pytest.raises(DataError, match="course folder not found"):
        CourseLayout.find(tmp_path / "nowhere")
