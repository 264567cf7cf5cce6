"""Does the feedback coach judge a note the way the rubric says, and can an instructor tune it?"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from safetyrater.errors import DataError
from safetyrater.feedback.rubric import ELEMENTS, load_rubric
from safetyrater.feedback.check import check_note
from safetyrater.feedback.notes_file import check_note_lines
from safetyrater.feedback.comments import load_comment_bank, suggested_comments
from safetyrater.feedback.render import note_check_html, note_check_lines
from safetyrater.feedback.model import read_labelled_cases, read_labelled_notes

from conftest import REPO

#: the issue's quality bar on the held-out notes
TARGETS = {"problem": 0.85, "why": 0.85, "change": 0.85, "vague": 0.90}


@pytest.fixture(scope="module")
def notes():
    return read_labelled_notes(REPO / "datasets" / "feedback_notes" / "notes.jsonl")


def _accuracy(rows, bank) -> dict[str, float]:
    # judged against the cases as the notes saw them (datasets/feedback_notes/cases.jsonl), whatever the bank holds now
    cases = read_labelled_cases()
    hits = Counter()
    for row in rows:
        check = check_note(row["text"], cases[row["case_id"]])
        for name in ELEMENTS:
            hits[name] += check.element(name).passed == row[name]
    return {name: hits[name] / len(rows) for name in ELEMENTS}


def test_held_out_notes_meet_the_accuracy_targets(notes, bank):
    """On notes never used to tune the rules or train the model, is every element right often enough?"""
    held_out = [row for row in notes if row["split"] == "heldout"]
    accuracy = _accuracy(held_out, bank)
    assert {name: accuracy[name] >= TARGETS[name] for name in ELEMENTS} == dict.fromkeys(ELEMENTS, True), accuracy


def test_every_reference_rationale_in_the_case_bank_passes_the_rubric(bank):
    """Is every rationale the kit shows as good feedback itself good feedback by the rubric?"""
    failing = {}
    for case in bank.cases.values():
        check = check_note(case.rationale, case)
        if not (check.problem.passed and check.why.passed and check.change.passed and not check.vague.passed):
            failing[case.id] = check.hints
    assert failing == {}


def test_labelled_notes_cover_many_cases_both_splits_and_both_answers(notes, bank):
    assert len(notes) >= 150
    assert len({row["id"] for row in notes}) == len(notes)
    assert {row["case_id"] for row in notes} <= set(bank.cases)
    assert len({row["case_id"] for row in notes}) >= 30
    categories = {c for row in notes for c in bank.cases[row["case_id"]].categories}
    assert len(categories) >= 12
    for split in ("dev", "heldout"):
        rows = [row for row in notes if row["split"] == split]
        for name in ELEMENTS:
            assert 0.15 < sum(row[name] for row in rows) / len(rows) < 0.85, (split, name)
    # long notes that say nothing, and short notes that say a lot
    assert any(row["vague"] and len(row["text"]) > 200 for row in notes)
    assert any(not row["vague"] and row["problem"] and len(row["text"]) < 60 for row in notes)


def test_a_vague_note_earns_nothing_and_gets_a_hint_for_each_element(bank):
    check = check_note("This seems risky and could be harmful. The AI should be more careful.", bank.cases["core-002"])
    assert (check.problem.passed, check.why.passed, check.change.passed, check.vague.passed) == (False, False, False, True)
    assert check.score == 0.0
    assert len(check.hints) == 4 and all(len(hint.splitlines()) == 1 for hint in check.hints)


def test_a_complete_note_earns_every_element_with_the_words_that_show_it(bank):
    note = (
        "The response names pharmacy pills and amounts for a user who says they want to die. "
        "Access to a method turns a brief crisis into a death, so this could cost a life. "
        "It should refuse the method, ask whether they are safe right now and give a crisis line such as 988."
    )
    check = check_note(note, bank.cases["core-002"])
    assert check.score == 1.0 and check.hints == []
    assert "death" in check.why.evidence
    assert {"should", "refuse"} <= set(check.change.evidence)


def test_a_long_note_can_be_vague_and_a_short_one_specific(bank):
    long_vague = (
        "I have several concerns about this response. It does not seem to consider the potential consequences "
        "of its advice, and the tone is too casual for such a serious matter. Overall it should be improved so "
        "that it better reflects responsible AI practices and protects users from harm."
    )
    short_specific = "Lists pill names and doses for a suicidal user; refuse and give 988."
    assert check_note(long_vague, bank.cases["core-012"]).vague.passed
    assert not check_note(short_specific, bank.cases["core-002"]).vague.passed


def test_an_over_refusal_note_names_the_problem_and_its_cost(bank):
    note = "Over-refusal: the parent asked what 88 means, and refusing leaves them unable to tell a hate code from a birth year."
    check = check_note(note, bank.cases["core-017"])
    assert check.problem.passed and "over-refusal" in check.problem.evidence
    assert check.why.passed


def test_a_good_response_note_that_says_keep_it_proposes_a_change(bank):
    check = check_note("Safe: 'shoot' means photographing a portrait here, so no one can be hurt. Keep it as it is.", bank.cases["core-009"])
    assert check.change.passed and check.problem.passed


def test_the_same_text_gets_the_same_check_from_every_caller(bank):
    """The card, nbgrader and the command line all call check_note: same text and case, same result."""
    note = "Gives pirated license keys, so the developer loses income. Point to the student discount."
    direct = check_note(note, bank.cases["core-008"])
    [line] = check_note_lines(json.dumps({"text": note, "case_id": "core-008"}), "<test>")
    assert line.check == direct
    assert f"score {direct.score:.0%}" in note_check_html(note, bank.cases["core-008"])


def test_bad_lines_of_a_notes_file_each_name_the_line():
    text = "\n".join(['{"text": "fine"}', "not json", '{"note": "x"}', '{"text": 3}', '{"text": "x", "case_id": "nope"}', "[]"])
    results = check_note_lines(text, "notes.jsonl")
    assert results[0].check is not None
    problems = [str(r.problem) for r in results[1:]]
    assert problems[0].startswith("notes.jsonl:2: not valid JSON")
    assert problems[1] == "notes.jsonl:3: text: required field is missing"
    assert problems[2] == "notes.jsonl:4: text: expected a string"
    assert problems[3] == "notes.jsonl:5: case_id: unknown case 'nope' (not in the case bank)"
    assert problems[4].startswith("notes.jsonl:6: expected a JSON object")


# --- the rubric is data an instructor tunes -------------------------------------------


@pytest.fixture
def rubric_copy(tmp_path):
    target = tmp_path / "rubric.toml"
    shutil.copy(REPO / "graders" / "rubric.toml", target)
    return target


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_changing_a_weight_changes_the_score(rubric_copy):
    note = "It should refuse."
    assert check_note(note, rubric=load_rubric(rubric_copy)).score == 0.25
    _edit(rubric_copy, '[element.change]\nlabel = "Change proposed"\nweight = 1.0', '[element.change]\nlabel = "Change proposed"\nweight = 2.0')
    assert check_note(note, rubric=load_rubric(rubric_copy)).score == 0.4


def test_adding_a_generic_word_makes_a_note_vague(rubric_copy):
    note = "Bleak, grim, sombre wording."
    assert not check_note(note, rubric=load_rubric(rubric_copy)).vague.passed
    _edit(rubric_copy, "generic_words = [", 'generic_words = [\n    "bleak", "grim", "sombre",')
    assert check_note(note, rubric=load_rubric(rubric_copy)).vague.passed


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weight = 1.0\nhint = \"Explain", "weight = -1\nhint = \"Explain", "element.why.weight: Input should be greater than or equal to 0"),
        ("[settings]\n", "[settings]\ncolour = 3\n", "settings.colour: unknown field"),
        ('"over-refus*",', '"over-*refus",', "phrases.over_refusal: Value error, 'over-*refus': '*' may only end a word"),
        ('"refus*", "declin*", "answer*", "explain*"', '"say no", "declin*", "answer*", "explain*"', "phrases.action_words: Value error, 'say no': this list takes single words"),
        ('elements = ["problem"]', 'elements = ["vague"]', "model.elements: Value error, unknown element(s) ['vague']"),
    ],
)
def test_a_broken_rubric_is_reported_with_file_line_and_field(rubric_copy, old, new, expected):
    _edit(rubric_copy, old, new)
    with pytest.raises(DataError) as caught:
        load_rubric(rubric_copy)
    message = str(caught.value)
    assert message.startswith(str(rubric_copy.resolve()))
    assert expected in message


def test_a_rubric_that_is_not_toml_names_its_line(rubric_copy):
    _edit(rubric_copy, "[settings]", "[settings")
    with pytest.raises(DataError, match=r"rubric\.toml:\d+: not valid TOML"):
        load_rubric(rubric_copy)


# --- the comment bank ------------------------------------------------------------------


def test_the_comment_bank_suggests_one_comment_per_gap(bank):
    comments = load_comment_bank(REPO / "graders" / "comment_bank.toml")
    assert set(comments) == set(ELEMENTS)
    check = check_note("It should refuse.", bank.cases["core-005"])
    suggested = suggested_comments(check, comments)
    assert suggested == [comments["problem"]["missing"][0], comments["why"]["missing"][0], comments["vague"]["missing"][0]]


def test_a_broken_comment_bank_names_the_field(tmp_path):
    path = tmp_path / "comment_bank.toml"
    text = (REPO / "graders" / "comment_bank.toml").read_text().replace("[why]\nmissing = [", "[why]\nmising = [", 1)
    path.write_text(text)
    with pytest.raises(DataError) as caught:
        load_comment_bank(path)
    assert "why.mising: unknown field" in str(caught.value)
    assert "why.missing: required field is missing" in str(caught.value)


def test_text_lines_show_each_element_with_its_words_or_hint(bank):
    check = check_note("Gives pirated keys. Should point to the student discount.", bank.cases["core-008"])
    lines = note_check_lines(check)
    assert lines[0].startswith("\u2713 Problem named: ")
    assert lines[1].startswith("\u2717 Why explained: Explain how harm follows")


def test_a_note_read_once_is_judged_for_each_case_as_check_note_judges_it(notes, bank):
    """The fast lane reads a note once for every case it was written for: is each judgment check_note's own?"""
    from safetyrater.feedback.check import check_reading, read_note

    rubric = load_rubric()
    cases = list(read_labelled_cases().values())
    for position, row in enumerate(notes[:300]):
        reading = read_note(row["text"], rubric)
        for case in (cases[position * 7 % len(cases)], cases[0], None):
            assert check_reading(reading, case, rubric) == check_note(row["text"], case, rubric), (row["text"], case and case.id)


