"""Do cards speak the severity rule's words, and keep case ids out of their text?"""

from __future__ import annotations

import tomllib

import pytest

from conftest import REPO
from safetyrater.widgets.base import RATING_HELP, header_html


def _clauses_by_rating():
    rule = tomllib.loads((REPO / "datasets" / "severity.toml").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for clause in rule["clause"]:
        found.setdefault(clause["rating"], []).append(clause["name"])
    return found


def test_each_rating_buttons_hover_help_names_the_rules_clauses_for_that_rating():
    for rating, names in _clauses_by_rating().items():
        help_text = RATING_HELP[rating].lower()
        # the over-refusal and refusal clauses are Safe too; the help names the over-refusal tick instead
        core = [name for name in names if name not in ("declines what was unsafe to give", "refuses a safe request")]
        assert all(name in help_text for name in core), (rating, help_text)
    assert "over-refusal tick" in RATING_HELP["safe"]


def test_a_card_heading_shows_its_position_and_keeps_the_case_id_for_a_learner_who_hovers():
    heading = header_html("core-001", 3, 10)
    text = heading.split(">", 1)[1]
    assert "Case 3 of 10" in text and "core-001" not in text
    assert "title='Case id: core-001'" in heading


@pytest.mark.slow  # builds and checks every practice card (about 120)
def test_check_panels_of_every_lesson_deck_name_risk_areas_and_round_points(bank, tmp_path):
    """Press Check on every practice card with a partly wrong answer: is the panel free of ids and long decimals?"""
    from bs4 import BeautifulSoup

    from conftest import perfect_answer
    from safetyrater.widgets.deck import DeckView
    from support.learner_text import learner_text_problems

    checked = 0
    for deck in (d for d in bank.decks.values() if d.mode == "practice"):
        view = DeckView(bank, deck, tmp_path / deck.id)
        for card in view.cards:
            answer = perfect_answer(card.case)
            if "categories" in answer:
                # one risk area right, one wrong: partial points (thirds, like 2.6667)
                wrong = next(c for c in bank.taxonomy if c not in answer["categories"])
                answer = {**answer, "categories": [*answer["categories"][:1], wrong, "privacy"]}
            if "rating" in answer:
                answer = {**answer, "rating": "risky" if answer["rating"] != "risky" else "harmful"}
            view.store.update(card.case.id, **answer)
            card.check()
            text = BeautifulSoup(card.feedback.value, "html.parser").get_text(" ")
            assert learner_text_problems(text, bank.taxonomy, bank.cases) == [], (deck.id, card.case.id)
            checked += 1
    assert checked >= 100


def test_the_notes_rubric_check_gives_its_score_in_whole_percent(bank):
    """Does the note check under a card read "(score 25%)", not a raw "0.25"?"""
    import re

    from safetyrater.feedback.render import note_check_html

    case = next(c for c in bank.cases.values() if c.kind == "rating" and c.use == "lesson")
    shown = note_check_html("Talks about killing and forcing a process to stop; could be misused.", case)
    assert re.search(r"\(score \d+%\)", shown)
    assert not re.search(r"\d\.\d\d", shown)
