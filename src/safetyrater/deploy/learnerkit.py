"""The learner kit: the course as a cohort's learners receive it, without answer keys.

In a cohort deployment (JupyterHub, see ``deploy/``) learners' servers point
``SAFETYRATER_ROOT`` at a learner kit instead of the course repository. The kit
holds what lessons need and nothing that grades:

* ``course/``: the lesson notebooks;
* ``datasets/``: the taxonomy, the decks, every lesson case in full (lessons show
  their references on purpose), and each graded deck's cases in ``public/``: the
  text to rate without reference rating, rationale, categories or tags. The
  assessment pool (``pool/``) and exercise cases no deck uses are left out;
* ``graders/`` without nbgrader's configuration, the instructor notes and the cohort workspace: the
  policy and the feedback rubric a lesson's Check button uses.

It never holds ``solutions/``, ``graders/nbgrader_config.py``, the cohort
workspace or ``exercises/`` (released exercises reach learners through
nbgrader's exchange). :func:`build_learner_kit` checks the result: the kit must
load as a case bank, and no reference rationale of a graded or assessment case
may appear in any of its files.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..bank.casebank import DECKS_FILE, CaseBank, check_bank
from ..errors import DataError, Problem
from ..io import iter_jsonl, read_toml
from ..kinds import kind_of
from ..paths import CASES_DIR, POOL_DIR, PUBLIC_DIR, course_dir, datasets_dir, graders_dir, project_root

#: a file that marks a folder as a learner kit, so a rebuild may replace it
MARKER = ".safetyrater-learner-kit"
#: what learners may never receive, relative to the course root
NEVER_SHIPPED = (
    "solutions",
    "exercises",
    "graders/nbgrader_config.py",
    "graders/cohort",
    "graders/dashboard.ipynb",
    "graders/instructor-notes.md",
    "datasets/pool",
)
#: learners' saved answers and editor leftovers: never copied into a kit or a course copy
IGNORED_FILES = (
    "*.answers.json",
    "*.answers.json.corrupt-*",
    ".*.answers.json.*",  # the hidden last good copy and damaged copies beside an answer file
    ".mock-assessment*",  # mock-assessment attempts and their history
    ".*.tmp",
    ".ipynb_checkpoints",
    "__pycache__",
)
_IGNORE = shutil.ignore_patterns(*IGNORED_FILES)


@dataclass(frozen=True)
class KitSummary:
    path: Path
    lesson_cases: int
    public_cases: int
    left_out: int

    def line(self) -> str:
        return (
            f"learner kit at {self.path}: {self.lesson_cases} lesson case(s) in full, "
            f"{self.public_cases} graded case(s) without their reference, {self.left_out} case(s) left out"
        )


def build_learner_kit(target: Path | str, root: Path | str | None = None) -> KitSummary:
    """Write the learner kit of the course at ``root`` (default: this course) to ``target``.

    ``target`` must be missing, empty or an earlier learner kit (which is replaced).
    Files are made readable by everyone and writable by no one but the owner.
    """
    root = Path(root) if root is not None else project_root()
    target = Path(target).resolve()
    bank = CaseBank.load(datasets_dir(root))
    _clear_target(target)

    shutil.copytree(course_dir(root), course_dir(target), ignore=_IGNORE)
    # the grading policy and the feedback rubric that lessons' Check uses; never nbgrader's setup or the cohort
    shutil.copytree(
        graders_dir(root),
        graders_dir(target),
        ignore=shutil.ignore_patterns(*IGNORED_FILES, "nbgrader_config.py", "cohort", "dashboard.ipynb", "instructor-notes.md"),
    )

    source = datasets_dir(root)
    datasets = datasets_dir(target)
    datasets.mkdir()
    hidden_ids = {cid for cid, case in bank.cases.items() if case.use in ("exercise", "assessment")}
    for entry in sorted(source.iterdir()):
        if entry.name in (CASES_DIR, POOL_DIR, PUBLIC_DIR, DECKS_FILE):
            continue
        if entry.name == NOTES_DIR and entry.is_dir():
            _copy_notes_without(entry, datasets / NOTES_DIR, hidden_ids)
        elif entry.is_dir():
            shutil.copytree(entry, datasets / entry.name, ignore=_IGNORE)
        else:
            shutil.copy2(entry, datasets / entry.name)

    graded_ids = {cid for deck in bank.decks.values() if deck.mode == "graded" for cid in deck.cases}
    lesson_ids = {cid for cid, case in bank.cases.items() if case.use == "lesson"}
    # lesson cases keep their original lines (and so their formatting) file by file
    (datasets / CASES_DIR).mkdir()
    for path in sorted((source / CASES_DIR).glob("*.jsonl")):
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [text[line - 1] for line, obj, problem in iter_jsonl(path) if obj is not None and obj.get("id") in lesson_ids]
        if kept:
            (datasets / CASES_DIR / path.name).write_text("".join(kept), encoding="utf-8")
    public_ids = sorted(graded_ids - lesson_ids, key=list(bank.cases).index)
    (datasets / PUBLIC_DIR).mkdir()
    if public_ids:
        lines = [kind_of(bank.cases[cid].kind).public(bank.cases[cid]).model_dump_json(exclude_none=True) + "\n" for cid in public_ids]
        (datasets / PUBLIC_DIR / "graded.jsonl").write_text("".join(lines), encoding="utf-8")
    available = lesson_ids | set(public_ids)
    (datasets / DECKS_FILE).write_text(
        _decks_with_cases(source / DECKS_FILE, available), encoding="utf-8"
    )

    summary = KitSummary(target, len(lesson_ids), len(public_ids), len(bank.cases) - len(available))
    (target / MARKER).write_text(json.dumps({"format": 1, "built_from": str(root)}) + "\n", encoding="utf-8")
    _make_read_only_for_others(target)
    problems = check_learner_kit(target, bank)
    if problems:
        raise DataError(problems)
    return summary


#: the feedback coach's labelled example notes (datasets/feedback_notes)
NOTES_DIR = "feedback_notes"


def _copy_notes_without(source: Path, target: Path, hidden_ids: set[str]) -> None:
    """Copy the example notes, leaving out those about graded or assessment cases (they hint at the key)."""
    target.mkdir()
    for path in sorted(source.iterdir()):
        if path.suffix != ".jsonl":
            shutil.copy2(path, target / path.name)
            continue
        kept = [
            line
            for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if line.strip() and json.loads(line).get("case_id") not in hidden_ids
        ]
        (target / path.name).write_text("".join(kept), encoding="utf-8")


def check_learner_kit(kit: Path | str, bank: CaseBank) -> list[Problem]:
    """Problems that would make ``kit`` unfit for learners: a key in it, or a bank that does not load.

    ``bank`` is the full course bank; a graded or assessment case's rationale
    found in any file of the kit counts as a leaked key, and so does any path
    of :data:`NEVER_SHIPPED`.
    """
    kit = Path(kit)
    problems = [Problem(kit / name, None, None, "must not be in a learner kit") for name in NEVER_SHIPPED if (kit / name).exists()]
    found, _ = check_bank(datasets_dir(kit))
    problems += found
    secrets = {case.rationale: cid for cid, case in bank.cases.items() if case.use != "lesson"}
    for path in sorted(p for p in kit.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        text = text.replace("\\n", "\n").replace('\\"', '"')
        for rationale, case_id in secrets.items():
            if rationale in text:
                problems.append(Problem(path, None, None, f"holds the reference rationale of {case_id!r}"))
    return problems


def _clear_target(target: Path) -> None:
    if target.exists():
        if not target.is_dir():
            raise DataError([Problem(target, None, None, "exists and is not a folder")])
        if any(target.iterdir()):
            if not (target / MARKER).exists():
                raise DataError([Problem(target, None, None, "is not empty and not a learner kit; choose another folder")])
            shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)


def _decks_with_cases(decks_file: Path, available: set[str]) -> str:
    """decks.toml without the decks that show a case the kit does not carry (assessment decks)."""
    text = decks_file.read_text(encoding="utf-8")
    decks = read_toml(decks_file).get("deck", {})
    dropped = {deck_id for deck_id, deck in decks.items() if not set(deck.get("cases", [])) <= available}
    if not dropped:
        return text
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            skipping = stripped.strip("[]").strip() in {f"deck.{d}" for d in dropped}
        if not skipping:
            kept.append(line)
    return "".join(kept)


def _make_read_only_for_others(target: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(target):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