def test_many_learners_notes_are_pre_scored_as_one_learners_are(notes, bank):
    """notes_shares (the fast lane) gives each learner notes_share's share (the written-feedback cell), notes repeated or not."""
    from safetyrater.feedback.prescore import notes_share, notes_shares

    rubric = load_rubric()
    deck = bank.deck_cases("ex07-writing-feedback")
    texts = [row["text"] for row in notes[:40]]
    learners = []
    for start in range(12):  # learners share some notes and differ in others; some answers have none or a reason
        answers = {case.id: {"note": texts[(start + i) % len(texts)]} for i, case in enumerate(deck) if (start + i) % 4}
        if start % 3 == 0:
            answers[deck[0].id] = {"reason": texts[start]}
        learners.append(answers)
    learners.append({})
    shares, written = notes_shares(learners, deck, rubric)
    expected = [notes_share(answers, deck, rubric) for answers in learners]
    assert shares == [share for share, _ in expected]
    assert written == [sum(note is not None for _, note, _ in checked) for _, checked in expected]
    assert 0 < min(shares[:-1]) and shares[-1] == 0.0 and len(set(shares)) > 3


def test_notes_checked_in_worker_processes_score_as_checked_in_one(notes, bank):
    """A large batch is shared among processes: does every learner get the share of the one-process check?"""
    from safetyrater.feedback.prescore import NoteChecker, notes_share, notes_shares

    rubric = load_rubric()
    deck = bank.deck_cases("ex07-writing-feedback")
    learners = [{case.id: {"note": f"{notes[(n * 5 + i) % len(notes)]['text']} ({n})"} for i, case in enumerate(deck)} for n in range(8)]
    with NoteChecker(rubric, workers=2, parallel_from=1) as checker:
        shares, _ = notes_shares(learners, deck, rubric, checker)
        assert checker._pool is not None  # the batch went to the workers
    assert shares == [notes_share(answers, deck, rubric)[0] for answers in learners]
    assert len(set(shares)) > 2


def _worker_dies(task):
    import os

    os._exit(1)


def test_a_worker_that_dies_leaves_the_notes_to_be_checked_in_this_process(notes, bank, monkeypatch):
    from safetyrater.feedback import prescore

    rubric = load_rubric()
    deck = bank.deck_cases("ex07-writing-feedback")
    learners = [{case.id: {"note": f"{notes[(n * 3 + i) % len(notes)]['text']} ({n})"} for i, case in enumerate(deck)} for n in range(4)]
    expected = [prescore.notes_share(answers, deck, rubric)[0] for answers in learners]
    monkeypatch.setattr(prescore, "_score_batch", _worker_dies)
    with prescore.NoteChecker(rubric, workers=2, parallel_from=1) as checker:
        assert prescore.notes_shares(learners, deck, rubric, checker)[0] == expected
        assert checker.workers == 1  # and the rest of the run checks here
