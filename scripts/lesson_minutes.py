"""Measure each lesson's time honestly, and (with --write) put it in the lesson.

    python3 scripts/lesson_minutes.py            # print the measurement
    python3 scripts/lesson_minutes.py --write    # rewrite each lesson's "Estimated time" line
    python3 scripts/lesson_minutes.py --check    # exit 1 when a lesson's line differs from the measurement

The measure (issue 16):

* reading: the words a learner reads, at 200 words a minute: every markdown cell
  (an image's alt text stands for the words in the figure), plus the words of the
  tables that a lesson's code shows from data (the taxonomy in lesson 2, the
  dimensions in lesson 11, the probe gallery in lesson 12, and the three XSTest
  tables in lesson 3b, whose words and figures were counted once and are fixed below);
* practice: 1.5 minutes per card (each case of every deck a lesson shows with
  ``show_deck``, each response of the XSTest labelling deck) and 0.5 minutes per check
  question (``datasets/check_questions.toml``, matched by its ``set``, the name the
  lesson's ``show_questions`` call gives), plus a fixed time for a writing task
  (the probe designer). The mock assessment itself (lesson 10) is not counted: the
  learner chooses its length, and the lesson says so.

Each part is rounded up to whole minutes; the line reads
``**Estimated time:** T minutes (A teaching, B practice)`` with A the reading, B the
practice and T = A + B. A lesson over 45 minutes is named, since the course splits those.
Standard library only.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
DATASETS = REPO / "datasets"
LESSON_FILE = re.compile(r"^(\d\d)[a-z]?-[a-z0-9-]+\.ipynb$")
TIME_LINE = re.compile(r"^\*\*Estimated time:\*\* .*$", re.M)
WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['\u2019-][A-Za-z0-9\u00c0-\u024f]+)*")
SHOW_DECK = re.compile(r'show_deck\("([^"]+)"\)')
LABELLING = re.compile(r"show_labelling_deck\(n=(\d+)")
WRITING_TASKS = {"show_probe_designer": 10}  # minutes for one written contrast pair
SHOW_QUESTIONS = re.compile(r'show_questions\("([^"]+)"\)')
# Words and figures in the XSTest tables (lesson 3b), counted once from their output.
FIXED_TABLE_WORDS = {"classifier_agreement(": 76, 'refusal_rates_table(by="model")': 138, 'refusal_rates_table(by="type")': 262}
LIMIT = 45
READING_SPEED = 200
CARD_MINUTES = 1.5
QUESTION_MINUTES = 0.5


def words(text: str) -> int:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not read
    alts = " ".join(re.findall(r'alt="([^"]*)"', text))  # an image's alt text stands for its words
    text = re.sub(r"<[^>]+>", " ", text) + " " + alts  # HTML tags are not read
    return len(WORD.findall(text))


def shown_data_words(source: str) -> int:
    """Words of the tables a code cell shows from the course's data."""
    total = 0
    if "show_taxonomy(" in source:
        taxonomy = tomllib.loads((DATASETS / "taxonomy.toml").read_text(encoding="utf-8"))
        for category in taxonomy["category"]:
            total += sum(words(category.get(key, "")) for key in ("name", "definition", "harmful", "fine", "over_refusal_traps"))
    if "show_dimensions(" in source:
        total += words(" ".join(_strings(tomllib.loads((REPO / "graders" / "dimensions.toml").read_text(encoding="utf-8")))))
    total += sum(n for call, n in FIXED_TABLE_WORDS.items() if call in source)
    if "show_probe_gallery(" in source:
        for line in (DATASETS / "probes" / "gallery.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                total += words(" ".join(_strings(json.loads(line), skip=("id", "xstest_type", "topic_id"))))
    return total


def _strings(value, skip=()) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() if key not in skip for s in _strings(item, skip)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item, skip)]
    return []


def measure(path: Path, decks: dict, questions: dict) -> dict:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text_words = data_words = cards = n_questions = 0
    writing = 0.0
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            text_words += words(TIME_LINE.sub("", source))  # the line this script writes is not counted
            continue
        data_words += shown_data_words(source)
        for deck in SHOW_DECK.findall(source):
            cards += len(decks.get(deck, {}).get("cases", []))
        for name in SHOW_QUESTIONS.findall(source):
            n_questions += questions.get(name, 0)
        for n in LABELLING.findall(source):
            cards += int(n)
        for call, minutes in WRITING_TASKS.items():
            if call + "(" in source:
                writing += minutes
    reading = math.ceil((text_words + data_words) / READING_SPEED)
    practice = math.ceil(cards * CARD_MINUTES + n_questions * QUESTION_MINUTES + writing)
    return {
        "lesson": path.name,
        "words": text_words,
        "data_words": data_words,
        "cards": cards,
        "questions": n_questions,
        "writing": writing,
        "reading": reading,
        "practice": practice,
        "total": reading + practice,
    }


def lessons() -> list[Path]:
    return [p for p in sorted(COURSE.glob("*.ipynb")) if LESSON_FILE.match(p.name) and not p.name.startswith("00")]


def question_counts() -> dict[str, int]:
    path = DATASETS / "check_questions.toml"
    counts: dict[str, int] = {}
    if path.exists():
        for q in tomllib.loads(path.read_text(encoding="utf-8")).get("question", []):
            counts[q["set"]] = counts.get(q["set"], 0) + 1
    return counts


def line(m: dict) -> str:
    return f"**Estimated time:** {m['total']} minutes ({m['reading']} teaching, {m['practice']} practice)"


def main(argv: list[str]) -> int:
    decks = tomllib.loads((DATASETS / "decks.toml").read_text(encoding="utf-8"))["deck"]
    questions = question_counts()
    stale = over = 0
    print(f"{'lesson':44} {'words':>6} {'data':>5} {'cards':>5} {'qs':>3} {'read':>4} {'prac':>4} {'total':>5}")
    for path in lessons():
        m = measure(path, decks, questions)
        flag = "  OVER 45" if m["total"] > LIMIT else ""
        over += bool(flag)
        print(
            f"{m['lesson']:44} {m['words']:6} {m['data_words']:5} {m['cards']:5} {m['questions']:3} "
            f"{m['reading']:4} {m['practice']:4} {m['total']:5}{flag}"
        )
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "markdown" and TIME_LINE.search(source):
                if TIME_LINE.search(source).group(0) != line(m):
                    stale += 1
                    if "--write" in argv:
                        new = TIME_LINE.sub(line(m), source, count=1)
                        cell["source"] = new.splitlines(keepends=True)
                        path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                        print(f"  wrote: {line(m)}")
                    elif "--check" in argv:
                        print(f"  says: {TIME_LINE.search(source).group(0)}\n  measured: {line(m)}")
                break
    if "--check" in argv and stale:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
