"""``safetyrater cases import``: a spreadsheet of cases (CSV or Excel) as case-bank lines.

The sheet's first row names case fields in any case, with spaces or underscores
("Reference rating", "over_refusal", "Categories"); a few everyday names are
understood too ("rating", "risk areas"). List fields (``categories``, ``tags``)
are split on ``;`` or ``,``; true/false fields accept yes/no, y/n, 1/0 and x.
A row without an id gets one made from the sheet's name (``harm-sheet-001``),
never one the bank already uses.

Each row is checked with the same models as ``safetyrater validate`` (its
``kind`` picks the model; the taxonomy's ids, the redaction rule for harmful
responses, ``decided_by`` against ``datasets/severity.toml``, and the rationale against
the feedback rubric, as the bank's own rationales are held). A complete
row becomes a line of the output; an incomplete one is reported as
``SHEET:ROW: field: problem`` (ROW as the spreadsheet numbers it, the header
being row 1) and written, as far as it goes, to a drafts file, so nothing typed
into the sheet is lost.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import DataError, Problem
from ..io import iter_jsonl, validation_problems, write_text_atomic
from ..kinds import case_model
from ..paths import case_files, datasets_dir
from .casebank import TAXONOMY_FILE, LoadedCase, load_taxonomy
from .schema import CaseBase
from .severity import rule_problems

SHEET_SUFFIXES = {".csv": "csv", ".xlsx": "excel", ".xlsm": "excel"}
#: everyday column names for the bank's fields (after lower-casing and turning spaces and dashes into "_")
ALIASES = {
    "rating": "reference_rating",
    "reference": "reference_rating",
    "overrefusal": "over_refusal",
    "category": "categories",
    "risk_area": "categories",
    "risk_areas": "categories",
    "tag": "tags",
    "explanation": "rationale",
    "reference_rationale": "rationale",
    "choice": "reference_choice",
    "clause": "decided_by",
}
LIST_FIELDS = ("categories", "tags")
TRUE = {"true", "yes", "y", "1", "x"}
FALSE = {"false", "no", "n", "0", ""}


def field_name(header: str) -> str:
    """A header cell as a case field: ``"Reference rating "`` → ``reference_rating``."""
    name = re.sub(r"[\s\-]+", "_", str(header).strip().lower())
    return ALIASES.get(name, name)


def read_sheet(path: Path, sheet_name: str | None = None) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a CSV or Excel sheet, every cell as text, each row with its spreadsheet row number.

    Raises :class:`DataError` naming the sheet when it cannot be read at all."""
    import pandas as pd  # start-up speed: pandas (and openpyxl for Excel) load only when a sheet is imported

    kind = SHEET_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        found = path.suffix or "a file without a suffix"
        raise DataError([Problem(path, None, None, f"expected a .csv, .xlsx or .xlsm sheet, not {found}")])
    if not path.is_file():
        raise DataError([Problem(path, None, None, "sheet not found" if not path.exists() else "not a file")])
    try:
        if kind == "csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")
        else:
            frame = pd.read_excel(path, sheet_name=sheet_name or 0, dtype=str, keep_default_na=False, engine="openpyxl")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(path, None, None, f"not UTF-8 text (byte {exc.start}); save the sheet as CSV UTF-8")]) from None
    except pd.errors.EmptyDataError:
        raise DataError([Problem(path, None, None, "sheet is empty")]) from None
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError([Problem(path, None, None, f"cannot read the sheet ({reason})")]) from None
    except Exception as exc:  # openpyxl raises its own types (zipfile.BadZipFile, InvalidFileException) for a damaged workbook
        raise DataError([Problem(path, None, None, f"cannot read the workbook ({type(exc).__name__}: {exc})")]) from None
    header = [field_name(name) for name in frame.columns]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataError([Problem(path, 1, None, f"column(s) naming the same field: {', '.join(repeated)}")])
    rows = []
    for index, values in enumerate(frame.itertuples(index=False), start=2):
        cells = {name: "" if value is None else str(value).strip() for name, value in zip(header, values, strict=True)}
        if any(cells.values()):
            rows.append((index, cells))
    return header, rows


def _typed(name: str, value: str, model: type[CaseBase]) -> Any:
    """A cell as the type its field takes: a list, a boolean, a number, or the text (left to the model to reject)."""
    if name in LIST_FIELDS:
        return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
    annotation = str(model.model_fields[name].annotation) if name in model.model_fields else ""
    if "bool" in annotation and value.lower() in TRUE | FALSE:
        return value.lower() in TRUE
    if "int" in annotation and re.fullmatch(r"-?\d+(\.0+)?", value):
        return int(float(value))
    return value


def _known_ids(datasets: Path) -> set[str]:
    return {obj["id"] for file in case_files(datasets) for _, obj, _ in iter_jsonl(file) if obj and isinstance(obj.get("id"), str)}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "case"


