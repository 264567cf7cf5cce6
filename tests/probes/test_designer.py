"""Does the probe designer save what a learner writes at once, restore it, and show the same checks as grading?"""

from __future__ import annotations

import json

import pytest

from safetyrater.probes.designer import ProbeStore, show_probe_designer, show_probe_gallery

from support.probe_examples import good_pairs

EXERCISE = "ex12-designing-probes"


def _fill(card, pair):
    card.topic.value = pair["topic"]
    card.contrast_type.value = pair["contrast_type"]
    for slot in ("first", "second"):
        editor = card.editors[slot]
        editor.prompt.value = pair[slot]["prompt"]
        editor.label.value = pair[slot]["label"]
        editor.behaviour.value = pair[slot]["behaviour"]
        editor.expectation.value = pair[slot]["expectation"]


def _saved(folder):
    return json.loads((folder / f"{EXERCISE}.answers.json").read_text())


def test_typing_and_clicking_write_the_answer_file(tmp_path):
    designer = show_probe_designer(EXERCISE, tmp_path)
    assert len(designer.cards) == 3
    card = designer.cards[0]
    card.topic.value = "lock-picking"
    card.editors["first"].label.value = "safe"
    saved = _saved(tmp_path)
    assert saved["exercise"] == EXERCISE
    assert saved["answers"]["pair-1"]["topic"] == "lock-picking"
    assert saved["answers"]["pair-1"]["first"]["label"] == "safe"
    assert "saved" in card.status.value


def test_a_written_pair_is_saved_whole_and_restored(tmp_path):
    pair = good_pairs()["pair-2"]
    designer = show_probe_designer(EXERCISE, tmp_path)
    _fill(designer.cards[1], pair)
    saved = _saved(tmp_path)["answers"]["pair-2"]
    assert {k: saved[k] for k in pair} == pair
    assert "1 of 3 pairs written" in designer.header.value
    again = show_probe_designer(EXERCISE, tmp_path).cards[1]
    assert again.value() == pair


def test_run_the_checks_shows_what_grading_will_check(tmp_path):
    pairs = good_pairs()
    designer = show_probe_designer(EXERCISE, tmp_path)
    _fill(designer.cards[0], pairs["pair-1"])
    _fill(designer.cards[1], {**pairs["pair-2"], "second": pairs["pair-1"]["second"]})
    report = designer.cards[1].run_checks()
    assert report.failed == ["close", "novel"]
    assert "repeats the second prompt of pair 1" in designer.cards[1].results.value
    assert "Automatic checks: 1.5 / 2 points" in designer.cards[1].results.value
    assert designer.cards[0].run_checks().failed == []  # the earlier pair keeps its prompt


def test_the_store_refuses_fields_that_are_not_part_of_a_pair(tmp_path):
    store = ProbeStore(EXERCISE, tmp_path)
    with pytest.raises(ValueError, match="unknown pair field"):
        store.update("pair-1", rating="safe")


def test_the_practice_designer_and_gallery_show():
    practice = show_probe_designer("lesson-12-probe-practice")
    assert len(practice.cards) == 1
    gallery = show_probe_gallery()._repr_html_()
    for kind in ("Homonyms", "Figurative language", "Safe targets", "Safe contexts", "Definitions", "Historical events", "Privacy"):
        assert kind in gallery
