"""Real model responses from XSTest: loading, refusal rates, classifier agreement, a labelling sample.

XSTest (Röttger et al., NAACL 2024; ``datasets/xstest/``, prompts CC-BY-4.0) holds
responses of five model set-ups to 250 safe prompts that look unsafe and to 200
unsafe contrast prompts, each labelled full compliance, partial refusal or full
refusal by two human annotators (with a final label), by a string-matching
classifier and by a GPT-4-based classifier.

The over-refusal lesson calls :func:`show_labelling_deck`,
:func:`classifier_agreement` and :func:`refusal_rates_table`;
``safetyrater refusal-rates`` runs :func:`refusal_rates` on any CSV of labelled
responses. pandas, scikit-learn and pydantic load only when a function needs them.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Problem
from ..io import read_text, validation_problems
from ..paths import datasets_dir

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

    from .cards import LabellingDeck

XSTEST_DIR = "xstest"
RESPONSES_FILE = "xstest_v2_completions_filtered.csv"
PROMPTS_FILE = "xstest_prompts.csv"

#: the three labels, from answering to refusing
LABELS = ("full_compliance", "partial_refusal", "full_refusal")
LABEL_NAMES = {
    "full_compliance": "Full compliance",
    "partial_refusal": "Partial refusal",
    "full_refusal": "Full refusal",
}
#: every spelling a labelled file may use, after lower-casing and turning spaces and dashes into "_"
LABEL_ALIASES = {
    "1_full_compliance": "full_compliance",
    "full_compliance": "full_compliance",
    "compliance": "full_compliance",
    "3_partial_refusal": "partial_refusal",
    "partial_refusal": "partial_refusal",
    "partial": "partial_refusal",
    "2_full_refusal": "full_refusal",
    "full_refusal": "full_refusal",
    "refusal": "full_refusal",
}
#: columns that may say whether the prompt was safe or unsafe, in order of preference
SAFETY_COLUMNS = ("prompt_label", "label")
#: what a classifier gave when its output was free text rather than a label
NOT_A_CLASS = "not_a_class"

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
ATTRIBUTION = (
    "XSTest: Paul Röttger, Hannah Rose Kirk, Bertie Vidgen, Giuseppe Attanasio, Federico Bianchi, "
    "Dirk Hovy. “XSTest: A Test Suite for Identifying Exaggerated Safety Behaviours in Large Language "
    "Models”. NAACL 2024. Prompts CC-BY-4.0; model responses under their models' licences "
    "(github.com/paul-rottger/exaggerated-safety)."
)
#: the share of a labelling sample drawn from unsafe prompts (all of them refusals in this copy)
UNSAFE_SHARE = 4  # one item in four


def xstest_dir() -> Path:
    return datasets_dir() / XSTEST_DIR


def normalise_label(value: Any) -> str | None:
    """``full_compliance``, ``partial_refusal`` or ``full_refusal`` for any accepted spelling, else None."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return LABEL_ALIASES.get(key)


# Reading CSV files with the line each row starts on --------------------------------


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
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


def _validated_rows(
    path: Path, schema: type[BaseModel], columns: Mapping[str, str] | None = None
) -> list[tuple[int, Any]]:
    """Each row of a CSV file as a ``schema`` instance, with its line; DataError lists every problem.

    ``columns`` maps the schema's fields to the file's column names (default: the same names).
    """
    from pydantic import ValidationError

    columns = dict(columns or {name: name for name in schema.model_fields})
    header, rows, problems = _read_csv(path)
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


def read_labelled_responses(path: Path | str, by: str = "model", label_column: str = "final_label") -> pd.DataFrame:
    """The columns of a labelled-responses CSV that :func:`refusal_rates` needs, checked line by line.

    Raises :class:`DataError` naming the file and line of each bad row (an
    unknown label, a prompt that is neither safe nor unsafe, an empty group).
    """
    import pandas as pd

    from .schema import LabelledResponse

    path = Path(path)
    header, _, _ = _read_csv(path)
    safety = safety_column(header, label_column)
    if safety is None:
        raise DataError(
            [Problem(path, 1, None, f"no column saying whether each prompt is safe or unsafe: expected {' or '.join(SAFETY_COLUMNS)}")]
        )
    columns = {"group": by, "prompt_safety": safety, "label": label_column}
    rows = _validated_rows(path, LabelledResponse, columns)
    return pd.DataFrame(
        {
            by: [row.group for _, row in rows],
            safety: [row.prompt_safety for _, row in rows],
            label_column: [row.label for _, row in rows],
        },
        columns=list(dict.fromkeys([by, safety, label_column])),
    )


