"""Do cards speak the severity rule's words, and keep case ids out of their text?"""

from __future__ import annotations

import tomllib

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
