"""The feedback rubric: ``graders/rubric.toml``, validated and compiled for fast checking.

An instructor tunes the coach in that file: the four elements (label, weight,
hint), the settings, the phrase lists and which taxonomy descriptions count as
risk vocabulary. :func:`load_rubric` reads it (every problem as
``PATH:LINE: field: problem``) and compiles the phrase lists into patterns,
kept until the file changes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, create_model, field_validator

from ..bank.schema import Strict
from ..errors import DataError, Problem
from ..io import load_toml, read_toml_model
from ..paths import ROOT_ENV, datasets_dir, graders_dir
from .text import STOPWORDS, normalise, tokenise

RUBRIC_FILE = "rubric.toml"
ELEMENTS: tuple[str, ...] = ("problem", "why", "change", "vague")


def _phrase_pattern(phrase: str) -> str:
    words = []
    for word in phrase.strip().lower().split():
        if word == "*":
            words.append(r"[\w'-]+")
        elif word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"[\w'-]*")
        else:
            words.append(re.escape(word))
    return r"\s+".join(words)


class PhraseSet:
    """A phrase list compiled into one whole-word pattern (``anchored``: at the start only)."""

    def __init__(self, phrases: list[str], anchored: bool = False):
        self.phrases = list(phrases)
        body = "|".join(sorted((_phrase_pattern(p) for p in phrases), key=len, reverse=True)) or r"(?!x)x"
        start = r"^\W*" if anchored else r"(?<![\w-])"
        self.pattern = re.compile(rf"{start}(?:{body})(?![\w])")

    def find(self, text: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text))

    def first(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


class WordSet:
    """Single words, each optionally ending in ``*``: a set and a prefix tuple for fast lookups."""

    def __init__(self, words: list[str]):
        self.exact = frozenset(w.lower() for w in words if not w.endswith("*"))
        self.prefixes = tuple(w[:-1].lower() for w in words if w.endswith("*"))
        self._seen: dict[str, bool] = {}  # tokens repeat from note to note

    def __contains__(self, token: str) -> bool:
        found = self._seen.get(token)
        if found is None:
            found = token in self.exact or (bool(self.prefixes) and token.startswith(self.prefixes))
            if len(self._seen) < 100_000:
                self._seen[token] = found
        return found


class Vocabulary:
    """A word list that may hold phrases: words looked up per token, phrases matched in the text."""

    def __init__(self, entries: list[str]):
        self.words = WordSet([e for e in entries if " " not in e.strip()])
        self.phrases = PhraseSet([e for e in entries if " " in e.strip()])

    def hits(self, tokens: list[str], text: str) -> list[str]:
        return [t for t in tokens if t in self.words] + [m.group(0) for m in self.phrases.find(text)]


#: the phrase lists of rubric.toml, in the order the file explains them
PHRASE_LISTS: tuple[str, ...] = (
    "over_refusal", "risk_words", "response_subjects", "act_words", "verdict_words",
    "refusal_subjects", "why_connectives", "outcome_words", "result_words", "change_cues", "action_words",
    "complete_actions", "keep_phrases", "generic_changes", "generic_phrases", "generic_words",
    "refusal_markers",
)


#: lists looked up word by word, so they take single words only
SINGLE_WORD_LISTS: tuple[str, ...] = ("action_words", "generic_words")


# --------------------------------------------------------------------------- rubric.toml


class ScoreSection(Strict):
    points_per_note: float = Field(default=1.0, gt=0, le=100)


class ElementSection(Strict):
    label: str = Field(min_length=1, max_length=60)
    weight: float = Field(ge=0, le=100)
    hint: str = Field(min_length=10, max_length=200)

    @field_validator("hint")
    @classmethod
    def _one_line(cls, hint: str) -> str:
        if "\n" in hint:
            raise ValueError("a hint is one line")
        return hint


class SettingsSection(Strict):
    taxonomy_fields: list[str] = Field(default_factory=lambda: ["harmful"])
    min_specific_words: float = Field(default=2, ge=0)
    other_word_weight: float = Field(default=0.5, ge=0, le=1)
    min_specific_words_without_case: int = Field(default=3, ge=0)
    min_problem_words: float = Field(default=2, ge=0)
    min_why_words: int = Field(default=3, ge=0)
    min_why_case_words: int = Field(default=1, ge=0)
    min_why_words_any: int = Field(default=4, ge=0)
    min_outcome_words: int = Field(default=2, ge=1)
    list_words_credit: float = Field(default=1, ge=0)
    max_note_chars: int = Field(default=6000, ge=100, le=1_000_000)
    min_change_words: int = Field(default=1, ge=0)
    taxonomy_cues: bool = True

    @field_validator("taxonomy_fields")
    @classmethod
    def _known_fields(cls, fields: list[str]) -> list[str]:
        known = {"definition", "harmful", "fine", "over_refusal_traps"}
        bad = [f for f in fields if f not in known]
        if bad:
            raise ValueError(f"unknown taxonomy field(s) {bad}; expected some of {sorted(known)}")
        return fields


def _plain_phrases(cls: type, phrases: list[str]) -> list[str]:
    for phrase in phrases:
        if not phrase.strip():
            raise ValueError("a phrase is empty")
        if phrase.strip() == "*" or any("*" in word.rstrip("*") for word in phrase.split()):
            raise ValueError(f"{phrase!r}: '*' may only end a word or stand for one word")
    return phrases


def _single_words(cls: type, words: list[str]) -> list[str]:
    for word in words:
        if len(word.split()) > 1:
            raise ValueError(f"{word!r}: this list takes single words")
    return words


#: one list[str] field per phrase list, built from :data:`PHRASE_LISTS`
PhrasesSection = create_model(
    "PhrasesSection",
    __base__=Strict,
    __validators__={
        "plain": field_validator("*")(classmethod(_plain_phrases)),
        "single": field_validator(*SINGLE_WORD_LISTS)(classmethod(_single_words)),
    },
    # one field per phrase list, made at run time: no create_model overload types a built dict
    **{name: (list[str], ...) for name in PHRASE_LISTS},  # type: ignore[call-overload]
)


class Elements(Strict):
    problem: ElementSection
    why: ElementSection
    change: ElementSection
    vague: ElementSection


class ModelSection(Strict):
    elements: list[str] = Field(default_factory=list)
    file: str = Field(default="feedback_model.json", pattern=r"^[\w.-]+\.json$")
    c: float = Field(default=4.0, gt=0)
    max_n: int = Field(default=2, ge=1, le=3)

    @field_validator("elements")
    @classmethod
    def _known_elements(cls, elements: list[str]) -> list[str]:
        bad = [e for e in elements if e not in ("problem", "why", "change")]
        if bad:
            raise ValueError(f"unknown element(s) {bad}; the model can back problem, why or change")
        return elements


class RubricFile(Strict):
    score: ScoreSection = Field(default_factory=ScoreSection)
    element: Elements
    settings: SettingsSection = Field(default_factory=SettingsSection)
    model: ModelSection = Field(default_factory=ModelSection)
    phrases: PhrasesSection  # type: ignore[valid-type]  # built by create_model from PHRASE_LISTS


@dataclass(frozen=True)
class ElementRule:
    label: str
    weight: float
    hint: str


@dataclass
class Rubric:
    """rubric.toml, validated and compiled for fast checking."""

    path: Path
    points_per_note: float
    elements: dict[str, ElementRule]
    settings: SettingsSection
    model: ModelSection
    phrases: dict[str, PhraseSet]
    generic_words: WordSet
    risk_words: Vocabulary
    taxonomy_words: WordSet
    act_words: Vocabulary
    verdict_words: Vocabulary
    outcome_words: Vocabulary
    result_words: Vocabulary
    action_words: WordSet

    @property
    def total_weight(self) -> float:
        return sum(rule.weight for rule in self.elements.values())



def _taxonomy_words(fields: list[str]) -> list[str]:
    """Words of the taxonomy's descriptions (its ``harmful`` texts by default): risk vocabulary."""
    data, _, _ = load_toml(datasets_dir() / "taxonomy.toml")
    if data is None:
        return []  # `safetyrater validate` reports a broken taxonomy; the coach still runs
    words: set[str] = set()
    for category in data.get("category", []):
        for name in fields:
            value = category.get(name) if isinstance(category, dict) else None
            if isinstance(value, str):
                words.update(tokenise(normalise(value)))
    return sorted(words)


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Read, validate and compile rubric.toml; every problem names the file and the field.

    The compiled rubric is kept until the file changes, so an instructor's
    edit shows at the next check, even in a running notebook."""
    path = graders_file(RUBRIC_FILE) if path is None else Path(path).resolve()
    return _load_rubric(path, *file_version(path))


def graders_file(name: str) -> Path:
    """A file of the course's ``graders/``, resolved once per course root (resolving is the slow part of a check)."""
    return _graders_file(os.environ.get(ROOT_ENV, ""), name)