# Refusal rates -------------------------------------------------------------------------


def refusal_rates(frame: pd.DataFrame | None = None, by: str = "model", label_column: str = "final_label") -> pd.DataFrame:
    """How often each group's responses fully or partially refused, safe and unsafe prompts apart.

    One row per (``prompts``, group): ``responses``, the count of each label,
    ``unclassified`` (a missing label, such as GPT-4's free text; left out of
    the rates) and ``full_refusal_rate``, ``partial_refusal_rate`` and
    ``refusal_rate`` (full or partial) over the classified responses. On safe
    prompts a refusal is an over-refusal. Groups keep the order they first
    appear in. ``frame`` defaults to XSTest's responses.
    """
    import pandas as pd

    if frame is None:
        frame = load_responses()
    for column in (by, label_column):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    safety = safety_column(frame.columns, label_column)
    if safety is None:
        raise ValueError(f"no column saying whether each prompt is safe or unsafe: expected {' or '.join(SAFETY_COLUMNS)}")
    labels = frame[label_column].map(normalise_label)
    unknown = frame[label_column].notna() & labels.isna()
    if unknown.any():
        raise ValueError(f"{label_column}: unknown label {frame.loc[unknown, label_column].iloc[0]!r} (row {unknown.idxmax()})")
    prompts = frame[safety].str.strip().str.lower()
    if not prompts.isin(["safe", "unsafe"]).all():
        bad = frame.loc[~prompts.isin(["safe", "unsafe"]), safety].iloc[0]
        raise ValueError(f"{safety}: expected safe or unsafe, found {bad!r}")
    work = pd.DataFrame({"prompts": prompts, "group": frame[by], "label": labels.fillna("unclassified")})
    counts = (
        work.groupby(["prompts", "group"], sort=False)["label"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=[*LABELS, "unclassified"], fill_value=0)
    )
    order = ["safe", "unsafe"]
    counts = counts.sort_index(level="prompts", key=lambda level: level.map(order.index), sort_remaining=False)
    classified = counts[list(LABELS)].sum(axis=1)
    rates = counts.assign(
        responses=classified + counts["unclassified"],
        full_refusal_rate=counts["full_refusal"] / classified,
        partial_refusal_rate=counts["partial_refusal"] / classified,
        refusal_rate=(counts["full_refusal"] + counts["partial_refusal"]) / classified,
    )
    rates = rates.reset_index().rename(columns={"group": by})
    rates.columns.name = None
    return rates[
        ["prompts", by, "responses", *LABELS, "unclassified", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]
    ]


def _study_totals(by: str) -> pd.Series:
    """How many responses XSTest's study collected per (prompts, group): every model answered every prompt."""
    import pandas as pd

    prompts = load_prompts()
    grid = pd.merge(
        pd.DataFrame({"model": list(load_responses()["model"].unique())}),
        prompts.assign(id="v2-" + prompts["id"].astype(str)).rename(columns={"label": "prompt_label"}),
        how="cross",
    )
    return grid.groupby(["prompt_label", by], sort=False).size()


def refusal_rates_table(by: str = "model") -> Styler:
    """XSTest's refusal rates (human final label) as a table for a lesson, in percent.

    This copy of XSTest keeps only the responses to unsafe prompts that fully
    refused, so for unsafe prompts the table shows the full-refusal rate out of
    every response the study collected and leaves the other columns blank.
    """
    import pandas as pd

    if by not in ("model", "type"):
        raise ValueError(f"refusal_rates_table groups XSTest by model or type, not {by!r}")
    rates = refusal_rates(load_responses(), by=by).set_index(["prompts", by])
    totals = _study_totals(by)
    safe = rates.loc["safe"]
    classified = safe[list(LABELS)].sum(axis=1)
    safe_table = pd.DataFrame(
        {
            "responses": safe["responses"],
            "full refusal %": 100 * safe["full_refusal_rate"],
            "partial refusal %": 100 * safe["partial_refusal_rate"],
            "full or partial refusal %": 100 * safe["refusal_rate"],
            "full compliance %": 100 * safe["full_compliance"] / classified,
        }
    )
    unsafe_totals = totals.loc["unsafe"]
    kept_refusals = rates.loc["unsafe", "full_refusal"].reindex(unsafe_totals.index, fill_value=0)
    unsafe_table = pd.DataFrame(
        {"responses": unsafe_totals, "full refusal %": 100 * kept_refusals / unsafe_totals},
        columns=safe_table.columns,
    )
    table = pd.concat({"safe prompts": safe_table, "unsafe prompts": unsafe_table}, names=["prompts", by])
    descriptions = {"model": MODELS, "type": PROMPT_TYPES}.get(by)
    if descriptions:
        table.insert(0, "set-up" if by == "model" else "what the prompts ask", table.index.get_level_values(by).map(descriptions))
    caption = (
        f"How often each {'model set-up' if by == 'model' else 'prompt type' if by == 'type' else by} refused (human final label). On safe prompts every refusal is an over-refusal. "
        "For unsafe prompts this copy of XSTest keeps only the full refusals (the responses that "
        "complied fully or partly were left out), so their full-refusal rate counts every response "
        "the study collected and the other columns are blank."
    )
    return table.style.format(precision=1, na_rep="–").set_caption(caption)


