"""The feedback-writing coach: a rubric check of a written note.

A good note names the problem, explains why it is a problem and says what
should change; a vague note ("this seems risky") is the failure the course
exists to remove. :func:`check_note` judges the four rubric elements with
transparent rules over the phrase lists of ``graders/rubric.toml`` and the
words of the taxonomy, and returns each element with the words that triggered
it or a one-line hint of what is missing, plus a score from 0 to 1.

Rules rather than a trained model, so that every decision can be shown to a
learner and tuned by an instructor in a text file (README, "The feedback
coach"). The same :func:`check_note` backs the rating cards' instant check,
nbgrader's written-feedback cell and ``safetyrater feedback check``.

How the rules read a note: it is split into sentences, and each sentence into
a proposed change (after "should", or an imperative such as "Refuse and…"),
diagnoses (what the response did: "it gives…", "tells him…") and consequences
(after a connective such as "because", "so", "could"). Then

* problem: a diagnosis names a specific risk, an over-refusal, or pairs a cue
  (what the response did, a verdict, a taxonomy word) with specific words;
* why: a consequence names a concrete outcome ("evicted", "lose their vote")
  or carries enough specific words;
* change: a change proposes an action with an object ("point them to…") or
  the note says what to keep;
* vague: too few specific words, counting words from the case in full and
  other uncommon words at a discount.
"""

from __future__ import annotations

import html
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..paths import ROOT_ENV, datasets_dir, graders_dir

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

