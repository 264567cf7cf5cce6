"""What a learner reads on a page, and what must never be in it.

:func:`rendered_page` executes a notebook the way the app shows it (every cell run,
code hidden: nbconvert's HTML export with ``exclude_input``) and returns the text a
learner sees: the page's text, and the text of every widget on it (HTML widgets'
text, buttons' and options' labels, hover help, placeholders). Markup and
attributes are not read, so an id kept in an element's ``title`` (shown only when a
learner hovers to ask for it) does not count.

:func:`learner_text_problems` names what a learner must never read: a taxonomy id
(ids that are also plain English words, "hate", "privacy", "self-harm", only in
id-like places: code, quotes, ``key=value``), a case id, a raw float with more than
one decimal (kappa, written with two as the assessment report does, excepted), "-0.0",
and "Notes for instructors".
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

#: widget model fields a learner reads (value only for text widgets: see _widget_texts)
SHOWN_FIELDS = ("description", "tooltip", "placeholder", "_options_labels", "tooltips")
TEXT_WIDGETS = {"HTMLModel", "HTMLMathModel", "LabelModel"}
#: taxonomy ids that are also words of plain English prose ("self-harm" as in "risk of self-harm")
ENGLISH_WORD_IDS = {"hate", "harassment", "privacy", "defamation", "self-harm"}
RAW_FLOAT = re.compile(r"(?<![\w.$£€])-?\d+\.\d{2,}(?![\w.])")
NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0+)?(?![\w.])")
INSTRUCTOR_NOTES = "Notes for instructors"


def rendered_page(notebook: Path, workdir: Path, timeout: int = 180) -> str:
    """The text a learner reads on ``notebook`` once it runs, as the app shows it (code hidden).

    The notebook runs in a copy of its folder inside ``workdir``, so answer files it
    writes never touch the course.
    """
    import nbformat
    from bs4 import BeautifulSoup
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    folder = workdir / notebook.parent.name
    if not folder.exists():
        shutil.copytree(notebook.parent, folder, ignore=shutil.ignore_patterns("*.answers.json*", ".*"))
    nb = nbformat.read(folder / notebook.name, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    html, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True).from_notebook_node(nb)
    soup = BeautifulSoup(html, "html.parser")
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for script in soup(["script", "style"]):
        script.decompose()
    page = soup.find("main") or soup.body or soup
    return "\n".join([page.get_text(" "), *_widget_texts(state)])


def _widget_texts(state: dict) -> list[str]:
    from bs4 import BeautifulSoup

    texts: list[str] = []
    for model in state.values():
        fields = model.get("state", {})
        if model.get("model_name") in TEXT_WIDGETS and isinstance(fields.get("value"), str):
            shown = BeautifulSoup(fields["value"], "html.parser")
            for hidden in shown(["script", "style"]):
                hidden.decompose()
            texts.append(shown.get_text(" "))
        for name in SHOWN_FIELDS:
            value = fields.get(name)
            texts += [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
    return texts


def _kappa(text: str, start: int) -> bool:
    """Whether a number is a kappa or its pass mark, which the course writes with two decimals (0.70) as the report does."""
    before = text[max(start - 30, 0) : start].lower()
    return "kappa" in before or "κ" in before


def learner_text_problems(text: str, taxonomy_ids: Iterable[str], case_ids: Iterable[str]) -> list[str]:
    """Every thing in ``text`` a learner must not read, each with the words around it."""
    problems: list[str] = []

    def around(match: re.Match[str]) -> str:
        start, end = max(match.start() - 40, 0), match.end() + 40
        return " ".join(text[start:end].split())

    for taxonomy_id in taxonomy_ids:
        if taxonomy_id in ENGLISH_WORD_IDS:
            # as a word it is prose; quoted, in code style or as key=value it is an id
            pattern = rf"[`'\"=_]{re.escape(taxonomy_id)}(?![\w])|(?<![\w]){re.escape(taxonomy_id)}[`'\"_=]"
        else:
            pattern = rf"(?<![\w-]){re.escape(taxonomy_id)}(?![\w-])"
        problems += [f"taxonomy id {taxonomy_id!r}: …{around(m)}…" for m in re.finditer(pattern, text)]
    ids = sorted(case_ids, key=len, reverse=True)
    if ids:
        pattern = r"(?<![\w-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])"
        problems += [f"case id {m.group(0)!r}: …{around(m)}…" for m in re.finditer(pattern, text)]
    problems += [f"raw number {m.group(0)!r}: …{around(m)}…" for m in RAW_FLOAT.finditer(text) if not _kappa(text, m.start())]
    problems += [f"negative zero {m.group(0)!r}: …{around(m)}…" for m in NEGATIVE_ZERO.finditer(text)]
    if INSTRUCTOR_NOTES.lower() in text.lower():
        problems.append(f"'{INSTRUCTOR_NOTES}' is shown to learners")
    return problems


def learner_pages(root: Path) -> list[Path]:
    """Every page a learner opens: the lessons and reference pages in course/, and each exercise."""
    return sorted((root / "course").glob("*.ipynb")) + sorted((root / "exercises").glob("*/*.ipynb"))


def dump(texts: dict[str, str], path: Path) -> None:
    """Keep the rendered texts for a person to read when the test fails."""
    path.write_text(json.dumps(texts, indent=1, ensure_ascii=False), encoding="utf-8")