def rates_text(rates: pd.DataFrame, by: str) -> str:
    """Refusal rates as aligned text for the terminal, safe and unsafe prompts apart."""
    sections = []
    headings = {
        "safe": "Safe prompts (every refusal is an over-refusal)",
        "unsafe": "Unsafe prompts (a refusal is the right outcome)",
    }
    percent = "{:.1%}".format
    for prompts, heading in headings.items():
        part = rates[rates["prompts"] == prompts]
        if part.empty:
            sections.append(f"{heading}: no responses")
            continue
        shown = part[[by, "responses", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]].rename(
            columns={
                "full_refusal_rate": "full refusal",
                "partial_refusal_rate": "partial refusal",
                "refusal_rate": "full or partial",
            }
        )
        body = shown.to_string(index=False, formatters={c: percent for c in ("full refusal", "partial refusal", "full or partial")})
        sections.append(f"{heading}: {int(part['responses'].sum())} responses\n{body}")
    unclassified = int(rates["unclassified"].sum())
    if unclassified:
        sections.append(f"{unclassified} response(s) had no label and are left out of the rates.")
    return "\n\n".join(sections)


def rates_json(rates: pd.DataFrame, by: str, **about: Any) -> str:
    """Refusal rates as JSON: ``about`` fields, then ``safe`` and ``unsafe`` lists of rows."""
    result: dict[str, Any] = dict(about, by=by)
    for prompts in ("safe", "unsafe"):
        part = rates[rates["prompts"] == prompts].drop(columns="prompts")
        result[prompts] = [
            {key: round(float(value), 4) if key.endswith("_rate") else value for key, value in row.items()}
            for row in json.loads(part.to_json(orient="records"))
        ]
    return json.dumps(result, indent=2)


# Agreement with the human final label -----------------------------------------------------


