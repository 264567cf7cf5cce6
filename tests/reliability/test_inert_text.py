"""Inert text: does hostile case text, response or learner note render literally, never as HTML or script?

Every card kind (rating, pairwise, span; practice and graded), the XSTest
refusal card, the assessment card, the feedback and explain output and the
cohort HTML report are given text holding a script tag, an image with an
onerror handler and a markdown link to ``javascript:``. What the front end
receives (every widget's state) must hold those only as escaped text.
"""

from __future__ import annotations

import json
import re
import shutil

import ipywidgets as widgets
import pytest

from assessment.test_ui import states as widget_states  # everything the front end receives
from conftest import FIXTURES, REPO
from safetyrater.widgets.task import SHORTCUTS_JS, script_html

SCRIPT = "<script>window.pwned = 1</script>"
IMAGE = '<img src=x onerror="window.pwned = 2">'
LINK = "[your reward](javascript:window.pwned=3)"
HOSTILE = f"Before {SCRIPT} middle {IMAGE} and {LINK} after."

#: markup that would be live if hostile text were inserted as HTML
LIVE = re.compile(r"<\s*script|<\s*img[^>]*onerror|href\s*=\s*['\"]?\s*javascript:|<a\s", re.I)
#: the kit's own live markup, built from no case text: the task view's shortcut script and the module links
OWN_SCRIPT = script_html(SHORTCUTS_JS)
OWN_NAV = re.compile(r"<nav class='sr-nav'[^>]*>(?:<a class=\"sr-nav-link\" href=\"[^\"<>]*\"[^<>]*>[^<>]*</a>)*</nav>")


def html_values(widget: widgets.Widget) -> list[str]:
    """The HTML the page will insert: every HTML widget's value."""
    values, todo = [], [widget]
    while todo:
        current = todo.pop()
        if isinstance(current, widgets.HTML):
            values.append(current.value)
        todo += [child for child in getattr(current, "children", ()) if isinstance(child, widgets.Widget)]
    return values


def assert_inert(html_texts: list[str] | str, shown: bool = True) -> None:
    text = "\n".join(html_texts) if isinstance(html_texts, list) else html_texts
    text = OWN_NAV.sub("", text.replace(OWN_SCRIPT, ""))
    assert not LIVE.search(text), LIVE.search(text).group(0)
    if shown:
        assert "&lt;script&gt;" in text and "&lt;img src=x onerror=" in text and "javascript:window.pwned=3" in text


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    """A course whose every case (of each kind, lesson and exercise) carries hostile text."""
    root = tmp_path_factory.mktemp("hostile-course")
    shutil.copytree(FIXTURES / "bank", root / "datasets")
    shutil.copy(REPO / "datasets" / "taxonomy.toml", root / "datasets" / "taxonomy.toml")
    shutil.copytree(REPO / "graders", root / "graders", ignore=shutil.ignore_patterns("cohort"))
    for path in (root / "datasets" / "cases").glob("*.jsonl"):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        for record in records:
            record["prompt"] = HOSTILE
            record["context"] = HOSTILE
            for field in ("response", "response_a", "response_b"):
                if field in record:
                    record[field] = HOSTILE
            if "segments" in record:
                record["segments"] = [HOSTILE] * len(record["segments"])
            record["rationale"] = f"{HOSTILE} A rationale long enough to pass the schema."
            # the hostile text replaces the responses: it holds no operational detail (the redaction rule)
            record["no_operational_content"] = True
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return root


@pytest.fixture
def hostile_bank(hostile_root, monkeypatch):
    from safetyrater.bank.casebank import CaseBank

    monkeypatch.setenv("SAFETYRATER_ROOT", str(hostile_root))
    return CaseBank.load(hostile_root / "datasets")


@pytest.mark.parametrize("deck_id", ["lesson-01-fx-mixed", "ex01-fx-mixed"])
def test_every_card_kind_shows_hostile_case_text_literally(hostile_bank, deck_id, tmp_path):
    """Rating, pairwise and span cards, in a lesson and an exercise: is hostile text shown as text, after Check too?"""
    from safetyrater.widgets.deck import DeckView

    view = DeckView(hostile_bank, hostile_bank.deck(deck_id), tmp_path)
    kinds = {type(card).__name__ for card in view.cards}
    assert kinds == {"RatingCard", "PairwiseCard", "SpanCard"}
    for card in view.cards:
        note = getattr(card, "note", None) or getattr(card, "reason", None)
        if note is not None:
            note.value = f"My note: {HOSTILE}"  # a hostile learner note, checked by the rubric
        if hasattr(card, "rating"):
            card.rating.value = "harmful"
        if hasattr(card, "choice"):
            card.choice.value = "a"
        card.check()
    for gate in view.items:
        if hasattr(gate, "reveal"):
            gate.reveal()
    assert_inert(html_values(view))
    # a note stays a text box's value, which the page shows as text
    assert json.dumps(f"My note: {HOSTILE}") in widget_states(view)


