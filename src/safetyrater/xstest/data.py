"""XSTest's real model responses, and any CSV of labelled responses, read line by line.

XSTest (Röttger et al., NAACL 2024; ``datasets/xstest/``, prompts CC-BY-4.0) holds
responses of five model set-ups to 250 safe prompts that look unsafe and to 200
unsafe contrast prompts, each labelled full compliance, partial refusal or full
refusal by two human annotators (with a final label), by a string-matching
classifier and by a GPT-4-based classifier.

Every bad row of a file is named by its line (a quoted field may span lines).
The over-refusal lesson shows :func:`safetyrater.xstest.cards.show_labelling_deck`,
:func:`safetyrater.xstest.agreement.classifier_agreement` and
:func:`safetyrater.xstest.rates.refusal_rates_table`; ``safetyrater refusal-rates``
runs :func:`safetyrater.xstest.rates.refusal_rates` on any CSV of labelled responses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Problem
from ..io import read_text, validation_problems
from ..paths import datasets_dir

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

# Importing this module stays light (a lesson's cell imports it): pandas and pydantic,
# with the row schemas of .schema, load when a file is read (start-up speed).

XSTEST_DIR = "xstest"
RESPONSES_FILE = "xstest_v2_completions_filtered.csv"
PROMPTS_FILE = "xstest_prompts.csv"
#: columns that may say whether the prompt was safe or unsafe, in order of preference
SAFETY_COLUMNS = ("prompt_label", "label")

MODELS = {
    "llama2orig": "Llama 2 70B chat, original system prompt",
    "llama2new": "Llama 2 70B chat, no system prompt",
    "mistralinstruct": "Mistral-7B-Instruct, no system prompt",
    "mistralguard": "Mistral-7B-Instruct, guardrail system prompt",
    "gpt4": "GPT-4",
}
PROMPT_TYPES = {
    "homonyms": "safe meanings of words that also have unsafe ones (kill a process)",
    "figurative_language": "figures of speech that sound violent (blow off steam)",
    "safe_targets": "unsafe verbs with safe targets (kill weeds)",
    "safe_contexts": "unsafe-sounding requests in a safe context (a video game)",
    "definitions": "asking what a dangerous or criminal thing is",
    "nons_group_real_discr": "real discrimination against a nonsense group",
    "real_group_nons_discr": "nonsense discrimination against a real group",
    "historical_events": "questions about atrocities and crimes in history",
    "privacy_public": "public facts about public figures",
    "privacy_fictional": "private details of fictional characters",
    "contrast_homonyms": "unsafe: the harmful meaning of the word",
    "contrast_figurative_language": "unsafe: the literal, harmful meaning",
    "contrast_safe_targets": "unsafe: the same verb aimed at people",
    "contrast_safe_contexts": "unsafe: the same request in a real-world context",
    "contrast_definitions": "unsafe: how to do the dangerous or criminal thing",
    "contrast_discr": "unsafe: real discrimination against real groups",
    "contrast_historical_events": "unsafe: how to repeat or glorify the atrocity",
    "contrast_privacy": "unsafe: private data of real private people",
}
#: what a learner reads for each prompt type (XSTest's ids are for files, not for people)
_TYPE_NAMES = {
    "homonyms": "Homonyms",
    "figurative_language": "Figurative language",
    "safe_targets": "Safe targets",
    "safe_contexts": "Safe contexts",
    "definitions": "Definitions",
    "nons_group_real_discr": "Nonsense group, real discrimination",
    "real_group_nons_discr": "Real group, nonsense discrimination",
    "historical_events": "Historical events",
    "privacy_public": "Privacy of public figures",
    "privacy_fictional": "Privacy of fictional characters",
    "discr": "Discrimination",
    "privacy": "Privacy of private people",
}


def type_name(prompt_type: str) -> str:
    """A prompt type as a learner reads it: ``safe_targets`` -> "Safe targets", ``contrast_…`` -> "Contrast: …"."""
    if prompt_type.startswith("contrast_"):
        base = prompt_type.removeprefix("contrast_")
        return "Contrast: " + _TYPE_NAMES.get(base, base.replace("_", " ")).lower()
    return _TYPE_NAMES.get(prompt_type, prompt_type.replace("_", " ").capitalize())


ATTRIBUTION = (
    "XSTest: Paul Röttger, Hannah Rose Kirk, Bertie Vidgen, Giuseppe Attanasio, Federico Bianchi, "
    "Dirk Hovy. “XSTest: A Test Suite for Identifying Exaggerated Safety Behaviours in Large Language "
    "Models”. NAACL 2024. Prompts CC-BY-4.0; model responses under their models' licences "
    "(github.com/paul-rottger/exaggerated-safety)."
)


def xstest_dir() -> Path:
    return datasets_dir() / XSTEST_DIR


# Reading CSV files with the line each row starts on --------------------------------


def read_csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header, the rows (each with the line it starts on) and the problems of a CSV file.

    A quoted field may span lines, so a row's line is counted from the reader,
    not from its position. A file that cannot be read as CSV at all raises.
    """
    text, problems = read_text(path)
    if text is None:
        raise DataError(problems)
    # spreadsheet programs often start a CSV export with a byte-order mark
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError([Problem(path, start, None, f"not valid CSV: {exc}")]) from None
        if not fields:
            pass  # a blank line
        elif header is None:
            header = [name.strip() for name in fields]
            repeated = sorted({name for name in header if header.count(name) > 1})
            if repeated:
                problems.append(Problem(path, start, None, f"column(s) named twice: {', '.join(repeated)}"))
        elif len(fields) != len(header):
            problems.append(Problem(path, start, None, f"expected {len(header)} fields, found {len(fields)}"))
        else:
            rows.append((start, dict(zip(header, fields, strict=True))))
        start = reader.line_num + 1
    if header is None:
        raise DataError([Problem(path, None, None, "no header line")])
    return header, rows, problems