def agreement(reference: Sequence[str], labels: Sequence[str | None]) -> dict[str, Any]:
    """Accuracy and Cohen's kappa of ``labels`` against ``reference``, item by item.

    A missing label (a classifier's free text) counts as a fourth value that
    never matches, so every rater is scored on the same items; ``not_a_class``
    says how many there were. Kappa is NaN when it is undefined (both raters
    gave one and the same label to every item).
    """
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics import accuracy_score, cohen_kappa_score

    if len(reference) != len(labels):
        raise ValueError(f"{len(reference)} reference labels but {len(labels)} labels to compare")
    given = [label if label in LABELS else NOT_A_CLASS for label in labels]
    if not given:
        return {"items": 0, "agreement": float("nan"), "cohen_kappa": float("nan"), "not_a_class": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        kappa = cohen_kappa_score(list(reference), given, labels=[*LABELS, NOT_A_CLASS])
    return {
        "items": len(given),
        "agreement": float(accuracy_score(list(reference), given)),
        "cohen_kappa": float(kappa),
        "not_a_class": given.count(NOT_A_CLASS),
    }


def _agreement_frame(rows: Mapping[str, tuple[str, dict[str, Any]]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_dict(
        {name: {"compared with": against, **result} for name, (against, result) in rows.items()}, orient="index"
    )
    frame.index.name = "labels from"
    return frame.round({"agreement": 3, "cohen_kappa": 3})


def classifier_agreement(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """How well the two automatic classifiers agree with the human final label.

    Rows for all prompts and for the safe prompts alone (where a refusal is an
    over-refusal, and where telling a partial refusal from compliance matters
    most). The two human annotators' agreement with each other follows each,
    for scale.
    """
    import pandas as pd

    if frame is None:
        frame = load_responses()
    scopes = {"all prompts": frame, "safe prompts": frame[frame["prompt_label"] == "safe"]}
    parts = {}
    for scope, part in scopes.items():
        final = list(part["final_label"])
        parts[scope] = _agreement_frame(
            {
                "string-match classifier": ("human final label", agreement(final, list(part["strmatch_label"]))),
                "GPT-4 classifier": ("human final label", agreement(final, list(part["gpt4_label"]))),
                "human annotator 2": ("human annotator 1", agreement(list(part["annotation_1"]), list(part["annotation_2"]))),
            }
        )
    return pd.concat(parts, names=["prompts", "labels from"])


def labelling_agreement(labels: Mapping[str, Any], sample: pd.DataFrame) -> pd.DataFrame:
    """A learner's agreement with the human final label beside the classifiers', on the same items.

    ``labels`` maps items (``<model>/<id>``) to a learner's labels; only the
    sample's items the learner labelled count.
    """
    labelled = sample[sample["item"].map(lambda item: normalise_label(labels.get(item)) is not None)]
    final = list(labelled["final_label"])
    mine = [normalise_label(labels[item]) for item in labelled["item"]]
    return _agreement_frame(
        {
            "you": ("human final label", agreement(final, mine)),
            "string-match classifier": ("human final label", agreement(final, list(labelled["strmatch_label"]))),
            "GPT-4 classifier": ("human final label", agreement(final, list(labelled["gpt4_label"]))),
        }
    )


# The labelling sample ------------------------------------------------------------------------


def draw_sample(n: int = 12, seed: int = 0, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``n`` responses for learners to label, the same for the same seed.

    Three in four come from safe prompts, the rest from unsafe prompts (all
    refusals in this copy). Models and prompt types take turns, so each model
    set-up and as many prompt types as possible appear; on safe prompts the
    human final labels take turns too, so a sample shows compliance, partial
    and full refusals rather than mostly compliance. Where no response fits a
    turn, another unused prompt type is taken, then another label, then another model.
    """
    import numpy as np

    if frame is None:
        frame = load_responses()
    n_unsafe = n // UNSAFE_SHARE
    available = frame["prompt_label"].value_counts()
    if n < 1:
        raise ValueError(f"a sample needs at least 1 response, not {n}")
    if n - n_unsafe > available.get("safe", 0) or n_unsafe > available.get("unsafe", 0):
        raise ValueError(
            f"a sample of {n} needs {n - n_unsafe} responses to safe prompts and {n_unsafe} to unsafe ones; "
            f"there are {available.get('safe', 0)} and {available.get('unsafe', 0)}"
        )
    rng = np.random.default_rng(seed)
    models = list(rng.permutation(sorted(frame["model"].unique())))
    chosen: list[int] = []
    for prompts, count in (("safe", n - n_unsafe), ("unsafe", n_unsafe)):
        pool = frame[frame["prompt_label"] == prompts]
        types = list(rng.permutation(sorted(pool["type"].unique())))
        labels = list(rng.permutation(sorted(pool["final_label"].unique())))
        for turn in range(count):
            candidates = pool.drop(index=chosen, errors="ignore")
            model = models[len(chosen) % len(models)]
            label = labels[turn % len(labels)]
            unused_types = set(types) - set(frame.loc[chosen, "type"]) or set(types)
            wanted_type = {types[turn % len(types)]} & unused_types
            # the wished-for turn first; then let go, in order, of the type (keeping it
            # unused), the label, the model, and last of the type being unused
            for type_, model_, label_ in (
                (wanted_type, {model}, {label}),
                (unused_types, {model}, {label}),
                (unused_types, {model}, set(labels)),
                (unused_types, set(models), {label}),
                (unused_types, set(models), set(labels)),
                (set(types), set(models), set(labels)),
            ):
                keep = candidates[
                    candidates["type"].isin(type_) & candidates["model"].isin(model_) & candidates["final_label"].isin(label_)
                ]
                if not keep.empty:
                    chosen.append(int(rng.choice(keep.index.to_numpy())))
                    break
    order = rng.permutation(len(chosen))
    return frame.loc[[chosen[i] for i in order]].reset_index(drop=True)


def show_labelling_deck(n: int = 12, seed: int = 0, folder: Path | str | None = None) -> LabellingDeck:
    """Cards to label ``n`` real responses, then compare with the human annotators and the classifiers.

    Labels save to ``xstest-labelling.answers.json`` in ``folder`` (default:
    beside the notebook) on every click, and come back when the deck reopens.
    """
    from .cards import LabellingDeck

    frame = load_responses()
    return LabellingDeck(draw_sample(n, seed, frame), folder, whole_dataset=classifier_agreement(frame))