def test_graded_feedback_and_explain_lines_are_plain_text(hostile_bank, hostile_root, tmp_path, capsys):
    """What nbgrader's feedback page shows comes from printed lines: are hostile notes printed, never turned into HTML?"""
    from safetyrater.nbgrader.cells import grade_item, grade_notes

    deck = hostile_bank.deck("ex01-fx-mixed")
    answers = {cid: {"rating": "safe", "note": HOSTILE, "reason": HOSTILE, "choice": "a", "flagged": [0]} for cid in deck.cases}
    (tmp_path / f"{deck.id}.answers.json").write_text(json.dumps({"format": 1, "exercise": deck.id, "answers": answers}))
    for cid in deck.cases:
        grade_item(deck.id, cid, points=3, folder=tmp_path)
    grade_notes(deck.id, points=3, folder=tmp_path)
    out = capsys.readouterr().out
    assert HOSTILE in out  # the learner's own note, as plain text (nbconvert escapes stream output)
    from nbconvert.filters import ansi2html

    assert_inert(ansi2html(out))


def test_the_feedback_check_html_escapes_a_hostile_note(hostile_bank):
    from safetyrater.feedback.render import note_check_html

    case = next(iter(hostile_bank.cases.values()))
    assert_inert(note_check_html(HOSTILE, case, beside_rationale=True), shown=False)


def test_the_refusal_card_shows_a_hostile_xstest_item_literally(tmp_path):
    from safetyrater.xstest.cards import LabelStore, RefusalCard

    store = LabelStore("xstest-labels", tmp_path)
    item = {"item": "model/v2-1", "prompt": HOSTILE, "completion": HOSTILE, "type": "homonyms", "model": "m", "id": "v2-1"}
    card = RefusalCard(item, store, position=1, total=1)
    assert_inert(html_values(card))


def test_the_assessment_card_shows_a_hostile_case_literally(tmp_path):
    from safetyrater.kinds.rating import RatingView
    from safetyrater.assessment.ui import open_assessment

    from assessment.helpers import FakeClock

    view = open_assessment(cases=10, minutes=30, seed=4, folder=tmp_path, clock=FakeClock(), autostart=False)
    view.cases[0] = RatingView.model_construct(id=view.cases[0].id, prompt=HOSTILE, context=HOSTILE, response=HOSTILE, content_warning=None)
    view._cards.pop(0, None)
    view.show(0)
    view.card(0).note.value = HOSTILE
    assert_inert(html_values(view))


def test_the_cohort_report_shows_hostile_learner_ids_and_messages_literally(tmp_path):
    """A learner id and an answer file crafted as HTML: does the report HTML show them as text?"""
    from safetyrater.cohort.demo import write_demo_cohort
    from safetyrater.cohort.grade import grade_course
    from safetyrater.cohort.report import write_report

    course = tmp_path / "course"
    write_demo_cohort(course, learners=6, seed=1)
    submitted = next(course.rglob("submitted"))
    exercise = next(p.name for p in next(submitted.iterdir()).iterdir() if p.is_dir())
    hostile_id = "<img src=x onerror=alert(1)>"
    folder = submitted / hostile_id / exercise
    folder.mkdir(parents=True)
    (folder / f"{exercise}.answers.json").write_text(HOSTILE)  # unreadable: reported in the problems table
    grades = grade_course(course, progress=False)
    assert hostile_id in set(grades.submissions["learner"])
    summary = write_report(grades, tmp_path / "report")
    pages = "\n".join(path.read_text(encoding="utf-8") for path in sorted(summary.parent.rglob("*.html")))
    # the kit's own markup: its one local script and links to its own pages (relative .html paths)
    own = re.compile(r"<script src='(\.\./)*assets/report\.js' defer></script>|<a href=\"[\w./#?=-]*\"")
    assert not LIVE.search(own.sub("", pages)), LIVE.search(own.sub("", pages))
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages


@pytest.mark.slow
def test_markup_a_learner_adds_to_the_notebook_reaches_nbgraders_feedback_as_text(adversarial_course):
    """Script, onerror, javascript: links, raw HTML, a forged widget state and title in a submitted
    notebook: after autograde, does nbgrader's feedback page hold them only as text the instructor can read?"""
    import html

    from support.adversaries import EXERCISE, XSS_MARKDOWN, live_payloads

    feedback = adversarial_course.course / "graders" / "cohort" / "feedback" / "mallory-xss" / EXERCISE / f"{EXERCISE}.html"
    page = feedback.read_text(encoding="utf-8")
    assert live_payloads(page) == []
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    for source in XSS_MARKDOWN:
        assert source in shown, source
