"""The lesson template: the structure every lesson notebook in course/ follows.

A lesson reads, in order:

1. ``# N. Title`` (N is the number in the file name, ``NN-slug.ipynb``; the second
   part of a module is ``NNb-slug.ipynb`` titled ``# Nb. Title``);
2. ``**Estimated time:** T minutes (A teaching, B practice)``, with A + B = T
   (``scripts/lesson_minutes.py`` measures it);
3. ``## Learning objectives``: a bullet list ("By the end of this lesson you can: …");
4. one or more short teaching sections (``## …``);
5. ``## Worked examples``: examples with their rating and reasons;
6. ``## Check your understanding``: one code cell calling ``show_questions("lesson-NN")``
   (the lesson's own set of check questions);
7. ``## Practice``: cards with instant feedback, code cells that call
   ``show_deck("lesson-NN-…")`` (a practice deck of this module) or, in 3b,
   ``show_labelling_deck(…)``;
8. optional further activities (``## …``);
9. ``## Key points``: a bullet list, the last section;
10. a last code cell, ``from safetyrater import module_nav`` / ``module_nav()``:
    links to the previous and next module and the start page (the only code
    allowed after ``## Key points``).

No lesson has a section for instructors: their notes live in ``graders/instructor-notes.md``.

:func:`lesson_problems` checks one notebook against it; a test runs it over
every lesson, so a reader finds the same structure in every lesson.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

OBJECTIVES = "Learning objectives"
PRACTICE = "Practice"
KEY_POINTS = "Key points"
WORKED = "Worked examples"
CHECK = "Check your understanding"
#: the order of the required sections (teaching sections come between the first two)
REQUIRED = (OBJECTIVES, WORKED, CHECK, PRACTICE, KEY_POINTS)
INSTRUCTOR_NOTES = "Notes for instructors"
LESSON_FILE = re.compile(r"^(\d\d)([a-z]?)-")
TIME_LINE = re.compile(r"^\*\*Estimated time:\*\* (\d+) minutes \((\d+) teaching, (\d+) practice\)$", re.M)
NAV_CALL = re.compile(r"^module_nav\(\)$", re.M)
SHOW_DECK = re.compile(r'show_deck\("(lesson-(\d\d)-[a-z0-9-]+)"\)')
SHOW_QUESTIONS = re.compile(r'show_questions\("(lesson-\d\d[a-z]?)"\)')
LABELLING_DECK = re.compile(r"show_labelling_deck\(")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def sections(path: Path) -> list[tuple[str, list[dict]]]:
    """(level-2 heading, cells under it) in order; the part before the first heading is ''."""
    found: list[tuple[str, list[dict]]] = [("", [])]
    for cell in _cells(path):
        source = "".join(cell.get("source", []))
        if cell["cell_type"] == "markdown":
            parts = re.split(r"^## (.+)$", source, flags=re.M)
            if parts[0].strip():
                found[-1][1].append({**cell, "source": parts[0]})
            for heading, text in zip(parts[1::2], parts[2::2]):
                found.append((heading.strip(), [{**cell, "source": text}]))
        else:
            found[-1][1].append({**cell, "source": source})
    return found


def _text(cells: list[dict], kind: str = "markdown") -> str:
    return "\n".join(c["source"] for c in cells if c["cell_type"] == kind)


def lesson_label(path: Path) -> str:
    """The lesson's number as its title shows it: ``03b-…`` -> ``3b``."""
    found = LESSON_FILE.match(path.name)
    return f"{int(found.group(1))}{found.group(2)}" if found else path.stem


def lesson_problems(path: Path) -> list[str]:
    """Every way the lesson at ``path`` departs from the template (empty when it follows it)."""
    problems: list[str] = []
    label = lesson_label(path)
    number = int(path.name[:2])
    found = sections(path)
    intro = _text(found[0][1])
    title = re.search(r"^# (\d+[a-z]?)\. \S.*$", intro, re.M)
    if not title:
        problems.append("no title '# N. Title' before the first section")
    elif title.group(1) != label:
        problems.append(f"title numbered {title.group(1)}, file numbered {label}")
    time = TIME_LINE.search(intro)
    if not time:
        problems.append("no '**Estimated time:** T minutes (A teaching, B practice)' line before the first section")
    elif int(time.group(2)) + int(time.group(3)) != int(time.group(1)):
        problems.append(f"estimated time {time.group(1)} is not {time.group(2)} + {time.group(3)}")
    headings = [heading for heading, _ in found[1:]]
    if INSTRUCTOR_NOTES in headings:
        problems.append(f"'## {INSTRUCTOR_NOTES}' is shown to learners: move it to graders/instructor-notes.md")
    for required in REQUIRED:
        if headings.count(required) != 1:
            problems.append(f"needs exactly one '## {required}' section")
    if problems:
        return problems
    position = [headings.index(heading) for heading in REQUIRED]
    if position[0] != 0:
        problems.append(f"'## {OBJECTIVES}' must be the first section")
    if not position[0] < position[1] - 1:
        problems.append(f"needs at least one teaching section between '## {OBJECTIVES}' and '## {WORKED}'")
    if position[1:4] != list(range(position[1], position[1] + 3)) or not position[3] < position[4]:
        problems.append(f"'## {WORKED}', '## {CHECK}', '## {PRACTICE}' (one after another) and '## {KEY_POINTS}' must come in that order")
    if position[4] != len(headings) - 1:
        problems.append(f"'## {KEY_POINTS}' must be the last section")
    by_name = dict(found[1:])
    for required in (OBJECTIVES, KEY_POINTS):
        if not re.search(r"^\s*[-*] \S", _text(by_name[required]), re.M):
            problems.append(f"'## {required}' needs a bullet list")
    if not _text(by_name[WORKED]).strip():
        problems.append(f"'## {WORKED}' is empty")
    cells = _cells(path)
    last = cells[-1] if cells else {"cell_type": "markdown", "source": ""}
    if last["cell_type"] != "code" or not NAV_CALL.search("".join(last["source"])):
        problems.append("must end with the navigation cell 'from safetyrater import module_nav' / 'module_nav()'")
    if any(not NAV_CALL.search(c["source"]) for c in by_name[KEY_POINTS] if c["cell_type"] == "code"):
        problems.append(f"'## {KEY_POINTS}' holds code other than the navigation cell")
    question_sets = SHOW_QUESTIONS.findall(_text(by_name[CHECK], "code"))
    expected_set = f"lesson-{path.name[:2]}{label[len(str(number)):]}"
    if question_sets != [expected_set]:
        problems.append(f"'## {CHECK}' must show this lesson's questions: one code cell calling show_questions(\"{expected_set}\")")
    practice_code = _text(by_name[PRACTICE], "code")
    decks = SHOW_DECK.findall(practice_code)
    if not decks and not LABELLING_DECK.search(practice_code):
        problems.append(f"'## {PRACTICE}' shows no deck (a code cell calling show_deck(\"lesson-{number:02d}-…\"))")
    for deck_id, module in decks:
        if int(module) != number:
            problems.append(f"'## {PRACTICE}' shows {deck_id}, a deck of module {int(module)}")
    return problems


def practice_decks(path: Path) -> list[str]:
    """The deck ids a lesson's code cells show."""
    return [deck_id for cell in _cells(path) if cell["cell_type"] == "code" for deck_id, _ in SHOW_DECK.findall("".join(cell["source"]))]
