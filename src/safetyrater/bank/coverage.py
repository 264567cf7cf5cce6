"""How well the case bank covers the taxonomy and the domain tracks.

:func:`coverage_frame` counts the course cases (lesson and exercise) of each
risk area by reference rating (over-refusals apart from other safe cases),
plus pairwise cases and the held-back assessment pool. A case counts once in
every area it touches. :func:`coverage_problems` names each area below the
minimum; :func:`coverage_table` is the Markdown in README.md, which
``safetyrater bank coverage`` rewrites in place. Each kind says which column
its cases count in (:meth:`~safetyrater.kinds.base.Kind.coverage_column`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..kinds import kind_of, registered
from ..paths import project_root
from .casebank import CaseBank

#: each column of the table; rating columns count rating and span-flag cases
RATING_COLUMNS = ["harmful", "risky", "safe", "over-refusal"]
COLUMNS = [*RATING_COLUMNS, "pairwise", "course", "pool"]
#: a risk area or domain track needs this many course cases …
MIN_CASES = 12
#: … and at least this many of each rating column
MIN_PER_RATING = 1
DOMAINS = ["health", "law", "finance", "cybersecurity", "education"]
README_BEGIN = "<!-- coverage-table: begin (safetyrater bank coverage rewrites this part) -->"
README_END = "<!-- coverage-table: end -->"


def case_column(case: Any) -> str:
    """The column a course case counts in: its rating, over-refusal, or pairwise (its kind decides)."""
    return kind_of(case.kind).coverage_column(case)


def _count(rows: Iterable[tuple[str, Any]], index: list[str]) -> pd.DataFrame:
    counts = {key: dict.fromkeys(COLUMNS, 0) for key in index}
    for key, case in rows:
        if key not in counts:
            continue
        if case.use == "assessment":
            counts[key]["pool"] += 1
        else:
            counts[key][case_column(case)] += 1
            counts[key]["course"] += 1
    return pd.DataFrame([counts[key] for key in index], index=index, columns=COLUMNS, dtype=int)


def coverage_frame(bank: CaseBank) -> pd.DataFrame:
    """Risk areas (taxonomy order) × columns: counts of cases."""
    rows = [(category, case) for case in bank.cases.values() for category in case.categories]
    return _count(rows, list(bank.taxonomy))


def domain_frame(bank: CaseBank) -> pd.DataFrame:
    """Domain tracks × columns: counts of cases with that ``domain``."""
    rows = [(case.domain, case) for case in bank.cases.values() if case.domain]
    return _count(rows, DOMAINS)


def coverage_problems(frame: pd.DataFrame, what: str = "risk area") -> list[str]:
    """One line per row below the minimum: too few cases, or a rating column missing."""
    problems = []
    for key, row in frame.iterrows():
        if row["course"] < MIN_CASES:
            problems.append(f"{what} {key!r}: {row['course']} course cases, fewer than {MIN_CASES}")
        thin = [column for column in RATING_COLUMNS if row[column] < MIN_PER_RATING]
        if thin:
            problems.append(f"{what} {key!r}: no {', '.join(thin)} case (needs at least {MIN_PER_RATING} of each)")
    return problems


def _markdown(frame: pd.DataFrame, first: str, names: dict[str, str]) -> str:
    header = f"| {first} | " + " | ".join(COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(COLUMNS)
    lines = [header, rule]
    for key, row in frame.iterrows():
        lines.append(f"| {names.get(str(key), key)} | " + " | ".join(str(int(row[c])) for c in COLUMNS) + " |")
    return "\n".join(lines)


def coverage_table(bank: CaseBank | None = None) -> str:
    """The README's coverage section: risk areas and domain tracks, with bank totals."""
    bank = bank or CaseBank.load()
    cases = list(bank.cases.values())
    course = [c for c in cases if c.use != "assessment"]
    pairs = context_pairs(cases)
    by_kind: dict[str, int] = {}
    for case in course:
        by_kind[case.kind] = by_kind.get(case.kind, 0) + 1
    kinds = ", ".join(f"{by_kind.get(kind.name, 0)} {kind.summary_label}" for kind in registered() if kind.summary_label)
    summary = (
        f"{len(course)} course cases ({sum(c.use == 'lesson' for c in course)} lesson, "
        f"{sum(c.use == 'exercise' for c in course)} exercise) and {len(cases) - len(course)} in the assessment pool; "
        f"{kinds}; {len(pairs)} context pairs."
    )
    names = {cid: category.name for cid, category in bank.taxonomy.items()}
    return "\n\n".join(
        [
            summary,
            _markdown(coverage_frame(bank), "risk area", names),
            _markdown(domain_frame(bank), "domain track", {}),
        ]
    )


def context_pairs(cases: Iterable[Any]) -> dict[str, list[Any]]:
    """Context-pair ids whose cases (two or more) do not all share one reference rating."""
    groups: dict[str, list[Any]] = {}
    for case in cases:
        pair = getattr(case, "context_pair", None)
        if pair:
            groups.setdefault(pair, []).append(case)
    return {
        pair: members
        for pair, members in groups.items()
        if len(members) >= 2 and len({(m.reference_rating, m.over_refusal) for m in members}) > 1
    }


def readme_section(text: str) -> str | None:
    """The coverage part of README.md's text, or None when its markers are missing."""
    found = re.search(re.escape(README_BEGIN) + r"\n(.*?)" + re.escape(README_END), text, re.S)
    return found.group(1).removesuffix("\n") if found else None


def update_readme(path: Path, table: str) -> bool:
    """Rewrite the coverage part of README.md; True when it changed."""
    text = path.read_text(encoding="utf-8")
    if readme_section(text) is None:
        raise ValueError(f"{path}: no coverage markers ({README_BEGIN} … {README_END})")
    new = re.sub(
        re.escape(README_BEGIN) + r"\n.*?" + re.escape(README_END),
        lambda _: f"{README_BEGIN}\n{table}\n{README_END}",
        text,
        flags=re.S,
    )
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main() -> int:
    """``safetyrater bank coverage``: rewrite README.md's coverage table from the bank."""
    readme = project_root() / "README.md"
    changed = update_readme(readme, coverage_table())
    print(f"{'updated' if changed else 'unchanged'}: {readme}")
    return 0
