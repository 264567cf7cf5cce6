"""Agreement with the human final label: the classifiers', the annotators' and a learner's.

Labels are nominal (compliance, partial refusal, full refusal), so agreement is
accuracy and Cohen's kappa without weights; it is undefined (NaN) when both
raters gave one and the same label to every item.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .data import load_responses
from .labels import LABELS, NOT_A_CLASS, normalise_label

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


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
