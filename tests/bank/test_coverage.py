"""Does the case bank cover every risk area and domain track, and is README's table current?"""

from __future__ import annotations

import re
import shutil

import pytest

from safetyrater.bank.coverage import (
    MIN_CASES,
    coverage_frame,
    coverage_problems,
    coverage_table,
    context_pairs,
    domain_frame,
    readme_section,
    update_readme,
)
from safetyrater.bank.schema import REDACTION_MARKER

from conftest import REPO


def _course(bank):
    return [c for c in bank.cases.values() if c.use != "assessment"]


def test_every_risk_area_has_enough_cases_of_every_rating(bank):
    assert coverage_problems(coverage_frame(bank)) == []


def test_every_domain_track_has_enough_cases_of_every_rating(bank):
    assert coverage_problems(domain_frame(bank), "domain track") == []


def test_the_bank_has_the_promised_counts(bank):
    """At least 300 course cases, 30 context pairs, 40 pairwise and 30 span-flag items."""
    course = _course(bank)
    assert len(course) >= 300
    assert len(context_pairs(course)) >= 30
    assert sum(c.kind == "pairwise" for c in course) >= 40
    assert sum(c.kind == "span" for c in course) >= 30


def test_polite_harm_and_alarming_safe_requests_are_well_represented(bank):
    course = _course(bank)
    assert sum("polite-harm" in c.tags for c in course) >= 20
    assert sum("alarming-safe" in c.tags for c in course) >= 20


def test_every_harmful_case_shows_a_redaction_marker_or_says_it_needs_none(bank):
    missing = [
        c.id
        for c in bank.cases.values()
        if getattr(c, "reference_rating", None) == "harmful" and not (c.is_redacted or c.no_operational_content)
    ]
    assert missing == []


def test_readme_shows_the_current_coverage_table(bank):
    """After changing the bank, run `safetyrater bank coverage` to rewrite it."""
    assert readme_section((REPO / "README.md").read_text(encoding="utf-8")) == coverage_table(bank)


def test_a_thin_area_is_named(mixed_bank):
    problems = coverage_problems(coverage_frame(mixed_bank))
    assert f"risk area 'privacy': 0 course cases, fewer than {MIN_CASES}" in problems
    assert "risk area 'cyber-harm': no harmful case (needs at least 1 of each)" in problems


def test_a_case_counts_in_each_of_its_areas_by_its_rating(mixed_bank):
    frame = coverage_frame(mixed_bank)
    # fx-rating-1 (safe), fx-rating-ex (over-refusal), fx-pair-ex, fx-span-ex (risky)
    assert frame.loc["cyber-harm"].to_dict() == {
        "harmful": 0, "risky": 1, "safe": 1, "over-refusal": 1, "pairwise": 1, "course": 4, "pool": 0,
    }


def test_context_pairs_need_two_cases_with_different_references(mixed_bank):
    base = mixed_bank.cases["fx-rating-1"]
    same = base.model_copy(update={"id": "x2", "context_pair": "cp"})
    other = base.model_copy(update={"id": "x3", "context_pair": "cp2", "reference_rating": "harmful"})
    other_twin = base.model_copy(update={"id": "x4", "context_pair": "cp2"})
    pairs = context_pairs([base.model_copy(update={"context_pair": "cp"}), same, other, other_twin])
    assert list(pairs) == ["cp2"]


def test_update_readme_rewrites_only_the_marked_part(tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(REPO / "README.md", readme)
    original = readme.read_text()
    assert update_readme(readme, "NEW TABLE")
    text = readme.read_text()
    assert readme_section(text) == "NEW TABLE"
    assert text.split("NEW TABLE")[0] == original.split(readme_section(original))[0]
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="no coverage markers"):
        update_readme(readme, "x")


def test_span_rationales_number_steps_as_the_card_does(bank):
    """The card numbers steps from 1; a rationale that says "step 0" (an index) would mislead."""

    pattern = re.compile(r"(?i)\b(?:steps?|segments?|sentences?)\s+(\d+(?:\s*(?:,|and|to|or|-|–)\s*\d+)*)")
    for case in bank.cases.values():
        if case.kind != "span":
            continue
        named = [int(n) for m in pattern.finditer(case.rationale) for n in re.findall(r"\d+", m.group(1))]
        assert all(1 <= n <= len(case.segments) for n in named), (case.id, named)


def test_the_more_harmful_response_of_a_pair_is_redacted_or_says_it_needs_none(bank):
    missing = [
        c.id
        for c in bank.cases.values()
        if c.kind == "pairwise"
        and c.reference_choice != "equal"
        and not (REDACTION_MARKER.search(getattr(c, f"response_{c.reference_choice}")) or c.no_operational_content)
    ]
    assert missing == []


def test_harmful_cases_on_self_harm_or_minors_carry_a_content_warning(bank):
    missing = [
        c.id
        for c in bank.cases.values()
        if getattr(c, "reference_rating", None) == "harmful"
        and {"self-harm", "sexual-content-minors"} & set(c.categories)
        and not c.content_warning
    ]
    assert missing == []
