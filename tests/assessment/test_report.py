"""Does the report grade an attempt right, apply the pass mark and name planted tendencies?"""

from __future__ import annotations

import json

import pytest

from safetyrater.assessment.forms import draw_form, pool_cases
from safetyrater.assessment.report import MODULES, TENDENCIES, finish_attempt, grade_attempt, note_is_vague
from safetyrater.assessment.session import History, read_attempt_file, start_attempt
from safetyrater.errors import DataError

from .helpers import GOOD_NOTE, FakeClock, answer_all, reference_answer

SCALE = ["safe", "risky", "harmful"]


def quadratic_kappa(reference: list[str], given: list[str]) -> float:
    """Cohen's kappa with quadratic weights, written out from its definition."""
    k, n = len(SCALE), len(reference)
    observed = [[0.0] * k for _ in range(k)]
    for r, g in zip(reference, given):
        observed[SCALE.index(r)][SCALE.index(g)] += 1 / n
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weight = [[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(k) for j in range(k))
    chance = sum(weight[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    return 1 - disagreement / chance


@pytest.fixture
def clock():
    return FakeClock()


def take(tmp_path, bank, policy, clock, form, rater=reference_answer):
    """Start an attempt at ``form``, answer every case as ``rater`` does, and submit."""
    session = start_attempt(tmp_path, form, 60, policy.assessment, clock)
    cases = [bank.cases[i] for i in form.case_ids]
    answer_all(session, cases, rater, clock)
    return finish_attempt(session, bank, policy)


def test_a_perfect_attempt_passes_and_names_no_tendency(tmp_path, bank, policy, clock):
    form = draw_form(pool_cases(bank), 40, 2, probe_pairs=2)
    report = take(tmp_path, bank, policy, clock, form)
    assert report.points == report.max_points == 120
    assert report.kappa == pytest.approx(1.0)
    assert report.passed
    assert report.tendencies == []
    assert all(p.consistent for p in report.probes) and len(report.probes) == 2
    assert report.headline().startswith("PASS: points 120 / 120")


def test_a_known_attempt_gets_its_known_score_and_passes(tmp_path, bank, policy, clock):
    """One harmful case rated risky (-0.5), one over-refusal unticked (-1), one case unanswered (-3)."""
    form = draw_form(pool_cases(bank), 10, 4)
    cases = [bank.cases[i] for i in form.case_ids]
    harmful = next(c for c in cases if c.reference_rating == "harmful")
    refusal = next(c for c in cases if c.over_refusal)
    skipped = next(c for c in cases if c.reference_rating == "safe" and not c.over_refusal)
    session = start_attempt(tmp_path, form, 60, policy.assessment, clock)
    given = {}
    for case in cases:
        answer = reference_answer(case)
        if case is harmful:
            answer["rating"] = "risky"
        if case is refusal:
            answer["over_refusal"] = False
        if case is not skipped:
            session.update(case.id, **answer)
            given[case.id] = answer["rating"]
    report = finish_attempt(session, bank, policy)

    assert report.points == 25.5 and report.max_points == 30
    assert report.share == pytest.approx(0.85)
    expected_kappa = quadratic_kappa([bank.cases[i].reference_rating for i in given], list(given.values()))
    assert report.kappa == pytest.approx(expected_kappa)
    assert report.kappa >= 0.70 and report.passed
    assert report.unanswered == [form.case_ids.index(skipped.id) + 1]
    row = report.scores.set_index("case_id").loc[harmful.id]
    assert row["points"] == 2.5 and "under-rated" in row["mistakes"]


def test_the_pass_mark_comes_from_the_policy(tmp_path, bank, policy, clock):
    """The same answers pass at 80% and fail when an instructor sets 90%."""
    form = draw_form(pool_cases(bank), 10, 4)
    cases = {c.id: c for c in (bank.cases[i] for i in form.case_ids)}
    session = start_attempt(tmp_path, form, 60, policy.assessment, clock)
    skipped = form.case_ids[0]
    for case_id, case in cases.items():
        if case_id != skipped:
            session.update(case_id, **reference_answer(case))
    session.submit()
    assert grade_attempt(session.attempt, bank, policy).passed  # 27 / 30 = 90%
    strict = policy.model_copy(update={"assessment": policy.assessment.model_copy(update={"pass_points": 0.95})})
    assert not grade_attempt(session.attempt, bank, strict).passed
    picky = policy.model_copy(update={"assessment": policy.assessment.model_copy(update={"pass_kappa": 1.01 - 0.01})})
    assert grade_attempt(session.attempt, bank, picky).passed  # kappa is exactly 1 on the answered cases


def test_enough_points_without_agreement_does_not_pass(tmp_path, bank, policy, clock):
    """An over-flagger keeps most points (ticks and areas right) but fails on weighted kappa."""
    form = draw_form(pool_cases(bank), 40, 5)

    def over_flagger(case):
        answer = reference_answer(case)
        if case.reference_rating == "safe":
            answer["rating"] = "risky"
        return answer

    report = take(tmp_path, bank, policy, clock, form, over_flagger)
    assert report.share >= 0.80
    assert report.kappa is not None and report.kappa < 0.70
    assert not report.passed
    assert report.headline().startswith("NOT YET PASSED")


def test_late_answers_are_not_scored_by_default_and_scored_when_the_policy_says(tmp_path, bank, policy, clock):
    form = draw_form(pool_cases(bank), 10, 4)
    cases = [bank.cases[i] for i in form.case_ids]
    session = start_attempt(tmp_path, form, 60, policy.assessment, clock)
    for case in cases[:-1]:
        session.update(case.id, **reference_answer(case))
    clock.advance(minutes=61)
    session.update(cases[-1].id, **reference_answer(cases[-1]))
    session.submit()

    report = grade_attempt(session.attempt, bank, policy)
    assert report.points == 27 and report.late == [10] and report.unanswered == [10]
    assert "not scored): case 10" in report.text()
    lenient = policy.model_copy(update={"assessment": policy.assessment.model_copy(update={"late_answers": "scored"})})
    report = grade_attempt(session.attempt, bank, lenient)
    assert report.points == 30 and report.late == [10] and report.unanswered == []
    assert report.to_json()["items"][-1]["late"] is True


def _over_flagger(case):
    answer = reference_answer(case)
    if case.reference_rating == "safe" and not case.over_refusal:
        answer["rating"] = "risky"
    return answer


# A reworded pair shares one habit: a rater who misses polite harm misses both wordings when either is
# polite, or the report would rightly name their inconsistency too. Filled from the bank by a fixture.
POLITE_GROUPS: set[str] = set()


@pytest.fixture(autouse=True)
def _polite_groups(bank):
    POLITE_GROUPS.update(c.variant_of or c.id for c in bank.cases.values() if "polite-harm" in c.tags)


def _politely_worded(case) -> bool:
    return (case.variant_of or case.id) in POLITE_GROUPS


def _polite_harm_misser(case):
    answer = reference_answer(case)
    if _politely_worded(case) and case.reference_rating != "safe":
        answer["rating"] = "safe"
    return answer


def _harm_misser(case):
    answer = reference_answer(case)
    if not _politely_worded(case) and case.reference_rating == "harmful":
        answer["rating"] = "safe"
    return answer


def _over_refusal_acceptor(case):
    return {**reference_answer(case), "over_refusal": False}


def _inconsistent(case):
    """Rates a rewording one level higher, or (for a harmful one) calls it an over-refusal."""
    answer = reference_answer(case)
    if case.variant_of and case.reference_rating == "harmful":
        answer["over_refusal"] = True
    elif case.variant_of:
        answer["rating"] = SCALE[SCALE.index(case.reference_rating) + 1]
    return answer


def _vague_noter(case):
    return reference_answer(case, note="This seems risky.")


@pytest.mark.parametrize(
    ("rater", "tendency"),
    [
        (_over_flagger, "over-flagging"),
        (_polite_harm_misser, "missing-polite-harm"),
        (_harm_misser, "under-flagging"),
        (_over_refusal_acceptor, "accepting-over-refusals"),
        (_inconsistent, "inconsistency"),
        (_vague_noter, "vague-notes"),
    ],
)
def test_the_report_names_a_planted_tendency_and_only_that(tmp_path, bank, policy, clock, rater, tendency):
    """Does a simulated rater with one habit get exactly that habit named, with modules to revisit?"""
    form = draw_form(pool_cases(bank), 40, 3, probe_pairs=2)
    report = take(tmp_path, bank, policy, clock, form, rater)
    assert [t.code for t in report.tendencies] == [tendency]
    found = report.tendencies[0]
    assert found.modules == TENDENCIES[tendency].modules
    assert found.positions and all(1 <= p <= 40 for p in found.positions)
    assert f"module {found.modules[0]} ({MODULES[found.modules[0]]})" in report.text()
    assert found.name in report.html()


def test_inconsistency_names_the_pair_rated_differently(tmp_path, bank, policy, clock):
    form = draw_form(pool_cases(bank), 40, 3, probe_pairs=2)
    report = take(tmp_path, bank, policy, clock, form, _inconsistent)
    positions = [(form.case_ids.index(a) + 1, form.case_ids.index(b) + 1) for a, b in form.probe_pairs]
    assert sorted(p.positions for p in report.probes) == sorted(positions)
    assert not any(p.consistent for p in report.probes)
    assert f"cases {positions[0][0]} and {positions[0][1]}" in report.text()


def test_every_tendency_points_to_course_modules():
    assert set(TENDENCIES) == {
        "over-flagging", "under-flagging", "missing-polite-harm", "accepting-over-refusals", "inconsistency", "vague-notes",
    }
    for kind in TENDENCIES.values():
        assert kind.modules and set(kind.modules) <= set(MODULES)


@pytest.mark.parametrize(
    "note",
    [
        "",
        "   ",
        "This seems risky.",
        "Harmful. Bad response, not okay at all in my view honestly.",
        "This response is problematic and inappropriate and concerning for many different reasons overall.",
        # names a change but no problem or why, in words that would fit any case: the coach calls it vague
        GOOD_NOTE,
        # specific and names the problem and the fix, but not why it matters
        "Gives a dose with no check of the patient's weight; should ask and add a warning.",
    ],
)
def test_vague_notes_are_recognised(note):
    assert note_is_vague(note)


@pytest.mark.parametrize(
    "note",
    [
        "The response gives a sedative dose without asking the patient's weight, which could lead to an overdose; "
        "it should ask for the weight and add a warning.",
        "The response refuses a safe question about the history of a massacre, which leaves a student without "
        "the facts they need for an essay; it should answer with the dates and causes.",
    ],
)
def test_specific_notes_are_not_called_vague(note):
    assert not note_is_vague(note)


def test_a_note_is_judged_against_its_own_case_by_the_feedback_coach(bank):
    """Is a case's reference rationale a good note for that case, as the coach's check says?"""
    from safetyrater.feedback.check import check_note

    cases = pool_cases(bank)[:5]
    for case in cases:
        assert not note_is_vague(case.rationale, case), case.id
        check = check_note(case.rationale, case)
        assert check.problem.passed and check.why.passed and check.change.passed and not check.vague.passed


def test_the_report_compares_with_earlier_attempts(tmp_path, bank, policy, clock):
    """Does a second attempt's report show the first and what changed since?"""
    pool = pool_cases(bank)
    first = take(tmp_path, bank, policy, clock, draw_form(pool, 40, 5), _over_flagger)
    clock.advance(days=1)
    second = take(tmp_path, bank, policy, clock, draw_form(pool, 40, 6))
    assert [e["file"] for e in second.earlier] == [first.attempt.path.name]
    change = second.progress()
    assert change["share_change"] == pytest.approx(second.share - first.share, abs=5e-4)  # shown rounded
    assert change["kappa_change"] > 0
    assert change["tendencies_gone"] == ["over-flagging"] and change["tendencies_new"] == []
    assert "no longer: over-flagging" in second.text()
    history = History(tmp_path)
    assert [e["result"]["tendencies"] for e in history.entries] == [["over-flagging"], []]
    assert [e["result"]["passed"] for e in history.entries] == [first.passed, True]


def test_references_show_only_when_the_policy_reveals_them(tmp_path, bank, policy, clock):
    form = draw_form(pool_cases(bank), 10, 4)
    report = take(tmp_path, bank, policy, clock, form, _over_flagger)
    wrong = next(i for i in form.case_ids if bank.cases[i].reference_rating == "safe" and not bank.cases[i].over_refusal)
    assert "reference" in report.text() and bank.cases[wrong].rationale[:40] in report.html()
    hidden = policy.model_copy(update={"assessment": policy.assessment.model_copy(update={"reveal_references": False})})
    report = grade_attempt(read_attempt_file(report.attempt.path), bank, hidden)
    case_lines = report.text().split("\nCases:\n")[1]
    assert "reference" not in case_lines and bank.cases[wrong].rationale[:40] not in report.html()
    assert "flagged a safe response" not in report.text() + report.html()
    assert all("reference_rating" not in item and "mistakes" not in item for item in report.to_json()["items"])
    assert all(t["positions"] == [] for t in report.to_json()["tendencies"])
    json.dumps(report.to_json())


def test_an_attempt_whose_cases_are_not_here_is_one_clear_error(tmp_path, bank, policy, clock):
    form = draw_form(pool_cases(bank), 10, 4)
    session = start_attempt(tmp_path, form, 60, policy.assessment, clock)
    session.attempt.case_ids[0] = "pool-gone-001"
    with pytest.raises(DataError, match=r"\.attempt\.json: cases: 1 case\(s\) cannot be graded \(not in the case bank\): pool-gone-001"):
        grade_attempt(session.attempt, bank, policy)


def test_the_report_names_risk_areas_and_rounds_points(tmp_path, bank, policy, clock):
    """Does a learner read "Weapons of mass harm", not mass-harm-weapons, and points with one decimal at most?"""
    import re

    form = draw_form(pool_cases(bank), 20, 3)
    report = take(tmp_path, bank, policy, clock, form, _over_flagger)
    shown = report.text() + report.html()
    for area in report.by_category:
        assert bank.taxonomy[area["category"]].name in shown
        if "-" in area["category"] and area["category"] != "self-harm":  # "self-harm" is also the English word
            assert area["category"] not in shown
    # points (by category and per case) have one decimal at most; kappa keeps its two, beside its pass mark
    assert not re.search(r"(?<![\w.])\d+\.\d\d", report.html().split("<h4>By category</h4>")[1])
    assert "-0.0" not in shown and "+-" not in shown
