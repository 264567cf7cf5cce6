"""The automatic checks of a probe pair, and the pre-score of its stated expectations.

A contrast pair, in the manner of XSTest, is a safe prompt that looks unsafe
beside an unsafe prompt worded almost the same way. For each prompt the
learner states a label (safe or unsafe), the behaviour a safe and useful
response would show (comply, comply with care, refuse and redirect) and why.
The probe designer (:mod:`safetyrater.probe_card`) saves each pair to the
exercise's answer file::

    "pair-1": {"topic": "medication-doses", "contrast_type": "safe_contexts",
               "first": {"prompt": "...", "label": "safe", "behaviour": "comply-with-care",
                         "expectation": "..."},
               "second": {...}}

:func:`check_pair` runs what can be checked automatically: the pair is
complete, each prompt has a label and a behaviour that fit together, the two
prompts are close in wording (rapidfuzz's ``token_set_ratio``), and neither
copies a case-bank, XSTest or gallery prompt (rapidfuzz's ``ratio``). What
needs judgment goes to the instructor as an nbgrader task graded with the
rubric of ``graders/probe_rubric.toml``; :func:`grade_pair`, called by the
exercise's grade cell, prints the pair, the checks and a pre-score for the
stated expectations from :func:`expectation_prescore` (the feedback coach's
score when :mod:`safetyrater.feedback` is installed, else a simple heuristic).

Topics, probe exercises and the lesson's gallery are data in
``datasets/probes/``; thresholds, points and the rubric in ``graders/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..feedback.check import check_note
from .data import BEHAVIOURS, LABELS, SLOTS, CheckSettings, Criterion, KnownPrompt, ProbeRubric, Topic

# --- the automatic checks ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    check: str
    passed: bool
    message: str


@dataclass(frozen=True)
class PairReport:
    checks: tuple[CheckResult, ...]
    points: float
    max_points: float

    def result(self, check: str) -> CheckResult:
        return next(c for c in self.checks if c.check == check)

    @property
    def failed(self) -> list[str]:
        return [c.check for c in self.checks if not c.passed]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def normalise_pair(pair: Any) -> dict[str, Any]:
    """A saved pair in a fixed shape: topic, contrast_type and two slots of four strings (or None)."""
    pair = pair if isinstance(pair, Mapping) else {}
    slots = {}
    for slot in SLOTS:
        raw = pair.get(slot) if isinstance(pair.get(slot), Mapping) else {}
        slots[slot] = {
            "prompt": _text(raw.get("prompt")),
            "label": raw.get("label") if isinstance(raw.get("label"), str) else None,
            "behaviour": raw.get("behaviour") if isinstance(raw.get("behaviour"), str) else None,
            "expectation": _text(raw.get("expectation")),
        }
    topic = pair.get("topic") if isinstance(pair.get("topic"), str) and pair.get("topic") else None
    kind = pair.get("contrast_type") if isinstance(pair.get("contrast_type"), str) and pair.get("contrast_type") else None
    return {"topic": topic, "contrast_type": kind, **slots}


def similarity(a: str, b: str) -> float:
    """How close two prompts are in wording: rapidfuzz's token_set_ratio (0 to 100)."""
    from rapidfuzz import fuzz, utils

    return float(fuzz.token_set_ratio(a, b, processor=utils.default_process))


def _check_complete(pair: dict[str, Any], settings: CheckSettings, topics: Mapping[str, Topic] | None) -> CheckResult:
    missing = []
    if pair["topic"] is None:
        missing.append("no topic chosen")
    elif topics is not None and pair["topic"] not in topics:
        missing.append(f"unknown topic {pair['topic']!r}")
    for slot in SLOTS:
        prompt = len(_words(pair[slot]["prompt"]))
        if not prompt:
            missing.append(f"the {slot} prompt is empty")
        elif prompt < settings.min_prompt_words:
            missing.append(f"the {slot} prompt is too short ({prompt} words; at least {settings.min_prompt_words})")
        expectation = len(_words(pair[slot]["expectation"]))
        if not expectation:
            missing.append(f"no expectation for the {slot} prompt")
        elif expectation < settings.min_expectation_words:
            missing.append(
                f"the expectation for the {slot} prompt is too short ({expectation} words; at least {settings.min_expectation_words})"
            )
    if missing:
        return CheckResult("complete", False, "incomplete pair: " + "; ".join(missing))
    return CheckResult("complete", True, "a topic, both prompts and an expectation for each are written")


def _check_labels(pair: dict[str, Any]) -> CheckResult:
    problems = []
    labels = [pair[slot]["label"] for slot in SLOTS]
    for slot, label in zip(SLOTS, labels, strict=True):
        if label is None:
            problems.append(f"the {slot} prompt has no label")
        elif label not in LABELS:
            problems.append(f"the {slot} prompt has an unknown label {label!r} (safe or unsafe)")
    if not problems and labels[0] == labels[1]:
        problems.append(f"both prompts are labelled {labels[0]}: a contrast pair needs one safe and one unsafe prompt")
    if problems:
        return CheckResult("labels", False, "; ".join(problems))
    return CheckResult("labels", True, "one prompt labelled safe and one labelled unsafe")


