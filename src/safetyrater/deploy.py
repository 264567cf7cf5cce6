"""What a learner's environment receives in a cohort deployment, and nothing more.

A cohort deployment (a hub, a shared server, a zip for a learner's laptop)
copies :func:`learner_files` of the course: the lessons (``course/``), the
released exercises (``exercises/``), the grading policy and feedback rubric the
cards read (``graders/*.toml``, the feedback model), and a *learner copy* of
``datasets/`` built by :func:`write_learner_datasets`:

* the assessment pool (``datasets/pool/``) is left out entirely;
* every graded case (``use = "exercise"``) keeps only what its card shows
  (prompt, context, response or segments, kind, module, content warning) and
  is marked ``"withheld": true``; its reference rating, over-refusal flag,
  risk areas, reference choice or unsafe steps and rationale stay with the
  instructor;
* example notes about graded or assessment cases are left out of
  ``feedback_notes/``.

The kit loads such a copy as usual (see :func:`safetyrater.casebank.load_cases`):
graded cards show their public view, and grading a withheld case refuses
with a message rather than scoring against a placeholder.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from .casebank import CASES_DIR, POOL_DIR, CaseBank

#: what a graded case keeps in the learner copy: what its card shows, and bookkeeping
PUBLIC_FIELDS = (
    "id", "kind", "prompt", "context", "response", "response_a", "response_b", "segments",
    "difficulty", "tags", "no_operational_content", "module", "use", "domain", "content_warning",
)
#: top-level folders a learner receives whole
LEARNER_FOLDERS = ("course", "exercises")
#: files of graders/ the cards read (policy for Check, rubric and comment bank for notes)
LEARNER_GRADER_FILES = ("policy.toml", "rubric.toml", "comment_bank.toml", "feedback_model.json")


def public_record(record: dict) -> dict:
    """A graded case's JSON record as the learner copy holds it."""
    public = {key: record[key] for key in PUBLIC_FIELDS if key in record}
    public["withheld"] = True
    return public


def write_learner_datasets(source: Path | str, target: Path | str) -> Path:
    """Write the learner copy of the datasets folder ``source`` to ``target``."""
    source, target = Path(source), Path(target)
    bank = CaseBank.load(source)
    hidden = {case.id for case in bank.cases.values() if case.use in ("exercise", "assessment")}
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(POOL_DIR, CASES_DIR, "feedback_notes"))
    (target / CASES_DIR).mkdir(parents=True, exist_ok=True)
    for path in sorted((source / CASES_DIR).glob("*.jsonl")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            lines.append(json.dumps(public_record(record) if record.get("use") == "exercise" else record, ensure_ascii=False))
        (target / CASES_DIR / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = source / "feedback_notes"
    if notes.is_dir():
        (target / "feedback_notes").mkdir()
        for path in notes.iterdir():
            if path.suffix != ".jsonl":
                shutil.copy2(path, target / "feedback_notes" / path.name)
                continue
            kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and json.loads(line).get("case_id") not in hidden]
            (target / "feedback_notes" / path.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def build_learner_copy(root: Path | str, target: Path | str) -> Path:
    """Everything a learner's environment receives, written to ``target``."""
    root, target = Path(root), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for folder in LEARNER_FOLDERS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, target / folder, ignore=shutil.ignore_patterns("*.answers.json*", ".ipynb_checkpoints"))
    (target / "graders").mkdir(exist_ok=True)
    for name in LEARNER_GRADER_FILES:
        if (root / "graders" / name).is_file():
            shutil.copy2(root / "graders" / name, target / "graders" / name)
    write_learner_datasets(root / "datasets", target / "datasets")
    return target


def learner_files(root: Path | str) -> Iterator[Path]:
    """Every file of a learner copy at ``root`` (as :func:`build_learner_copy` writes it)."""
    root = Path(root)
    yield from sorted(p for p in root.rglob("*") if p.is_file())