def _describe(error: ErrorDetails) -> str:
    """A bad CSV value in the words of a spreadsheet: empty, an unknown label, or pydantic's reason and the value."""
    if error["type"] == "string_too_short":
        return "is empty"
    if error["type"] == "unknown_label":
        return error["msg"]
    message = error["msg"]
    return f"{message[:1].lower()}{message[1:]} (found {error['input']!r})"


def _validated_rows(path: Path, schema: type[BaseModel], columns: Mapping[str, str] | None = None) -> list[tuple[int, Any]]:
    """Each row of a CSV file as a ``schema`` instance, with its line; DataError lists every problem.

    ``columns`` maps the schema's fields to the file's column names (default: the same names).
    """
    from pydantic import ValidationError

    columns = dict(columns or {name: name for name in schema.model_fields})
    header, rows, problems = read_csv_rows(path)
    missing = [name for name in dict.fromkeys(columns.values()) if name not in header]
    if missing:
        problems.insert(
            0,
            Problem(path, 1, None, f"missing column(s) {', '.join(map(repr, missing))} (the header has: {', '.join(header)})"),
        )
        raise DataError(problems)
    validated = []
    for line, row in rows:
        try:
            validated.append((line, schema.model_validate({field: row[column] for field, column in columns.items()})))
        except ValidationError as exc:
            problems += validation_problems(path, exc, line=line, rename=columns, describe=_describe)
    if problems:
        raise DataError(problems)
    return validated


# XSTest's own files ------------------------------------------------------------------


def load_responses(path: Path | str | None = None) -> pd.DataFrame:
    """XSTest's labelled model responses, one row per response.

    Labels are normalised to :data:`LABELS`. A GPT-4 classifier output that is
    free text rather than a label becomes a missing value (it is not a class).
    Adds ``item`` (``<model>/<id>``), the key a learner's labels are saved under.
    """
    import pandas as pd

    from .schema import XSTestResponse

    path = Path(path) if path is not None else xstest_dir() / RESPONSES_FILE
    rows = _validated_rows(path, XSTestResponse)
    first_line: dict[tuple[str, str], int] = {}
    problems = []
    for line, row in rows:
        key = (row.model, row.id)
        if key in first_line:
            problems.append(Problem(path, line, "id", f"second response of {row.model} to {row.id} (first on line {first_line[key]})"))
        first_line.setdefault(key, line)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame.from_records([row.model_dump() for _, row in rows], columns=list(XSTestResponse.model_fields))
    frame["item"] = frame["model"] + "/" + frame["id"]
    return frame


def load_prompts(path: Path | str | None = None) -> pd.DataFrame:
    """XSTest's 450 prompts: ``id`` (an integer; responses say ``v2-<id>``), ``prompt``, ``type``, ``label``."""
    import pandas as pd

    from .schema import XSTestPrompt

    path = Path(path) if path is not None else xstest_dir() / PROMPTS_FILE
    rows = _validated_rows(path, XSTestPrompt)
    return pd.DataFrame.from_records([row.model_dump() for _, row in rows], columns=list(XSTestPrompt.model_fields))


# Any CSV of labelled responses ---------------------------------------------------------


def safety_column(columns: Iterable[str], label_column: str) -> str | None:
    """The column saying whether each prompt was safe or unsafe: ``prompt_label``, else ``label``."""
    names = set(columns)
    return next((name for name in SAFETY_COLUMNS if name in names and name != label_column), None)
