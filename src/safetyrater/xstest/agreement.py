"""Agreement between raters: XSTest's classifiers, annotators and a learner, and any two label columns of any file.

Labels are nominal (compliance, partial refusal, full refusal; or whatever a
file holds), so agreement is accuracy and Cohen's kappa without weights; it is
undefined when both raters gave one and the same label to every item.
``safetyrater agreement`` (:func:`main`) adds the confusion table per group.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..grading.calibration import nominal_kappa
from .data import load_responses
from .labels import LABELS, NOT_A_CLASS, normalise_label
from .table import column_list, command, parse_mapping, read_responses

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


def agreement(reference: Sequence[str], labels: Sequence[str | None]) -> dict[str, Any]:
    """Accuracy and Cohen's kappa of ``labels`` against ``reference``, item by item.

    A missing label (a classifier's free text) counts as a fourth value that
    never matches, so every rater is scored on the same items; ``not_a_class``
    says how many there were. Kappa is NaN when it is undefined (both raters
    gave one and the same label to every item).
    """
    if len(reference) != len(labels):
        raise ValueError(f"{len(reference)} reference labels but {len(labels)} labels to compare")
    given = [label if label in LABELS else NOT_A_CLASS for label in labels]
    if not given:
        return {"items": 0, "agreement": float("nan"), "cohen_kappa": float("nan"), "not_a_class": 0}
    # numpy, not scikit-learn: lesson 3 shows this, and a page should not wait seconds for an import
    kappa = nominal_kappa(list(reference), given, [*LABELS, NOT_A_CLASS])
    return {
        "items": len(given),
        "agreement": sum(a == b for a, b in zip(reference, given, strict=True)) / len(given),
        "cohen_kappa": kappa,
        "not_a_class": given.count(NOT_A_CLASS),
    }


def _agreement_frame(rows: Mapping[str, tuple[str, dict[str, Any]]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict({name: {"compared with": against, **result} for name, (against, result) in rows.items()}, orient="index")
    frame.index.name = "labels from"
    return frame.round({"agreement": 3, "cohen_kappa": 3})


def classifier_agreement(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """How well the two automatic classifiers agree with the human final label.

    Rows for all prompts and for the safe prompts alone (where a refusal is an
    over-refusal, and where telling a partial refusal from compliance matters
    most). The two human annotators' agreement with each other follows each,
    for scale.
    """
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


def agreement_table(frame: pd.DataFrame | None = None) -> Styler:
    """:func:`classifier_agreement` as a lesson shows it: agreement in percent, one decimal.

    Cohen's kappa stays out of the lesson (the instructor notes explain it), as does
    the count of answers that are not a label.
    """
    scores = classifier_agreement(frame)
    table = pd.DataFrame({"compared with": scores["compared with"], "responses": scores["items"], "agreement %": 100 * scores["agreement"]})
    return table.style.format(precision=1, na_rep="–").set_caption(
        "Agreement: the share of responses given the same label, on all prompts and on the safe prompts alone."
    )


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


# ``safetyrater agreement``: any two label columns of any file ---------------------------------


def column_agreement(a: Sequence[str], b: Sequence[str]) -> dict[str, Any]:
    """Raw agreement, Cohen's kappa and the confusion table of two raters over the same items.

    Values are compared as written (after trimming spaces); an item either
    rater left empty is counted as ``missing`` and left out. Kappa is None when
    it is undefined (fewer than two items, or one and the same value everywhere)."""
    from sklearn.metrics import cohen_kappa_score

    pairs = [(x.strip(), y.strip()) for x, y in zip(a, b, strict=True)]
    both = [(x, y) for x, y in pairs if x and y]
    values = sorted({v for pair in both for v in pair}, key=lambda v: (not v.lstrip("-").replace(".", "", 1).isdigit(), v.zfill(12), v))
    confusion = {x: dict.fromkeys(values, 0) for x in values}
    for x, y in both:
        confusion[x][y] += 1
    kappa: float | None = None
    if len(both) >= 2 and len({v for pair in both for v in pair}) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = float(cohen_kappa_score([x for x, _ in both], [y for _, y in both], labels=values))
        kappa = None if found != found else found  # NaN: undefined
    return {
        "items": len(both),
        "missing": len(pairs) - len(both),
        "agreement": sum(x == y for x, y in both) / len(both) if both else None,
        "cohen_kappa": kappa,
        "values": values,
        "confusion": confusion,
    }


def agreement_by_group(frame: pd.DataFrame, a: str, b: str, by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """:func:`column_agreement` over all rows, then per group of the ``by`` columns (in order of appearance)."""
    results = [{"group": {}, **column_agreement(list(frame[a].astype(str)), list(frame[b].astype(str)))}]
    if by:
        for keys, part in frame.groupby(list(by), sort=False):
            keys = keys if isinstance(keys, tuple) else (keys,)
            results.append({"group": dict(zip(by, map(str, keys), strict=True)),
                            **column_agreement(list(part[a].astype(str)), list(part[b].astype(str)))})
    return results


def agreement_text(results: list[dict[str, Any]], a: str, b: str) -> str:
    """Each group's agreement, kappa and confusion table (rows: ``a``, columns: ``b``)."""
    blocks = []
    for result in results:
        name = ", ".join(f"{k}={v}" for k, v in result["group"].items()) or "all rows"
        if not result["items"]:
            blocks.append(f"{name}: no item labelled by both ({result['missing']} missing)")
            continue
        kappa = "undefined (one value everywhere)" if result["cohen_kappa"] is None else f"{result['cohen_kappa']:.3f}"
        missing = f", {result['missing']} missing" if result["missing"] else ""
        table = pd.DataFrame(result["confusion"]).T.reindex(index=result["values"], columns=result["values"])
        table.index.name, table.columns.name = f"{a} \\ {b}", None
        blocks.append(
            f"{name}: {result['items']} items{missing}; agreement {result['agreement']:.1%}; Cohen's kappa {kappa}\n"
            + table.to_string()
        )
    return "\n\n".join(blocks)


@command
def main(
    file: str,
    a: str,
    b: str,
    *,
    by: str | None = None,
    labels: str | None = None,
    as_json: bool = False,
) -> int:
    """``safetyrater agreement``: agreement between two label columns; 1 with one error line for a bad file."""
    groups = column_list(by)
    mapping = parse_mapping(labels, "--labels")
    responses = read_responses(file, label_columns=[a, b], by=groups, label_options=["--a", "--b"])
    frame = responses.frame.copy()
    for column in dict.fromkeys([a, b]):
        frame[column] = frame[column].map(lambda value: mapping.get(str(value).strip(), value))
    results = agreement_by_group(frame, a, b, groups)
    if as_json:
        print(json.dumps({"file": str(file), "a": a, "b": b, "by": groups, "groups": results}, indent=2))
    else:
        print(f"Agreement between {a} and {b} in {file}\n")
        print(agreement_text(results, a, b))
    return 0
