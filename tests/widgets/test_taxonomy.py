"""Does lesson 2's taxonomy table show every risk area with its harmful, fine and trap text?"""

from __future__ import annotations

from safetyrater.widgets.taxonomy import taxonomy_html


def test_every_area_appears_with_its_three_columns(bank):
    page = taxonomy_html()
    for category in bank.taxonomy.values():
        assert category.name in page
        for text in (category.harmful, category.fine, category.over_refusal_traps):
            assert text.replace('"', "&quot;").replace("'", "&#x27;") in page


def test_a_subset_shows_only_those_areas(bank):
    page = taxonomy_html(ids=["privacy"])
    assert page.count("<tr>") == 2  # header and one area
    assert bank.taxonomy["privacy"].name in page
