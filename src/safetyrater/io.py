"""Reading the kit's data files with line numbers, and writing them atomically.

Every reader reports what stops a file being used as :class:`~safetyrater.errors.Problem`
values (``PATH:LINE: field: problem``), never a traceback: a missing or unreadable
file, text that is not UTF-8, TOML or JSON that does not parse, a document nested
too deeply for the parser, and, through :func:`validation_problems`, every error
pydantic finds in the data. The loaders of the case bank, the policy, the rubric,
the dimensions, the probe files, answer files and attempt files all go through here,
so one kind of mistake reads the same wherever it is made.

Every CSV the kit writes (the fast lane's scores, the report's tables, the Canvas
and Moodle gradebooks) goes through :func:`write_csv`, which neutralises text a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import DataError, Problem

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel, ValidationError
    from pydantic_core import ErrorDetails

    Model = TypeVar("Model", bound=BaseModel)


class LinkNotFollowed(DataError):
    """The file is a symbolic link and was read with ``follow_links=False``: the caller decides whether to follow it."""


class NotAFile(OSError):
    """A path read as a learner's file that is not a regular file, or is larger than the reader takes."""


def read_handed_in(path: Path | str, *, follow_links: bool = False, limit: int = 16 * 1024 * 1024) -> bytes:
    """The bytes of a file someone else controls (a learner's answer file, nbgrader's timestamp beside it).

    Opened without following a link (``follow_links`` False: :class:`OSError` ``ELOOP``),
    and without waiting for a FIFO's writer; anything but a regular file (a FIFO,
    a device, a socket) and a file over ``limit`` bytes raise :class:`NotAFile`,
    so no handed-in file can stop or swamp a cohort's grading.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow_links else os.O_NOFOLLOW)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(errno.EINVAL, "not a regular file")
        if status.st_size > limit:
            raise NotAFile(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB")
        chunks = []
        read = 0
        while chunk := os.read(descriptor, max(status.st_size + 1 - read, 65536)):
            chunks.append(chunk)
            read += len(chunk)
            if read > limit:  # grown since it was measured
                raise NotAFile(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB")
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_text(
    path: Path | str, what: str = "file", *, allow_empty: bool = False, follow_links: bool = True
) -> tuple[str | None, list[Problem]]:
    """The file's text, or the one problem that stops it being read (an empty file is one, unless ``allow_empty``).

    ``follow_links`` False reads a file someone else controls (:func:`read_handed_in`):
    it is opened only if it is not a link (checked and opened in one system call,
    so a link swapped in between cannot be followed; a link raises :class:`LinkNotFollowed`),
    and only if it is a regular file of at most 16 MB.
    """
    try:
        if follow_links:
            with open(path, "rb") as handle:  # a str path too: the fast lane reads thousands without making a Path each
                raw = handle.read()
        else:
            raw = read_handed_in(path)
    except FileNotFoundError:
        return None, [Problem(path, None, None, f"{what} not found")]
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise LinkNotFollowed([Problem(path, None, None, f"{what} is a link; not followed")]) from None
        return None, [Problem(path, None, None, f"cannot read {what} ({exc.strerror})")]
    if not raw.strip() and not allow_empty:
        return None, [Problem(path, None, None, f"{what} is empty")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, None, f"not UTF-8 text (byte {exc.start})")]


# --- TOML ---------------------------------------------------------------------------------


def toml_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    """A TOML syntax error as a Problem with its line (Python 3.11's tomllib only puts it in the text)."""
    message = str(exc)
    found = re.search(r" \(at line (\d+), column \d+\)$", message)
    line = int(found.group(1)) if found else None
    if found:
        message = message[: found.start()]
    return Problem(path, line, None, f"not valid TOML: {message}")


def load_toml(path: Path, what: str = "file", *, allow_empty: bool = False) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """A TOML file's data and text, or None and the problems that stop it being read.

    ``allow_empty``: an empty file is an empty table (a policy file that keeps every default).
    """
    text, problems = read_text(path, what, allow_empty=allow_empty)
    if text is None:
        return None, "", problems
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        return None, text, [toml_problem(path, exc)]
    except RecursionError:
        return None, text, [Problem(path, None, None, "TOML nested too deeply")]


def read_toml(path: Path, what: str = "file") -> dict[str, Any]:
    """A TOML file's data (an empty file is an empty table); a file that cannot be read raises :class:`DataError`."""
    data, _, problems = load_toml(path, what, allow_empty=True)
    if data is None:
        raise DataError(problems)
    return data


def table_lines(text: str, header: str) -> list[int]:
    """Line numbers (from 1) where a TOML table header such as ``[[category]]`` stands."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def toml_key_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the key a validation error points at (``element.why.weight``), if the file shows it."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    if not names:
        return None
    table, key = ".".join(names[:-1]), names[-1]
    in_table = not table
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
        elif in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


# --- JSON ---------------------------------------------------------------------------------


def iter_json_lines(
    text: str, source: Path | str, what: str = "case", expected: str = "expected a JSON object"
) -> Iterator[tuple[int, dict[str, Any] | None, Problem | None]]:
    """(line number, object or None, problem) for each non-blank line of JSON-lines text."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, Problem(source, number, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield number, None, Problem(source, number, None, f"not a {what}: JSON nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield number, None, Problem(source, number, None, expected)
            continue
        yield number, obj, None


def iter_jsonl(path: Path, what: str = "case") -> Iterator[tuple[int, dict[str, Any] | None, Problem | None]]:
    """(line number, object or None, problem) for each non-blank line of a JSON-lines file."""
    text, problems = read_text(path)
    if text is None:
        for problem in problems:
            yield 0, None, problem
        return
    yield from iter_json_lines(text, path, what)


def validated_lines(
    paths: Iterable[Path], pick: Callable[[dict[str, Any]], type[Model] | Problem], what: str = "case"
) -> Iterator[tuple[Path, int, Model | None, list[Problem]]]:
    """Each non-blank line of JSON-lines files validated by the model ``pick`` chooses for it.

    Yields (file, line, the instance or None, the problems of that line); ``pick``
    returns a Problem instead of a model when no model fits the line (its line is filled in).
    """
    from pydantic import ValidationError  # start-up speed: see read_toml_model

    for path in paths:
        for line, obj, problem in iter_jsonl(path, what):
            if problem is not None or obj is None:
                yield path, line, None, [problem] if problem is not None else []
                continue
            model = pick(obj)
            if isinstance(model, Problem):
                yield path, line, None, [Problem(path, line, model.field, model.message)]
                continue
            try:
                yield path, line, model.model_validate(obj), []
            except ValidationError as exc:
                yield path, line, None, validation_problems(path, exc, line=line)


def read_json(path: Path | str, what: str, *, follow_links: bool = True) -> Any:
    """A JSON file's data; a missing, unreadable, empty or invalid file raises one :class:`DataError` (see :func:`read_text` for links)."""
    text, problems = read_text(path, what, follow_links=follow_links)
    if text is None:
        raise DataError(problems)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError([Problem(path, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise DataError([Problem(path, None, None, f"not an {what}: JSON nested too deeply")]) from None


def write_atomic(path: Path, data: dict[str, Any]) -> str:
    """Write JSON so that a crash leaves either the old or the new complete file; return the text."""
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def write_text_atomic(path: Path, text: str) -> str:
    """Write text so that a crash leaves either the old or the new complete file; return the text."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return text


# --- CSV for spreadsheets ----------------------------------------------------------------

#: how a cell starts when a spreadsheet would read it as a formula (OWASP, "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_text(value: str) -> str:
    """``value`` as a spreadsheet shows it and never runs it: a ``'`` before a formula start (a number stays a number)."""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """One cell for a CSV: a tuple or list joined with ``;``, text made safe for spreadsheets, anything else as it is."""
    if isinstance(value, (tuple, list)):
        value = ";".join(map(str, value))
    return spreadsheet_text(value) if isinstance(value, str) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` ready to be a CSV a spreadsheet opens: lists joined with ``;`` and no cell that runs as a formula.

    Column by column: numbers are left alone (a negative number is a number),
    and each distinct value of a text column is made safe once.
    """
    import numpy as np  # start-up speed: pandas loads only when a CSV is written
    import pandas as pd

    safe = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "biufcmM":
            safe[name] = column
            continue
        values = column.to_numpy(dtype=object)
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # an unhashable value (a list)
            uniques = None
        if uniques is None or _bools_and_numbers(values, uniques):  # True and 1 hash alike: cell by cell
            safe[name] = pd.Series([_cell(value) for value in values], index=frame.index, dtype=object)
            continue
        cells = np.empty(len(uniques) + 1, dtype=object)
        cells[:] = [*(_cell(value) for value in uniques), None]
        safe[name] = pd.Series(cells[codes], index=frame.index, dtype=object)
    return pd.DataFrame(safe, index=frame.index, columns=frame.columns)


def _bools_and_numbers(values: Any, uniques: Any) -> bool:
    """Whether a column mixes bools with other numbers, or has tuples holding bools: values a hash table would merge."""
    types = set(map(type, values))
    if bool in types and (int in types or float in types):
        return True
    return tuple in types and any(isinstance(item, bool) for value in uniques if isinstance(value, tuple) for item in value)


def write_csv(frame: pd.DataFrame, path: Path | str | None = None, **options: Any) -> str | None:
    """Write ``frame`` as UTF-8 CSV without its index, every cell made safe by :func:`csv_frame`; to ``path``, or returned as text."""
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # CRLF rows (RFC 4180): the writer then quotes a cell holding a lone CR, which would otherwise end a row
    options.setdefault("lineterminator", "\r\n")
    result: str | None = csv_frame(frame).to_csv(path, index=False, encoding="utf-8", **options)
    return result


# --- pydantic errors ----------------------------------------------------------------------

#: pydantic's wording for the errors people make most, in the kit's words
PLAIN_MESSAGES = {"extra_forbidden": "unknown field", "missing": "required field is missing"}


def plain_message(error: ErrorDetails) -> str:
    return PLAIN_MESSAGES.get(error["type"], error["msg"])


def field_path(loc: tuple[Any, ...], *, brackets: bool = False, rename: Mapping[str, str] | None = None) -> str:
    """A validation error's location as the data file names it: ``turns.0.content``, or
    ``level[1].label`` with ``brackets`` (list positions from 1); ``rename`` maps field names
    to the file's own (a CSV's columns)."""
    parts = [rename.get(str(part), str(part)) if rename else str(part) for part in loc]
    if not brackets:
        return ".".join(parts)
    return ".".join(f"[{p + 1}]" if isinstance(p, int) else name for p, name in zip(loc, parts, strict=True)).replace(".[", "[")


def validation_problems(
    path: Path | str,
    exc: ValidationError,
    *,
    line: int | None = None,
    locate: Callable[[tuple[Any, ...]], int | None] | None = None,
    prefix: str = "",
    brackets: bool = False,
    rename: Mapping[str, str] | None = None,
    describe: Callable[[ErrorDetails], str] = plain_message,
) -> list[Problem]:
    """Every error pydantic found, as ``PATH:LINE: field: problem``.

    ``line`` is the line of the whole entry (a JSON line, a TOML table); ``locate``
    finds a line per error instead. ``prefix`` starts each field (``deck-id.``);
    ``brackets`` and ``rename`` shape the field as :func:`field_path` says;
    ``describe`` words the problem (default: :func:`plain_message`).
    """
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        where = field_path(loc, brackets=brackets, rename=rename)
        field = prefix + where if where else prefix.rstrip(".") or None
        problems.append(Problem(path, locate(loc) if locate is not None else line, field, describe(error)))
    return problems


def read_toml_model(
    path: Path,
    model: type[Model],
    what: str = "file",
    locate: Callable[[str, tuple[Any, ...]], int | None] = toml_key_line,
) -> Model:
    """A TOML file validated by a pydantic ``model``; every problem as ``PATH:LINE: field: problem``.

    ``locate(text, loc)`` finds the line of each error (default: the line of its key).
    An empty file is an empty table, so a file that only keeps the defaults may be empty.
    """
    from pydantic import ValidationError  # start-up speed: answer files and the CLI's help never need pydantic

    data, text, problems = load_toml(path, what, allow_empty=True)
    if data is None:
        raise DataError(problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataError(validation_problems(path, exc, locate=lambda loc: locate(text, loc))) from None
