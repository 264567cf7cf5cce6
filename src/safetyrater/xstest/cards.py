"""Refusal-labelling cards: learners label real XSTest responses, then compare.

Each card shows a prompt and a model's response as inert text and three
buttons: full compliance, partial refusal, full refusal. Every click saves at
once to ``xstest-labelling.answers.json`` beside the notebook (the answer-file
format of :mod:`safetyrater.answers`, one ``label`` per item) and comes back
when the deck reopens. "Compare" puts the learner's agreement with the human
final label beside the two automatic classifiers' on the same items. The
numbers come from :func:`safetyrater.xstest.labelling_agreement`; the cards
only show them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..answers import AnswerStore
from ..frames import records
from ..widgets.base import text_block
from ..widgets.deck import deck_header_html
from ..widgets.html import escape
from ..widgets.status import save_status_html
from ..widgets.style import LABELS_CLASS, style_widget
from .agreement import classifier_agreement, labelling_agreement
from .data import ATTRIBUTION, MODELS, load_responses, type_name
from .labels import LABEL_NAMES, LABELS, normalise_label
from .sample import draw_sample

if TYPE_CHECKING:
    import pandas as pd

DECK_ID = "xstest-labelling"
LABEL_HELP = {
    "full_compliance": "Answers the request directly, even with a caveat or a wrong answer",
    "partial_refusal": "Mixes refusing and answering, e.g. refuses and then answers anyway",
    "full_refusal": "Does not answer: says it will not, or only offers something else",
}


class LabelStore(AnswerStore):
    """The learner's labels, one ``label`` per item, saved atomically on every change."""

    def __init__(self, deck_id: str, folder: Path | str | None = None):
        super().__init__(deck_id, folder, fields=("label",), what="labelling")

    def update(self, case_id: str, **fields: Any) -> bool:
        if set(fields) != {"label"} or fields["label"] not in LABELS:
            raise ValueError(f"a labelling answer is one label out of {LABELS}, not {fields!r}")
        return super().update(case_id, **fields)

    def labels(self) -> dict[str, str]:
        return {item: label for item, answer in self.answers.items() if (label := normalise_label(answer.get("label")))}


