"""Load and validate the case bank: taxonomy, cases and decks.

Every problem is reported as ``PATH:LINE: field: problem``. Loaders collect all
problems of a file before raising, so one run of ``safetyrater validate`` shows
everything that needs fixing. A line's ``kind`` picks its model
(:func:`safetyrater.kinds.case_model`); each kind may check its cases against
other course files (:meth:`~safetyrater.kinds.base.Kind.check_bank`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import DataError, Problem
from ..io import load_toml, table_lines, validated_lines, validation_problems
from ..kinds import PublicCase, bank_kinds, case_model, kind_of, public_model
from ..paths import CASES_DIR, POOL_DIR, PUBLIC_DIR, case_files, datasets_dir, public_files
from .schema import CaseBase, Category, Deck
from .severity import rule_problems

TAXONOMY_FILE = "taxonomy.toml"
DECKS_FILE = "decks.toml"


def load_taxonomy(path: Path) -> tuple[dict[str, Category], list[Problem]]:
    data, text, problems = load_toml(path)
    if data is None:
        return {}, problems
    entries = data.get("category")
    if not isinstance(entries, list) or not entries:
        return {}, [Problem(path, None, "category", "expected one or more [[category]] tables")]
    lines = table_lines(text, "[[category]]")
    categories: dict[str, Category] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        try:
            category = Category.model_validate(entry)
        except ValidationError as exc:
            problems += validation_problems(path, exc, line=line)
            continue
        if category.id in categories:
            problems.append(Problem(path, line, "id", f"duplicate category id {category.id!r}"))
        categories[category.id] = category
    return categories, problems


@dataclass
class LoadedCase:
    """A case and where it was read: its file and line."""

    case: CaseBase
    path: Path
    line: int


def _bank_model(line: dict[str, Any]) -> type[CaseBase] | Problem:
    model, kind = case_model(line)
    if model is None:
        known = ", ".join(k.name for k in bank_kinds())
        return Problem("", None, "kind", f"unknown kind {kind!r} (expected one of {known})")
    return model


def _public_model(line: dict[str, Any]) -> type[PublicCase] | Problem:
    view = public_model(line)
    if view is None:
        known = ", ".join(k.name for k in bank_kinds())
        return Problem("", None, "kind", f"unknown kind {line.get('kind')!r} (expected one of {known})")
    return view


def load_cases(
    paths: Iterable[Path], taxonomy: dict[str, Category] | None
) -> tuple[dict[str, LoadedCase], list[Problem]]:
    """Cases by id from JSON-lines files; each line's kind picks its model; categories checked against ``taxonomy``."""
    cases: dict[str, LoadedCase] = {}
    problems: list[Problem] = []
    for path, line, case, found in validated_lines(paths, _bank_model):
        problems += found
        if case is None:
            continue
        in_pool = path.parent.name == POOL_DIR
        if in_pool != (case.use == "assessment"):
            where = f"files in {POOL_DIR}/" if in_pool else f"files outside {POOL_DIR}/"
            problems.append(Problem(path, line, "use", f"{case.use!r} is not allowed in {where} (assessment cases live in {POOL_DIR}/)"))
        redaction = case.redaction_problem()
        if redaction is not None:
            problems.append(Problem(path, line, *redaction))
        if taxonomy is not None:
            for category in case.categories:
                if category not in taxonomy:
                    problems.append(Problem(path, line, "categories", f"unknown category {category!r} (not in the taxonomy)"))
        if case.id in cases:
            first = cases[case.id]
            problems.append(Problem(path, line, "id", f"duplicate case id {case.id!r} (first at {first.path}:{first.line})"))
            continue
        cases[case.id] = LoadedCase(case, path, line)
    return cases, problems


def load_public_cases(paths: Iterable[Path]) -> tuple[dict[str, PublicCase], list[Problem]]:
    """Graded cases as a learner kit ships them: each kind's learner view, no reference."""
    cases: dict[str, PublicCase] = {}
    problems: list[Problem] = []
    for path, line, case, found in validated_lines(paths, _public_model):
        problems += found
        if case is None:
            continue
        if case.id in cases:
            problems.append(Problem(path, line, "id", f"duplicate case id {case.id!r}"))
            continue
        cases[case.id] = case
    return cases, problems


def load_decks(path: Path, case_ids: set[str] | None) -> tuple[dict[str, Deck], list[Problem]]:
    data, text, problems = load_toml(path)
    if data is None:
        return {}, problems
    table = data.get("deck")
    if not isinstance(table, dict) or not table:
        return {}, [Problem(path, None, "deck", "expected one or more [deck.ID] tables")]
    decks: dict[str, Deck] = {}
    for deck_id, entry in table.items():
        found = table_lines(text, f"[deck.{deck_id}]")
        line = found[0] if found else None
        if not isinstance(entry, dict):
            problems.append(Problem(path, line, deck_id, "expected a table"))
            continue
        try:
            deck = Deck.model_validate({"id": deck_id, **entry})
        except ValidationError as exc:
            problems += validation_problems(path, exc, line=line, prefix=f"{deck_id}.")
            continue
        if case_ids is not None:
            for case_id in deck.cases:
                if case_id not in case_ids:
                    problems.append(Problem(path, line, f"{deck_id}.cases", f"unknown case {case_id!r}"))
        decks[deck_id] = deck
    return decks, problems