def _check_behaviours(pair: dict[str, Any]) -> CheckResult:
    problems = []
    for slot in SLOTS:
        label, behaviour = pair[slot]["label"], pair[slot]["behaviour"]
        if behaviour is None:
            problems.append(f"no expected behaviour for the {slot} prompt")
        elif behaviour not in BEHAVIOURS:
            problems.append(f"unknown behaviour {behaviour!r} for the {slot} prompt (expected one of {', '.join(BEHAVIOURS)})")
        elif label == "safe" and behaviour == "refuse-redirect":
            problems.append(f"the {slot} prompt is labelled safe but expects a refusal: refusing a safe prompt is an over-refusal")
        elif label == "unsafe" and behaviour == "comply":
            problems.append(
                f"the {slot} prompt is labelled unsafe but expects full compliance: say how a response should refuse "
                "and redirect, or what care makes it safe"
            )
    if problems:
        return CheckResult("behaviours", False, "; ".join(problems))
    return CheckResult("behaviours", True, "an expected behaviour for each prompt, consistent with its label")


def _check_close(pair: dict[str, Any], settings: CheckSettings) -> CheckResult:
    first, second = pair["first"]["prompt"], pair["second"]["prompt"]
    if not _words(first) or not _words(second):
        return CheckResult("close", False, "needs both prompts to compare their wording")
    if " ".join(_words(first.lower())) == " ".join(_words(second.lower())):
        return CheckResult("close", False, "the two prompts are the same: change only what makes one of them unsafe")
    score = similarity(first, second)
    if score < settings.min_closeness:
        return CheckResult(
            "close",
            False,
            f"the prompts share too little wording ({score:.0f}% alike; at least {settings.min_closeness:g}% needed): "
            "keep the wording and change only what makes one safe and the other unsafe",
        )
    return CheckResult("close", True, f"the prompts are close in wording ({score:.0f}% alike; at least {settings.min_closeness:g}% needed)")


@dataclass
class _KnownIndex:
    """A list of known prompts as rapidfuzz compares them, and the nearest known prompt found for each prompt checked."""

    known: Sequence[KnownPrompt]
    texts: list[str]
    #: (processed prompt, cutoff) -> rapidfuzz's (text, score, position), or None: a prompt many learners wrote is looked up once
    hits: dict[tuple[str, float], Any] = field(default_factory=dict)


#: the index of the last few lists of known prompts checked against (by the list's id)
_INDEXES: dict[int, _KnownIndex] = {}


def _known_index(known: Sequence[KnownPrompt]) -> _KnownIndex:
    """``known``'s texts lower-cased and stripped of punctuation (rapidfuzz's ``default_process``), once per list."""
    from rapidfuzz import utils

    index = _INDEXES.get(id(known))
    if index is None or index.known is not known:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        index = _INDEXES[id(known)] = _KnownIndex(known, [utils.default_process(k.text) for k in known])
    return index


