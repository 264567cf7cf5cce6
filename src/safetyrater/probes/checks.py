"""Designing probes: contrast pairs a learner writes, checked automatically, graded by the instructor.

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

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from ..errors import DataError, Problem
from ..paths import datasets_dir, graders_dir
from ..bank.schema import ID_PATTERN, _Strict

PROBES_DIR = "probes"
TOPICS_FILE = "topics.toml"
GALLERY_FILE = "gallery.jsonl"
RUBRIC_FILE = "probe_rubric.toml"

LABELS = ("safe", "unsafe")
#: what a safe and useful response to a probe would do
BEHAVIOURS = {
    "comply": "Comply",
    "comply-with-care": "Comply with care",
    "refuse-redirect": "Refuse and redirect",
}
BEHAVIOUR_HELP = {
    "comply": "Answer fully: the request is safe and a caveat would add nothing",
    "comply-with-care": "Answer, with the caution, limit or pointer to help that makes it safe",
    "refuse-redirect": "Decline the harmful part, say why, and offer what can safely help",
}
SLOTS = ("first", "second")
#: the automatic checks, in the order they are reported
CHECKS = ("complete", "labels", "behaviours", "close", "novel")
#: XSTest's types of safe prompt that looks unsafe, which a pair may build on
CONTRAST_TYPES = {
    "homonyms": "Homonyms: a word with a safe and an unsafe meaning (kill a process)",
    "figurative_language": "Figurative language: a figure of speech that sounds violent (blow off steam)",
    "safe_targets": "Safe targets: an unsafe verb aimed at something harmless (kill weeds)",
    "safe_contexts": "Safe contexts: a request made safe by its setting (a video game, a clinic)",
    "definitions": "Definitions: what something is, not how to do it",
    "historical_events": "Historical events: why an atrocity happened, not how to repeat it",
    "privacy_public": "Privacy: public facts about public figures, not private people's data",
    "other": "Another kind of contrast",
}


# --- the data: topics, exercises, gallery, rubric ------------------------------------------


class Topic(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    #: what a harmful answer on this topic would enable
    sensitive: str = Field(min_length=10)
    #: where safe requests that look unsafe are found
    safe_side: str = Field(min_length=10)


class ProbeExercise(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    mode: Literal["practice", "graded"]
    pairs: int = Field(ge=1, le=10)


class GallerySlot(_Strict):
    prompt: str = Field(min_length=1, max_length=2_000)
    behaviour: Literal["comply", "comply-with-care", "refuse-redirect"]
    expectation: str = Field(min_length=10, max_length=2_000)


class GalleryEntry(_Strict):
    """A good learner-style contrast pair shown in the lesson."""

    id: str = Field(pattern=ID_PATTERN)
    type: Literal[tuple(t for t in CONTRAST_TYPES if t != "other")]  # type: ignore[valid-type]
    topic: str = Field(pattern=ID_PATTERN)
    safe: GallerySlot
    unsafe: GallerySlot
    why: str = Field(min_length=10, max_length=1_000)

    def as_pair(self) -> dict[str, Any]:
        """The entry in the answer-file form that :func:`check_pair` reads."""
        return {
            "topic": self.topic,
            "contrast_type": self.type,
            "first": {**self.safe.model_dump(), "label": "safe"},
            "second": {**self.unsafe.model_dump(), "label": "unsafe"},
        }


class CheckSettings(_Strict):
    min_closeness: float = Field(default=60, ge=0, le=100)
    max_similarity_to_known: float = Field(default=85, gt=0, le=100)
    min_prompt_words: int = Field(default=4, ge=1)
    min_expectation_words: int = Field(default=8, ge=1)
    points: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(CHECKS, 0.4))

    @field_validator("points")
    @classmethod
    def _every_check(cls, points: dict[str, float]) -> dict[str, float]:
        if set(points) != set(CHECKS):
            missing, unknown = sorted(set(CHECKS) - set(points)), sorted(set(points) - set(CHECKS))
            raise ValueError(f"needs points for exactly the checks {list(CHECKS)} (missing {missing}, unknown {unknown})")
        if any(value < 0 for value in points.values()):
            raise ValueError("points must not be negative")
        return points


class Criterion(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    points: float = Field(ge=0)
    prescore: Literal["coach", "instructor"]
    text: str = Field(min_length=10)


class ProbeRubric(_Strict):
    checks: CheckSettings = Field(default_factory=CheckSettings)
    criteria: list[Criterion] = Field(alias="criterion", min_length=1)

    @property
    def check_points(self) -> float:
        return float(sum(self.checks.points.values()))

    @property
    def review_points(self) -> float:
        return float(sum(c.points for c in self.criteria))


@dataclass(frozen=True)
class ProbeCourse:
    """Topics, probe exercises and the gallery of ``datasets/probes/``."""

    topics: dict[str, Topic]
    exercises: dict[str, ProbeExercise]
    gallery: tuple[GalleryEntry, ...]

    def exercise(self, exercise_id: str) -> ProbeExercise:
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise DataError(
                [Problem(probes_dir() / TOPICS_FILE, None, None, f"no probe exercise {exercise_id!r} (known: {', '.join(sorted(self.exercises))})")]
            ) from None


def probes_dir(datasets_root: Path | None = None) -> Path:
    return Path(datasets_root or datasets_dir()) / PROBES_DIR


def rubric_path() -> Path:
    return graders_dir() / RUBRIC_FILE


def _toml(path: Path) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    from ..bank.casebank import _read_toml

    return _read_toml(path)


def _problems(path: Path, line: int | None, exc: ValidationError, prefix: str = "") -> list[Problem]:
    from ..bank.casebank import _validation_problems

    return _validation_problems(path, line, exc, prefix)


def load_topics(path: Path) -> tuple[dict[str, Topic], dict[str, ProbeExercise], list[Problem]]:
    """Topics and probe exercises from a topics file, with every problem found."""
    from ..bank.casebank import _table_lines

    data, text, problems = _toml(path)
    if data is None:
        return {}, {}, problems
    unknown = sorted(set(data) - {"topic", "exercise"})
    problems += [Problem(path, None, key, "unknown table (expected [[topic]] and [exercise.ID])") for key in unknown]
    topics: dict[str, Topic] = {}
    entries = data.get("topic")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(path, None, "topic", "expected one or more [[topic]] tables"))
        entries = []
    lines = _table_lines(text, "[[topic]]")
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        try:
            topic = Topic.model_validate(entry)
        except ValidationError as exc:
            problems += _problems(path, line, exc, "topic.")
            continue
        if topic.id in topics:
            problems.append(Problem(path, line, "topic.id", f"duplicate topic id {topic.id!r}"))
        topics[topic.id] = topic
    exercises: dict[str, ProbeExercise] = {}
    table = data.get("exercise", {})
    if not isinstance(table, dict):
        problems.append(Problem(path, None, "exercise", "expected [exercise.ID] tables"))
        table = {}
    for exercise_id, entry in table.items():
        found = _table_lines(text, f"[exercise.{exercise_id}]")
        line = found[0] if found else None
        try:
            exercises[exercise_id] = ProbeExercise.model_validate({"id": exercise_id, **(entry if isinstance(entry, dict) else {})})
        except ValidationError as exc:
            problems += _problems(path, line, exc, f"exercise.{exercise_id}.")
    return topics, exercises, problems


def load_gallery(path: Path, topics: Mapping[str, Topic] | None) -> tuple[list[GalleryEntry], list[Problem]]:
    """Gallery entries from a JSON-lines file, with every problem found."""
    from ..bank.casebank import iter_jsonl

    entries: list[GalleryEntry] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, obj, problem in iter_jsonl(path):
        if problem is not None:
            problems.append(problem)
            continue
        try:
            entry = GalleryEntry.model_validate(obj)
        except ValidationError as exc:
            problems += _problems(path, line, exc)
            continue
        if topics is not None and entry.topic not in topics:
            problems.append(Problem(path, line, "topic", f"unknown topic {entry.topic!r} (not in {TOPICS_FILE})"))
        if entry.id in seen:
            problems.append(Problem(path, line, "id", f"duplicate gallery id {entry.id!r}"))
        seen.add(entry.id)
        entries.append(entry)
    return entries, problems


def load_probe_course(datasets_root: Path | None = None) -> ProbeCourse:
    """Topics, exercises and gallery; raise :class:`DataError` listing every problem."""
    folder = probes_dir(datasets_root)
    topics, exercises, problems = load_topics(folder / TOPICS_FILE)
    gallery, gallery_problems = load_gallery(folder / GALLERY_FILE, topics or None)
    problems += gallery_problems
    if problems:
        raise DataError(problems)
    return ProbeCourse(topics, exercises, tuple(gallery))


def load_probe_rubric(path: Path | str | None = None) -> ProbeRubric:
    """The checks' thresholds and points and the instructor's rubric; DataError names file and field."""
    from ..bank.casebank import _table_lines

    path = Path(path) if path is not None else rubric_path()
    data, text, problems = _toml(path)
    if data is None:
        raise DataError(problems)
    try:
        return ProbeRubric.model_validate(data)
    except ValidationError as exc:
        # _validation_problems gives one problem per error, in order: add the line of its table
        criteria = _table_lines(text, "[[criterion]]")
        found = []
        for error, problem in zip(exc.errors(), _problems(path, None, exc), strict=True):
            loc, line = error["loc"], None
            if loc[:1] == ("checks",):
                headers = _table_lines(text, "[checks.points]") if loc[1:2] == ("points",) else []
                line = (headers or _table_lines(text, "[checks]") or [None])[0]
            elif loc[:1] == ("criterion",) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(criteria):
                line = criteria[loc[1]]
            found.append(replace(problem, line=line))
        raise DataError(found) from None


# --- prompts a probe must not copy -------------------------------------------------------


@dataclass(frozen=True)
class KnownPrompt:
    text: str
    #: where it comes from, as a learner may read it ("XSTest prompt 26", "case core-001")
    source: str
    #: whether a message may quote it (never for exercise or assessment cases)
    quotable: bool


@lru_cache(maxsize=4)
def _known_prompts(root: str) -> tuple[KnownPrompt, ...]:
    from ..bank.casebank import CaseBank

    datasets = Path(root)
    known: list[KnownPrompt] = []
    bank = CaseBank.load(datasets)
    for case in bank.cases.values():
        known.append(KnownPrompt(case.prompt, f"case {case.id}", case.use == "lesson"))
    for public in bank.public.values():  # a learner kit's graded cases: text only, never quoted
        known.append(KnownPrompt(public.prompt, f"case {public.id}", False))
    xstest = datasets / "xstest" / "xstest_prompts.csv"
    if xstest.exists():
        with xstest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                known.append(KnownPrompt(row["prompt"], f"XSTest prompt {row['id']}", True))
    gallery = probes_dir(datasets) / GALLERY_FILE
    if gallery.exists():
        entries, _ = load_gallery(gallery, None)
        for entry in entries:
            for side in (entry.safe, entry.unsafe):
                known.append(KnownPrompt(side.prompt, f"gallery example {entry.id}", True))
    return tuple(known)


def known_prompts(datasets_root: Path | None = None) -> tuple[KnownPrompt, ...]:
    """Every prompt of the case bank, XSTest and the gallery (loaded once per process)."""
    return _known_prompts(str(Path(datasets_root or datasets_dir()).resolve()))


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
            missing.append(f"the expectation for the {slot} prompt is too short ({expectation} words; at least {settings.min_expectation_words})")
    if missing:
        return CheckResult("complete", False, "incomplete pair: " + "; ".join(missing))
    return CheckResult("complete", True, "a topic, both prompts and an expectation for each are written")


def _check_labels(pair: dict[str, Any]) -> CheckResult:
    problems = []
    labels = [pair[slot]["label"] for slot in SLOTS]
    for slot, label in zip(SLOTS, labels):
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


def _check_novel(pair: dict[str, Any], settings: CheckSettings, known: Sequence[KnownPrompt], others: Mapping[str, str]) -> CheckResult:
    from rapidfuzz import fuzz, process, utils

    if not _words(pair["first"]["prompt"]) or not _words(pair["second"]["prompt"]):
        return CheckResult("novel", False, "needs both prompts to check that they are your own")
    texts = [k.text for k in known]
    problems = []
    for slot in SLOTS:
        prompt = pair[slot]["prompt"]
        hit = process.extractOne(prompt, texts, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=settings.max_similarity_to_known)
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


def expectation_prescore(text: str, prompt: str = "") -> PreScore:
    """The pre-score hook for a stated expectation: the feedback coach's, else :func:`heuristic_prescore`.

    The feedback coach (``safetyrater.feedback.check_note``, when installed)
    judges written feedback: problem named, why explained, change proposed, not
    vague. A stated expectation is short feedback on an imagined response, so
    its score (0 to 1) is reused as the pre-score. If the coach is not
    importable, or fails on this text, the heuristic answers instead and
    ``source`` says so.
    """
    try:
        from ..feedback.check import check_note  # type: ignore[import-not-found]
    except ImportError:
        return heuristic_prescore(text)
    try:
        result = check_note(text, case=_ProbeCase(prompt))
        score = min(max(float(result.score), 0.0), 1.0)
        return PreScore(round(score, 4), "feedback coach", tuple(getattr(result, "hints", ()) or ()))
    except Exception as exc:  # noqa: BLE001 - a pre-score must never stop grading
        fallback = heuristic_prescore(text)
        return PreScore(fallback.score, f"heuristic (the feedback coach failed: {type(exc).__name__})", fallback.hints)


def _quarter(value: float) -> float:
    return round(value * 4) / 4


def review_prescore(pair: Any, rubric: ProbeRubric) -> list[tuple[Criterion, float | None, str]]:
    """Each rubric criterion with its pre-score (None: the instructor's to judge) and how it was reached."""
    pair = normalise_pair(pair)
    scores = [expectation_prescore(pair[slot]["expectation"], pair[slot]["prompt"]) for slot in SLOTS]
    found = []
    for criterion in rubric.criteria:
        if criterion.prescore == "coach":
            share = sum(s.score for s in scores) / len(scores)
            detail = f"{scores[0].source}: first {scores[0].score:.2f}, second {scores[1].score:.2f}"
            found.append((criterion, _quarter(share * criterion.points), detail))
        else:
            found.append((criterion, None, "judged by the instructor"))
    return found


# --- what a grade cell prints ---------------------------------------------------------------


def pair_key(number: int) -> str:
    return f"pair-{number}"


def pair_lines(number: int, pair: Any, topics: Mapping[str, Topic]) -> list[str]:
    """The learner's pair as plain text."""
    pair = normalise_pair(pair)
    topic = topics[pair["topic"]].name if pair["topic"] in topics else (pair["topic"] or "none chosen")
    kind = CONTRAST_TYPES.get(pair["contrast_type"] or "", pair["contrast_type"] or "none chosen").split(":")[0]
    lines = [f"Pair {number} (topic: {topic}; contrast type: {kind})"]
    for slot in SLOTS:
        item = pair[slot]
        behaviour = BEHAVIOURS.get(item["behaviour"] or "", item["behaviour"] or "none")
        lines.append(f"  {slot.capitalize()} prompt, labelled {item['label'] or 'none'}, expected behaviour: {behaviour.lower()}")
        lines.append(f"    Prompt: {item['prompt'] or '(empty)'}")
        lines.append(f"    Expectation: {item['expectation'] or '(empty)'}")
    return lines


def report_lines(report: PairReport) -> list[str]:
    lines = [f"Automatic checks: {report.points:g} / {report.max_points:g} points"]
    lines += [f"  {'✓' if c.passed else '✗'} {c.check}: {c.message}" for c in report.checks]
    return lines


def review_lines(number: int, pair: Any, rubric: ProbeRubric) -> list[str]:
    """The instructor's part: each criterion with its pre-score or 'judged by the instructor'."""
    lines = [f"For your instructor (task 'Pair {number}: review', {rubric.review_points:g} points): confirm or override"]
    prescored = total = 0.0
    for criterion, value, detail in review_prescore(pair, rubric):
        if value is None:
            lines.append(f"  {criterion.id} ({criterion.points:g}): {detail}. {criterion.text}")
        else:
            lines.append(f"  {criterion.id} ({criterion.points:g}): pre-score {value:g} ({detail}). {criterion.text}")
            prescored += value
            total += criterion.points
    judged = rubric.review_points - total
    lines.append(f"  Pre-score: {prescored:g} of the {total:g} pre-scored points; {judged:g} point(s) for the instructor to judge.")
    return lines


def _grade_pair(exercise_id: str, number: int, folder: Path) -> tuple[float, list[str]]:
    from ..nbgrader.cells import saved_answers

    course = load_probe_course()
    rubric = load_probe_rubric()
    course.exercise(exercise_id)  # an unknown exercise is a data error, not 0 points in silence
    answers, why_none = saved_answers(exercise_id, folder)
    if answers is None:
        return 0.0, [f"Pair {number}: 0 points", f"  note: {why_none.replace('no saved answers', 'no saved pairs')}"]
    pair = answers.get(pair_key(number))
    others = {
        f"the {slot} prompt of pair {n}": normalise_pair(answers.get(pair_key(n)))[slot]["prompt"]
        for n in range(1, number)  # a repeat counts against the later pair only
        for slot in SLOTS
    }
    others = {where: text for where, text in others.items() if text}
    report = check_pair(pair, rubric, known_prompts(), others, course.topics)
    lines = pair_lines(number, pair, course.topics) + report_lines(report) + review_lines(number, pair, rubric)
    return (report.points / report.max_points if report.max_points else 0.0), lines


def grade_pair(exercise_id: str, number: int, points: float, folder: str | Path | None = None) -> float:
    """What pair ``number``'s grade cell calls: print the pair, checks and pre-score; return nbgrader points.

    The automatic checks' share of their points is scaled to ``points`` (the
    cell's value), as :func:`safetyrater.exercise.run_grade_cell` runs every grade cell.
    """
    from ..nbgrader.cells import run_grade_cell

    return run_grade_cell(f"Pair {number}", lambda where: _grade_pair(exercise_id, number, where), points, folder)


# --- validation of the probe files ----------------------------------------------------------


def validate_probe_files(paths: Sequence[Path]) -> list[Problem]:
    """Problems of topics files, gallery files and probe rubrics (recognised by name)."""
    problems: list[Problem] = []
    for path in paths:
        if path.name == RUBRIC_FILE:
            try:
                load_probe_rubric(path)
            except DataError as exc:
                problems += exc.problems
        elif path.name == TOPICS_FILE:
            problems += load_topics(path)[2]
        elif path.name == GALLERY_FILE:
            topics = load_topics(path.parent / TOPICS_FILE)[0] if (path.parent / TOPICS_FILE).exists() else None
            problems += load_gallery(path, topics or None)[1]
    return problems
