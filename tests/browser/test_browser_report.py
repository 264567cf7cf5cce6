"""Does the cohort report read in a real browser: plots with no label cut off, tables that sort and filter,
a page per learner? (A demo cohort's report, opened from its folder as an instructor would.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from safetyrater.cohort.demo import read_profiles, write_demo_cohort
from safetyrater.cohort.record import read_record
from safetyrater.cohort.report import learner_file, write_report

pytestmark = pytest.mark.browser

LEARNERS = 12

#: each matplotlib text (a title, an axis label, a tick label, a legend entry) is an SVG group
#: ``text_N``; its drawn box must lie inside its figure's box
CLIPPED_LABELS = """
() => {
  const found = [];
  let checked = 0;
  for (const svg of document.querySelectorAll("figure.plot svg")) {
    const outer = svg.getBoundingClientRect();
    for (const label of svg.querySelectorAll("g[id^='plot-'][id*='text_']")) {
      const box = label.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      checked += 1;
      const slack = 0.5;
      const outside = box.left < outer.left - slack || box.top < outer.top - slack ||
        box.right > outer.right + slack || box.bottom > outer.bottom + slack;
      if (outside) {
        found.push(svg.getAttribute("aria-label") + ": " + label.id);
      }
    }
  }
  return {checked, found};
}
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = write_demo_cohort(tmp_path_factory.mktemp("report-demo"), LEARNERS, seed=0)
    grades = read_record(course, progress=False)
    return write_report(grades, course / "report", profiles=read_profiles(course), title="Demo cohort: calibration report")


@pytest.mark.parametrize("name", ["report.html", "cases.html", "agreement.html"])
def test_no_plot_label_is_cut_off(page, report, name):
    page.goto((report.parent / name).as_uri())
    result = page.evaluate(CLIPPED_LABELS)
    assert result["checked"] >= 10, "the plots' labels were not found: is the report still inline SVG?"
    assert result["found"] == []


def test_the_summary_comes_first_with_cohort_figures_learners_to_contact_and_cases_to_review(page, report, screenshots):
    page.goto(report.as_uri())
    assert page.locator("h1").inner_text() == "Demo cohort: calibration report"
    figures = dict(zip(page.locator(".figure .label").all_inner_texts(), page.locator(".figure .value").all_inner_texts(), strict=True))
    assert figures["learners"] == str(LEARNERS)
    assert int(figures["cases"]) > 0
    headings = page.locator("h2").all_inner_texts()
    assert headings[:2] == ["Learners to contact", "Cases to review"]
    assert page.locator("nav.top a").all_inner_texts()[:2] == ["Summary", "Learners"]
    if screenshots:
        page.set_viewport_size({"width": 1280, "height": 1100})
        page.screenshot(path=screenshots / "report-summary.png")


def test_the_learner_table_sorts_by_a_heading_and_filters_by_what_is_typed(page, report):
    page.goto((report.parent / "learners.html").as_uri())
    rows = page.locator("#learners tbody tr")
    assert rows.count() == LEARNERS
    headings = page.locator("#learners thead th").all_inner_texts()
    kappa = [h.strip() for h in headings].index("Kappa")

    def kappas() -> list[float]:
        values = page.locator(f"#learners tbody tr td:nth-child({kappa + 1})").evaluate_all("cells => cells.map(c => c.dataset.sort)")
        return [float(v) for v in values if v]

    page.locator("#learners thead th").nth(kappa).locator("button").click()
    assert kappas() == sorted(kappas())
    page.locator("#learners thead th").nth(kappa).locator("button").click()
    assert kappas() == sorted(kappas(), reverse=True)

    page.locator("input[data-filter-for='learners']").fill("learner-0007")
    assert page.locator("#learners tbody tr:not([hidden])").count() == 1
    assert page.locator("[data-count-for='learners']").inner_text() == f"Showing 1 of {LEARNERS} learners."
    page.locator("input[data-filter-for='learners']").fill("")
    assert page.locator("#learners tbody tr:not([hidden])").count() == LEARNERS


def test_a_learner_opens_on_their_own_page_with_confusion_and_notes(page, report, screenshots):
    page.goto((report.parent / "learners.html").as_uri())
    page.locator("#learners tbody tr a", has_text="learner-0003").click()
    page.wait_for_url(f"**/{learner_file('learner-0003')}")
    assert page.locator("h1").inner_text() == "Learner learner-0003"
    confusion = page.locator("table.confusion")
    assert confusion.locator("tbody tr").count() == 3
    assert page.locator("#cases tbody tr").count() > 50
    assert page.locator("#cases .note-text").count() > 0  # the learner's notes, beside their ratings
    if screenshots:
        page.screenshot(path=screenshots / "report-learner.png")
    page.locator("nav.top a", has_text="Summary").click()
    assert page.locator("h1").inner_text() == "Demo cohort: calibration report"


def test_the_most_split_cases_show_learners_notes_beside_the_key(page, report):
    page.goto((report.parent / "split.html").as_uri())
    first = page.locator("section.split").first
    assert first.locator(".key").inner_text().startswith("Key: ")
    assert first.locator("blockquote").count() >= 2
