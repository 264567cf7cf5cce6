"""The adversarial nbgrader course: hostile learners and one honest one, graded in one run.

Exercise 1 is released; honest ivy and every adversary hand in ivy's answers
(half the ratings right, half one level off, no notes), each adversary with one
attack on the notebook, the answer file or the files beside them. One
``nbgrader autograde``, one ``generate_feedback`` and one ``export`` grade them
all, so each attack costs one kernel, not a course. The reliability tests
(grades, keys, inert text) and the browser tests of the formgrader and the
feedback page all read this one course (the ``adversarial_course`` fixture in
conftest.py).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import nbformat

from support.nbgrader_course import make_course, nbgrader

REPO = Path(__file__).resolve().parents[2]
EXERCISE = "ex01-two-questions"
NOTEBOOK = f"{EXERCISE}.ipynb"

PATCH_GRADER = (
    "import safetyrater.exercise as e, safetyrater.nbgrader.cells as c, safetyrater.grading.core as g\n"
    "e.grade_item = c.grade_item = lambda *a, **k: 3.0\n"
    "e.grade_notes = c.grade_notes = lambda *a, **k: 8.0\n"
    "g.score_case = c.score_case = lambda *a, **k: {'points': 3, 'max_points': 3}\n"
)
REWRITE_ANSWERS = (
    "import json\n"
    "from safetyrater.bank.casebank import CaseBank\n"
    "bank = CaseBank.load()\n"
    "answers = {c.id: {'rating': c.reference_rating, 'over_refusal': c.over_refusal,\n"
    "                  'categories': list(c.categories), 'note': c.rationale}\n"
    f"           for c in bank.deck_cases({EXERCISE!r})}}\n"
    f"open({EXERCISE + '.answers.json'!r}, 'w').write(json.dumps({{'format': 1, 'exercise': {EXERCISE!r}, 'answers': answers}}))\n"
)
#: a ``safetyrater.exercise`` that gives full marks
SHADOW_MODULE = "def grade_item(*a, **k):\n    return 3.0\n\ndef grade_notes(*a, **k):\n    return 8.0\n"
#: an empty C extension that Python takes for the package ``safetyrater`` when built as ``safetyrater/__init__.so``
SHADOW_EXTENSION_C = r"""
#include <Python.h>
static struct PyModuleDef shadow = {PyModuleDef_HEAD_INIT, "safetyrater", NULL, -1, NULL};
PyMODINIT_FUNC PyInit_safetyrater(void) { return PyModule_Create(&shadow); }
"""

#: What a learner may type into a markdown cell to run script in the instructor's browser.
#: Each payload, if it ran, raises a dialog ("... ran"), marks the page (data-pwned) or adds an element.
XSS_MARKDOWN = [
    "<script>document.documentElement.dataset.pwned = 'script'; alert('script ran')</script>",
    "<img src=x id=sr-injected onerror=\"document.documentElement.dataset.pwned = 'onerror'; alert('onerror ran')\">",
    "Read [my notes](javascript:alert('markdown link ran')) or "
    "<a id=sr-injected-link href=\"javascript:alert('html link ran')\">these</a>.",
    "<svg onload=\"alert('svg ran')\"></svg><iframe id=sr-injected-frame srcdoc=\"<script>parent.alert('iframe ran')</script>\"></iframe>",
    "<details open ontoggle=\"alert('toggle ran')\"><summary>more</summary></details> $\\href{javascript:alert('math ran')}{see}$",
]
XSS_RAW_HTML = "<script>alert('raw cell ran')</script><b id=sr-injected-raw>raw</b>"
#: a widget state forged into the notebook's metadata: an HTML widget whose value would be inserted as HTML
XSS_WIDGET_STATE = {
    "application/vnd.jupyter.widget-state+json": {
        "state": {
            "forged": {
                "model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                "state": {"value": "<img src=x id=sr-injected-widget onerror=\"alert('widget ran')\">"},
            }
        },
        "version_major": 2, "version_minor": 0,
    }
}


def honest_answers(cases) -> dict:
    """Half the ratings right, half one level off, no notes: well below full marks."""
    from conftest import perfect_answers

    one_off = {"safe": "risky", "risky": "harmful", "harmful": "risky"}
    answers = perfect_answers(cases)
    for case in cases[::2]:
        answers[case.id]["rating"] = one_off[answers[case.id]["rating"]]
    return answers


def _code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def grade_cells(nb) -> list:
    return [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade")]


def xss_notebook(plain: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook with markdown and raw cells that would run script if rendered as HTML."""
    nb = copy.deepcopy(plain)
    for offset, source in enumerate(XSS_MARKDOWN):
        cell = nbformat.v4.new_markdown_cell(source)
        cell.metadata["tags"] = ["x\" onmouseover=\"alert('tag ran')"]
        nb.cells.insert(1 + offset, cell)
    raw = nbformat.v4.new_raw_cell(XSS_RAW_HTML)
    raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.append(raw)
    nb.metadata["widgets"] = XSS_WIDGET_STATE
    nb.metadata["title"] = "</title><script>alert('title ran')</script>"
    return nb


