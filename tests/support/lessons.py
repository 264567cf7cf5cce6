"""The lesson template: the structure every lesson notebook in course/ follows.

A lesson reads, in order:

1. ``# N. Title`` (N is the number in the file name, ``NN-slug.ipynb``);
2. ``**Estimated time:** T minutes (A teaching, B practice)``, with A + B = T;
3. ``## Learning objectives``: a bullet list ("By the end of this lesson you can: …");
4. one or more short teaching sections (``## …``);
5. ``## Practice``: cards with instant feedback, one or more code cells that
   call ``show_deck("lesson-NN-…")`` (a practice deck of this module);
6. optional further activities (``## …``);
7. ``## Key points``: a bullet list;
8. ``## Notes for instructors``: the last section;
9. a last code cell, ``from safetyrater import module_nav`` / ``module_nav()``:
   links to the previous and next module and the start page (the only code
   allowed after ``## Key points``).

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
INSTRUCTOR_NOTES = "Notes for instructors"
TIME_LINE = re.compile(r"^\*\*Estimated time:\*\* (\d+) minutes \((\d+) teaching, (\d+) practice\)$", re.M)
NAV_CALL = re.compile(r"^module_nav\(\)$", re.M)
SHOW_DECK = re.compile(r'show_deck\("(lesson-(\d\d)-[a-z0-9-]+)"\)')


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


def lesson_problems(path: Path) -> list[str]:
    """Every way the lesson at ``path`` departs from the template (empty when it follows it)."""
    problems: list[str] = []
    number = int(path.name[:2])
    found = sections(path)
    intro = _text(found[0][1])
    title = re.search(r"^# (\d+)\. \S.*$", intro, re.M)
    if not title:
        problems.append("no title '# N. Title' before the first section")
    elif int(title.group(1)) != number:
        problems.append(f"title numbered {title.group(1)}, file numbered {number}")
    time = TIME_LINE.search(intro)
    if not time:
        problems.append("no '**Estimated time:** T minutes (A teaching, B practice)' line before the first section")
    elif int(time.group(2)) + int(time.group(3)) != int(time.group(1)):
        problems.append(f"estimated time {time.group(1)} is not {time.group(2)} + {time.group(3)}")
    headings = [heading for heading, _ in found[1:]]
    for required in (OBJECTIVES, PRACTICE, KEY_POINTS, INSTRUCTOR_NOTES):
        if headings.count(required) != 1:
            problems.append(f"needs exactly one '## {required}' section")
    if problems:
        return problems
    position = {heading: headings.index(heading) for heading in (OBJECTIVES, PRACTICE, KEY_POINTS, INSTRUCTOR_NOTES)}
    if position[OBJECTIVES] != 0:
        problems.append(f"'## {OBJECTIVES}' must be the first section")
    if not position[OBJECTIVES] < position[PRACTICE] - 1:
        problems.append(f"needs at least one teaching section between '## {OBJECTIVES}' and '## {PRACTICE}'")
    if not position[PRACTICE] < position[KEY_POINTS] < position[INSTRUCTOR_NOTES]:
        problems.append(f"'## {PRACTICE}', '## {KEY_POINTS}' and '## {INSTRUCTOR_NOTES}' must come in that order")
    if position[INSTRUCTOR_NOTES] != len(headings) - 1:
        problems.append(f"'## {INSTRUCTOR_NOTES}' must be the last section")
    by_name = dict(found[1:])
    for required in (OBJECTIVES, KEY_POINTS):
        if not re.search(r"^\s*[-*] \S", _text(by_name[required]), re.M):
            problems.append(f"'## {required}' needs a bullet list")
    if not _text(by_name[INSTRUCTOR_NOTES]).strip():
        problems.append(f"'## {INSTRUCTOR_NOTES}' is empty")
    cells = _cells(path)
    last = cells[-1] if cells else {"cell_type": "markdown", "source": ""}
    if last["cell_type"] != "code" or not NAV_CALL.search("".join(last["source"])):
        problems.append("must end with the navigation cell 'from safetyrater import module_nav' / 'module_nav()'")
    for heading in (KEY_POINTS, INSTRUCTOR_NOTES):
        if any(not NAV_CALL.search(c["source"]) for c in by_name[heading] if c["cell_type"] == "code"):
            problems.append(f"'## {heading}' holds code other than the navigation cell")
    decks = SHOW_DECK.findall(_text(by_name[PRACTICE], "code"))
    if not decks:
        problems.append(f"'## {PRACTICE}' shows no deck (a code cell calling show_deck(\"lesson-{number:02d}-…\"))")
    for deck_id, module in decks:
        if int(module) != number:
            problems.append(f"'## {PRACTICE}' shows {deck_id}, a deck of module {int(module)}")
    return problems


def practice_decks(path: Path) -> list[str]:
    """The deck ids a lesson's code cells show."""
    return [deck_id for cell in _cells(path) if cell["cell_type"] == "code" for deck_id, _ in SHOW_DECK.findall("".join(cell["source"]))]
