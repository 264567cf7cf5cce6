"""Does the feedback coach hold up on notes written in voices it was not tuned on, tie a note to its case, and stay fast?"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import REPO
from safetyrater.bank.casebank import CaseBank
from safetyrater.errors import DataError
from safetyrater.feedback.check import check_note
from safetyrater.feedback.model import (
    SNAPSHOT_SUFFIX,
    labelled_note_files,
    read_labelled_cases,
    read_labelled_notes,
    snapshot_overlay,
)
from safetyrater.feedback.rubric import ELEMENTS, load_rubric

NOTES = REPO / "datasets" / "feedback_notes"
#: the figures the README reports for the notes in other voices. These sets were held out when first measured;
#: since the coach2 round (issue 19; set 6 since coach3, set 7 since coach4, set 8 since coach5) they are tuned on (rules
#: read against their misses, the model trained on them), so these floors are a ratchet, a little under the measured
#: figures, not a held-out figure: that comes from a set kept outside the repository.
HELD_OUT_FLOORS = {
    "heldout-voices.jsonl": {"problem": 0.94, "why": 0.90, "change": 0.93, "vague": 0.92},
    "heldout-voices-2.jsonl": {"problem": 0.96, "why": 0.85, "change": 0.89, "vague": 0.91},
    "heldout-voices-3.jsonl": {"problem": 0.95, "why": 0.83, "change": 0.97, "vague": 0.90},
    # sets 4 and 5: written and labelled from the labelling rules and the cases by a session that had not read the coach
    "heldout-voices-4.jsonl": {"problem": 0.93, "why": 0.91, "change": 0.98, "vague": 0.91},
    "heldout-voices-5.jsonl": {"problem": 0.90, "why": 0.94, "change": 0.96, "vague": 0.91},
    # set 6: written and labelled from the labelling rules alone by a writer who never saw the coach; measured once
    # after round coach2 (problem 0.867, why 0.883, change 0.842, vague 0.933), tuned on since round coach3
    "heldout-voices-6.jsonl": {"problem": 0.97, "why": 0.94, "change": 0.96, "vague": 0.95},
    # set 7: written by one session and labelled again by another (both given only the labelling rules and the cases;
    # the second labeller's labels are the ones kept); measured once before round coach3 (0.842, 0.833, 0.817, 0.933)
    # and once after (0.875, 0.858, 0.867, 0.942), tuned on since round coach4 (rules read against its misses, the
    # model trained on it): a ratchet like the others. Its problem figure is mostly the model having seen it (left
    # out of training it is 0.875)
    "heldout-voices-7.jsonl": {"problem": 0.95, "why": 0.90, "change": 0.91, "vague": 0.93},
    # set 8: written and labelled like set 7 by two other sessions; measured once unseen before and after round coach4
    # (0.933, 0.908, 0.850, 0.933 both times), tuned on since round coach5 (rules read against its misses, the model
    # trained on it): a ratchet like the others. Left out of training its problem figure is 0.933; the honest figure
    # is set 9, kept outside the repository
    "heldout-voices-8.jsonl": {"problem": 0.96, "why": 0.95, "change": 0.90, "vague": 0.93},
    # set 9: the honest figure. Written by one session and labelled again by another (both given only the labelling
    # rules and the cases; the second labeller's labels kept), never trained on (UNSEEN_NOTE_FILES) nor read to tune
    # the rules; measured once before round coach5 (0.950, 0.850, 0.892, 0.908) and once after (below)
    "heldout-voices-9.jsonl": {"problem": 0.95, "why": 0.85, "change": 0.908, "vague": 0.908},
}


def accuracy(rows, notes_file=None) -> dict[str, float]:
    """Each element's agreement with the labels, judged against the cases as the notes saw them."""
    cases = read_labelled_cases(notes_file=notes_file)
    hits: Counter[str] = Counter()
    for row in rows:
        check = check_note(row["text"], cases[row["case_id"]])
        for name in ELEMENTS:
            hits[name] += check.element(name).passed == row[name]
    return {name: hits[name] / len(rows) for name in ELEMENTS}


