"""Audit the case bank for surface cues: can a model of surface words predict the labels?

A learner should succeed by judgment, not by noticing that a ``[REDACTED`` marker, a
short apology or an eager opener goes with one rating. This module trains simple
surface models on the course's rating cases (lesson and exercise) and measures them on
the held-back assessment pool, and it reports the single surface cues a learner could
pick up: P(label | cue) for each cue, length and markdown per label, and near-duplicate
prompts between the course and the pool.

The label is the rating plus the over-refusal tick, four classes:
``harmful``, ``risky``, ``safe`` and ``over-refusal``.

Run it with ``safetyrater bank audit`` (the whole bank) or on any case files with
``--train`` and ``--test``; ``--cv`` cross-validates within the given files instead.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..kinds.rating import RatingCase, answer_class
from ..paths import CASES_DIR, POOL_DIR, datasets_dir
from .casebank import load_cases
from .schema import REDACTION_MARKER

LABELS = ("harmful", "risky", "safe", "over-refusal")

#: The thresholds the kit holds itself to (a test enforces them on the bank).
MAX_MODEL_ACCURACY = 0.50
MAX_CUE_SHARE = 0.60
MIN_CUE_CASES = 10
#: below this, surface models have too little to learn from for the figures to mean anything
MIN_TRAIN_CASES = 20
MIN_TEST_CASES = 10

_APOLOGY = re.compile(r"^\W*(i'?m sorry|i am sorry|sorry|i apologi[sz]e|unfortunately|i'?m afraid)", re.I)
_REFUSAL = re.compile(
    r"\b(i can'?t|i cannot|i won'?t|i'?m not able|i am not able|i'?m unable|i am unable|"
    r"i'?m not going to|i am not going to|i must decline|i can'?t help)\b",
    re.I,
)
_EAGER = re.compile(
    r"^\W*(sure|absolutely|of course|yes|great question|certainly|happy to|definitely|"
    r"good question|great idea|love this|no problem|totally)\b",
    re.I,
)
_POLITE = re.compile(r"\b(please|thank you|thanks|thx|sorry|would you mind|kindly|appreciate)\b", re.I)
_MARKDOWN = re.compile(r"(^\s*([-*]|\d+[.)])\s+\S|^\s*#{1,6}\s|\*\*[^*]+\*\*|^\s*\|.*\|\s*$)", re.M)
_CAVEAT = re.compile(
    r"\b(consult|professional|disclaimer|educational purposes|be careful|stay safe|seek help|"
    r"emergency|not (legal|medical|financial) advice|at your own risk|please note|important:)",
    re.I,
)
_CODE = re.compile(r"```")


@dataclass
class RatingItem:
    """What a surface model may see of a rating case, and its four-class label."""

    case_id: str
    prompt: str
    response: str
    label: str
    group: str

    @property
    def text(self) -> str:
        return f"{self.prompt}\n\n{self.response}"


@dataclass
class AuditReport:
    train_cases: int
    test_cases: int
    mode: str
    label_counts: dict[str, dict[str, int]]
    majority_class: float
    models: dict[str, float]
    rules: float
    cues: list[dict[str, Any]]
    length_median: dict[str, int]
    length_all_median: int
    markdown_share: dict[str, float]
    harmful_given_marker: float | None
    near_duplicates: list[dict[str, Any]]
    contrast_share: float
    problems: list[str] = field(default_factory=list)

    @property
    def best_model(self) -> tuple[str, float]:
        name = max(self.models, key=lambda k: self.models[k])
        return name, self.models[name]

    @property
    def failures(self) -> list[str]:
        out = []
        name, acc = self.best_model
        if acc > MAX_MODEL_ACCURACY:
            out.append(f"surface model {name!r} scores {acc:.2f} on the test cases (limit {MAX_MODEL_ACCURACY:.2f})")
        if self.rules > MAX_MODEL_ACCURACY:
            out.append(f"the four surface rules reproduce {self.rules:.2f} of labels (limit {MAX_MODEL_ACCURACY:.2f})")
        for cue in self.cues:
            if cue["gives_away"]:
                out.append(
                    f"cue {cue['cue']!r}: {cue['top_share']:.2f} of its {cue['n']} cases are {cue['top_label']!r} "
                    f"(limit {MAX_CUE_SHARE:.2f})"
                )
        return out


def rating_items(paths: list[Path]) -> tuple[list[RatingItem], list[str]]:
    """The rating cases in ``paths`` (other kinds are left out), and any load problems."""
    loaded, problems = load_cases(paths, None)
    items = []
    for item in loaded.values():
        case = item.case
        if not isinstance(case, RatingCase):
            continue
        turns = "\n".join(t.content for t in case.turns)
        prompt = "\n".join(part for part in (case.context or "", turns, case.prompt) if part)
        items.append(RatingItem(case.id, prompt, case.response, answer_class(case), case.contrast_group or case.id))
    return items, [str(p) for p in problems]


def cues_of(item: RatingItem) -> dict[str, bool]:
    """The binary surface cues a learner could notice without judging anything."""
    response = item.response
    n = len(response)
    return {
        "redaction marker": bool(REDACTION_MARKER.search(response)),
        "apology opener": bool(_APOLOGY.search(response)),
        "refusal phrase early": bool(_REFUSAL.search(response[:250])),
        "eager opener": bool(_EAGER.search(response)),
        "polite prompt": bool(_POLITE.search(item.prompt)),
        "markdown": bool(_MARKDOWN.search(response)),
        "caveat": bool(_CAVEAT.search(response)),
        "code block": bool(_CODE.search(response)),
        "short response (<400 chars)": n < 400,
        "long response (>1500 chars)": n > 1500,
        "short apology (<220 chars)": n < 220 and bool(_APOLOGY.search(response) or _REFUSAL.search(response)),
    }


def four_rules(item: RatingItem) -> str:
    """The surface rules an outside probe found: marker, short apology, eager opener, else safe."""
    cues = cues_of(item)
    if cues["redaction marker"]:
        return "harmful"
    if cues["short apology (<220 chars)"]:
        return "over-refusal"
    if cues["eager opener"]:
        return "risky"
    return "safe"


def _model_scores(train: list[RatingItem], test: list[RatingItem]) -> dict[str, float]:
    """Accuracy on ``test`` of simple surface models trained on ``train``."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    y_train = [i.label for i in train]
    y_test = [i.label for i in test]
    models: dict[str, Any] = {
        "words (logistic regression)": (
            make_pipeline(CountVectorizer(ngram_range=(1, 2), min_df=2, binary=True), LogisticRegression(max_iter=2000)),
            lambda i: i.text,
        ),
        "character n-grams (logistic regression)": (
            make_pipeline(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
                LogisticRegression(max_iter=2000),
            ),
            lambda i: i.text,
        ),
        "response words (naive Bayes)": (
            make_pipeline(CountVectorizer(min_df=2), MultinomialNB()),
            lambda i: i.response,
        ),
        "surface cues (decision tree)": (
            DecisionTreeClassifier(max_depth=4, random_state=0),
            lambda i: [int(v) for v in cues_of(i).values()] + [len(i.response) // 200],
        ),
    }
    scores = {}
    for name, (model, features) in models.items():
        model.fit([features(i) for i in train], y_train)
        predicted = model.predict([features(i) for i in test])
        scores[name] = sum(p == y for p, y in zip(predicted, y_test, strict=True)) / len(test)
    return scores


def _cv_scores(items: list[RatingItem], folds: int = 5) -> dict[str, float]:
    """Grouped cross-validation: a contrast set never sits on both sides of a split."""
    groups = sorted({i.group for i in items})
    per_fold: dict[str, list[tuple[int, float]]] = {}
    for k in range(folds):
        held = {g for n, g in enumerate(groups) if n % folds == k}
        train = [i for i in items if i.group not in held]
        test = [i for i in items if i.group in held]
        if not test or len({i.label for i in train}) < 2:
            continue
        for name, acc in _model_scores(train, test).items():
            per_fold.setdefault(name, []).append((len(test), acc))
    return {name: sum(n * a for n, a in runs) / sum(n for n, _ in runs) for name, runs in per_fold.items()}


def _near_duplicates(train: list[RatingItem], test: list[RatingItem], threshold: int = 90) -> list[dict[str, Any]]:
    from rapidfuzz import fuzz, process

    prompts = [i.prompt for i in train]
    out = []
    for item in test:
        match = process.extractOne(item.prompt, prompts, scorer=fuzz.token_set_ratio, score_cutoff=threshold)
        if match is not None:
            other = train[match[2]]
            out.append({"test": item.case_id, "train": other.case_id, "similarity": round(match[1], 1)})
    return out


def audit(train: list[RatingItem], test: list[RatingItem] | None, problems: list[str] | None = None) -> AuditReport:
    """Audit ``train`` against ``test`` (or cross-validate ``train`` when ``test`` is None).

    Too few rating cases, or a single label, raise :class:`~safetyrater.errors.DataError`:
    a surface model needs something to learn from before its score says anything."""
    if len(train) < MIN_TRAIN_CASES or len({i.label for i in train}) < 2:
        labels = len({i.label for i in train})
        raise DataError(
            [
                Problem(
                    "bank audit",
                    None,
                    None,
                    f"needs at least {MIN_TRAIN_CASES} rating cases with two or more labels to learn from; "
                    f"got {len(train)} case(s), {labels} label(s)",
                )
            ]
        )
    if test is not None and len(test) < MIN_TEST_CASES:
        raise DataError([Problem("bank audit", None, None, f"needs at least {MIN_TEST_CASES} rating cases to test on; got {len(test)}")])
    everything = train + (test or [])
    if test:
        models = _model_scores(train, test)
        majority = Counter(i.label for i in test).most_common(1)[0][1] / len(test)
        rules = sum(four_rules(i) == i.label for i in everything) / len(everything)
        mode = "train on the first set, test on the second"
    else:
        models = _cv_scores(train)
        majority = Counter(i.label for i in train).most_common(1)[0][1] / len(train)
        rules = sum(four_rules(i) == i.label for i in train) / len(train)
        mode = "5-fold cross-validation, contrast sets kept together"
    cue_rows = []
    cue_table = [(i, cues_of(i)) for i in everything]
    for cue in cues_of(everything[0]):
        having = [i.label for i, cues in cue_table if cues[cue]]
        counts = Counter(having)
        top_label, top_n = counts.most_common(1)[0] if counts else ("", 0)
        share = top_n / len(having) if having else 0.0
        cue_rows.append(
            {
                "cue": cue,
                "n": len(having),
                "shares": {label: round(counts[label] / len(having), 2) if having else 0.0 for label in LABELS},
                "top_label": top_label,
                "top_share": round(share, 3),
                "gives_away": len(having) >= MIN_CUE_CASES and share > MAX_CUE_SHARE,
            }
        )
    marked = [i.label for i, cues in cue_table if cues["redaction marker"]]
    by_label: dict[str, list[RatingItem]] = {label: [i for i in everything if i.label == label] for label in LABELS}
    return AuditReport(
        train_cases=len(train),
        test_cases=len(test or []),
        mode=mode,
        label_counts={
            "train": {label: sum(i.label == label for i in train) for label in LABELS},
            "test": {label: sum(i.label == label for i in (test or [])) for label in LABELS},
        },
        majority_class=round(majority, 3),
        models={name: round(acc, 3) for name, acc in models.items()},
        rules=round(rules, 3),
        cues=cue_rows,
        length_median={label: int(statistics.median(len(i.response) for i in items)) if items else 0 for label, items in by_label.items()},
        length_all_median=int(statistics.median(len(i.response) for i in everything)),
        markdown_share={
            label: round(sum(cues_of(i)["markdown"] for i in items) / len(items), 2) if items else 0.0 for label, items in by_label.items()
        },
        harmful_given_marker=round(marked.count("harmful") / len(marked), 3) if marked else None,
        near_duplicates=_near_duplicates(train, test) if test else [],
        contrast_share=round(sum(i.group != i.case_id for i in everything) / len(everything), 3),
        problems=problems or [],
    )


def bank_audit(root: Path | None = None) -> AuditReport:
    """The course's rating cases (cases/*.jsonl) against the assessment pool (pool/*.jsonl)."""
    root = root or datasets_dir()
    train, p1 = rating_items(sorted((root / CASES_DIR).glob("*.jsonl")))
    test, p2 = rating_items(sorted((root / POOL_DIR).glob("*.jsonl")))
    return audit(train, test, p1 + p2)


def format_report(report: AuditReport) -> str:
    lines = [
        f"Surface-cue audit ({report.mode}): {report.train_cases} training case(s), {report.test_cases} test case(s)",
        "",
        f"Majority class on the test cases: {report.majority_class:.0%}",
    ]
    for name, acc in report.models.items():
        lines.append(f"  {name:<42} {acc:.0%}")
    lines.append(f"  {'four surface rules (all cases)':<42} {report.rules:.0%}")
    lines += ["", f"Median response length: {report.length_all_median} characters; by label:"]
    for label in LABELS:
        lines.append(f"  {label:<14} median {report.length_median[label]:>5} chars, markdown in {report.markdown_share[label]:.0%}")
    if report.harmful_given_marker is not None:
        lines.append(f"P(harmful | redaction marker) = {report.harmful_given_marker:.2f}")
    lines.append(f"Cases in a contrast set: {report.contrast_share:.0%}")
    lines += ["", "Surface cues (share of each label among the cases that show the cue):"]
    for cue in report.cues:
        shares = "  ".join(f"{label} {cue['shares'][label]:.2f}" for label in LABELS)
        flag = "  <- gives the label away" if cue["gives_away"] else ""
        lines.append(f"  {cue['cue']:<30} n={cue['n']:<4} {shares}{flag}")
    if report.near_duplicates:
        lines += ["", "Near-duplicate prompts between the two sets (token-set similarity >= 90):"]
        lines += [f"  {d['test']} ~ {d['train']} ({d['similarity']})" for d in report.near_duplicates]
    for problem in report.problems:
        lines.append(f"problem: {problem}")
    failures = report.failures
    lines += [""] + ([f"FAIL: {f}" for f in failures] if failures else ["ok: no surface cue gives the label away"])
    return "\n".join(lines)



def main(train: Sequence[Path] = (), test: Sequence[Path] = (), cv: Sequence[Path] = (), *, as_json: bool = False) -> int:
    """``safetyrater bank audit``: print the report (``as_json``: as JSON); 1 when a cue gives the label away."""
    try:
        if cv:
            items, problems = rating_items(list(cv))
            report = audit(items, None, problems)
        elif train or test:
            train_items, p1 = rating_items(list(train) or sorted((datasets_dir() / CASES_DIR).glob("*.jsonl")))
            test_items, p2 = rating_items(list(test) or sorted((datasets_dir() / POOL_DIR).glob("*.jsonl")))
            report = audit(train_items, test_items, p1 + p2)
        else:
            report = bank_audit()
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(asdict(report) | {"failures": report.failures}, indent=2))
    else:
        print(format_report(report))
    return 1 if report.failures else 0
