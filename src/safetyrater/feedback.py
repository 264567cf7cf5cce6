"""The feedback-writing coach: a rubric check of a written note.

A good note names the problem, explains why it is a problem and says what
should change; a vague note ("this seems risky") is the failure the course
exists to remove. :func:`check_note` judges the four rubric elements with
transparent rules over phrase lists in ``graders/rubric.toml`` and the words
of the taxonomy, and returns each element with the words that triggered it or
a one-line hint of what is missing, plus a score between 0 and 1.

Rules rather than a trained model, so that every decision can be shown to a
learner and tuned by an instructor in a text file (see README, "The feedback
coach"). The same function backs the rating cards' instant check, nbgrader's
written-feedback cell and ``safetyrater feedback check``.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .paths import datasets_dir, graders_dir

RUBRIC_FILE = "rubric.toml"
ELEMENTS: tuple[str, ...] = ("problem", "why", "change", "vague")

# Function words: never evidence of anything.
STOPWORDS = frozenset(
    """a about above after again against all am an and are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he her here hers herself him
    himself his how i if in into is isn't it it's its itself just let's me more most my myself no nor not of
    off on once only or other ought our ours ourselves out over own same she should shouldn't so some such
    than that that's the their theirs them themselves then there there's these they they're this those
    through to too under until up very was wasn't we were weren't what when where which while who whom why
    will with won't would wouldn't you your yours yourself also still even ever may might must shall
    per via whether either neither upon onto within without""".split()
)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - "})
_TOKEN = re.compile(r"[a-z0-9$]+(?:['.\-/+][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+")
_CLAUSE_SPLIT = re.compile(r",|\b(?:and|or|but|then|so)\b")
_NEGATED = re.compile(r"\b(?:instead of|rather than|should not have|shouldn't have|should never have|not)\b\s*(.*)$")


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, ``she'd`` as ``she would``, single spaces."""
    text = text.translate(_QUOTES).lower()
    text = re.sub(r"\b(i|you|he|she|it|we|they|someone|anyone)'d\b", r"\1 would", text)
    return re.sub(r"[ \t]+", " ", text).strip()


# --------------------------------------------------------------------------- rubric


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
    """A phrase list compiled into one case-insensitive whole-word pattern."""

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
    """Single words with optional trailing ``*``: an exact set plus prefixes, for fast token lookups."""

    def __init__(self, words: list[str]):
        self.exact = frozenset(w.lower() for w in words if not w.endswith("*"))
        self.prefixes = tuple(w[:-1].lower() for w in words if w.endswith("*"))

    def __contains__(self, token: str) -> bool:
        return token in self.exact or (bool(self.prefixes) and token.startswith(self.prefixes))


class Vocabulary:
    """A word list that may hold phrases: single words looked up per token, phrases matched in the text."""

    def __init__(self, entries: list[str]):
        self.words = WordSet([e for e in entries if " " not in e.strip()])
        self.phrases = PhraseSet([e for e in entries if " " in e.strip()])

    def hits(self, tokens: list[str], text: str) -> list[str]:
        return [t for t in tokens if t in self.words] + [m.group(0) for m in self.phrases.find(text)]


def _models() -> dict[str, type]:
    """The pydantic models of rubric.toml, built on first use (pydantic is heavy)."""
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    class ScoreSection(_Strict):
        points_per_note: float = Field(default=1.0, gt=0)

    class ElementSection(_Strict):
        label: str = Field(min_length=1, max_length=60)
        weight: float = Field(ge=0)
        hint: str = Field(min_length=10, max_length=200)

        @field_validator("hint")
        @classmethod
        def _one_line(cls, hint: str) -> str:
            if "\n" in hint:
                raise ValueError("a hint is one line")
            return hint

    class SettingsSection(_Strict):
        taxonomy_fields: list[str] = Field(default_factory=lambda: ["harmful"])
        min_specific_words: int = Field(default=3, ge=0)
        min_problem_words: int = Field(default=2, ge=0)
        min_why_words: int = Field(default=3, ge=0)
        min_change_words: int = Field(default=1, ge=0)
        min_outcome_words: int = Field(default=2, ge=1)

        @field_validator("taxonomy_fields")
        @classmethod
        def _known_fields(cls, fields: list[str]) -> list[str]:
            known = {"definition", "harmful", "fine", "over_refusal_traps"}
            bad = [f for f in fields if f not in known]
            if bad:
                raise ValueError(f"unknown taxonomy field(s) {bad}; expected some of {sorted(known)}")
            return fields

    PhraseList = list[str]

    class PhrasesSection(_Strict):
        over_refusal: PhraseList
        risk_words: PhraseList
        act_words: PhraseList
        verdict_words: PhraseList
        why_connectives: PhraseList
        outcome_words: PhraseList
        change_cues: PhraseList
        action_words: PhraseList
        complete_actions: PhraseList
        refusal_subjects: PhraseList
        response_subjects: PhraseList
        keep_phrases: PhraseList
        generic_changes: PhraseList
        generic_phrases: PhraseList
        generic_words: PhraseList

        @field_validator("*")
        @classmethod
        def _plain_phrases(cls, phrases: list[str]) -> list[str]:
            for phrase in phrases:
                if not phrase.strip():
                    raise ValueError("a phrase is empty")
                if any("*" in word.rstrip("*") for word in phrase.split()) or phrase.strip() == "*":
                    raise ValueError(f"{phrase!r}: '*' may only end a word")
            return phrases

    class Elements(_Strict):
        problem: ElementSection
        why: ElementSection
        change: ElementSection
        vague: ElementSection

    class RubricFile(_Strict):
        score: ScoreSection = Field(default_factory=ScoreSection)
        element: Elements
        settings: SettingsSection = Field(default_factory=SettingsSection)
        phrases: PhrasesSection

    return {"RubricFile": RubricFile}


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
    settings: Any
    phrases: dict[str, PhraseSet]
    generic_words: WordSet
    risk_words: Vocabulary
    taxonomy_words: WordSet
    act_words: Vocabulary
    action_words: WordSet
    outcome_words: Vocabulary
    verdict_words: Vocabulary

    @property
    def total_weight(self) -> float:
        return sum(rule.weight for rule in self.elements.values())