def import_sheet(
    path: Path, datasets: Path | None = None, prefix: str | None = None, sheet_name: str | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]], list[Problem]]:
    """The sheet's complete cases (as bank lines), its incomplete rows (row number, what it holds) and their problems."""
    datasets = datasets or datasets_dir()
    header, rows = read_sheet(path, sheet_name)
    taxonomy = load_taxonomy(datasets / TAXONOMY_FILE)[0] if (datasets / TAXONOMY_FILE).exists() else {}
    taken = _known_ids(datasets)
    prefix = slug(prefix or path.stem)
    problems: list[Problem] = []
    cases: list[dict[str, Any]] = []
    drafts: list[tuple[int, dict[str, Any]]] = []
    number = 0
    for row_number, cells in rows:
        model, kind = case_model({"kind": cells.get("kind") or "rating"})
        if model is None:
            problems.append(Problem(path, row_number, "kind", f"unknown kind {kind!r}"))
            drafts.append((row_number, {k: v for k, v in cells.items() if v}))
            continue
        line: dict[str, Any] = {name: _typed(name, value, model) for name, value in cells.items() if value != ""}
        if not line.get("id"):
            number += 1
            while f"{prefix}-{number:03d}" in taken:
                number += 1
            line = {"id": f"{prefix}-{number:03d}", **line}
        found: list[Problem] = []
        unknown = [name for name in line if name not in model.model_fields]
        for name in unknown:
            found.append(Problem(path, row_number, name, f"not a field of a {kind} case (fields: {', '.join(model.model_fields)})"))
        try:
            case = model.model_validate({k: v for k, v in line.items() if k not in unknown})
        except ValidationError as exc:
            found += validation_problems(path, exc, line=row_number)
            case = None
        if case is not None:
            found += [Problem(path, row_number, "categories", f"unknown category {c!r} (not in the taxonomy)")
                      for c in case.categories if taxonomy and c not in taxonomy]
            redaction = case.redaction_problem()
            if redaction is not None:
                found.append(Problem(path, row_number, redaction[0], redaction[1]))
            found += rule_problems(datasets, [LoadedCase(case, path, row_number)])  # the bank's own check of the rule
            found += _rationale_problems(path, row_number, case)
        if case is not None and case.id in taken:
            found.append(Problem(path, row_number, "id", f"{case.id!r} is already a case id"))
        if found:
            problems += found
            drafts.append((row_number, line))
        else:
            assert case is not None
            taken.add(case.id)
            cases.append(case.model_dump(mode="json", exclude_defaults=True))
    return cases, drafts, problems


def _rationale_problems(path: Path, row: int, case: CaseBase) -> list[Problem]:
    """The bank's rationales are model feedback, so each must pass the feedback rubric as the bank's own do:
    each element it misses is named with the coach's hint ("could be used to shame them" explains no mechanism)."""
    from ..feedback.check import check_note  # the coach's rules load only when a sheet is imported

    check = check_note(case.rationale, case)
    missing = [check.element(name) for name in ("problem", "why", "change") if not check.element(name).passed]
    problems = [Problem(path, row, "rationale", f"the feedback rubric finds no {element.name}: {element.hint}") for element in missing]
    if check.vague.passed:
        problems.append(Problem(path, row, "rationale", f"the feedback rubric finds it vague: {check.vague.hint}"))
    return problems



def main(sheet: str, out: str, *, drafts: str | None = None, prefix: str | None = None, sheet_name: str | None = None) -> int:
    """Write the sheet's complete cases to ``out`` and its incomplete rows to the drafts file; 1 if any row was incomplete."""
    path, target = Path(sheet), Path(out)
    drafts_path = Path(drafts) if drafts else target.with_name(target.name.removesuffix(".jsonl") + ".drafts.jsonl")
    try:
        cases, incomplete, problems = import_sheet(path, prefix=prefix, sheet_name=sheet_name)
    except DataError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    outputs: list[tuple[Path, list[dict[str, Any]]]] = [(target, cases)]
    if incomplete:
        outputs.append((drafts_path, [{"row": row, **line} for row, line in incomplete]))
    for file, lines in outputs:
        if file.is_dir():
            print(f"error: {file}: is a folder; give a file name such as {file / 'imported.jsonl'}", file=sys.stderr)
            return 1
        try:
            write_text_atomic(file, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        except OSError as exc:  # named by the file asked for, not the temporary file written first
            print(f"error: {file}: cannot write ({exc.strerror})", file=sys.stderr)
            return 1
    print(f"wrote {len(cases)} case(s) to {target}" + (f"; {len(incomplete)} incomplete row(s) to {drafts_path}" if incomplete else ""))
    if cases:
        print(f"next: safetyrater validate {target}")
    return 1 if incomplete else 0