def _nearest_known(prompt: str, known: Sequence[KnownPrompt], cutoff: float) -> Any:
    """The known prompt at least ``cutoff`` alike to ``prompt`` (rapidfuzz's ratio), as ``(text, score, position)``, or None."""
    from rapidfuzz import fuzz, process, utils

    index = _known_index(known)
    key = (utils.default_process(prompt), cutoff)
    if key not in index.hits:
        if len(index.hits) > 100_000:
            index.hits.clear()
        index.hits[key] = process.extractOne(key[0], index.texts, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
    return index.hits[key]


def _check_novel(pair: dict[str, Any], settings: CheckSettings, known: Sequence[KnownPrompt], others: Mapping[str, str]) -> CheckResult:
    from rapidfuzz import fuzz, utils

    if not _words(pair["first"]["prompt"]) or not _words(pair["second"]["prompt"]):
        return CheckResult("novel", False, "needs both prompts to check that they are your own")
    problems = []
    for slot in SLOTS:
        prompt = pair[slot]["prompt"]
        hit = _nearest_known(prompt, known, settings.max_similarity_to_known)
        if hit is not None:
            source = known[hit[2]]
            quoted = f" ({source.text!r})" if source.quotable else ""
            problems.append(f"the {slot} prompt is a near-copy of {source.source}{quoted}, {hit[1]:.0f}% alike: write your own")
            continue
        for where, other in others.items():
            if fuzz.ratio(prompt, other, processor=utils.default_process) >= settings.max_similarity_to_known:
                problems.append(f"the {slot} prompt repeats {where}")
                break
    if problems:
        return CheckResult("novel", False, "; ".join(problems))
    return CheckResult("novel", True, "neither prompt copies a case-bank, XSTest or gallery prompt, or another of your pairs")


def check_pair(
    pair: Any,
    rubric: ProbeRubric,
    known: Sequence[KnownPrompt] = (),
    others: Mapping[str, str] | None = None,
    topics: Mapping[str, Topic] | None = None,
) -> PairReport:
    """Run every automatic check on a saved pair.

    ``others`` maps a description ("the first prompt of pair 1") to each
    prompt of the learner's earlier pairs, so that a repeated prompt counts
    against the later pair only.
    """
    pair = normalise_pair(pair)
    settings = rubric.checks
    results = (
        _check_complete(pair, settings, topics),
        _check_labels(pair),
        _check_behaviours(pair),
        _check_close(pair, settings),
        _check_novel(pair, settings, known, others or {}),
    )
    points = sum(settings.points[r.check] for r in results if r.passed)
    return PairReport(results, round(float(points), 4), rubric.check_points)


# --- the pre-score of the stated expectations -----------------------------------------------


@dataclass(frozen=True)
class PreScore:
    """A 0-to-1 pre-score of one stated expectation, where it came from, and hints."""

    score: float
    source: str
    hints: tuple[str, ...] = field(default_factory=tuple)


_ACTIONS = re.compile(
    r"\b(answer|explain|give|list|name|define|describe|suggest|offer|point|refuse|decline|redirect|warn|add|say|tell|"
    r"ask|recommend|mention|share|provide|include|respond|acknowledge|signpost|direct|stay|keep|avoid)\w*",
    re.I,
)
_REASONS = re.compile(r"\b(because|since|so that|as it|as this|otherwise|which (?:would|could|might)|could|would|risk)\b", re.I)
_COMMON = frozenset(
    "the a an and or but to of in on for with that this it is be as by at from so if then than its their there they them "
    "what how why who when where which would could should about into your you user users response answer prompt".split()
)


def heuristic_prescore(text: str) -> PreScore:
    """A transparent fallback: does the expectation name an action, give a reason, and say something specific?"""
    text = text if isinstance(text, str) else ""
    content = [w for w in _words(text.lower()) if len(w) >= 4 and w not in _COMMON]
    parts = {
        "action": bool(_ACTIONS.search(text)),
        "reason": bool(_REASONS.search(text)),
        "specific": len(set(content)) >= 6,
    }
    hints = {
        "action": "say what the response should do (explain, give, refuse, point to...)",
        "reason": "say why (because..., it could...)",
        "specific": "be specific about this prompt: what exactly should the response say or offer?",
    }
    score = sum(parts.values()) / len(parts)
    return PreScore(round(score, 4), "heuristic", tuple(hints[name] for name, ok in parts.items() if not ok))


@dataclass(frozen=True)
class _ProbeCase:
    """What the feedback coach reads of a case: the probe prompt stands in for it."""

    prompt: str
    context: str | None = None
    response: str = ""


#: what pre-scores a stated expectation: the feedback coach's check (None: the heuristic alone)
prescore_check: Callable[..., Any] | None = check_note


def expectation_prescore(text: str, prompt: str = "") -> PreScore:
    """The pre-score of a stated expectation: the feedback coach's, else :func:`heuristic_prescore`.

    The feedback coach (:func:`safetyrater.feedback.check.check_note`) judges
    written feedback: problem named, why explained, change proposed, not vague.
    A stated expectation is short feedback on an imagined response, so its score
    (0 to 1) is reused as the pre-score. Without the coach (:data:`prescore_check`
    set to None), or if it fails on this text, the heuristic answers instead and
    ``source`` says so.
    """
    if prescore_check is None:
        return heuristic_prescore(text)
    try:
        result = prescore_check(text, case=_ProbeCase(prompt))
        score = min(max(float(result.score), 0.0), 1.0)
        return PreScore(round(score, 4), "feedback coach", tuple(getattr(result, "hints", ()) or ()))
    except Exception as exc:
        fallback = heuristic_prescore(text)
        return PreScore(fallback.score, f"heuristic (the feedback coach failed: {type(exc).__name__})", fallback.hints)


def _quarter(value: float) -> float:
    return round(value * 4) / 4


def review_prescore(pair: Any, rubric: ProbeRubric) -> list[tuple[Criterion, float | None, str]]:
    """Each rubric criterion with its pre-score (None: the instructor's to judge) and how it was reached."""
    pair = normalise_pair(pair)
    scores = [expectation_prescore(pair[slot]["expectation"], pair[slot]["prompt"]) for slot in SLOTS]
    found: list[tuple[Criterion, float | None, str]] = []
    for criterion in rubric.criteria:
        if criterion.prescore == "coach":
            share = sum(s.score for s in scores) / len(scores)
            detail = f"{scores[0].source}: first {scores[0].score:.2f}, second {scores[1].score:.2f}"
            found.append((criterion, _quarter(share * criterion.points), detail))
        else:
            found.append((criterion, None, "judged by the instructor"))
    return found
