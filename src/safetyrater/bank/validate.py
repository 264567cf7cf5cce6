"""``safetyrater validate``: every problem of the course's data files, one line each.

A folder is taken as a datasets folder (taxonomy, cases, decks, a learner kit's
public cases, and its ``probes/``). Files are recognised by name: ``policy.toml``,
``taxonomy.toml``, ``decks.toml``, ``dimensions.toml`` (checked with the policy's
per-dimension overrides), ``probe_rubric.toml``, a probes folder's ``topics.toml``
and ``gallery.jsonl``, a ``feedback_notes`` folder (or its ``notes.jsonl``: the
labelled notes, against their own schema, :mod:`safetyrater.feedback.labelled`);
any other ``*.jsonl`` is a case file, checked against the taxonomy beside it (or
the course's). With no paths at all, the course's own datasets, dimensions and
probe files are checked. The ``ok`` line says what was checked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import DataError, Problem
from ..feedback.labelled import CHECKS as NOTES_CHECKS
from ..feedback.labelled import is_notes_path, notes_file, read_notes_file
from ..io import iter_jsonl
from ..paths import CASES_DIR, PUBLIC_DIR, case_files, datasets_dir, public_files
from ..probes.data import GALLERY_FILE, PROBES_DIR, RUBRIC_FILE, TOPICS_FILE, probes_dir, rubric_path, validate_probe_files
from .casebank import DECKS_FILE, TAXONOMY_FILE, check_bank, kind_problems, load_cases, load_decks, load_public_cases, load_taxonomy
from .dimensions import DIMENSIONS_FILE, dimensions_path, validate_dimension_files
from .policy import POLICY_FILE, load_policy
from .severity import SEVERITY_FILE, rule_problems


def validate_paths(paths: Iterable[Path]) -> tuple[list[Problem], int]:
    """Problems in the given case-bank files or datasets folders, and how many cases were read.

    A folder is taken as a datasets folder (taxonomy, cases/, decks). A
    ``*.jsonl`` file is checked against the taxonomy beside it (or of the
    course); ``taxonomy.toml`` and ``decks.toml`` are recognised by name.
    """
    problems: list[Problem] = []
    count = 0
    for path in paths:
        path = Path(path)
        if path.is_dir():
            root = path if (path / TAXONOMY_FILE).exists() or (path / CASES_DIR).is_dir() else path.parent
            found, bank = check_bank(root)
            problems += found
            if bank is not None:
                count += len(bank.cases) + len(bank.public)
            else:
                count += sum(1 for f in case_files(root) for _, obj, _ in iter_jsonl(f) if obj is not None)
        elif path.name == TAXONOMY_FILE or path.suffix == ".toml" and "taxonomy" in path.name:
            problems += load_taxonomy(path)[1]
        elif path.name == DECKS_FILE:
            root = path.parent
            loaded, _ = load_cases(case_files(root), None)
            public, _ = load_public_cases(public_files(root))
            problems += load_decks(path, set(loaded) | set(public) or None)[1]
        elif path.parent.name == PUBLIC_DIR:
            found_public, found = load_public_cases([path])
            problems += found
            count += len(found_public)
        else:
            taxonomy_path = _nearest(path, TAXONOMY_FILE)
            taxonomy = load_taxonomy(taxonomy_path)[0] if taxonomy_path else None
            loaded, found = load_cases([path], taxonomy or None)
            problems += found
            if not found:  # each kind's cases against other course files (multi-dimension cases: dimensions.toml)
                problems += kind_problems(path.parent.parent, loaded)
                rule_path = _nearest(path, SEVERITY_FILE)
                if rule_path is not None:
                    problems += rule_problems(rule_path.parent, loaded.values())
            count += len(loaded)
    return problems, count


def _nearest(path: Path, name: str) -> Path | None:
    for folder in [path.parent, path.parent.parent, datasets_dir()]:
        if (folder / name).exists():
            return folder / name
    return None


def _is_probe_file(path: Path) -> bool:
    return path.name == RUBRIC_FILE or (path.parent.name == PROBES_DIR and path.name in {TOPICS_FILE, GALLERY_FILE})


def split_extra_files(paths: Sequence[Path], default: bool = False) -> tuple[list[Problem], list[Path]]:
    """Problems of the dimension and probe files among ``paths``, and the paths left for the case-bank check."""
    dimension_files = [p for p in paths if p.name == DIMENSIONS_FILE]
    probe_files = [p for p in paths if _is_probe_file(p)]
    left = [p for p in paths if p not in dimension_files and p not in probe_files]
    for folder in (p for p in left if p.is_dir()):
        probes = probes_dir(folder)
        probe_files += [f for f in (probes / TOPICS_FILE, probes / GALLERY_FILE) if f.exists()]
    if default:
        dimension_files.append(dimensions_path())
        probes = probes_dir(datasets_dir())
        probe_files += [probes / TOPICS_FILE, probes / GALLERY_FILE, rubric_path()]
    problems = validate_dimension_files(dimension_files) + validate_probe_files(list(dict.fromkeys(probe_files)))
    return problems, left


def validate_notes(path: Path) -> tuple[list[Problem], int]:
    """Problems of a labelled-notes file (or its folder), and how many notes are valid; case ids against the bank beside it."""
    notes = notes_file(path)
    root = notes.parent.parent
    cases, _ = load_cases(case_files(root), None)
    public, _ = load_public_cases(public_files(root))
    rows, problems = read_notes_file(notes, (set(cases) | set(public)) or None)
    return problems, len(rows)


def validate(paths: Sequence[Path], checked: list[str] | None = None) -> tuple[list[Problem], int]:
    """Every problem of ``paths`` (default: the course's own data files), and how many cases were read.

    ``checked`` (when given) gets one line per kind of file checked, saying what was checked.
    """
    chosen = list(paths) or [datasets_dir()]
    checked = checked if checked is not None else []
    problems: list[Problem] = []
    policy_files = [p for p in chosen if p.name == POLICY_FILE]
    for path in policy_files:
        try:
            load_policy(path)
        except DataError as exc:
            problems += exc.problems
        checked.append(f"{path}: the grading policy")
    notes_paths = [p for p in chosen if is_notes_path(p)]
    for path in notes_paths:
        found_notes, count_notes = validate_notes(path)
        problems += found_notes
        checked.append(f"{notes_file(path)}: {count_notes} valid labelled note(s) against the notes schema ({NOTES_CHECKS})")
    others = [p for p in chosen if p not in policy_files and p not in notes_paths]
    extra, left = split_extra_files(others, default=not paths)
    extra_files = [p for p in others if p not in left] + ([] if paths else [Path("dimensions and probe files of the course")])
    if extra_files:
        checked.append(f"{', '.join(map(str, extra_files))}: against their schemas")
    found, count = validate_paths(left)
    if left:
        decks = ", and the decks" if any(p.is_dir() for p in left) else ""
        checked.append(f"{', '.join(map(str, left))}: {count} case(s) against the case schema and the taxonomy{decks}")
    return problems + extra + found, count


def main(paths: Sequence[str]) -> int:
    """Print every problem as ``PATH:LINE: field: problem`` and return 1, or print ``ok: …`` and return 0."""
    chosen = [Path(p) for p in paths]
    checked: list[str] = []
    problems, _ = validate(chosen, checked)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found; checked:", file=sys.stderr)
        for line in checked:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("ok: no problems in")
    for line in checked:
        print(f"  {line}")
    return 0