@lru_cache(maxsize=8)
def _graders_file(root: str, name: str) -> Path:
    return (graders_dir() / name).resolve()


def file_version(path: Path) -> tuple[int, int]:
    """What changes when the file does (modification time and size): a cache key."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)  # reported by the loader
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_rubric(path: Path, *version: int) -> Rubric:
    parsed = read_toml_model(path, RubricFile, "rubric file")
    sections = {name: getattr(parsed.element, name) for name in ELEMENTS}
    if sum(section.weight for section in sections.values()) <= 0:
        raise DataError([Problem(path, None, "element", "at least one element needs a weight above 0")])
    phrases: Any = parsed.phrases
    generic = WordSet(phrases.generic_words)
    taxonomy = [w for w in _taxonomy_words(parsed.settings.taxonomy_fields) if w not in STOPWORDS and w not in generic]
    compiled = {
        name: PhraseSet(getattr(phrases, name))
        for name in ("over_refusal", "why_connectives", "change_cues", "keep_phrases", "generic_changes",
                     "generic_phrases", "complete_actions", "response_subjects", "refusal_markers")
    }
    compiled["refusal_subject_start"] = PhraseSet(phrases.refusal_subjects, anchored=True)
    compiled["response_subject_start"] = PhraseSet(phrases.response_subjects, anchored=True)
    return Rubric(
        path=path,
        points_per_note=parsed.score.points_per_note,
        elements={name: ElementRule(s.label, s.weight, s.hint) for name, s in sections.items()},
        settings=parsed.settings,
        model=parsed.model,
        phrases=compiled,
        generic_words=generic,
        risk_words=Vocabulary(phrases.risk_words),
        taxonomy_words=WordSet(taxonomy),
        act_words=Vocabulary(phrases.act_words),
        verdict_words=Vocabulary(phrases.verdict_words),
        outcome_words=Vocabulary(phrases.outcome_words),
        result_words=Vocabulary(phrases.result_words),
        action_words=WordSet(phrases.action_words),
    )