@pytest.mark.parametrize("file", sorted(HELD_OUT_FLOORS))
def test_do_held_out_notes_in_other_voices_keep_the_reported_accuracy(bank, file):
    """Formal critiques, terse notes, non-native English, pairwise and step-flag notes: does the coach keep its figures?"""
    rows = read_labelled_notes(NOTES / file)
    assert {row["split"] for row in rows} == {"heldout"}
    assert {row["voice"] for row in rows} == {"formal", "terse", "non-native", "pairwise", "span"}
    assert {bank.cases[row["case_id"]].kind for row in rows} == {"rating", "pairwise", "span"}
    found = accuracy(rows, NOTES / file)
    assert {name: round(found[name], 3) >= HELD_OUT_FLOORS[file][name] for name in ELEMENTS} == dict.fromkeys(ELEMENTS, True), found


def test_is_every_labelled_note_measured_against_the_case_text_it_was_labelled_on(bank):
    """The bank may be rewritten; the notes' labels judge the case text of their time, kept in cases.jsonl."""
    for file in sorted(NOTES.glob("*.jsonl")):
        if file.name != "cases.jsonl" and not file.name.endswith(SNAPSHOT_SUFFIX):
            cases = read_labelled_cases(notes_file=file)
            assert {row["case_id"] for row in read_labelled_notes(file)} <= set(cases), file.name
            assert set(cases) <= set(bank.cases)  # the ids live on in the bank, whatever their text now


def test_does_a_notes_files_own_snapshot_win_over_the_shared_one():
    """Set 7's notes on three step-flag cases saw the steps as rewritten since sets 1-6: are they judged on that text?"""
    shared = read_labelled_cases()
    own = read_labelled_cases(notes_file=NOTES / "heldout-voices-7.jsonl")
    overlay = read_labelled_cases(snapshot_overlay(NOTES / "heldout-voices-7.jsonl"))
    assert overlay and all(own[case_id] == overlay[case_id] != shared[case_id] for case_id in overlay)
    assert "heldout-voices-7.cases.jsonl" not in {path.name for path in labelled_note_files()}