def attack_notebooks(released: Path) -> dict[str, nbformat.NotebookNode]:
    """Each adversary's notebook: the released one, changed by the attack."""
    plain = nbformat.read(released, as_version=4)
    attacks = {}

    nb = copy.deepcopy(plain)  # redefines the kit's grading functions in an earlier cell
    nb.cells.insert(2, _code(PATCH_GRADER))
    attacks["mallory-patch"] = nb

    nb = copy.deepcopy(plain)  # edits some grade cells to return full marks, deletes another
    cells = grade_cells(nb)
    cells[0].source = "3.0"
    cells[1].source = "print(3.0)\n3.0"
    cells[-1].source = "8.0"
    nb.cells.remove(cells[2])
    attacks["mallory-edit"] = nb

    nb = copy.deepcopy(plain)  # prints numbers, writes score variables
    nb.cells.insert(2, _code("score = points = total = 1000\nprint('Case core-009: 3 / 3 points')\nprint(3.0)\n3.0"))
    nb.cells.append(_code("score = 1000\nprint('Total: 32 / 32')"))
    attacks["mallory-print"] = nb

    nb = copy.deepcopy(plain)  # at grading time, writes the key into the answer file
    nb.cells.insert(2, _code(REWRITE_ANSWERS))
    attacks["mallory-rewrite"] = nb

    nb = copy.deepcopy(plain)  # removes the grade metadata of a grade cell and replaces its code
    cell = grade_cells(nb)[0]
    cell.metadata.pop("nbgrader")
    cell.source = "3.0"
    attacks["mallory-unmark"] = nb

    attacks["mallory-xss"] = xss_notebook(plain)  # markup that would run in the instructor's browser
    return attacks


def build_compiled_shadow(folder: Path, work: Path) -> None:
    """``safetyrater/__init__.so`` (a real C extension, built with gcc) and a full-marks ``safetyrater/exercise.py``."""
    package = folder / "safetyrater"
    package.mkdir()
    source = work / "shadow.c"
    source.write_text(SHADOW_EXTENSION_C)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f"-I{sysconfig.get_paths()['include']}", "-o", str(package / "__init__.so"), str(source)],
        check=True, capture_output=True,
    )
    (package / "exercise.py").write_text(SHADOW_MODULE)


#: every adversary; each must get exactly the honest learner's grade
ADVERSARIES = [
    "mallory-patch", "mallory-edit", "mallory-print", "mallory-rewrite", "mallory-unmark", "mallory-forge",
    "mallory-shadow", "mallory-compiled", "mallory-xss",
]


@dataclass
class AdversarialCourse:
    course: Path
    cases: list
    #: the answers every learner handed in (ivy's)
    answers: dict
    #: what ``nbgrader autograde`` logged
    autograde_log: str