def rubric_path() -> Path:
    return graders_dir() / RUBRIC_FILE


def _taxonomy_words(fields: list[str]) -> list[str]:
    """Words of the taxonomy's descriptions (e.g. its ``harmful`` texts): the risk vocabulary."""
    path = datasets_dir() / "taxonomy.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []  # `safetyrater validate` reports a broken taxonomy; the coach still runs
    words: set[str] = set()
    for category in data.get("category", []):
        for name in fields:
            value = category.get(name)
            if isinstance(value, str):
                words.update(_TOKEN.findall(normalise(value)))
    return sorted(words)


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Read and validate rubric.toml; every problem names the file and the field."""
    path = Path(path) if path is not None else rubric_path()
    return _load_rubric(path.resolve())


@lru_cache(maxsize=8)
def _load_rubric(path: Path) -> Rubric:
    from pydantic import ValidationError

    from .casebank import toml_problem

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(path, None, None, "rubric file not found")]) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise DataError([Problem(path, None, None, f"cannot read rubric file ({exc})")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError([toml_problem(path, exc)]) from None
    try:
        parsed = _models()["RubricFile"].model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = {"extra_forbidden": "unknown field", "missing": "required field is missing"}.get(
                error["type"], error["msg"]
            )
            problems.append(Problem(path, None, ".".join(map(str, error["loc"])) or None, message))
        raise DataError(problems) from None
    if sum(e.weight for e in (parsed.element.problem, parsed.element.why, parsed.element.change, parsed.element.vague)) <= 0:
        raise DataError([Problem(path, None, "element", "at least one element needs a weight above 0")])
    phrases = parsed.phrases
    generic = WordSet(phrases.generic_words)
    taxonomy = [w for w in _taxonomy_words(parsed.settings.taxonomy_fields) if w not in STOPWORDS and w not in generic]
    return Rubric(
        path=path,
        points_per_note=parsed.score.points_per_note,
        elements={
            name: ElementRule(section.label, section.weight, section.hint)
            for name, section in parsed.element.__dict__.items()
        },
        settings=parsed.settings,
        phrases={
            name: PhraseSet(getattr(phrases, name))
            for name in ("over_refusal", "why_connectives", "change_cues", "keep_phrases",
                         "generic_changes", "generic_phrases", "complete_actions")
        }
        | {
            name: PhraseSet(getattr(phrases, name), anchored=True)
            for name in ("refusal_subjects", "response_subjects")
        },
        generic_words=generic,
        risk_words=Vocabulary(phrases.risk_words),
        taxonomy_words=WordSet(taxonomy),
        act_words=Vocabulary(phrases.act_words),
        action_words=WordSet(phrases.action_words),
        outcome_words=Vocabulary(phrases.outcome_words),
        verdict_words=Vocabulary(phrases.verdict_words),
    )


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class ElementCheck:
    """One rubric element: did the note earn it, which words show it, what is missing."""

    name: str
    passed: bool
    evidence: tuple[str, ...] = ()
    hint: str | None = None


@dataclass(frozen=True)
class NoteCheck:
    """The rubric check of one note. ``vague.passed`` is True when the note IS vague."""

    problem: ElementCheck
    why: ElementCheck
    change: ElementCheck
    vague: ElementCheck
    score: float
    text: str = field(default="", repr=False)

    def element(self, name: str) -> ElementCheck:
        return getattr(self, name)

    @property
    def hints(self) -> list[str]:
        """One-line hints for what the note is missing, in rubric order."""
        return [check.hint for check in (self.problem, self.why, self.change, self.vague) if check.hint]

    def to_dict(self) -> dict[str, Any]:
        return {
            "problem": self.problem.passed,
            "why": self.why.passed,
            "change": self.change.passed,
            "vague": self.vague.passed,
            "score": self.score,
            "hints": self.hints,
            "evidence": {name: list(self.element(name).evidence) for name in ELEMENTS},
        }


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _specific(tokens: list[str], rubric: Rubric) -> list[str]:
    """Tokens that carry content: not function words, not generic evaluation vocabulary."""
    return [
        t
        for t in tokens
        if t not in STOPWORDS and t not in rubric.generic_words and (len(t) > 2 or any(c.isdigit() for c in t))
    ]


def _strip_generic(text: str, rubric: Rubric) -> str:
    return rubric.phrases["generic_phrases"].pattern.sub(" ", text)


@dataclass
class _Sentence:
    text: str
    diagnoses: list[str] = field(default_factory=list)  # what the note says the response did, or why it is right
    consequences: list[str] = field(default_factory=list)  # what follows a why-connective
    change: str = ""  # what follows a change cue, or the whole of an imperative
    negated: str = ""  # "instead of X", "not X" inside a change: X names the problem


_CLAUSE_BREAK = re.compile(r":\s+|,\s+(?:and|but|while|whereas)\s+")
_MODALS = ("could", "would", "can", "might", "may", "will")


def _parse(sentence: str, rubric: Rubric) -> _Sentence:
    """Split a sentence into its proposed change and, before it, diagnoses and consequences."""
    parsed = _Sentence(sentence)
    tokens = _tokens(sentence)
    cue = rubric.phrases["change_cues"].first(sentence)
    first = tokens[0] if tokens else ""
    imperative = (
        first in rubric.action_words
        and not re.search(r"(ing|ed|s)$", first)
        and not re.match(r"\s*\w+(?::|\s+(?:is|are|was|were)\b)", sentence)
    )
    body = sentence
    if imperative:
        parsed.change, body = sentence, ""
    elif cue is not None:
        parsed.change, body = sentence[cue.start():], sentence[: cue.start()]
    if parsed.change:
        negated = _NEGATED.search(parsed.change)
        if negated:
            parsed.negated = negated.group(1)
        # "It should refuse, because a child could be hurt": a reason inside a change.
        offset = len(cue.group(0)) if cue is not None and not imperative else 0
        inner = rubric.phrases["why_connectives"].first(parsed.change[offset:])
        if inner is not None and inner.group(0) not in _MODALS:
            parsed.consequences.append(parsed.change[offset + inner.start():])
    for clause in _CLAUSE_BREAK.split(body):
        _split_clause(clause, parsed, rubric)
    return parsed


def _split_clause(clause: str, parsed: _Sentence, rubric: Rubric) -> None:
    """A why-connective splits a clause into a diagnosis and its consequence.

    A clause about what the response did stays a diagnosis as a whole ("it
    tells them they may skip rent"); a clause about what refusing does is a
    consequence ("refusing leaves a parent unable to…").
    """
    if not clause.strip():
        return
    refusal = rubric.phrases["refusal_subjects"].first(clause)
    subject = rubric.phrases["response_subjects"].first(clause)
    cut = rubric.phrases["why_connectives"].first(clause)
    if refusal is not None:
        parsed.diagnoses.append(clause[: refusal.end()])
        parsed.consequences.append(clause[refusal.end():])
    elif subject is not None and _acts_next(clause[subject.end():], rubric):
        parsed.diagnoses.append(clause)
        if cut is not None:
            parsed.consequences.append(clause[cut.start():])
    elif cut is None:
        parsed.diagnoses.append(clause)
    else:
        parsed.diagnoses.append(clause[: cut.start()])
        parsed.consequences.append(clause[cut.start():])


_ADVERBS = frozenset({"then", "also", "still", "just", "only", "even", "never", "simply", "actually", "instead", "now"})


def _acts_next(rest: str, rubric: Rubric) -> bool:
    """Does ``rest`` start with what the response did ("gives…", "also offers…")?"""
    words = _tokens(rest)[:2]
    if not words:
        return False
    if (words[0].endswith("ly") or words[0] in _ADVERBS) and len(words) > 1:
        words = words[1:]
    return words[0] in rubric.act_words.words


def _check_problem(sentences: list[_Sentence], text: str, rubric: Rubric) -> list[str]:
    """Evidence that the note names the problem (or why a good response is right)."""
    evidence = [m.group(0) for m in rubric.phrases["over_refusal"].find(text)]
    for sentence in sentences:
        for span in [*sentence.diagnoses, sentence.negated]:
            if not span.strip():
                continue
            span = _strip_generic(span, rubric)
            tokens = _tokens(span)
            specific = _specific(tokens, rubric)
            # A named risk ("stalkerware", "piracy") is enough on its own.
            risks = rubric.risk_words.hits(specific, span)
            if risks:
                evidence += risks
                continue
            # "…instead of X", "should not have X": X is what went wrong.
            if span == sentence.negated and specific:
                evidence += specific
                continue
            # Otherwise a cue (the response's act, a verdict, a word of the
            # taxonomy) needs enough specific words around it.
            cues = rubric.act_words.hits(tokens, span) + rubric.verdict_words.hits(tokens, span)
            cues = cues or [t for t in specific if t in rubric.taxonomy_words]
            content = [t for t in specific if t != cues[0]] if cues else []
            if cues and len(content) >= rubric.settings.min_problem_words:
                evidence += cues[:1] + content
    return _unique(evidence)


def _check_why(sentences: list[_Sentence], rubric: Rubric) -> list[str]:
    """Evidence that the note explains how harm comes about (or what a refusal costs)."""
    evidence: list[str] = []
    for sentence in sentences:
        # "Voters who believe it miss the real election day and lose their vote":
        # no connective needed when a clause names a chain of concrete outcomes.
        for clause in sentence.diagnoses + sentence.consequences:
            outcomes = _unique(rubric.outcome_words.hits(_tokens(clause), clause))
            if len(outcomes) >= rubric.settings.min_outcome_words:
                evidence += outcomes
        for consequence in sentence.consequences:
            connective = rubric.phrases["why_connectives"].first(consequence)
            outcomes = rubric.outcome_words.hits(_tokens(consequence), consequence)
            specific = _specific(_tokens(_strip_generic(consequence, rubric)), rubric)
            if outcomes or len(specific) >= rubric.settings.min_why_words:
                evidence += ([connective.group(0)] if connective else []) + (outcomes or specific)
    return _unique(evidence)


def _check_change(sentences: list[_Sentence], text: str, rubric: Rubric) -> list[str]:
    evidence = [m.group(0) for m in rubric.phrases["keep_phrases"].find(text)]
    for sentence in sentences:
        if not sentence.change:
            continue
        for clause in _CLAUSE_SPLIT.split(_strip_generic(sentence.change, rubric)):
            if rubric.phrases["generic_changes"].first(clause):
                continue
            tokens = _tokens(clause)
            for index, token in enumerate(tokens):
                # "…so refusing makes sense": a gerund describes, it does not propose
                if token not in rubric.action_words or token.endswith("ing"):
                    continue
                complete = rubric.phrases["complete_actions"].first(" ".join(tokens[index:]))
                objects = [t for t in tokens[index + 1:] if t not in STOPWORDS and t not in _EMPTY_OBJECTS]
                if complete or len(objects) >= rubric.settings.min_change_words:
                    cue = rubric.phrases["change_cues"].first(sentence.change)
                    evidence += ([cue.group(0)] if cue else []) + [token] + objects[:4]
                    break
    return _unique(evidence)


_EMPTY_OBJECTS = frozenset({"it", "this", "that", "things", "stuff", "thing", "so", "instead", "better"})


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip(" ,.;:")
        if item:
            seen.setdefault(item, None)
    return list(seen)


def check_note(text: str, case: Any = None, rubric: Rubric | None = None) -> NoteCheck:
    """Judge a written note against the rubric.

    ``case`` (a case or what a learner sees of it) is accepted so that callers
    pass what they have; the rules judge the note's own words, so a learner's
    card, nbgrader and the command line give the same result for the same text.
    """
    rubric = rubric or load_rubric()
    text = text if isinstance(text, str) else ""
    normal = normalise(text)
    sentences = [_parse(s, rubric) for s in _SENTENCE_END.split(normal) if s.strip()]
    found = {
        "problem": _check_problem(sentences, normal, rubric),
        "why": _check_why(sentences, rubric),
        "change": _check_change(sentences, normal, rubric),
    }
    specific = _specific(_tokens(_strip_generic(normal, rubric)), rubric)
    vague = len(set(specific)) < rubric.settings.min_specific_words
    checks = {
        name: ElementCheck(name, bool(words), tuple(words), None if words else rubric.elements[name].hint)
        for name, words in found.items()
    }
    checks["vague"] = ElementCheck(
        "vague", vague, tuple(_unique(specific)) if not vague else (), rubric.elements["vague"].hint if vague else None
    )
    earned = sum(rubric.elements[n].weight for n in ("problem", "why", "change") if checks[n].passed)
    earned += 0 if vague else rubric.elements["vague"].weight
    score = round(earned / rubric.total_weight, 4) if rubric.total_weight else 0.0
    return NoteCheck(score=score, text=text, **checks)