_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - "})
_TOKEN = re.compile(r"[a-z0-9$]+(?:['.\-/+][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+")
# Inside a proposed change: one action per clause ("refuse, say why, and offer…").
_CHANGE_CLAUSES = re.compile(r",|\b(?:and|or|but|then|so)\b")
# Before a change: "X: Y" and "X, and Y" are separate clauses.
_CLAUSE_BREAK = re.compile(r":\s+|,\s+(?:and|but|while|whereas)\s+")
# What follows these inside a change is what the response did wrong.
_NEGATED = re.compile(r"\b(?:instead of|rather than|should not have|shouldn't have|should never have|not)\b\s*(.*)$")
# A quotation ('better off without me') is as specific as a note gets.
_QUOTED = re.compile(r"(?:^|(?<=[\s(]))['\"]([^'\"]{3,120}?)['\"](?=[\s.,;:!?)]|$)")
_MODALS = ("could", "would", "can", "might", "may", "will")
_PARTICIPLES = frozenset({"told", "kept", "made", "said", "sent", "done", "left", "stuck"})
_NOT_BEFORE = re.compile(r"(?:n't|\bnot|\bno)\s+$")
# "Note: …" labels a note; "Note the difference…" asks for something.
_LABEL_WORDS = frozenset({"note", "answer", "update", "edit", "summary"})
_PRONOUNS = frozenset({"it", "this", "that", "both", "neither"})
# Skipped between the response and its act: "it also offers", "it won't give", "it fails to warn".
_ADVERBS = frozenset({
    "then", "also", "still", "just", "only", "even", "never", "simply", "actually", "instead", "now",
    "won't", "doesn't", "didn't", "does", "did", "not", "can't", "cannot", "fails", "failed", "to",
})
_EMPTY_OBJECTS = frozenset({"it", "this", "that", "things", "stuff", "thing", "so", "instead", "better"})
_SUFFIXES = ("ations", "ation", "ing", "ers", "er", "ed", "es", "s", "ly", "al")


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, ``she'd`` as ``she would``, single spaces."""
    text = text.translate(_PLAIN).lower()
    text = re.sub(r"\b(i|you|he|she|it|we|they|someone|anyone)'d\b", r"\1 would", text)
    return re.sub(r"[ \t]+", " ", text).strip()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem, enough to match "training" in a note with "train" in a case."""
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


# --------------------------------------------------------------------------- the rubric


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
    "refusal_subjects", "why_connectives", "outcome_words", "change_cues", "action_words",
    "complete_actions", "keep_phrases", "generic_changes", "generic_phrases", "generic_words",
)


#: lists looked up word by word, so they take single words only
SINGLE_WORD_LISTS: tuple[str, ...] = ("action_words", "generic_words")


@lru_cache(maxsize=1)
def _rubric_model() -> type:
    """The pydantic model of rubric.toml, built on first use (pydantic is heavy to import)."""
    from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    class ScoreSection(_Strict):
        points_per_note: float = Field(default=1.0, gt=0, le=100)

    class ElementSection(_Strict):
        label: str = Field(min_length=1, max_length=60)
        weight: float = Field(ge=0, le=100)
        hint: str = Field(min_length=10, max_length=200)

        @field_validator("hint")
        @classmethod
        def _one_line(cls, hint: str) -> str:
            if "\n" in hint:
                raise ValueError("a hint is one line")
            return hint

    class SettingsSection(_Strict):
        taxonomy_fields: list[str] = Field(default_factory=lambda: ["harmful"])
        min_specific_words: float = Field(default=2, ge=0)
        other_word_weight: float = Field(default=0.5, ge=0, le=1)
        min_specific_words_without_case: int = Field(default=3, ge=0)
        min_problem_words: float = Field(default=2, ge=0)
        min_why_words: int = Field(default=3, ge=0)
        min_outcome_words: int = Field(default=2, ge=1)
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

    PhrasesSection = create_model(
        "PhrasesSection",
        __base__=_Strict,
        __validators__={
            "plain": field_validator("*")(classmethod(_plain_phrases)),
            "single": field_validator(*SINGLE_WORD_LISTS)(classmethod(_single_words)),
        },
        **{name: (list[str], ...) for name in PHRASE_LISTS},
    )

    class Elements(_Strict):
        problem: ElementSection
        why: ElementSection
        change: ElementSection
        vague: ElementSection

    class ModelSection(_Strict):
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

    class RubricFile(_Strict):
        score: ScoreSection = Field(default_factory=ScoreSection)
        element: Elements
        settings: SettingsSection = Field(default_factory=SettingsSection)
        model: ModelSection = Field(default_factory=ModelSection)
        phrases: PhrasesSection  # type: ignore[valid-type]

    return RubricFile


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
    model: Any
    phrases: dict[str, PhraseSet]
    generic_words: WordSet
    risk_words: Vocabulary
    taxonomy_words: WordSet
    act_words: Vocabulary
    verdict_words: Vocabulary
    outcome_words: Vocabulary
    action_words: WordSet

    @property
    def total_weight(self) -> float:
        return sum(rule.weight for rule in self.elements.values())


def _taxonomy_words(fields: list[str]) -> list[str]:
    """Words of the taxonomy's descriptions (its ``harmful`` texts by default): risk vocabulary."""
    try:
        data = tomllib.loads((datasets_dir() / "taxonomy.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # `safetyrater validate` reports a broken taxonomy; the coach still runs
    words: set[str] = set()
    for category in data.get("category", []):
        for name in fields:
            value = category.get(name) if isinstance(category, dict) else None
            if isinstance(value, str):
                words.update(_TOKEN.findall(normalise(value)))
    return sorted(words)


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Read, validate and compile rubric.toml; every problem names the file and the field.

    The compiled rubric is kept until the file changes, so an instructor's
    edit shows at the next check, even in a running notebook."""
    path = _course_file(os.environ.get(ROOT_ENV, ""), RUBRIC_FILE) if path is None else Path(path).resolve()
    return _load_rubric(path, *_version(path))


@lru_cache(maxsize=8)
def _course_file(root: str, name: str) -> Path:
    # resolved once per course root: resolving is the slow part of a check
    return (graders_dir() / name).resolve()


def _version(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)  # reported by the loader
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_rubric(path: Path, *version: int) -> Rubric:
    from ..bank.casebank import read_toml

    data = read_toml(path, "rubric file")
    parsed = _validated(_rubric_model(), data, path)
    sections = {name: getattr(parsed.element, name) for name in ELEMENTS}
    if sum(section.weight for section in sections.values()) <= 0:
        raise DataError([Problem(path, None, "element", "at least one element needs a weight above 0")])
    phrases = parsed.phrases
    generic = WordSet(phrases.generic_words)
    taxonomy = [w for w in _taxonomy_words(parsed.settings.taxonomy_fields) if w not in STOPWORDS and w not in generic]
    compiled = {
        name: PhraseSet(getattr(phrases, name))
        for name in ("over_refusal", "why_connectives", "change_cues", "keep_phrases", "generic_changes",
                     "generic_phrases", "complete_actions", "response_subjects")
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
        action_words=WordSet(phrases.action_words),
    )


def _validated(model: Any, data: dict[str, Any], path: Path) -> Any:
    """``data`` validated by a pydantic ``model``; every error becomes ``PATH:LINE: field: problem``."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        plain = {"extra_forbidden": "unknown field", "missing": "required field is missing"}
        raise DataError(
            [
                Problem(path, _line_of(e["loc"], path), ".".join(map(str, e["loc"])) or None, plain.get(e["type"], e["msg"]))
                for e in exc.errors()
            ]
        ) from None


def _line_of(loc: tuple[Any, ...], path: Path) -> int | None:
    """The line of the key a validation error points at (``element.why.weight``), if the file shows it."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    if not names:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    table, key = ".".join(names[:-1]), names[-1]
    in_table = not table
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
        elif in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    table = ".".join(str(part) for part in loc[:-1] if not isinstance(part, int))
    key = str(loc[-1]) if not isinstance(loc[-1], int) else str(loc[-2])
    in_table = not table
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[]") == table or (table.startswith(stripped.strip("[]") + ".") and False)
            continue
        if in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


# --------------------------------------------------------------------------- reading a note


def case_vocabulary(case: Any) -> frozenset[str]:
    """Stems of what a learner reads in a case: prompt, context and response(s)."""
    if case is None:
        return frozenset()
    key = (getattr(case, "id", ""), hash((getattr(case, "prompt", ""), getattr(case, "context", None))))
    found = _vocabulary_cache.get(key)
    if found is None:
        parts = [getattr(case, name, None) for name in ("prompt", "context", "response_a", "response_b")]
        segments = getattr(case, "segments", None)
        parts += list(segments) if segments else [getattr(case, "response", None)]
        text = normalise(" ".join(p for p in parts if isinstance(p, str)))
        tokens = _TOKEN.findall(text)
        found = frozenset(stem(t) for t in tokens + [p for t in tokens if "-" in t for p in t.split("-")])
        if len(_vocabulary_cache) > 4096:
            _vocabulary_cache.clear()
        _vocabulary_cache[key] = found
    return found


_vocabulary_cache: dict[tuple[str, int], frozenset[str]] = {}


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
    diagnoses: list[str] = field(default_factory=list)  # what the response did, or why it is right
    consequences: list[str] = field(default_factory=list)  # what follows a why-connective
    change: str = ""  # from a change cue on, or the whole of an imperative
    named: list[tuple[str, int]] = field(default_factory=list)  # "instead of X", "keep X": X, words needed
    refusal_cost: str = ""  # "refusing" in "Refusing leaves…"


def _parse(sentence: str, rubric: Rubric) -> _Sentence:
    """Split a sentence into its proposed change and, before it, diagnoses and consequences."""
    parsed = _Sentence(sentence)
    tokens = _tokens(sentence)
    cue = next((m for m in rubric.phrases["change_cues"].find(sentence) if _proposes(sentence, m, rubric)), None)
    first = tokens[0] if tokens else ""
    imperative = (
        first in rubric.action_words
        and not re.search(r"(ing|ed|en|s)$", first)
        and first not in _PARTICIPLES
        and not re.match(r"\s*\w+\s+(?:is|are|was|were)\b", sentence)
        and not (first in _LABEL_WORDS and re.match(r"\s*\w+:", sentence))
    )
    body = sentence
    if imperative:
        parsed.change, body = sentence, ""
    elif cue is not None:
        parsed.change, body = sentence[cue.start():], sentence[: cue.start()]
    if parsed.change:
        negated = _NEGATED.search(parsed.change)
        if negated:
            parsed.named.append((negated.group(1), 1))
        # "Keep the direct question about safety" names what is right (imperative or "should keep")
        kept = re.match(r"\W*(?:\w+\s+){0,2}?keep\b(.*)$", parsed.change)
        if kept:
            parsed.named.append((kept.group(1), 0))
        # "It should refuse, because a child could be hurt": a reason inside a change.
        offset = len(cue.group(0)) if cue is not None and not imperative else 0
        inner = rubric.phrases["why_connectives"].first(parsed.change[offset:])
        if inner is not None and inner.group(0) not in _MODALS:
            parsed.consequences.append(parsed.change[offset + inner.start():])
    for clause in _CLAUSE_BREAK.split(body):
        _split_clause(clause, parsed, rubric)
    return parsed


def _proposes(sentence: str, cue: re.Match[str], rubric: Rubric) -> bool:
    """Is this change cue a proposal? Not in "staff don't need to know…", nor
    in "a refusal could have taken that from them" (a counterfactual harm)."""
    if _NOT_BEFORE.search(sentence[: cue.start()]):
        return False
    if cue.group(0) == "could have":
        following = _tokens(sentence[cue.end():])[:1]
        return bool(following) and following[0] in rubric.action_words
    return True


def _split_clause(clause: str, parsed: _Sentence, rubric: Rubric) -> None:
    """A why-connective splits a clause into a diagnosis and its consequence.

    A clause about what the response did stays a diagnosis as a whole ("it
    tells them they may skip rent"); a clause about what refusing does is a
    consequence ("refusing leaves a parent unable to…").
    """
    if not clause.strip():
        return
    refusal = rubric.phrases["refusal_subject_start"].first(clause)
    if refusal is not None and not re.match(r"\s+(?:\w+s|could|would|can|may|might|will|is|was)\b", clause[refusal.end():]):
        refusal = None  # "refusing a parent who…": a gerund with an object, not a subject
    if refusal is not None:
        parsed.diagnoses.append(clause[: refusal.end()])
        parsed.consequences.append(clause[refusal.end():])
        parsed.refusal_cost = refusal.group(0).strip(" ,.;:")
        return
    # "Given that…, the response is a plan for…": the diagnosis runs from the response's act.
    for subject in rubric.phrases["response_subjects"].find(clause):
        pronoun = subject.group(0) in _PRONOUNS
        if not _acts_next(clause[subject.end():], rubric, named=not pronoun):
            continue
        before = clause[: subject.start()]
        if pronoun and rubric.phrases["why_connectives"].first(before):
            break  # "…so they could act on it": the pronoun sits inside a consequence
        if before.strip():
            _split_clause_plain(before, parsed, rubric)
        rest = clause[subject.start():]
        parsed.diagnoses.append(rest)
        cut = rubric.phrases["why_connectives"].first(rest)
        if cut is not None:
            parsed.consequences.append(rest[cut.start():])
        return
    _split_clause_plain(clause, parsed, rubric)


def _split_clause_plain(clause: str, parsed: _Sentence, rubric: Rubric) -> None:
    cut = rubric.phrases["why_connectives"].first(clause)
    if cut is None:
        parsed.diagnoses.append(clause)
    else:
        parsed.diagnoses.append(clause[: cut.start()])
        parsed.consequences.append(clause[cut.start():])


def _acts_next(rest: str, rubric: Rubric, named: bool = True) -> str | None:
    """The act ``rest`` starts with ("gives…", "also offers…"), if it does.

    After a named subject ("the response", "response B") any verb counts;
    after a pronoun ("it") only the act words do: in "anyone who trusts it
    stays home", "it" is not the one acting."""
    words = _tokens(rest)[:4]
    while len(words) > 1 and (words[0].endswith("ly") or words[0] in _ADVERBS):
        words = words[1:]
    if not words:
        return None
    verb = words[0]
    # any verb in the present or past ("fixes", "approved", "is") after the response is its act
    if verb in rubric.act_words.words:
        return verb
    if named and (verb in ("is", "was") or re.fullmatch(r"[a-z]{3,}(?<!s)s|[a-z]{3,}ed", verb)):
        return verb
    return None


def _acts(span: str, tokens: list[str], rubric: Rubric) -> list[str]:
    """What the response did, by its grammar: a clause that opens with an act
    ("Gives…", "Telling a student…") or an act right after the response ("the
    answer explains…"). "The user asked…" is not the response's act."""
    found = []
    if tokens and tokens[0] in rubric.act_words.words:
        found.append(tokens[0])
    for subject in rubric.phrases["response_subjects"].find(span):
        act = _acts_next(span[subject.end():], rubric, named=subject.group(0) not in _PRONOUNS)
        if act:
            found.append(act)
    return found + [m.group(0) for m in rubric.act_words.phrases.find(span)]


def _quotes(text: str) -> list[str]:
    return [m.group(1).strip() for m in _QUOTED.finditer(text)]


# --------------------------------------------------------------------------- the four elements


def _check_problem(sentences: list[_Sentence], text: str, rubric: Rubric, vocabulary: frozenset[str] | None) -> list[str]:
    """Evidence that the note names the problem, or precisely why a good response is right."""
    evidence = [m.group(0) for m in rubric.phrases["over_refusal"].find(text)]
    settings = rubric.settings
    for sentence in sentences:
        # "Wrong: deadlines vary by state", "It ignores the danger: attackers try…":
        # a cue that found too little carries to the next clause
        carried: list[str] = []
        for span in sentence.diagnoses:
            quotes = _quotes(span)
            tokens = _tokens(span)
            cues = carried + _acts(span, tokens, rubric) + rubric.verdict_words.hits(tokens, span)
            span = _strip_generic(span, rubric)
            tokens = _tokens(span)
            specific = _specific(tokens, rubric)
            # A named risk ("stalkerware", "piracy") is enough on its own.
            risks = rubric.risk_words.hits(specific, span)
            if risks:
                evidence += risks
                continue
            # Otherwise a cue (what the response did, a verdict, a taxonomy
            # word) needs enough specific words beside it; a quotation counts.
            if settings.taxonomy_cues:
                cues = cues or [t for t in specific if t in rubric.taxonomy_words]
            content = [t for t in specific if not cues or t != cues[0]] + quotes
            if cues and _weight(content, quotes, vocabulary, rubric) >= settings.min_problem_words:
                evidence += cues[:1] + [f"'{q}'" for q in quotes] + [t for t in content if t not in quotes]
                carried = []
            else:
                carried = cues[:1]
        # "Refusing leaves a parent unable to…": the refusal is the problem.
        if sentence.refusal_cost and _check_why([_Sentence("", consequences=sentence.consequences)], rubric):
            evidence.append(sentence.refusal_cost)
        # "…instead of X", "should not have X", "keep X": X names what went wrong or right.
        for span, needed in sentence.named:
            span = re.split(r",|;|\b(?:so|because|since|which)\b", span)[0]
            content = [
                t for t in _specific(_tokens(_strip_generic(span, rubric)), rubric)
                if t not in rubric.act_words.words and t not in rubric.action_words
            ]
            if len(content) >= (needed or settings.min_problem_words):
                evidence += content
    return _unique(evidence)


def _check_why(sentences: list[_Sentence], rubric: Rubric) -> list[str]:
    """Evidence that the note explains how harm comes about, or what a refusal costs."""
    evidence: list[str] = []
    for sentence in sentences:
        # "Voters who believe it miss the real election day and lose their
        # vote": no connective needed for a chain of concrete outcomes. A
        # description of the response ("Gives an overdose method…") is not one.
        outcomes: list[str] = []
        for clause in sentence.diagnoses + sentence.consequences:
            if not _acts(clause, _tokens(clause), rubric):
                outcomes += rubric.outcome_words.hits(_tokens(clause), clause)
        if len(set(outcomes)) >= rubric.settings.min_outcome_words:
            evidence += outcomes
        for consequence in sentence.consequences:
            connective = rubric.phrases["why_connectives"].first(consequence)
            outcomes = rubric.outcome_words.hits(_tokens(consequence), consequence)
            specific = _specific(_tokens(_strip_generic(consequence, rubric)), rubric)
            if outcomes or len(specific) >= rubric.settings.min_why_words:
                evidence += ([connective.group(0)] if connective else []) + (outcomes or specific)
    return _unique(evidence)


def _check_change(sentences: list[_Sentence], text: str, rubric: Rubric) -> list[str]:
    """Evidence that the note says what the response should do instead, or what to keep."""
    evidence = [m.group(0) for m in rubric.phrases["keep_phrases"].find(text)]
    for sentence in sentences:
        if not sentence.change:
            continue
        cue = rubric.phrases["change_cues"].first(sentence.change)
        proposal = sentence.change[cue.end():] if cue is not None and cue.start() == 0 else sentence.change
        for clause in _CHANGE_CLAUSES.split(_strip_generic(proposal, rubric)):
            if rubric.phrases["generic_changes"].first(clause):
                continue  # "be more careful", "follow the guidelines"
            tokens = _tokens(clause)
            for index, token in enumerate(tokens):
                # "…so refusing makes sense": a gerund describes, it does not propose
                if token not in rubric.action_words or token.endswith("ing"):
                    continue
                complete = rubric.phrases["complete_actions"].first(" ".join(tokens[index:]))
                objects = [t for t in tokens[index + 1:] if t not in STOPWORDS and t not in _EMPTY_OBJECTS]
                if complete or len(objects) >= rubric.settings.min_change_words:
                    evidence += ([cue.group(0)] if cue else []) + [token] + objects[:4]
                    break
    return _unique(evidence)


def _from_case(word: str, vocabulary: frozenset[str], rubric: Rubric) -> bool:
    """Is this word about the case: in its text, or in the kit's risk and outcome vocabulary?"""
    return (
        stem(word) in vocabulary
        or word in rubric.risk_words.words
        or word in rubric.taxonomy_words
        or word in rubric.outcome_words.words
        or any(c.isdigit() for c in word)
        or ("-" in word and any(stem(part) in vocabulary for part in word.split("-")))
    )


def _weight(words: list[str], quotes: list[str], vocabulary: frozenset[str] | None, rubric: Rubric) -> float:
    """How specific these words are: words about the case count 1, others ``other_word_weight``.

    Without the case every word counts 1 (and the thresholds for a note
    without a case apply)."""
    if vocabulary is None:
        return float(len(words))
    about = sum(1 for w in words if w in quotes or _from_case(w, vocabulary, rubric))
    return about + rubric.settings.other_word_weight * (len(words) - about)


def _check_specific(text: str, case: Any, rubric: Rubric) -> tuple[bool, list[str]]:
    """Is the note vague? Specific words from the case count in full, other uncommon words at a discount."""
    quotes = _quotes(text)
    specific = _unique(_specific(_tokens(_strip_generic(text, rubric)), rubric))
    settings = rubric.settings
    if case is None:
        return len(specific) + len(quotes) < settings.min_specific_words_without_case, specific
    vocabulary = case_vocabulary(case)
    from_case = [w for w in specific if _from_case(w, vocabulary, rubric)]
    weight = len(from_case) + len(quotes) + settings.other_word_weight * (len(specific) - len(from_case))
    return weight < settings.min_specific_words, from_case + [w for w in specific if w not in from_case]


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip(" ,.;:")
        if item:
            seen.setdefault(item, None)
    return list(seen)


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class ElementCheck:
    """One rubric element: did the note earn it, which words show it, what is missing."""

    name: str
    passed: bool
    evidence: tuple[str, ...] = ()
    hint: str | None = None
    #: what found it: "rules" (phrase lists and taxonomy) or "model" (the learned model)
    source: str | None = None


@dataclass(frozen=True)
class NoteCheck:
    """The rubric check of one note. ``vague.passed`` is True when the note IS vague."""

    problem: ElementCheck
    why: ElementCheck
    change: ElementCheck
    vague: ElementCheck
    score: float

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


class _Ignored:
    """Words not worth showing as the model's evidence: function words and generic ones."""

    def __init__(self, rubric: Rubric):
        self.rubric = rubric

    def __contains__(self, word: str) -> bool:
        return word in STOPWORDS or word in self.rubric.generic_words or len(word) < 3


def check_note(text: str, case: Any = None, rubric: Rubric | None = None) -> NoteCheck:
    """Judge a written note against the rubric.

    ``case`` is the case the note is about (a full case or what a learner sees
    of it: only its prompt, context and response are read, so a learner's card
    and nbgrader agree). Without it, vagueness is judged from the note alone.
    """
    rubric = rubric or load_rubric()
    normal = normalise(text if isinstance(text, str) else "")
    sentences = [_parse(s, rubric) for s in _SENTENCE_END.split(normal) if s.strip()]
    vocabulary = case_vocabulary(case) if case is not None else None
    found = {
        "problem": _check_problem(sentences, normal, rubric, vocabulary),
        "why": _check_why(sentences, rubric),
        "change": _check_change(sentences, normal, rubric),
    }
    sources = {name: "rules" for name, words in found.items() if words}
    if rubric.model.elements:
        from .model import load_model

        models = load_model(_course_file(os.environ.get(ROOT_ENV, ""), rubric.model.file))
        for name in rubric.model.elements:
            if not found[name]:
                hit, words = models[name].predict(text if isinstance(text, str) else "", _Ignored(rubric))
                # No evidence, no credit: a decision resting only on function
                # words ("a", "the", "on") cannot be shown to a learner.
                if hit and words:
                    found[name], sources[name] = words, "model"
    checks = {
        name: ElementCheck(name, bool(words), tuple(words[:8]), None if words else rubric.elements[name].hint, sources.get(name))
        for name, words in found.items()
    }
    vague, specific = _check_specific(normal, case, rubric)
    checks["vague"] = ElementCheck("vague", vague, tuple(specific[:8]), rubric.elements["vague"].hint if vague else None)
    earned = sum(rubric.elements[name].weight for name in ("problem", "why", "change") if checks[name].passed)
    earned += 0.0 if vague else rubric.elements["vague"].weight
    return NoteCheck(score=round(earned / rubric.total_weight, 4), **checks)


# --------------------------------------------------------------------------- the comment bank

COMMENT_BANK_FILE = "comment_bank.toml"


def load_comment_bank(path: Path | str | None = None) -> dict[str, dict[str, list[str]]]:
    """graders/comment_bank.toml: for each element, ``missing`` and ``met`` comments."""
    path = _course_file(os.environ.get(ROOT_ENV, ""), COMMENT_BANK_FILE) if path is None else Path(path).resolve()
    return _load_comment_bank(path, *_version(path))


@lru_cache(maxsize=4)
def _load_comment_bank(path: Path, *version: int) -> dict[str, dict[str, list[str]]]:
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    from ..bank.casebank import read_toml

    class Comments(BaseModel):
        model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
        missing: list[str] = Field(min_length=1)
        met: list[str] = Field(min_length=1)

        @field_validator("missing", "met")
        @classmethod
        def _one_line(cls, comments: list[str]) -> list[str]:
            for comment in comments:
                if not comment.strip() or "\n" in comment.strip():
                    raise ValueError("each comment is one non-empty line")
            return comments

    class Bank(BaseModel):
        model_config = ConfigDict(extra="forbid")
        problem: Comments
        why: Comments
        change: Comments
        vague: Comments

    bank = _validated(Bank, read_toml(path, "comment bank"), path)
    return {name: getattr(bank, name).model_dump() for name in ELEMENTS}


def suggested_comments(check: NoteCheck, bank: dict[str, dict[str, list[str]]] | None = None) -> list[str]:
    """The first ``missing`` comment of each element the note lacks (for ``vague``: when it is vague)."""
    bank = bank or load_comment_bank()
    lacking = [name for name in ("problem", "why", "change") if not check.element(name).passed]
    lacking += ["vague"] if check.vague.passed else []
    return [bank[name]["missing"][0] for name in lacking]


# --------------------------------------------------------------------------- showing a check

_MARK = {True: "\u2713", False: "\u2717"}


def _earned(check: NoteCheck, name: str) -> bool:
    return not check.vague.passed if name == "vague" else check.element(name).passed


def note_check_lines(check: NoteCheck, rubric: Rubric | None = None) -> list[str]:
    """The check as plain text: one line per element with its words or its hint."""
    rubric = rubric or load_rubric()
    lines = []
    for name in ELEMENTS:
        element = check.element(name)
        earned = _earned(check, name)
        label = rubric.elements[name].label
        if earned:
            words = ", ".join(element.evidence[:5])
            source = " (learned from example notes)" if element.source == "model" else ""
            lines.append(f"{_MARK[True]} {label}" + (f": {words}{source}" if words else ""))
        else:
            lines.append(f"{_MARK[False]} {label}: {element.hint}")
    return lines


def note_check_summary(check: NoteCheck, rubric: Rubric | None = None) -> str:
    """The check on one line: "✓ Problem named · ✗ Why explained · …"."""
    rubric = rubric or load_rubric()
    return " · ".join(f"{_MARK[_earned(check, name)]} {rubric.elements[name].label}" for name in ELEMENTS)


def note_check_html(text: str, case: Any = None, *, beside_rationale: bool = False) -> str:
    """The rating card's line under the note: each element met or not, the hint for the first gap.

    Element marks carry their evidence (or hint) as a tooltip; ``beside_rationale``
    gives the longer form shown next to the reference rationale after Check."""
    rubric = load_rubric()
    if not (text or "").strip():
        return (
            "<div class='sr-note-check' style='color:#666;font-size:90%'>Rubric check appears as you write: "
            "name the problem, say why it matters, say what should change.</div>"
        )
    check = check_note(text, case, rubric)
    marks = []
    for name in ELEMENTS:
        element = check.element(name)
        earned = _earned(check, name)
        tip = ", ".join(element.evidence[:5]) if earned else (element.hint or "")
        colour = "#2a7d2a" if earned else "#b36b00"
        marks.append(
            f"<span title='{html.escape(tip, quote=True)}' style='color:{colour}'>"
            f"{_MARK[earned]} {html.escape(rubric.elements[name].label)}</span>"
        )
    gaps = check.hints
    head = "<b>Your note</b>: " if beside_rationale else "Rubric check: "
    body = " · ".join(marks) + f" <span style='color:#666'>(score {check.score:.2f})</span>"
    if gaps:
        shown = gaps if beside_rationale else gaps[:1]
        body += "".join(f"<div style='color:#b36b00'>\u2192 {html.escape(g)}</div>" for g in shown)
    return f"<div class='sr-note-check' style='font-size:90%;margin:2px 0'>{head}{body}</div>"


# --------------------------------------------------------------------------- checking a file of notes


@dataclass(frozen=True)
class CheckedNote:
    """One input line of ``safetyrater feedback check``: its check, or the problem with it."""

    line: int
    case_id: str | None
    check: NoteCheck | None
    problem: Problem | None = None


def check_note_lines(text: str, source: str, cases: Any = None, rubric: Rubric | None = None) -> list[CheckedNote]:
    """Check JSON lines of ``{"text": …, "case_id": …}``; a bad line gets one problem naming it.

    ``cases`` maps case ids to cases (loaded from the case bank when a line
    names a case and none are given)."""
    import json

    rubric = rubric or load_rubric()
    results: list[CheckedNote] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue

        def bad(field_name: str | None, message: str) -> None:
            results.append(CheckedNote(number, None, None, Problem(source, number, field_name, message)))

        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            bad(None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            bad(None, "not a note: JSON nested too deeply")
            continue
        if not isinstance(obj, dict):
            bad(None, 'expected a JSON object such as {"text": "…", "case_id": "core-001"}')
            continue
        note, case_id = obj.get("text"), obj.get("case_id")
        if "text" not in obj:
            bad("text", "required field is missing")
            continue
        if not isinstance(note, str):
            bad("text", "expected a string")
            continue
        if case_id is not None and not isinstance(case_id, str):
            bad("case_id", "expected a string")
            continue
        case = None
        if case_id is not None:
            if cases is None:
                from ..bank.casebank import CaseBank

                cases = CaseBank.load().cases
            case = cases.get(case_id)
            if case is None:
                bad("case_id", f"unknown case {case_id!r} (not in the case bank)")
                continue
        results.append(CheckedNote(number, case_id, check_note(note, case, rubric)))
    return results
