"""The probe course as data: topics, probe exercises, the lesson's gallery, the instructor's rubric.

Topics, probe exercises and the gallery live in ``datasets/probes/``
(``topics.toml``, ``gallery.jsonl``); the checks' thresholds and points and the
instructor's rubric in ``graders/probe_rubric.toml``. Every loader reports each
problem as ``PATH:LINE: field: problem``. :func:`known_prompts` lists the
prompts a learner's probe must not copy: the case bank's, XSTest's and the gallery's.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from ..bank.schema import ID_PATTERN, Strict
from ..errors import DataError, Problem
from ..io import iter_jsonl, load_toml, read_toml_model, table_lines, validated_lines, validation_problems
from ..paths import case_files, datasets_dir, graders_dir, public_files

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


class Topic(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    #: what a harmful answer on this topic would enable
    sensitive: str = Field(min_length=10)
    #: where safe requests that look unsafe are found
    safe_side: str = Field(min_length=10)


class ProbeExercise(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    mode: Literal["practice", "graded"]
    pairs: int = Field(ge=1, le=10)


class GallerySlot(Strict):
    prompt: str = Field(min_length=1, max_length=2_000)
    behaviour: Literal["comply", "comply-with-care", "refuse-redirect"]
    expectation: str = Field(min_length=10, max_length=2_000)


class GalleryEntry(Strict):
    """A good learner-style contrast pair shown in the lesson."""

    id: str = Field(pattern=ID_PATTERN)
    # built from CONTRAST_TYPES so the two cannot drift; mypy cannot read a Literal made at run time
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


class CheckSettings(Strict):
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


class Criterion(Strict):
    id: str = Field(pattern=ID_PATTERN)
    points: float = Field(ge=0)
    prescore: Literal["coach", "instructor"]
    text: str = Field(min_length=10)


class ProbeRubric(Strict):
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
                [
                    Problem(
                        probes_dir() / TOPICS_FILE,
                        None,
                        None,
                        f"no probe exercise {exercise_id!r} (known: {', '.join(sorted(self.exercises))})",
                    )
                ]
            ) from None


def probes_dir(datasets_root: Path | None = None) -> Path:
    return Path(datasets_root or datasets_dir()) / PROBES_DIR


def rubric_path() -> Path:
    return graders_dir() / RUBRIC_FILE


def load_topics(path: Path) -> tuple[dict[str, Topic], dict[str, ProbeExercise], list[Problem]]:
    """Topics and probe exercises from a topics file, with every problem found."""
    data, text, problems = load_toml(path)
    if data is None:
        return {}, {}, problems
    unknown = sorted(set(data) - {"topic", "exercise"})
    problems += [Problem(path, None, key, "unknown table (expected [[topic]] and [exercise.ID])") for key in unknown]
    topics: dict[str, Topic] = {}
    entries = data.get("topic")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(path, None, "topic", "expected one or more [[topic]] tables"))
        entries = []
    lines = table_lines(text, "[[topic]]")
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        try:
            topic = Topic.model_validate(entry)
        except ValidationError as exc:
            problems += validation_problems(path, exc, line=line, prefix="topic.")
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
        found = table_lines(text, f"[exercise.{exercise_id}]")
        line = found[0] if found else None
        try:
            exercises[exercise_id] = ProbeExercise.model_validate({"id": exercise_id, **(entry if isinstance(entry, dict) else {})})
        except ValidationError as exc:
            problems += validation_problems(path, exc, line=line, prefix=f"exercise.{exercise_id}.")
    return topics, exercises, problems


def load_gallery(path: Path, topics: Mapping[str, Topic] | None) -> tuple[list[GalleryEntry], list[Problem]]:
    """Gallery entries from a JSON-lines file, with every problem found."""
    entries: list[GalleryEntry] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for _, line, entry, found in validated_lines([path], lambda _: GalleryEntry, "gallery entry"):
        problems += found
        if entry is None:
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


def _rubric_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the table a rubric error is in: ``[checks]``, ``[checks.points]`` or its ``[[criterion]]``."""
    if loc[:1] == ("checks",):
        headers = table_lines(text, "[checks.points]") if loc[1:2] == ("points",) else []
        found = headers or table_lines(text, "[checks]")
        return found[0] if found else None
    criteria = table_lines(text, "[[criterion]]")
    if loc[:1] == ("criterion",) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(criteria):
        return criteria[loc[1]]
    return None


def load_probe_rubric(path: Path | str | None = None) -> ProbeRubric:
    """The checks' thresholds and points and the instructor's rubric; DataError names file, line and field."""
    return read_toml_model(Path(path) if path is not None else rubric_path(), ProbeRubric, locate=_rubric_line)


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
    datasets = Path(root)
    known: list[KnownPrompt] = []
    # the prompts alone, read line by line: a check of a probe needs no more of the bank
    for path in case_files(datasets):
        for _, obj, _ in iter_jsonl(path):
            if obj is not None and isinstance(obj.get("id"), str) and isinstance(obj.get("prompt"), str):
                known.append(KnownPrompt(obj["prompt"].strip(), f"case {obj['id']}", obj.get("use", "lesson") == "lesson"))
    for path in public_files(datasets):  # a learner kit's graded cases: text only, never quoted
        for _, obj, _ in iter_jsonl(path):
            if obj is not None and isinstance(obj.get("id"), str) and isinstance(obj.get("prompt"), str):
                known.append(KnownPrompt(obj["prompt"].strip(), f"case {obj['id']}", False))
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