@dataclass
class CaseBank:
    """The whole bank, validated: taxonomy, cases by id, decks by id."""

    root: Path
    taxonomy: dict[str, Category]
    cases: dict[str, CaseBase]
    decks: dict[str, Deck]
    locations: dict[str, tuple[Path, int]] = field(default_factory=dict)
    #: graded cases known only by their public part (in a learner kit)
    public: dict[str, PublicCase] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path | None = None) -> CaseBank:
        """Load ``datasets/``; raise :class:`DataError` listing every problem.

        A bank checked once is kept until one of its files changes (a page's first
        card should not wait for 800 cases to be validated again); each caller gets
        its own dictionaries, so one page's practice deck never shows up in another's."""
        root = Path(root) if root is not None else datasets_dir()
        fingerprint = bank_fingerprint(root)
        cached = _CHECKED.get(root)
        if cached is None or cached[0] != fingerprint:
            problems, bank = check_bank(root)
            if problems:
                raise DataError(problems)
            assert bank is not None
            _CHECKED.clear()  # one bank per process is the common case; a second root replaces it
            _CHECKED[root] = (fingerprint, bank)
            cached = _CHECKED[root]
        return cached[1].copy()

    def copy(self) -> CaseBank:
        """The same (frozen) cases in dictionaries of its own."""
        return replace(
            self, taxonomy=dict(self.taxonomy), cases=dict(self.cases), decks=dict(self.decks),
            locations=dict(self.locations), public=dict(self.public),
        )

    def deck(self, deck_id: str) -> Deck:
        try:
            return self.decks[deck_id]
        except KeyError:
            known = ", ".join(sorted(self.decks))
            raise DataError(
                [Problem(self.root / DECKS_FILE, None, None, f"no deck {deck_id!r} (known: {known})")]
            ) from None

    def deck_cases(self, deck_id: str) -> list[CaseBase]:
        return [self.cases[case_id] for case_id in self.deck(deck_id).cases]

    def public_deck_cases(self, deck_id: str) -> list[PublicCase]:
        """What a learner may see of a deck's cases: no reference rating, rationale or categories."""
        return self.public_cases(self.deck(deck_id).cases)

    def public_cases(self, case_ids: list[str]) -> list[PublicCase]:
        """What a learner may see of these cases: no reference rating, rationale or categories."""
        return [
            self.public[case_id] if case_id in self.public else kind_of(self.cases[case_id].kind).public(self.cases[case_id])
            for case_id in case_ids
        ]


#: the last bank checked, by its datasets folder, with the fingerprint of the files it was read from
_CHECKED: dict[Path, tuple[tuple[tuple[str, int, int], ...], CaseBank]] = {}


def bank_fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Path, modification time and size of every file a bank check reads: ``datasets/`` and the dimension file."""
    from .dimensions import dimensions_path  # multi-dimension cases are checked against it

    paths = [os.path.join(dirpath, name) for dirpath, _dirs, files in os.walk(root) for name in files]
    paths.append(str(dimensions_path(root)))
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            found.append((path, 0, 0))  # a file that goes missing changes the fingerprint too
            continue
        found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


def check_bank(root: Path) -> tuple[list[Problem], CaseBank | None]:
    """Every problem in a datasets folder, and the bank when there are none."""
    taxonomy, problems = load_taxonomy(root / TAXONOMY_FILE)
    files = case_files(root)
    if not files:
        problems.append(Problem(root / CASES_DIR, None, None, "no *.jsonl case files"))
    loaded, case_problems = load_cases(files, taxonomy or None)
    public, public_problems = load_public_cases(public_files(root))
    case_problems += public_problems
    for case_id in sorted(set(public) & set(loaded)):
        case_problems.append(Problem(root / PUBLIC_DIR, None, "id", f"case {case_id!r} is both public and complete"))
    problems += case_problems
    # each kind's cases against other course files (multi-dimension cases: graders/dimensions.toml)
    if not case_problems:
        problems += kind_problems(root, loaded)
        problems += rule_problems(root, loaded.values())
    decks, deck_problems = load_decks(root / DECKS_FILE, set(loaded) | set(public) if not case_problems else None)
    problems += deck_problems
    if not problems:
        problems += _deck_use_problems(root / DECKS_FILE, decks, loaded, public)
    if problems:
        return problems, None
    return [], CaseBank(
        root=root,
        taxonomy=taxonomy,
        cases={case_id: item.case for case_id, item in loaded.items()},
        decks=decks,
        locations={case_id: (item.path, item.line) for case_id, item in loaded.items()},
        public=public,
    )


def kind_problems(datasets: Path, loaded: dict[str, LoadedCase]) -> list[Problem]:
    """Problems of each kind's cases against other course files (see :meth:`~safetyrater.kinds.base.Kind.check_bank`)."""
    by_kind: dict[str, list[LoadedCase]] = {}
    for item in loaded.values():
        by_kind.setdefault(item.case.kind, []).append(item)
    problems: list[Problem] = []
    for name, items in by_kind.items():
        problems += kind_of(name).check_bank(datasets, items)
    return problems


#: which cases a deck may show: lessons reveal references, exercises must not
DECK_USE = {"practice": "lesson", "graded": "exercise"}


def _deck_use_problems(
    path: Path, decks: dict[str, Deck], loaded: dict[str, LoadedCase], public: dict[str, PublicCase]
) -> list[Problem]:
    problems = []
    for deck in decks.values():
        wanted = DECK_USE[deck.mode]
        for case_id in deck.cases:
            if case_id in public:
                if deck.mode != "graded":
                    problems.append(
                        Problem(
                            path,
                            None,
                            f"{deck.id}.cases",
                            f"case {case_id!r} has no reference here (public/); a {deck.mode} deck needs the full case",
                        )
                    )
                continue
            item = loaded[case_id]
            if item.case.use != wanted:
                problems.append(
                    Problem(
                        path,
                        None,
                        f"{deck.id}.cases",
                        f"case {case_id!r} ({item.path.name}:{item.line}) has use {item.case.use!r}; "
                        f"a {deck.mode} deck shows only {wanted!r} cases",
                    )
                )
    return problems