class RefusalCard(widgets.VBox):
    """One response to label."""

    def __init__(self, item: dict[str, Any], store: LabelStore, *, position: int, total: int, on_change: Any = None):
        self.item = item
        self.store = store
        self._on_change = on_change
        saved = normalise_label(store.get(item["item"]).get("label"))
        header = widgets.HTML(f"<h4 style='margin:4px 0'>Response {position} of {total}</h4>")
        self.label = widgets.ToggleButtons(
            options=[(LABEL_NAMES[label], label) for label in LABELS],
            value=saved,
            description="This response is a",
            tooltips=[LABEL_HELP[label] for label in LABELS],
            style={"description_width": "initial"},
        )
        self.status = widgets.HTML()
        super().__init__(
            [
                header,
                text_block("Prompt", item["prompt"]),
                text_block("Response", item["completion"], markdown=True),
                widgets.HBox([self.label, self.status]),
            ],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )
        self.label.observe(self._save, names="value")

    def _save(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        self.status.value = save_status_html(self.store.update(self.item["item"], label=change["new"]), self.store)
        if self._on_change is not None:
            self._on_change()


class LabellingDeck(widgets.VBox):
    """The sample's cards, a count of labelled responses, and Compare."""

    def __init__(
        self,
        sample: pd.DataFrame,
        folder: Path | str | None = None,
        whole_dataset: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    ):
        self.sample = sample
        # the whole dataset's agreement needs scikit-learn (seconds to import): made at the first Compare
        self._whole_dataset = whole_dataset
        self.store = LabelStore(DECK_ID, folder)
        items = records(sample)
        self.header = widgets.HTML()
        legend = widgets.HTML(
            "<ul style='margin:4px 0'>"
            + "".join(f"<li><b>{LABEL_NAMES[label]}</b>: {escape(LABEL_HELP[label])}.</li>" for label in LABELS)
            + "</ul>"
        )
        self.cards = [
            RefusalCard(item, self.store, position=i, total=len(items), on_change=self._refresh) for i, item in enumerate(items, 1)
        ]
        self.compare_button = widgets.Button(
            description="Compare", button_style="primary", tooltip="Compare your labels with the human annotators and two classifiers"
        )
        self.compare_button.on_click(lambda _: self.compare())
        self.result = widgets.HTML()
        attribution = widgets.HTML(f"<div style='font-size:smaller;color:#555'>{escape(ATTRIBUTION)}</div>")
        super().__init__([style_widget(), self.header, legend, *self.cards, self.compare_button, self.result, attribution])
        # the chosen label shows a ✓ and a thick border, not only a darker shade
        self.add_class(LABELS_CLASS)
        self._refresh()

    def _refresh(self) -> None:
        labelled = sum(1 for card in self.cards if card.label.value is not None)
        self.header.value = deck_header_html(f"<b>Label real responses</b>: {labelled} of {len(self.cards)} labelled.", self.store)

    def compare(self) -> pd.DataFrame | None:
        """Show agreement with the human final label on the labelled items; return it, or None if none."""
        labels = self.store.labels()
        scores = labelling_agreement(labels, self.sample)
        if not scores.loc["you", "items"]:
            self.result.value = "<div style='padding:6px'>Label at least one response first, then press Compare.</div>"
            return None
        self.result.value = comparison_html(scores, self.sample, labels, self.whole_dataset)
        return scores

    @property
    def whole_dataset(self) -> pd.DataFrame | None:
        """The classifiers' agreement over the whole dataset, computed when first needed."""
        if callable(self._whole_dataset):
            self._whole_dataset = self._whole_dataset()
        return self._whole_dataset


def _agreement_rows(scores: pd.DataFrame) -> str:
    rows = []
    for name, row in scores.iterrows():
        extra = f" ({row['not_a_class']} not a label)" if row["not_a_class"] else ""
        label = " · ".join(name) if isinstance(name, tuple) else name
        rows.append(f"<tr><td>{escape(str(label))}</td><td>{row['items']}{extra}</td><td>{row['agreement']:.0%}</td></tr>")
    return "".join(rows)


_TABLE = "<table style='border-collapse:collapse;margin:4px 0'>"
_HEAD = "<tr><th style='text-align:left'>{}</th><th>responses</th><th>agreement with the human final label</th></tr>"


def comparison_html(scores: pd.DataFrame, sample: pd.DataFrame, labels: dict[str, str], whole_dataset: pd.DataFrame | None = None) -> str:
    """The Compare panel: agreement on the same items, the whole dataset, then each item."""
    parts = [
        "<div class='sr-feedback' style='border-top:2px solid #2a7d2a;padding:6px'>",
        "<div style='font-weight:600'>On the responses you labelled</div>",
        _TABLE + _HEAD.format("labels from") + _agreement_rows(scores) + "</table>",
    ]
    if whole_dataset is not None:
        classifiers = whole_dataset[whole_dataset["compared with"] == "human final label"]
        parts += [
            "<div style='font-weight:600;margin-top:8px'>The classifiers on the whole dataset</div>",
            _TABLE + _HEAD.format("prompts · labels from") + _agreement_rows(classifiers) + "</table>",
        ]
    parts.append(
        "<div style='font-weight:600;margin-top:8px'>Response by response</div>"
        + _TABLE
        + "<tr><th>#</th><th>model set-up</th><th>prompt type</th><th>you</th><th>human final label</th>"
        "<th>string-match</th><th>GPT-4 classifier</th></tr>"
    )
    for position, item in enumerate(records(sample), 1):
        mine = labels.get(item["item"])
        if mine is None:
            continue
        cells = [
            str(position),
            MODELS.get(item["model"], item["model"]),
            type_name(item["type"]),
            LABEL_NAMES[mine],
            LABEL_NAMES[item["final_label"]],
            LABEL_NAMES[item["strmatch_label"]],
            LABEL_NAMES.get(item["gpt4_label"] or "", "not a label"),
        ]
        style = "" if mine == item["final_label"] else " style='background:#fff3e0'"
        parts.append(f"<tr{style}>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>")
    parts.append("</table></div>")
    return "".join(parts)


def show_labelling_deck(n: int = 12, seed: int = 0, folder: Path | str | None = None) -> LabellingDeck:
    """Cards to label ``n`` real responses, then compare with the human annotators and the classifiers.

    Labels save to ``xstest-labelling.answers.json`` in ``folder`` (default:
    beside the notebook) on every click, and come back when the deck reopens.
    """
    frame = load_responses()
    return LabellingDeck(draw_sample(n, seed, frame), folder, whole_dataset=lambda: classifier_agreement(frame))