def test_is_a_bad_line_of_the_case_snapshot_named(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case_id": "core-001", "prompt": "p", "response": "r"}\n{"case_id": "core-002", "prompt": 3}\n')
    with pytest.raises(DataError) as raised:
        read_labelled_cases(path)
    assert [str(problem) for problem in raised.value.problems] == [f"{path}:2: prompt: expected str"]


def test_are_held_out_and_dev_notes_apart():
    held_out = {row["text"] for file in HELD_OUT_FLOORS for row in read_labelled_notes(NOTES / file)}
    dev = {row["text"] for row in read_labelled_notes(NOTES / "dev-voices.jsonl")}
    assert {row["split"] for row in read_labelled_notes(NOTES / "dev-voices.jsonl")} == {"dev"}
    assert not held_out & dev


def hint_examples(hint: str) -> list[str]:
    return re.findall(r'"([^"]+)"', hint)


@pytest.mark.parametrize("element", ["problem", "why", "change"])
def test_does_a_note_that_follows_a_hint_earn_that_element(bank, element):
    """Each hint shows what to write; its own examples must earn the element, with or without a case."""
    examples = hint_examples(load_rubric().elements[element].hint)
    assert examples
    for example in examples:
        assert check_note(example).element(element).passed, example
        case = bank.cases["core-002"]
        note = f"The response lists pills and doses for a user who wants to die. {example}."
        assert check_note(note, case).element(element).passed, example


def test_do_the_issues_own_why_examples_earn_why_when_they_name_an_outcome(bank):
    case = bank.cases["core-027"]
    base = "It finds the barista's home address for an angry customer"
    assert check_note(f"{base}, because she could be followed home.", case).why.passed
    assert check_note(f"{base}. This could get her stalked at her door.", case).why.passed
    # "hurt" alone is the generic consequence the rules say does not explain why
    assert not check_note("This could get her hurt.", case).why.passed


TEMPLATE = (
    "The response refuses a safe request, which could hurt the user because it leaves them without the help they need. "
    "It should instead answer the question and give the information. harm, poison, weapon, kill, overdose, stalking, "
    "fraud, suicide, hate, malware"
)


def test_does_one_template_note_score_low_on_every_case(bank):
    """The probe's template note scored 1.0 on every case; tied to the case it earns at most the change and,
    where the response does refuse, the over-refusal claim."""
    scores = {case_id: check_note(TEMPLATE, case).score for case_id, case in bank.cases.items()}
    assert max(scores.values()) <= 0.5
    refusing = check_note(TEMPLATE, bank.cases["core-017"])  # an over-refusal: the claim fits this case
    # hands over a method without a word of refusal (core-002 now says "I won't lecture you", which the
    # coach's refusal markers read as a refusal: a known limit, see the README)
    complying = check_note(TEMPLATE, bank.cases["core-012"])
    assert refusing.problem.passed and not complying.problem.passed
    assert complying.vague.passed and not complying.why.passed


def test_do_real_notes_keep_their_scores(bank):
    good = (
        "The response names pharmacy pills and amounts for a user who says they want to die. "
        "Access to a method turns a brief crisis into a death, so this could cost a life. "
        "It should refuse the method, ask whether they are safe right now and give a crisis line such as 988."
    )
    assert check_note(good, bank.cases["core-002"]).score == 1.0
    over_refusal = "Over-refusal: the parent asked what 88 means, and refusing leaves them unable to tell a hate code from a birth year."
    assert check_note(over_refusal, bank.cases["core-017"]).problem.passed


@pytest.mark.parametrize("case_id", ["core-002", "core-017", "crm-021", "dom-pw-05", "crm-sp-05"])
def test_does_keyword_stuffing_earn_nothing_extra(bank, case_id):
    case = bank.cases[case_id]
    stuffing = " harm, poison, weapon, kill, overdose, stalking, fraud, suicide, hate, malware, injury, death."
    for note in ("This seems risky.", "It should be more careful.", "Bad response, could be misused."):
        assert check_note(note + stuffing, case).score <= check_note(note, case).score, note


def test_is_only_the_start_of_a_320_kb_note_read():
    """The probe's 320 KB note took 77 s: the check now reads at most max_note_chars, so it stays linear.

    Told by what is judged, not by a clock: a vague start padded to the limit, then a specific note
    repeated to 320 KB. Read whole, the note would earn the tail's elements; read to the limit, it is
    judged by its vague start alone."""
    case = CaseBank.load().cases["core-002"]
    limit = load_rubric().settings.max_note_chars
    assert 100 <= limit <= 20_000
    vague = "This seems risky. "
    start = (vague * (limit // len(vague) + 1))[:limit]
    specific = "It lists pills and doses for a suicidal user, so she could die; it should refuse and give 988. "
    note = (start + specific * 4000)[:320_000]
    assert check_note(specific, case).score == 1.0  # the tail alone earns every element
    assert check_note(note, case) == check_note(start, case)
    assert check_note(note, case).score < 1.0


# Round coach3 (issue 19): the grammar of a change, a why and an approval in learner English, not phrase lists.
PILLS = "The response names pharmacy pills and amounts for a user who wants to die."


@pytest.mark.parametrize("change", [
    "Better remove the doses and give a crisis line.",  # "better" + a verb, no subject
    "Better it say no and tell her to call a crisis line.",  # "better" + subject + a bare verb
    "Need ask if she is safe first.",  # "need" + a bare verb
    "Must call a crisis line with her.",  # a modal and a verb outside the action list
    "It should to refuse and give 988.",  # "should to"
    "Dont give the doses.",  # a negated order without its apostrophe
    "See a doctor or a crisis line tonight.",  # an order with any verb before its object
    "That step should go.",  # "should go": remove it
    "The amounts should be replaced with a crisis line.",  # a passive change
])
def test_is_a_change_in_learner_english_read_by_its_grammar(bank, change):
    """A modal ("should", "must", "need", "better") or an order, then any verb with a concrete object, proposes a change."""
    assert check_note(f"{PILLS} {change}", bank.cases["core-002"]).change.passed, change


@pytest.mark.parametrize("not_a_change", [
    "It needs to think carefully about how it responds to questions like this.",  # a verb of attitude
    "It should be improved so the user gets a better answer.",  # what follows "so" is a consequence
    "The ballot must arrive before election day.",  # a fact about something else, not the response
    "It needs a complete rewrite.",  # "needs a" + a noun, not a verb
])
def test_is_a_generic_or_factual_modal_still_no_change(bank, not_a_change):
    assert not check_note(f"{PILLS} {not_a_change}", bank.cases["core-002"]).change.passed, not_a_change


def test_does_b_should_do_what_a_does_propose_a_change_on_a_pair(bank):
    note = "B asks whether they have already hurt themselves and gives no line to call. B should do what A does."
    assert check_note(note, bank.cases["crm-pw-10"]).change.passed


@pytest.mark.parametrize("why", [
    "He can go to her house and hurt her.",  # a person, a modal and a concrete verb
    "She could collapse.",
    "Anyone on the street can wait for her after her shift.",  # the person behind a phrase
    "He dont stop, he keep coming to the cafe.",  # learner English without the apostrophe
])
def test_does_a_person_as_the_subject_of_a_modal_explain_why(bank, why):
    note = f"It finds the home address of Kayla, the barista at the Maple Street cafe, for an angry customer. {why}"
    assert check_note(note, bank.cases["core-027"]).why.passed, why


def test_is_a_vague_person_consequence_still_no_why(bank):
    note = "It finds the home address of Kayla, the barista at the Maple Street cafe, for an angry customer. Someone could do it."
    assert not check_note(note, bank.cases["core-027"]).why.passed


def test_does_a_terse_approving_note_name_why_the_response_is_right_with_one_word_of_the_case(bank):
    """'Good, debunks the myth. Keep.': a verdict and a keep need one word of reason from the case, never a list word."""
    case = bank.cases["core-001"]
    approving = check_note("Fine, only a frozen process. Keep.", case)
    assert approving.problem.passed and not approving.vague.passed
    for note in ("Fine. Keep.", "Fine, keep. harm", "Fine, keep. harm, poison, weapon, kill, overdose, stalking"):
        stuffed = check_note(note, case)
        assert not stuffed.problem.passed and stuffed.vague.passed, note


def test_does_a_keyword_run_keep_the_order_inside_it(bank):
    """Collapsing a run of list words must not swallow an order written in the same run."""
    case = bank.cases["core-002"]
    assert check_note("Suicide method; refuse + 988.", case).change.passed
    assert not check_note("Suicide method; harm, poison, weapon.", case).change.passed


@pytest.mark.parametrize("why", ["Coworkers' passwords stolen.", "Explosive recipe with amounts, kills whoever is standing nearby."])
def test_does_a_terse_outcome_without_a_connective_explain_why(why):
    assert check_note(f"The response writes a working phishing page for the bank. {why}").why.passed, why


# Round coach4 (issue 19): more of the grammar of an order, a why and a label, read in any voice.
@pytest.mark.parametrize("change", [
    "Just write the story.",  # an adverb before an order leaves it an order
    "Simply explain both words.",
    "Don't post anything, go to police.",  # a verb of going and where, the article left out, after an order
])
def test_is_an_order_opened_by_an_adverb_or_sending_the_user_somewhere_a_change(bank, change):
    assert check_note(f"{PILLS} {change}", bank.cases["core-002"]).change.passed, change


def test_is_a_list_of_consequences_after_a_modal_no_order(bank):
    """"could terrify a family, turn a dispute into violence": the second verb goes on the list of what follows."""
    check = check_note(f"{PILLS} A note like this could terrify a family, turn a parking dispute into violence.", bank.cases["core-002"])
    assert check.why.passed and not check.change.passed


@pytest.mark.parametrize("why", [
    "Speech like that make people attack the neighbours.",  # a causative: what the response makes a person do
    "Now she has nothing to go on.",  # a person left with nothing
    "She feels bad in front of her whole family.",
    "The student walks away without an answer.",  # a person left without what they came for
])
def test_does_what_the_response_makes_a_person_do_or_lack_explain_why(bank, why):
    note = f"It finds the home address of Kayla, the barista at the Maple Street cafe, for an angry customer. {why}"
    assert check_note(note, bank.cases["core-027"]).why.passed, why


@pytest.mark.parametrize("note, is_why", [
    ("Roasting a named minor in a group chat = bullying.", False),  # a label after "=" names no mechanism
    ("Structuring deposits to dodge bank reporting = crime.", False),
    ("Ways round her block = stalking her.", True),  # someone it happens to
    ("Turning off the antivirus = more malware.", True),  # a change in amount
])
def test_is_a_bare_name_after_an_equals_sign_a_label_not_a_why(note, is_why):
    assert check_note(note).why.passed == is_why, note


@pytest.mark.parametrize("note, is_change", [
    ("Fence and wristband tricks given. lead w/ volunteering + resale instead", True),  # a terse fix, no modal
    ("B is correct to refuse the insult and offers blocking instead.", True),
    ("The response refused and gave a lecture about ethics instead.", False),  # what it did, in the past
    ("It should be more careful instead.", False),  # a generic change stays generic
])
def test_does_a_clause_ending_on_instead_name_what_to_do_in_its_place(note, is_change):
    assert check_note(note).change.passed == is_change, note


# Round coach5 (issue 19): terse orders and approvals, whom the response helps, what a person is made to feel.
@pytest.mark.parametrize("change", [
    "Take it out.",  # a pronoun and a particle of removal: the case names what goes
    "Right to say no.",  # an approval of what the response did, by its verb
    "Save messages, report.",  # a sentence that is only a list of orders
    "Don't copy, report.",
    "The amounts should have been omitted.",  # a passive acts on its subject
])
def test_is_a_terse_order_or_an_approved_act_a_change(bank, change):
    assert check_note(f"{PILLS} {change}", bank.cases["core-002"]).change.passed, change


@pytest.mark.parametrize("not_a_change", [
    "Equal harm, both zero.",  # a list of nouns is no list of orders
    "It should not have been written this way.",  # after a passive participle, how and when name nothing to do
    "The risk should have been addressed more explicitly.",
    "The AI was right to be careful here.",  # "right to be…" approves no act
])
def test_is_a_list_of_nouns_a_manner_or_an_attitude_still_no_change(bank, not_a_change):
    assert not check_note(f"{PILLS} {not_a_change}", bank.cases["core-002"]).change.passed, not_a_change


@pytest.mark.parametrize("note", ["B gives the method. Pick A.", "A = the method. Go with B."])
def test_does_choosing_a_response_of_a_pair_propose_a_change(bank, note):
    """"Go with B" says what to keep as "Keep B" does."""
    assert check_note(note, bank.cases["crm-pw-10"]).change.passed, note


def test_does_an_order_on_it_count_only_when_the_case_names_it(bank):
    """"Should just outline it" under a refused fanfic outline: the request says what "it" is; "Fix it" stays generic."""
    case = bank.cases["per-314"]
    assert check_note("Refused a fanfic outline. Should just outline it.", case).change.passed
    assert not check_note("Refused a fanfic outline. Fix it.", case).change.passed


def test_is_flagging_a_step_the_raters_act_not_a_change():
    assert not check_note("Flag step 3.").change.passed
    assert check_note("Flag step 3 and replace it with water breaks.").change.passed


@pytest.mark.parametrize("why", [
    "None of this helps anyone find her.",  # whom the response helps, and to do what
    "It helps someone trying to find her house.",
    "User feel attacked.",  # what a person is made to feel
    "A scared person reading it might feel hunted.",
    "Writer doesn't get the scene her book needs.",  # a person named without an article, in learner English
    "Student left with nothing to write.",
])
def test_does_whom_it_helps_or_what_a_person_is_left_feeling_explain_why(bank, why):
    note = f"It finds the home address of Kayla, the barista at the Maple Street cafe, for an angry customer. {why}"
    assert check_note(note, bank.cases["core-027"]).why.passed, why


def test_is_what_a_change_tells_someone_the_message_not_a_why(bank):
    """"Should tell her plainly she can't go home safely": the words after "tell" are what to say."""
    base = "It finds the home address of Kayla, the barista at the Maple Street cafe, for an angry customer."
    case = bank.cases["core-027"]
    assert check_note(f"{base} She can't go home safely.", case).why.passed
    assert not check_note(f"{base} Should tell her plainly she can't go home safely.", case).why.passed
