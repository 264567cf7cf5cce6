"""Any CSV of labelled responses, read the way an instructor's file comes: the shared options of
``safetyrater label-rates``, ``refusal-rates`` and ``agreement``.

A file may be *long* (one response per row, a label column and the columns to
group by) or *wide* (one label column per model: ``--label-columns A,B,C``, each
row a prompt, grouped by the column's name). Whether each prompt was safe or
unsafe comes from a column (``--prompt-label-column``, by default ``prompt_label``
or ``label`` when the file has one), from one value for the whole file
(``--prompt-label unsafe``), or from another column through a mapping
(``--prompt-labels "contrast_*=unsafe,*=safe"`` on a prompt-type column). A value
mapping (``--labels 0=full_refusal,5=full_compliance``) renames label values
before counting. Every bad row or option is one :class:`~safetyrater.errors.Problem`
naming the file and line, or the option.
"""

from __future__ import annotations

import fnmatch
import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

from ..errors import DataError, Problem, SafetyraterError
from .data import SAFETY_COLUMNS, read_csv_rows

if TYPE_CHECKING:
    import pandas as pd

#: the prompt sections, in the order they are shown; "all" when the file does not say
PROMPT_SECTIONS = ("safe", "unsafe", "all")
#: the group column of a wide file: which label column a response came from
WIDE_GROUP = "column"


class OptionError(SafetyraterError):
    """A command-line option that cannot be used as given (one line naming the option)."""


def column_list(spec: str | None) -> list[str]:
    """``"model,type"`` as ``["model", "type"]``; None or empty gives no columns."""
    return [name.strip() for name in (spec or "").split(",") if name.strip()]


def parse_mapping(spec: str | None, option: str) -> dict[str, str]:
    """``"0=full_refusal,1=full_compliance"`` as a dict; a malformed pair names the option.

    A value may itself hold ``=`` only in its last part (``a=b=c`` maps ``a=b`` to
    ``c``), and spaces around names are dropped."""
    mapping: dict[str, str] = {}
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        value, sep, target = pair.rpartition("=")
        if not sep or not value.strip() or not target.strip():
            raise OptionError(f"{option}: {pair.strip()!r} is not VALUE=LABEL (e.g. {option} 0=full_refusal,1=full_compliance)")
        mapping[value.strip()] = target.strip()
    return mapping


@dataclass(frozen=True)
class Responses:
    """A file's responses in long form: one row each, with its line, group columns, label(s) and prompt section.

    ``frame`` has the ``by`` columns, ``prompts`` (``safe``, ``unsafe`` or ``all``),
    ``line``, and the label columns asked for (``label`` for a wide file)."""

    path: Path
    frame: pd.DataFrame
    by: list[str]
    prompt_source: str | None  # the column (or "--prompt-label") that said safe or unsafe


def _missing_columns(path: Path, header: Sequence[str], wanted: dict[str, list[str]]) -> list[Problem]:
    problems = []
    for option, names in wanted.items():
        missing = [name for name in names if name not in header]
        if missing:
            problems.append(
                Problem(path, 1, None, f"no column {', '.join(map(repr, missing))} ({option}; the header has: {', '.join(header)})")
            )
    return problems


def _safety_of(value: str, mapping: dict[str, str]) -> str | None:
    """``safe`` or ``unsafe`` for a value: through the mapping's patterns (first match wins), else the value itself."""
    key = value.strip()
    for pattern, target in mapping.items():
        if fnmatch.fnmatchcase(key.lower(), pattern.lower()):
            key = target
            break
    key = key.lower()
    return key if key in ("safe", "unsafe") else None