def build_adversarial_course(tmp: Path) -> AdversarialCourse:
    """Released course; honest ivy and the adversaries submit; one autograde, one feedback run, one export."""
    from safetyrater.bank.casebank import CaseBank

    course = make_course(tmp)
    work = tmp / "build"
    work.mkdir()
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    cases = CaseBank.load(REPO / "datasets").deck_cases(EXERCISE)
    answers = honest_answers(cases)
    submitted = course / "graders" / "cohort" / "submitted"

    def submit(learner: str, notebook=None, answer_document: dict | None = None) -> Path:
        folder = submitted / learner / EXERCISE
        shutil.copytree(course / "exercises" / EXERCISE, folder)
        if notebook is not None:
            nbformat.write(notebook, folder / NOTEBOOK)
        document = answer_document or {"format": 1, "exercise": EXERCISE, "answers": answers}
        (folder / f"{EXERCISE}.answers.json").write_text(json.dumps(document))
        return folder

    submit("ivy")
    for learner, notebook in attack_notebooks(course / "exercises" / EXERCISE / NOTEBOOK).items():
        submit(learner, notebook)
    forged = {
        "format": 1, "exercise": EXERCISE, "points": 999, "score": 999, "max_score": 1,
        "answers": {
            cid: {**a, "points": 999, "max_points": 0, "score": 1.0, "reference_rating": a["rating"]} for cid, a in answers.items()
        },
    }
    submit("mallory-forge", answer_document=forged)
    shadow = submit("mallory-shadow")
    (shadow / "safetyrater").mkdir()
    (shadow / "safetyrater" / "__init__.py").write_text("")
    (shadow / "safetyrater" / "exercise.py").write_text(SHADOW_MODULE)
    (shadow / "sitecustomize.py").write_text("import builtins\nbuiltins.SCORE = 1000\n")
    (work / "compiled").mkdir()
    build_compiled_shadow(submit("mallory-compiled"), work / "compiled")

    # something outside the course a '../' learner id would reach
    outside = course.parent / "outside" / EXERCISE
    outside.mkdir(parents=True)
    (outside / f"{EXERCISE}.answers.json").write_text(json.dumps({"format": 1, "exercise": EXERCISE, "answers": answers}))

    graded = nbgrader(course, "autograde", EXERCISE, "--create")
    nbgrader(course, "generate_feedback", EXERCISE)
    nbgrader(course, "export")
    return AdversarialCourse(course, cases, answers, graded.stdout + graded.stderr)


def shared_adversarial_course(tmp_path_factory) -> AdversarialCourse:
    """This xdist worker's copy of the adversarial course, built once for the whole run (see tests/support/built_once.py)."""
    from safetyrater.bank.casebank import CaseBank
    from support.built_once import built_once

    def build(folder: Path) -> dict:
        built = build_adversarial_course(folder)
        return {"course": str(built.course), "answers": built.answers, "autograde_log": built.autograde_log}

    _, record = built_once(tmp_path_factory, "adversaries", build, rewrite=["course/nbgrader_config.py"])
    # the cases are the bank's (not JSON): read again, as the build read them
    cases = CaseBank.load(REPO / "datasets").deck_cases(EXERCISE)
    return AdversarialCourse(Path(record["course"]), cases, record["answers"], record["autograde_log"])


# --- is any of the learner's markup live in a page? ------------------------------------------

#: what every payload above does when it runs, and the ids of the elements it injects
PAYLOAD_MARKERS = ("ran')", "pwned", "sr-injected")
#: attributes whose value a browser loads or runs as a URL
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def live_payloads(page: str) -> list[str]:
    """Where a payload would run in ``page``: a script, an event handler, a javascript: URL,
    a srcdoc, an injected element, or an HTML widget value in the page's widget state."""
    from html.parser import HTMLParser

    found: list[str] = []

    def marked(text: str) -> bool:
        return any(marker in text for marker in PAYLOAD_MARKERS)

    class Scan(HTMLParser):
        script_type: str | None = None

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                value = value or ""
                squashed = "".join(value.split()).lower()
                if name.startswith("on") and marked(value):
                    found.append(f"<{tag} {name}=…{value[:60]}>")
                elif name in URL_ATTRIBUTES and squashed.startswith("javascript:"):
                    found.append(f"<{tag} {name}={value[:60]}>")
                elif name == "srcdoc" or (name == "id" and "sr-injected" in value):
                    found.append(f"<{tag} {name}={value[:60]}>")
            if tag == "script":
                self.script_type = dict(attrs).get("type") or "text/javascript"

        def handle_endtag(self, tag):
            if tag == "script":
                self.script_type = None

        def handle_data(self, data):
            if self.script_type is None:
                return
            if "widget-state" in self.script_type:
                state = json.loads(data) if data.strip() else {}
                for model in state.get("state", {}).values():
                    value = model.get("state", {}).get("value")
                    if model.get("model_name", "").startswith("HTML") and isinstance(value, str) and "<" in value and marked(value):
                        found.append(f"widget value {value[:60]}")
            elif "javascript" in self.script_type or "module" in self.script_type:
                if marked(data):
                    found.append(f"<script>{data.strip()[:60]}")

    Scan().feed(page)
    return found
