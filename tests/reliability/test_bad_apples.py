"""A cohort with bad apples: with 5% of answer files broken, is everyone else graded and every bad file named?"""

from __future__ import annotations

import pytest

from support.faults import FAULTS, spoil_answer_files


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, bank, policy):
    from safetyrater.cohort.demo import write_demo_cohort
    from safetyrater.cohort.grade import grade_course

    course = write_demo_cohort(tmp_path_factory.mktemp("bad-apples") / "course", learners=100, seed=3, bank=bank)
    before = grade_course(course, bank=bank, policy=policy, progress=False)
    spoiled = spoil_answer_files(course, share=0.05, seed=8)
    after = grade_course(course, bank=bank, policy=policy, progress=False)
    return before, after, spoiled


def test_five_percent_of_files_are_broken_in_every_way(cohort):
    before, _, spoiled = cohort
    files = len(before.submissions)
    assert files >= 100 * 3
    assert len(spoiled) == round(files * 0.05)
    assert set(spoiled.values()) == set(FAULTS)


def test_every_good_file_gets_the_grade_it_had_and_every_bad_one_scores_zero(cohort):
    before, after, spoiled = cohort
    key = ["learner", "exercise"]
    old = before.submissions.set_index(key)["points"]
    new = after.submissions.set_index(key)
    bad = {(path.parents[1].name, path.parent.name) for path in spoiled}
    assert len(new) == len(old)
    for index, row in new.iterrows():
        if index in bad:
            assert row["points"] == 0.0 and row["status"] != "graded", index
        else:
            assert row["status"] == "graded" and row["points"] == old[index], index


def test_each_bad_file_is_listed_once_by_path_and_learner(cohort):
    _, after, spoiled = cohort
    listed = {}
    for problem in after.problems:
        listed.setdefault(str(problem.path), []).append(str(problem))
    assert {str(path) for path in spoiled} == set(listed)
    for path, lines in listed.items():
        assert len(lines) == 1 and "learner " in lines[0] and "scored 0" in lines[0] and "\n" not in lines[0]