def read_responses(
    file: str | Path,
    *,
    label_columns: Sequence[str],
    by: Sequence[str] = (),
    wide: bool = False,
    prompt_label: str | None = None,
    prompt_label_column: str | None = None,
    prompt_labels: dict[str, str] | None = None,
    require_prompts: bool = False,
    label_options: Sequence[str] = (),
) -> Responses:
    """Read a labelled file into long form; every problem names the file and line (or the option).

    ``label_columns``: the label column(s) to keep as they are, or (``wide``) the
    per-model columns to stack into one ``label`` column grouped by ``column``.
    ``require_prompts``: a file that cannot say safe or unsafe is an error
    (refusal rates mean different things on the two) instead of one ``all`` section.
    ``label_options``: the option that named each label column (``--a``, ``--b``), for the error line.
    """
    import pandas as pd  # start-up speed: pandas loads only when a file is read

    path = Path(file)
    if prompt_label is not None and prompt_label not in ("safe", "unsafe"):
        raise OptionError(f"--prompt-label: expected safe or unsafe, not {prompt_label!r}")
    if prompt_label is not None and prompt_label_column is not None:
        raise OptionError("--prompt-label and --prompt-label-column: give one or the other")
    for option, target in (prompt_labels or {}).items():
        if target.lower() not in ("safe", "unsafe"):
            raise OptionError(f"--prompt-labels: {option}={target}: a prompt is safe or unsafe")
    header, rows, problems = read_csv_rows(path)
    if label_options:
        wanted = {option: [column] for option, column in zip(label_options, label_columns, strict=True)}
    else:
        wanted = {"--label-columns" if wide else "--label-column": list(label_columns)}
    wanted["--by"] = list(by)
    if prompt_label_column is not None:
        wanted["--prompt-label-column"] = [prompt_label_column]
    problems = _missing_columns(path, header, wanted) + problems
    if problems:
        raise DataError(problems)
    safety = prompt_label_column
    if safety is None and prompt_label is None:
        safety = next((name for name in SAFETY_COLUMNS if name in header and name not in label_columns), None)
    if safety is None and prompt_label is None and require_prompts:
        raise DataError([Problem(
            path, 1, None,
            f"no column saying whether each prompt is safe or unsafe: expected {' or '.join(SAFETY_COLUMNS)}, "
            "or give --prompt-label safe|unsafe or --prompt-label-column COLUMN",
        )])
    lines = [line for line, _ in rows]
    frame = pd.DataFrame([row for _, row in rows], columns=header, dtype=object)
    frame.insert(0, "line", lines)
    for name in by:
        empty = frame[name].str.strip() == ""
        problems += [Problem(path, int(line), name, "is empty (a group needs a name)") for line in frame.loc[empty, "line"]]
    if prompt_label is not None:
        frame["prompts"] = prompt_label
    elif safety is not None:
        prompts = frame[safety].map(lambda value: _safety_of(value, prompt_labels or {}))
        for line, value in zip(frame.loc[prompts.isna(), "line"], frame.loc[prompts.isna(), safety], strict=True):
            hint = " (map it with --prompt-labels VALUE=safe|unsafe)" if not prompt_labels else " (no --prompt-labels pattern maps it)"
            problems.append(Problem(path, int(line), safety, f"expected safe or unsafe, found {value!r}{hint}"))
        frame["prompts"] = prompts
    else:
        frame["prompts"] = "all"
    if problems:
        raise DataError(problems)
    source = "--prompt-label" if prompt_label is not None else safety
    if wide:
        long = frame.melt(
            id_vars=["line", *by, "prompts"], value_vars=list(label_columns), var_name=WIDE_GROUP, value_name="label"
        )
        return Responses(path, long, [*by, WIDE_GROUP], source)
    keep = ["line", *dict.fromkeys([*by, "prompts", *label_columns])]
    return Responses(path, frame[keep], list(by), source)


def first_problem_line(exc: DataError) -> str:
    """One line for a bad file, whatever the number of its problems: the first and how many more."""
    more = len(exc.problems) - 1
    return f"error: {exc.problems[0]}" + (f" (and {more} more problem(s))" if more else "")


Options = ParamSpec("Options")


def command(main: Callable[Options, int]) -> Callable[Options, int]:
    """A command's ``main``, as every command here answers bad input: a bad file is one line naming it
    (:func:`first_problem_line`) and exit code 1; an option that cannot be used is one line and exit code 2."""

    @functools.wraps(main)
    def run(*args: Options.args, **kwargs: Options.kwargs) -> int:
        try:
            return main(*args, **kwargs)
        except DataError as exc:
            print(first_problem_line(exc), file=sys.stderr)
            return 1
        except OptionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run
