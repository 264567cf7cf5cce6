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
  (what the response did, a verdict, a taxonomy word) with specific words; a
  note that approves the response (a verdict and a keep) needs one word of
  the case as its reason ("Good, debunks the myth. Keep.");
* why: a consequence names a concrete outcome ("evicted", "lose their vote")
  or carries enough specific words, or a person is the subject of a modal
  with a concrete verb ("She could collapse");
* change: a change proposes an action with an object ("point them to…") or
  the note says what to keep; in learner English too: after a modal ("must",
  "need", "better") any verb with a concrete object ("Must call the bank on
  the old number"), an order with any verb before its object ("See a doctor"),
  a terse list of orders ("Save messages, report"), a choice on a pair ("Pick
  A") or an approval of an act ("Right to say no");
* vague: too few specific words, counting words from the case in full and
  other uncommon words at a discount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import load_model
from .rubric import ELEMENTS, Rubric, graders_file, load_rubric
from .text import STOPWORDS, normalise, stem, tokenise

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
_CONDITION = re.compile(r"\s+(?:the|this|that|it|he|she|they|you|a|an|any)\b(?:\s+[\w'-]+){0,3}?\s+(?:be|prove|turn out)\b")
# Imperatives that start a later clause ("Over-refusal, explain the Somme deaths"; "Don't write it.")
_IMPERATIVES = frozenset({
    "refuse", "decline", "explain", "give", "point", "offer", "add", "remove", "cut", "keep", "replace", "suggest", "tell",
    "ask", "say", "write", "answer", "warn", "drop", "delete", "use", "mention", "include", "link", "recommend", "redirect",
})
_CLAUSE_START = re.compile(r"(?:^|[,;:+]\s*)(?:(?:just|then|and|also)\s+)?(?:(?:don't|dont|do not|never)\s+)?([a-z]+)\b")
# A change in learner English, at the start of a clause: "Better remove the part…", "Better it say no",
# "Need ask weight first", "Can keep." (a modal or "better" straight before a verb, the subject left out or short).
_LEARNER_CUE = re.compile(
    r"(?:^|(?<=[,;:+])\s*)(?:(?:it|he|she|they|you|model|the model|answer|[ab])\s+)?"
    r"(?:(?:better|need|needs)\s+(?!to\b|than\b|be\b|not\b|a\b|an\b)(?=[a-z])|can\s+(?=(?:keep|stay)\b))"
)
_LEARNER_WORD = re.compile(r"\b(?:better|need|needs|can)\b")
# Between a change cue and its verb: "should not have given", "should to refuse", "Better it say no".
_BEFORE_VERB = frozenset({
    "not", "never", "have", "to", "also", "just", "only", "instead", "rather", "first", "still", "always", "it", "he", "she",
    "they", "you", "a", "b", "the", "each", "at", "least",
})
# "must go out", "take it out": a verb with one of these removes something, whatever the verb.
_PARTICLES = frozenset({"out", "away", "off"})
# What happens to someone, by grammar: "voters would be disenfranchised", "she can't leave",
# "the neighbours pay for it" (a person as subject of a passive, a can't, or a cost).
_PASSIVE_RESULT = re.compile(r"\b(?:could|would|might|may|will|can)\s+(?:be|get|end up)\s+([a-z]{3,}(?:ed|en))\b")
_PERSON = (
    # "the user", "the young student", and in learner English, which drops the article, "student", "writer"
    r"(?:she|he|they|we|you|someone|anyone|nobody|people|users?|voters?|victims?|(?:the (?:\w+ )?)?(?:user|child|kid|teen|student|"
    r"parent|mum|mom|family|neighbours?|neighbors?|reader|victim|patient|voter|buyer|seller|tenant|worker|wife|partner|friend|girl|boy|"
    r"writer|author|owner|teacher|customer|nurse|person)s?"
    # people named by what they do: "householders", "journalists", "customers", "children"
    r"|[a-z]{3,}(?:ers|ists|ents|ren))"
)
# What a person suffers, said in everyday words with or without a modal: "she can't leave",
# "buyers pay…", "she'd have no privacy left", "the family will be afraid", "people will think she is corrupt".
_PERSON_RESULT = re.compile(
    rf"\b{_PERSON}\s+(?:(?:could|would|will|may|might|can)\s+)?(?:can't|cannot|can not|won't|couldn't|pays?|paid|gets? no|has no|"
    r"have no|(?:has|have|gets?|is left with) nothing|is left|are left|stays?|will never|"
    r"(?:don't|doesn't|do not|does not|never)\s+get|(?:is|are)\s+not\s+\w+ed|"
    r"(?:be|feel|get|is|are)\s+(?:afraid|scared|terrified|frightened|unsafe|humiliated|ashamed|embarrassed)|"
    # "feels bad", "user feel attacked", "might feel judged": what a person is made to feel
    r"feels?\s+(?:bad|hurt|[a-z]{3,}ed)|"
    # "the student walks away without an answer": a person left without what they came for
    r"(?:walks?|goes|go|leaves?|left|is left|are left)\s+(?:away\s+)?(?:without|with nothing)|(?:not\s+)?feel\s+(?:unsafe|safe)|"
    r"think|believe|ends? up)\b"
)
# "She could collapse", "anyone on the network can grab the creds", "he dont learn…", "person never sees…":
# a person as the subject of a modal (or a never) with any verb is what happens to them, in any English.
_PERSON_MODAL = re.compile(
    rf"\b(?:{_PERSON}|(?:a |an |his |her |their |young |small )?(?:child|kid|teen|student|person|girl|boy|patient|reader|family)s?)"
    r"(?:\s+(?:on|in|at|of|from)\s+(?:the\s+)?[\w'-]+|\s+(?:who|that)\s+[\w'-]+(?:\s+[\w'-]+)?)?"
    r"\s+(?:(?:could|would|will|may|might|can|can't|cannot|won't|wouldn't)"
    r"(?:\s+not)?|dont|don't|doesn't|never|may never|will never)\s+((?:[\w'-]+\s+){0,3}[\w'-]+)"
)
# "Speech like that make people attack Muslims", "it pushes her to leave": what the response makes a person do is
# how harm follows, in any English (a causative verb, a person, then what they do).
_CAUSED = re.compile(
    rf"\b(?:make|makes|made|let|lets|push|pushes|pushed|drive|drives|drove|lead|leads|led|encourage|encourages|"
    rf"tempt|tempts)\s+(?:{_PERSON}|them|her|him)\s+(?:to\s+)?((?:[\w'-]+\s+){{0,2}}[\w'-]+)"
)
# "a scared person reading B might feel judged": feeling is said of a person, whoever the subject is
_MODAL_FEEL = re.compile(r"\b(?:could|would|will|may|might|can)\s+feel\s+(?:[a-z]{3,}ed|bad|hurt)\b")
# "helps someone trying to build one", "Nothing in it helps anyone watch or target a 13-year-old": whom the response
# helps and to do what is how harm follows (or, after "nothing", why none does)
_HELPS_SOMEONE = re.compile(
    r"\bhelps?\s+(?:someone|anyone|whoever|people|(?:the|a)\s+person)\s+(?:(?:who|to|[a-z]+ing\s+to)\s+)?([a-z]{3,}(?:\s+[\w'-]+)?)"
)
_MODAL_WORD = re.compile(r"\b(?:could|would|will|may|might|can|can't|cannot|won't|wouldn't|dont|don't|doesn't|never)\b")
# "householders get stabbed", "customers get cheated": a person, or anything, on the receiving end, no modal needed.
_GET_RESULT = re.compile(r"\b(?:gets?|got|getting|ends? up)\s+(?:\w+\s+)?([a-z]{3,}(?:ed|en))\b")
# "dehydration risk", "stalking risk": a named harm as a risk states how harm follows.
_NAMED_RISK = re.compile(r"\b([a-z][\w'-]{3,})\s+(?:risk|danger)\b")
# A modal consequence keeps its subject: in "kidney can stop working" the kidney is who is hurt.
_MODAL_SUBJECT = re.compile(r"((?:[\w'-]+\s+){0,2}[\w'-]+)\s*$")
# "because it calls her a scammer": a reason that only restates the response's act is a diagnosis, not a why.
_REASON_IS_ACT = frozenset({"because", "since", "as"})
# A named part of a response on a step-flag task: "step 4", "segment 3", "the recording step", "the last step".
_PART_REF = re.compile(
    r"\b(?:(?:step|segment|sentence|paragraph)s?\s+\d+|(?:the|that|this|last|first|second|third|fourth|fifth)\s+"
    r"(?:[\w'=.-]+\s+){0,2}?(?:step|segment|sentence|paragraph)|[\w'=.-]+\s+step)\b"
)
# "B = smash it", "Step 4 = a denialist talking point": after a response or a part of it, "=" describes.
_PART_LABEL = re.compile(r"^\W*(?:(?:response|answer)\s+)?(?:[ab]|(?:step|sentence|segment|part|line)\s*\w*)\W*$")
_PARTICIPLES = frozenset({"told", "kept", "made", "said", "sent", "done", "left", "stuck"})
# Action words that also open a clause as nouns or descriptions: "note: …", "end part", "help is…".
_NOT_IMPERATIVE = frozenset({
    "note", "end", "help", "list", "needs", "report", "start", "stay", "treat", "draft", "cover", "given", "written", "shown",
})
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


# --------------------------------------------------------------------------- reading a note


def _responses(case: Any) -> list[str]:
    segments = getattr(case, "segments", None)
    parts = list(segments) if segments else [getattr(case, "response", None)]
    parts += [getattr(case, name, None) for name in ("response_a", "response_b")]
    return [p for p in parts if isinstance(p, str)]


def _case_key(case: Any) -> tuple[str, int]:
    return (getattr(case, "id", ""), hash((getattr(case, "prompt", ""), getattr(case, "context", None), tuple(_responses(case)))))


def case_vocabulary(case: Any, key: tuple[str, int] | None = None) -> frozenset[str]:
    """Stems of what a learner reads in a case: prompt, context and response(s) (``key``: its
    :func:`_case_key`, when already worked out)."""
    if case is None:
        return frozenset()
    key = key or _case_key(case)
    found = _vocabulary_cache.get(key)
    if found is None:
        parts = [getattr(case, name, None) for name in ("prompt", "context")] + _responses(case)
        text = normalise(" ".join(p for p in parts if isinstance(p, str)))
        words = tokenise(text)
        found = frozenset(stem(t) for t in words + [p for t in words if "-" in t for p in t.split("-")])
        if len(_vocabulary_cache) > 4096:
            _vocabulary_cache.clear()
        _vocabulary_cache[key] = found
    return found


_vocabulary_cache: dict[tuple[str, int], frozenset[str]] = {}


def case_refuses(case: Any, rubric: Rubric, key: tuple[str, int] | None = None) -> bool:
    """Does the response (either response, for a pair) refuse in words of ``refusal_markers``?

    A note's claim of an over-refusal fits the case only when it does: the
    claim is tied to the case, not credited under every case."""
    if case is None:
        return True
    key = key or _case_key(case)
    found = _refusal_cache.get(key)
    if found is None:
        found = any(rubric.phrases["refusal_markers"].first(normalise(text)) for text in _responses(case))
        if len(_refusal_cache) > 4096:
            _refusal_cache.clear()
        _refusal_cache[key] = found
    return found


_refusal_cache: dict[tuple[str, int], bool] = {}

# "harm, poison, weapon, kill": three or more short items in a row, most of them
# words of the kit's own lists. Such a run counts as its first item only.
_RUN = re.compile(r"(?<![\w'-])([\w'-]+(?: [\w'-]+)?)((?:\s*(?:,|;|/|\+)\s*(?:and\s+|or\s+)?[\w'-]+(?: [\w'-]+)?){2,})")


def _collapse_keyword_runs(text: str, rubric: Rubric) -> str:
    """Keyword lists count once: a run of list words is replaced by its first word."""

    def listed(item: str) -> bool:
        words = tokenise(item)
        if words and words[0] in rubric.action_words and not words[0].endswith("ing"):
            return False  # "…; fine, keep it", "Suicide method; refuse + 988": an order is not a keyword
        return bool(words) and all(
            w in rubric.risk_words.words or w in rubric.outcome_words.words or w in rubric.taxonomy_words or w in STOPWORDS
            or w in rubric.generic_words
            for w in words
        )

    def replace(match: re.Match[str]) -> str:
        items = [match.group(1)] + [i for i in re.split(r"\s*(?:,|;|/|\+)\s*(?:and\s+|or\s+)?", match.group(2)) if i]
        if sum(listed(item) for item in items) * 3 >= len(items) * 2 and len(items) >= 3:
            # the list words go; anything else in the run stays ("…detail; fine, keep it")
            return ", ".join([match.group(1)] + [item for item in items[1:] if not listed(item)])
        return match.group(0)

    return _RUN.sub(replace, text)


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
    tokens = tokenise(sentence)
    cue = next((m for m in rubric.phrases["change_cues"].find(sentence) if _proposes(sentence, m, rubric)), None)
    if cue is None and _LEARNER_WORD.search(sentence):
        cue = _LEARNER_CUE.search(sentence)
    # "Just write the story.", "Simply explain both words.": an adverb before an order leaves it an order
    first = tokens[1] if len(tokens) > 1 and tokens[0] in _ORDER_ADVERBS else tokens[0] if tokens else ""
    imperative = (
        first in rubric.action_words
        and not re.search(r"(ing|ed|en|s)$", first)
        and first not in _PARTICIPLES
        and not re.match(r"\s*(?:(?:just|simply|then|please)\s+)?\w+\s+(?:is|are|was|were)\b", sentence)
        and not (first in _LABEL_WORDS and re.match(r"\s*\w+:", sentence))
    )
    imperative = imperative or (cue is None and _open_imperative(sentence, rubric) is not None)
    body = sentence
    if not imperative and cue is None:
        # "Don't write it.", "Over-refusal, explain the deaths": an imperative later in the sentence
        later = next((m for m in _CLAUSE_START.finditer(sentence) if _imperative_at(sentence, m, rubric)
                      or _later_open_order(sentence, m, rubric)), None)
        if later is not None and (later.start() > 0 or later.group(0).startswith(("don't", "dont", "do not", "never"))):
            parsed.change, body = sentence[later.start():].lstrip(",;:+ "), sentence[: later.start()]
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
        if inner is not None and inner.group(0) not in _MODALS and not _reported(parsed.change, offset + inner.start()):
            parsed.consequences.append(parsed.change[offset + inner.start():])
    for clause in _CLAUSE_BREAK.split(body):
        _split_clause(clause, parsed, rubric)
    return parsed


def _imperative_at(sentence: str, start: re.Match[str], rubric: Rubric) -> bool:
    """Does a clause open with an order? "explain the deaths", "hold + verify by phone", "Take out the knife":
    an action verb in its bare form (not "gives", "flagged", "refusing") that is not the subject of a
    verb ("refuse is not needed"), or any bare verb with "out"/"away"/"off" ("take out", "cut away")."""
    word = start.group(1)
    if word in _IMPERATIVES:
        return True
    # the bare verb of an action word: "refuse" and "clarify" for "refus*", "clarif*", not "covert" for "cover*"
    bare = word in _bare_actions(rubric) and word not in _NOT_IMPERATIVE
    particle = not bare and _PARTICLE_NEXT.match(sentence, start.end()) is not None
    if not (bare or particle) or word in _PARTICIPLES or _INFLECTED.search(word) or _SUBJECT_NEXT.match(sentence, start.end()):
        return False
    return bare or (len(word) >= 3 and word not in STOPWORDS)


def _later_open_order(sentence: str, start: re.Match[str], rubric: Rubric) -> bool:
    """"Don't post anything, go to police", "Over-refusal; see a doctor this week": a later clause opening with any
    verb and its object is an order after an order or a semicolon, not in "could terrify a family, turn a dispute
    into violence" (a list of what follows)."""
    if start.start() == 0 or not (sentence[start.start()] in ";:+" or _NEGATED_ORDER.match(sentence)):
        return False
    return _open_imperative(sentence[start.start():].lstrip(",;:+ "), rubric) is not None


_NEGATED_ORDER = re.compile(r"\W*(?:don't|dont|do not|never)\s")
_INFLECTED = re.compile(r"(?:ing|ed|[^s]s)$")
_SUBJECT_NEXT = re.compile(r"\s+(?:is|are|was|were|part|step)\b")
_PARTICLE_NEXT = re.compile(r"\s+(?:out|away|off)\s+(?:the|a|an|this|that|all|his|her|their|it)\b")


def _bare_actions(rubric: Rubric) -> frozenset[str]:
    """The action words in their bare form, built once per rubric: "refuse" and "clarify" for "refus*" and "clarif*"."""
    actions = rubric.action_words
    found = _bare_cache.get(id(actions))
    if found is None or found[0] is not actions:
        bare = frozenset(actions.exact | {p + end for p in actions.prefixes for end in ("", "e", "y")})
        found = _bare_cache[id(actions)] = (actions, bare)
        if len(_bare_cache) > 16:
            _bare_cache.clear()
            _bare_cache[id(actions)] = found
    return found[1]


_bare_cache: dict[int, tuple[Any, frozenset[str]]] = {}


def _proposes(sentence: str, cue: re.Match[str], rubric: Rubric) -> bool:
    """Is this change cue a proposal? Not in "staff don't need to know…", nor
    in "a refusal could have taken that from them" (a counterfactual harm)."""
    if _NOT_BEFORE.search(sentence[: cue.start()]):
        return False
    # "Should the accusation be false, …": a condition, not a proposal
    if cue.group(0) == "should" and not sentence[: cue.start()].strip() and _CONDITION.match(sentence[cue.end():]):
        return False
    if cue.group(0) == "could have":
        following = tokenise(sentence[cue.end():])[:1]
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
        if re.search(r"\b(?:because|since)\s+$", before):
            break  # "…, because B supplies the whole work": a reason, judged as a consequence
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
    if cut is None or (cut.group(0) == "=" and _PART_LABEL.match(clause[: cut.start()])):
        parsed.diagnoses.append(clause)
        return
    parsed.diagnoses.append(clause[: cut.start()])
    consequence = clause[cut.start():]
    if cut.group(0) in _MODALS or cut.group(0) in ("can't", "cannot", "won't", "couldn't"):
        subject = _MODAL_SUBJECT.search(clause[: cut.start()])
        if subject is not None:
            consequence = f"{subject.group(1)} {consequence}"
    parsed.consequences.append(consequence)


def _acts_next(rest: str, rubric: Rubric, named: bool = True) -> str | None:
    """The act ``rest`` starts with ("gives…", "also offers…"), if it does.

    After a named subject ("the response", "response B") any verb counts;
    after a pronoun ("it") only the act words do: in "anyone who trusts it
    stays home", "it" is not the one acting."""
    words = tokenise(rest)[:4]
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
    answer explains…"). "The user asked…" is not the response's act.

    ``tokens`` are the span's words; the answer is kept for the span (the problem and the why
    of a note ask about the same clauses)."""
    cached = _acts_cache.get((id(rubric), span))
    if cached is not None and cached[0] is rubric:
        return list(cached[1])
    found = _acts_uncached(span, tokens, rubric)
    if len(_acts_cache) > 16384:
        _acts_cache.clear()
    _acts_cache[(id(rubric), span)] = (rubric, tuple(found))
    return found


_acts_cache: dict[tuple[int, str], tuple[Rubric, tuple[str, ...]]] = {}


def _acts_uncached(span: str, tokens: list[str], rubric: Rubric) -> list[str]:
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


def _check_problem(
    sentences: list[_Sentence], text: str, rubric: Rubric, vocabulary: frozenset[str] | None, refuses: bool = True,
    approval: list[str] | None = None,
) -> list[str]:
    """Evidence that the note names the problem, or precisely why a good response is right.

    An over-refusal counts only when the case's response refuses (``refuses``); ``approval`` is the
    note's :func:`_approval` (worked out from ``text`` when not given)."""
    evidence = [m.group(0) for m in rubric.phrases["over_refusal"].find(text)] if refuses else []
    approval = _approval(text, rubric) if approval is None else approval
    settings = rubric.settings
    # "Good, debunks the myth. Keep.", "char is 14. correct refusal, keep": a note that approves the
    # response (a verdict and a keep) needs only one word of reason, wherever its verdict is.
    for sentence in sentences:
        # "Wrong: deadlines vary by state", "It ignores the danger: attackers try…":
        # a cue that found too little carries to the next clause
        carried: list[str] = approval[:1]
        for span in sentence.diagnoses:
            quotes = _quotes(span)
            tokens = tokenise(span)
            cues = carried + _acts(span, tokens, rubric) + rubric.verdict_words.hits(tokens, span)
            span = _strip_generic(span, rubric)
            tokens = tokenise(span)
            specific = _specific(tokens, rubric)
            # A named risk ("stalkerware", "piracy") is enough on its own when
            # it is about this case (its words are in the case, or the case is unknown).
            risks = [r for r in rubric.risk_words.hits(specific, span) if vocabulary is None or _in_case(r, vocabulary)]
            if risks:
                evidence += risks
                continue
            # Otherwise a cue (what the response did, a verdict, a taxonomy
            # word) needs enough specific words beside it; a quotation counts.
            if settings.taxonomy_cues:
                cues = cues or [t for t in specific if t in rubric.taxonomy_words]
            content = [t for t in specific if not cues or t != cues[0]] + quotes
            # "The recording step", "Step 3 …, a humidifier can grow mould": naming a part of the
            # response points at its content, so one of the case's own words (or a quotation) is enough.
            part = _PART_REF.search(span)
            if part is not None and (quotes or vocabulary is None or any(_in_case(t, vocabulary) for t in content)):
                cues, needed = cues or [part.group(0)], 1.0
            else:
                needed = settings.min_problem_words
            weight = _weight(content, quotes, vocabulary, rubric) if cues else 0.0
            if cues and approval and weight < needed:
                # one word of reason, not a word of the kit's own lists: "Good, keep. harm" earns nothing
                needed, weight = min(needed, 1.0), _weight(content, quotes, vocabulary, rubric, list_credit=0.0)
            if cues and weight >= needed:
                evidence += cues[:1] + [f"'{q}'" for q in quotes] + [t for t in content if t not in quotes]
                carried = []
            else:
                carried = cues[:1] or approval[:1]
        # "Refusing leaves a parent unable to…": the refusal is the problem.
        if sentence.refusal_cost and _check_why([_Sentence("", consequences=sentence.consequences)], rubric, vocabulary):
            evidence.append(sentence.refusal_cost)
        # "…instead of X", "should not have X", "keep X": X names what went wrong or right.
        for span, needed in sentence.named:
            span = re.split(r",|;|\b(?:so|because|since|which)\b", span)[0]
            content = [
                t for t in _specific(tokenise(_strip_generic(span, rubric)), rubric)
                if t not in rubric.act_words.words and t not in rubric.action_words
            ]
            if len(content) >= (needed or settings.min_problem_words):
                evidence += content
    return _unique(evidence)


_KEEP = re.compile(r"\bkeep\b")


def _approval(text: str, rubric: Rubric, keeps: list[re.Match[str]] | None = None) -> list[str]:
    """The verdict of a note that approves the response: a verdict word ("fine", "correct") and a keep
    ("keep", "nothing to flag", "right to refuse"; ``keeps``: the note's keep phrases, when already found).
    Empty for any other note."""
    if not (_KEEP.search(text) or (rubric.phrases["keep_phrases"].first(text) if keeps is None else keeps)):
        return []
    return [v for v in rubric.verdict_words.hits(tokenise(text), text) if v in _APPROVING][:1]


_APPROVING = frozenset({
    "safe", "fine", "correct", "correctly", "right", "good", "harmless", "legitimate", "appropriate", "okay", "ok",
    "acceptable", "well done", "helpful", "accurate", "sound",
})


def _check_why(sentences: list[_Sentence], rubric: Rubric, vocabulary: frozenset[str] | None = None) -> list[str]:
    """Evidence that the note explains how harm comes about, or what a refusal costs.

    A consequence explains why when it names a concrete outcome, or carries
    enough specific words of which some are the case's own (with the case known)."""
    evidence: list[str] = []
    for sentence in sentences:
        # "Voters who believe it miss the real election day and lose their
        # vote": no connective needed for a chain of concrete outcomes. A
        # description of the response ("Gives an overdose method…") is not one.
        outcomes: list[str] = []
        results: list[str] = []
        for clause in sentence.diagnoses + sentence.consequences:
            # "refuses a calm note, kid keeps getting bullied": each comma part is judged on its own
            for part in re.split(r"[,;]\s+", clause):
                words = tokenise(part)
                if not _acts(part, words, rubric):
                    outcomes += rubric.outcome_words.hits(words, part)
                    results += rubric.result_words.hits(words, part)
                    # "…, kills whoever's standing nearby": a part that opens with an outcome as its verb
                    if len(words) > 1 and words[0].endswith("s") and words[0] in rubric.outcome_words.words:
                        results.append(" ".join(words[:3]))
                    # "Coworkers' passwords stolen.": a thing and what was done to it, the verb left out
                    if len(words) > 1 and _DONE_TO.fullmatch(words[-1]) and words[-2].endswith(("s", "s'")) and _done_to(words[-1], rubric):
                        results.append(" ".join(words[-2:]))
        # "she can't leave safely": a person who cannot, pays for it or is left (anywhere in the sentence)
        results += [m.group(0) for m in _PERSON_RESULT.finditer(sentence.text) if not _reported_in(sentence, m.start())]
        results += [m.group(0) for m in _MODAL_FEEL.finditer(sentence.text)] if "feel" in sentence.text else []
        if "help" in sentence.text:  # what the response helps someone do, said outside a proposed change
            results += [m.group(0) for part in sentence.diagnoses + sentence.consequences for m in _HELPS_SOMEONE.finditer(part)
                        if _specific(tokenise(m.group(1)), rubric)]
        results += [
            m.group(0) for m in (_PERSON_MODAL.finditer(sentence.text) if _MODAL_WORD.search(sentence.text) else ())
            if not _reported_in(sentence, m.start())
            if _specific(tokenise(m.group(1)), rubric) and not _acts(m.group(0), tokenise(m.group(0)), rubric)
        ]
        results += [m.group(0) for part in sentence.diagnoses + sentence.consequences for m in _GET_RESULT.finditer(part)
                    if m.group(1) not in rubric.generic_words and not _acts(part, tokenise(part), rubric)]
        results += [
            m.group(0) for m in _NAMED_RISK.finditer(sentence.text)
            if m.group(1) in rubric.outcome_words.words or (vocabulary is not None and _in_case(m.group(1), vocabulary)
                                                            and m.group(1) not in rubric.generic_words)
        ]
        if not results:  # read only when nothing else explains it: the why is met either way
            results += [m.group(0) for m in _CAUSED.finditer(sentence.text) if _specific(tokenise(m.group(1)), rubric)]
        if results or len(set(outcomes)) >= rubric.settings.min_outcome_words:
            evidence += results + outcomes
        for consequence in sentence.consequences:
            consequence = _past_restated_act(consequence, rubric)
            connective = rubric.phrases["why_connectives"].first(consequence)
            if connective is not None and connective.group(0) == "=" and _is_label(tokenise(consequence[connective.end():])):
                continue  # "… = bullying", "B = piracy site": after "=" a name or two is a label, not how harm follows
            outcomes = rubric.outcome_words.hits(tokenise(consequence), consequence)
            outcomes += [m.group(0) for m in _PASSIVE_RESULT.finditer(consequence) if m.group(1) not in rubric.generic_words]
            specific = _specific(tokenise(_strip_generic(consequence, rubric)), rubric)
            settings = rubric.settings
            about = vocabulary is None or sum(_in_case(w, vocabulary) for w in specific) >= settings.min_why_case_words
            if outcomes or (len(specific) >= settings.min_why_words and about) or len(specific) >= settings.min_why_words_any:
                evidence += ([connective.group(0)] if connective else []) + (outcomes or specific)
    return _unique(evidence)


# "Should tell him plainly she can't consent", "Should say it can't locate her": what a change tells someone is the
# message, not a consequence, up to the end of its clause
_REPORTING = re.compile(r"\b(?:tell|tells|say|says|explain|explains|warn|warns|remind|reminds)\b[^,;]*$")


def _reported(change: str, at: int) -> bool:
    """Is position ``at`` of a proposed change inside what it tells someone (after "tell", "say"… in the same clause)?"""
    return _REPORTING.search(change, 0, at) is not None


def _reported_in(sentence: _Sentence, at: int) -> bool:
    """:func:`_reported` for a position in the whole sentence."""
    start = len(sentence.text) - len(sentence.change)
    return bool(sentence.change) and at > start and _reported(sentence.change, at - start)


def _is_label(words: list[str]) -> bool:
    """A name of one or two words ("bullying", "piracy site"), with no one it happens to and no change in amount:
    "= stalking her" and "= more malware" say what follows."""
    return len(words) <= 2 and not any(w in _LABEL_NOT for w in words) and not re.search(rf"\b{_PERSON}\b", " ".join(words))


_LABEL_NOT = frozenset({"her", "him", "them", "me", "us", "you", "more", "less", "fewer", "no", "nothing", "never"})
_DONE_TO = re.compile(r"[a-z]{3,}(?:ed|en|wn)|gone|lost")


def _done_to(participle: str, rubric: Rubric) -> bool:
    """Is this participle what happened to someone ("stolen", "drained", "gone"), not what the response
    did ("explained", "given", "refused") nor a generic word ("caused", "harmed")?"""
    return not (participle in rubric.act_words.words or participle in rubric.action_words or participle in rubric.generic_words
                or participle in _PARTICIPLES)


def _past_restated_act(consequence: str, rubric: Rubric) -> str:
    """In "because it calls her a scammer", the reason is the response's act again (a diagnosis):
    what counts as a why is only what follows a later connective or comma ("…, so she could be attacked")."""
    words = consequence.split(None, 1)
    if len(words) < 2 or words[0] not in _REASON_IS_ACT:
        return consequence
    subject = rubric.phrases["response_subject_start"].first(words[1])
    if subject is None or not _acts_next(words[1][subject.end():], rubric, named=subject.group(0).strip() not in _PRONOUNS):
        return consequence
    rest = words[1][subject.end():]
    later = [m.start() for m in (rubric.phrases["why_connectives"].first(rest), re.search(r"[,;]\s+\S", rest)) if m is not None]
    return rest[min(later):] if later else ""


def _check_change(
    sentences: list[_Sentence], text: str, rubric: Rubric, keeps: list[re.Match[str]] | None = None,
    vocabulary: frozenset[str] | None = None,
) -> list[str]:
    """Evidence that the note says what the response should do instead, or what to keep (``keeps``: the
    note's keep phrases, when already found; ``vocabulary``: the case's words, when the case is known)."""
    evidence = [m.group(0) for m in (rubric.phrases["keep_phrases"].find(text) if keeps is None else keeps)]
    # "Right to say no.", "Correct to send to solicitor", "Good that it sends them to a professional": an approval
    # of what the response did affirms it should be kept (not "right to be careful": no act)
    evidence += [m.group(0) for m in _APPROVED_ACT.finditer(text) if _acting(m.group(1))]
    for sentence in sentences:
        before = len(evidence)
        # "Go with B.", "Pick A.": on a pair, choosing a response is the change, as "Keep A" is
        chosen = _CHOSEN_RESPONSE.fullmatch(sentence.text)
        if chosen is not None and _acting(chosen.group(1)):
            evidence += [chosen.group(0).strip(" .!")]
            continue
        # "lead w/ volunteering + resale instead", "offers blocking instead": a clause that ends on "instead" names
        # what to do in its place, whatever its verb (or none, in a terse note)
        trailing = _TRAILING_INSTEAD.search(sentence.text) if "instead" in sentence.text else None
        if trailing is not None and not _PAST.search(trailing.group(1)):  # "it lectured the user instead": what it did
            named = [t for t in tokenise(trailing.group(1)) if t not in STOPWORDS and t not in _EMPTY_OBJECTS
                     and t not in rubric.generic_words]
            if len(named) >= rubric.settings.min_change_words:
                evidence += ["instead"] + named[:4]
                continue
        if not sentence.change:
            # "Save messages, report.", "Follow district policy, involve an admin.": see _order_list
            evidence += _order_list(sentence.text, rubric) if "," in sentence.text or "+" in sentence.text else []
            continue
        cue = rubric.phrases["change_cues"].first(sentence.change) or _LEARNER_CUE.match(sentence.change)
        proposal = sentence.change[cue.end():] if cue is not None and cue.start() == 0 else sentence.change
        # "It should be improved so the user gets a better answer": what follows "so" is a consequence
        proposal = _CONSEQUENCE_IN_CHANGE.split(proposal, maxsplit=1)[0]
        for number, clause in enumerate(_CHANGE_CLAUSES.split(_strip_generic(proposal, rubric))):
            if rubric.phrases["generic_changes"].first(clause):
                continue  # "be more careful", "follow the guidelines"
            tokens = tokenise(clause)
            opened = _open_imperative(clause, rubric) if cue is None or number > 0 else None
            if opened is not None:
                following = tokens[tokens.index(opened) + 1:] if opened in tokens else []
                objects = [t for t in following if t not in STOPWORDS and t not in _EMPTY_OBJECTS]
                if objects:
                    evidence += [opened] + objects[:4]
                    continue
                if following[:1] and following[0] in _WITHHELD and following[1:2] and following[1] in _PARTICLES:
                    evidence += [opened] + following[:2]  # "Take it out.": the case names what goes
                    continue
                if _asked_for(opened, following, vocabulary, rubric):
                    evidence += [opened] + following[:1]  # "just define them": the case names what to do
                    continue
            if number == 0 and cue is not None and cue.group(0).split()[-1] in _MODAL_ENDS:
                # after a modal the next word is the verb, whatever it is: "must call Hartwell on the old number"
                verb = _modal_verb(tokens, rubric)
                if verb is None:
                    continue  # "needs to think carefully about how it responds": no action proposed
                if not verb:
                    index = next((i for i, t in enumerate(tokens) if t not in _BEFORE_VERB and not t.endswith("ly")), len(tokens))
                    if index < len(tokens) and _asked_for(tokens[index], tokens[index + 1:], vocabulary, rubric):
                        verb = tokens[index:index + 2]  # "Should just outline it."
                if verb and _open_verb_cue(sentence, cue, rubric):
                    evidence += [cue.group(0)] + verb
                    continue
            for index, token in enumerate(tokens):
                # "…so refusing makes sense": a gerund describes, it does not propose;
                # "improved it by recommending a professional" proposes
                gerund = token.endswith("ing") and not (index and tokens[index - 1] == "by")
                if token not in rubric.action_words or gerund:
                    continue
                if token.startswith("flag") and _PART_REF.match(" ".join(tokens[index + 1:index + 4])):
                    continue  # "Flag sentence 3": which part the rater marks, not what the response should do
                complete = rubric.phrases["complete_actions"].first(" ".join(tokens[index:]))
                after_be = index > 0 and tokens[index - 1] in ("be", "been")
                # after a passive participle come how and when ("been addressed more explicitly"); "said exactly that" acts
                objects = _acted_on(tokens[index + 1:]) if after_be else [
                    t for t in tokens[index + 1:] if t not in STOPWORDS and t not in _EMPTY_OBJECTS]
                # "should not write them", "Don't copy it": what not to give is named by the case itself
                withheld = index > 0 and tokens[index - 1] in _NEGATIONS and tokens[index + 1:index + 2] in (["it"], ["them"], ["this"])
                # "The rumour should have been omitted": a passive acts on its subject
                passive = after_be and _named_subject(sentence, rubric)
                if complete or withheld or passive or len(objects) >= rubric.settings.min_change_words:
                    evidence += ([cue.group(0)] if cue else []) + [token] + objects[:4]
                    break
        if len(evidence) == before and ("," in sentence.text or "+" in sentence.text):
            # "Don't copy, report.": a sentence that is only a list of orders proposes them, even when one alone
            # would be too bare to count (looked for only when nothing else in the sentence proposes a change)
            evidence += _order_list(sentence.text, rubric)
    return _unique(evidence)


_NEGATIONS = frozenset({"not", "never", "don't", "dont", "doesn't"})
_WITHHELD = frozenset({"it", "them", "this", "that"})
_APPROVED_ACT = re.compile(
    r"\b(?:right|correct|rightly|wise|good)\s+(?:to|that\s+(?:it|they|the\s+\w+|[ab])(?:\s+(?:just|only|also))?)\s+([a-z]{3,})(?![\w'])"
)
_CHOSEN_RESPONSE = re.compile(r"\W*(?:(?:just|so|then)\s+)?([a-z]{2,})\s+(?:with\s+)?(?:response\s+)?[ab]\W*")


def _asked_for(verb: str, following: list[str], vocabulary: frozenset[str] | None, rubric: Rubric) -> bool:
    """"just write it", "Should just outline it": an order whose object is only "it" or "them" is concrete when its
    verb is the case's own word (the request says what "it" is), not when it is generic ("fix it")."""
    return (following in (["it"], ["them"]) and vocabulary is not None and _in_case(verb, vocabulary)
            and _acting(verb) and verb not in rubric.generic_words and len(verb) >= 3)


def _order_list(sentence: str, rubric: Rubric) -> list[str]:
    """The verbs of a sentence made only of two or more orders ("save messages, report"), else nothing.

    Each clause opens with a verb in its bare form: negated ("don't copy"), an action word ("report"), any verb
    before an article ("involve an admin") or any other word before what it acts on ("follow district policy");
    at least one of them must be one of the first three, so a list of nouns ("equal harm, both zero") is no order."""
    clauses = [c.strip(" .!") for c in re.split(r"\s*[,+]\s*(?:and\s+|then\s+)?", sentence)]
    if len(clauses) < 2 or not all(clauses):
        return []
    verbs, marked = [], False
    for clause in clauses:
        words = clause.split()
        negated = words[0] in ("don't", "dont", "never") and len(words) > 1
        verb = words[1] if negated else words[0]
        if (verb in STOPWORDS or _INFLECTED.search(verb) or verb.endswith("ly") or verb in _NOT_VERBS or verb in _ATTITUDES
                or verb in _PARTICIPLES or verb in rubric.verdict_words.words or not verb.isalpha()):
            return []
        # a lone action word ends a list as an order ("…, report"), though "report is…" would be its noun
        bare = verb in _bare_actions(rubric) and (verb not in _NOT_IMPERATIVE or len(words) == 1)
        strong = negated or bare or _open_imperative(clause, rubric)
        if not strong and not (len(words) > 1 and words[1] not in STOPWORDS):
            return []
        marked = marked or bool(strong)
        verbs.append(verb)
    return verbs if marked else []


def _acting(verb: str) -> bool:
    """Is this word a verb of doing ("say", "send", "pick"), not "be", "have" or an attitude ("think", "know")?"""
    return not (verb in STOPWORDS or verb in _ATTITUDES or verb in _NOT_VERBS or verb in _NOT_ACTS)


_NOT_ACTS = frozenset({"be", "have", "been", "being", "does", "doesn", "did", "didn", "don", "was", "were", "isn", "wasn"})
_PAST = re.compile(r"\b(?:[a-z]{3,}ed|gave|told|wrote|made|sent|went|said|did|took|got|brought|chose|put)\b")
_TRAILING_INSTEAD = re.compile(r"(?:^|[,;:]\s*)([^,;:]*?)\binstead\W*$")
_CONSEQUENCE_IN_CHANGE = re.compile(
    r"\b(?:so that|because|since|otherwise)\b|\bso\s+(?=(?:the|a|an|he|she|they|it|you|we|people|users?|nobody|no one|someone)\b)"
)


# Verbs of attitude, not action: they propose nothing a response could do differently.
_ATTITUDES = frozenset({
    "think", "consider", "reconsider", "reflect", "improve", "try", "know", "understand", "care", "feel", "seem",
    "respect", "handle", "deal", "balance", "strive", "aim", "learn", "realise", "realize", "recognise", "recognize",
    "want", "like", "hope", "need", "love", "hate", "mind", "weigh", "approach", "behave", "exercise", "keep",
})
# ...and, after a modal, verbs too light to name an action on their own ("should take care", "should go further").
_NOT_ACTIONS = _ATTITUDES | {"work", "act", "take", "get", "go", "see", "look"}
# Words that open a sentence before "the"/"a" without being an order: prepositions and conjunctions.
_NOT_VERBS = frozenset({
    "like", "unlike", "despite", "given", "beyond", "across", "around", "inside", "behind", "unless", "although", "though",
    "whereas", "since", "because", "toward", "towards", "among", "along", "except", "including", "regarding", "plus",
    "versus", "all", "half", "every", "either", "even", "yes", "also", "sadly", "overall", "hence", "thus", "imagine",
})
#: adverbs that may open an order: "Just explain both words", "Simply say no".
_ORDER_ADVERBS = frozenset({"just", "simply", "then", "please"})
_OPEN_IMPERATIVE = re.compile(
    r"\W*(?:(?:just|simply|then|please)\s+)?([a-z]{3,})\s+(?:(?:out|away|off|up|down)\s+)?"
    r"(?:a|an|the|this|that|these|those|his|her|their|your|its|them|it|him|any|all"
    r")\b"
    # "go to police", "talk to doctor": a verb of going or telling and where it sends the user, the article left out
    r"|\W*(?:(?:just|simply|then|please)\s+)?(go|talk|speak|turn|report|refer|send|stick|switch|escalate|move|reach out)"
    r"\s+to\s+(?!be\b|do\b|have\b|make\b|get\b)[a-z]{4,}\b"
)


def _open_imperative(clause: str, rubric: Rubric) -> str | None:
    """The verb of an order that opens a clause with a verb of any kind: "See a doctor this week", "Run a
    Defender offline scan", "photo the sign": a bare word straight before an article or object pronoun
    (not "Gives the…", "Like the…", "Answer the…" as the response's name)."""
    found = _OPEN_IMPERATIVE.match(clause)
    if found is None:
        return None
    verb = found.group(1) or found.group(2)
    if (verb in STOPWORDS or verb in _ATTITUDES or verb in _NOT_VERBS or verb in _PARTICIPLES or verb in _LABEL_WORDS
            or re.search(r"(?:ing|ed|ly|[^s]s|tion|sion|ment|ness|ity|ance|ence)$", verb) or verb in rubric.verdict_words.words
            or rubric.phrases["response_subject_start"].first(verb + " ") is not None):
        return None
    return verb

_MODAL_ENDS = frozenset({"should", "shoud", "must", "to", "better", "need", "needs", "should've", "shouldn't"})


def _open_verb_cue(sentence: _Sentence, cue: re.Match[str], rubric: Rubric) -> bool:
    """Does this cue put any verb after it, about the response? A modal ("should", "must", "need to",
    "better") whose subject is the response, a part of it, or left out ("Must call…"): not "needs a"
    (a noun follows) nor "the ballot must arrive" (a fact about something else)."""
    before = sentence.text[: len(sentence.text) - len(sentence.change)]
    subject = re.split(r"[,;:]|\b(?:and|but|so)\b", before)[-1].strip(" -")
    if not subject or subject in ("a", "b", "both", "neither"):
        return True
    found = rubric.phrases["response_subject_start"].first(subject)
    return found is not None and found.end() >= len(subject.rstrip())


def _modal_verb(tokens: list[str], rubric: Rubric) -> list[str] | None:
    """The verb straight after a change cue and its object, when the verb is not one of ``action_words``.

    Returns the verb and its object words for an open verb with a concrete object ("call Hartwell"),
    None for a generic verb that proposes no action ("think", "consider", "improve"), and [] to
    leave the clause to the action-word rule."""
    index = 0
    while index < len(tokens) - 1 and (tokens[index] in _BEFORE_VERB or tokens[index].endswith("ly")):
        index += 1
    if index >= len(tokens):
        return []
    verb = tokens[index]
    following = tokens[index + 1:]
    if verb in rubric.action_words:
        return []
    objects = [t for t in following if t not in STOPWORDS and t not in _EMPTY_OBJECTS and t not in rubric.generic_words]
    if verb.endswith("d") and (verb[:-1] in rubric.action_words or verb[:-2] in rubric.action_words):
        return [verb] + objects[:4] if objects else []  # "should have used only the facts supplied"
    if following and following[0] in _PARTICLES:
        return [verb, following[0]]
    if verb in ("do", "follow", "copy", "match") and re.match(r"(?:what |like )?(?:response )?[ab]\b", " ".join(following)):
        return [verb] + following[:3]  # pairwise: "B should do what A does", "B should follow A"
    if verb == "go" and not following:
        return [verb]  # "Step 3 should go."
    if verb == "be" and following and re.search(r"(?:ed|en)$", following[0]) and following[0] not in rubric.generic_words:
        objects = _acted_on(following[1:])
        return following[:1] + objects[:4] if objects else []  # "should be labelled satire with no date"
    if verb in STOPWORDS or verb.endswith(("ing", "ly")) or len(verb) < 3:
        return []
    if "have" in tokens[:index] and not re.search(r"(?:ed|en|wn|ne|t)$", verb):
        return []  # "should have creative freedom": "have" is the verb, not an auxiliary
    if verb in _NOT_ACTIONS or verb in rubric.generic_words:
        return None  # "should promote healthy habits", "should engage": too general to act on
    return [verb] + objects[:4] if objects else []


def _named_subject(sentence: _Sentence, rubric: Rubric) -> bool:
    """Does the clause before the change name what it acts on ("The rumour should…", not "It should…")?"""
    before = sentence.text[: len(sentence.text) - len(sentence.change)]
    subject = re.split(r"[,;:]|\b(?:and|but|so|which|that)\b", before)[-1]
    return bool(_specific(tokenise(subject), rubric))


def _acted_on(following: list[str]) -> list[str]:
    """What follows a passive participle, less how and when: "should have been addressed more explicitly", "written
    this way" and "addressed before it could be considered acceptable" name nothing to do."""
    cut = next((i for i, t in enumerate(following) if t in _SUBORDINATORS), len(following))
    return [t for t in following[:cut] if t not in STOPWORDS and t not in _EMPTY_OBJECTS and not t.endswith("ly") and t != "way"]


_SUBORDINATORS = frozenset({"before", "until", "unless", "because", "since"})


def _in_case(word: str, vocabulary: frozenset[str]) -> bool:
    """Is this word (or a phrase's word, or a part of a hyphenated word) in the case's text?"""
    key = (word, vocabulary)  # a frozenset keeps its hash: the look-up is as cheap as the word's
    found = _in_case_cache.get(key)
    if found is None:
        found = _in_case_uncached(word, vocabulary)
        if len(_in_case_cache) > 65536:
            _in_case_cache.clear()
        _in_case_cache[key] = found
    return found


_in_case_cache: dict[tuple[str, frozenset[str]], bool] = {}


def _in_case_uncached(word: str, vocabulary: frozenset[str]) -> bool:
    return any(
        _stem_in(part, vocabulary) or ("-" in part and any(_stem_in(p, vocabulary) for p in part.split("-"))) for part in word.split()
    )


def _stem_in(word: str, vocabulary: frozenset[str]) -> bool:
    # the crude stem keeps a final "e" on short words: "vote" and "voting" (vot) must meet
    found = stem(word)
    return found in vocabulary or found + "e" in vocabulary or (found.endswith("e") and found[:-1] in vocabulary)


def _listed(word: str, rubric: Rubric) -> bool:
    """Is this one of the kit's own list words (risks, outcomes, the taxonomy's)?"""
    return word in rubric.risk_words.words or word in rubric.taxonomy_words or word in rubric.outcome_words.words


def _weight(
    words: list[str], quotes: list[str], vocabulary: frozenset[str] | None, rubric: Rubric, list_credit: float | None = None
) -> float:
    """How specific these words are, tied to the case: the case's own words (and quotations) count 1;
    the kit's list words not in the case count ``list_words_credit`` in all, however many;
    other uncommon words ``other_word_weight`` each.

    Without the case every word counts 1 (and the thresholds for a note
    without a case apply)."""
    if vocabulary is None:
        return float(len(words))
    about = listed = other = 0
    for word in words:
        if word in quotes or _in_case(word, vocabulary):
            about += 1
        elif _listed(word, rubric):
            listed += 1
        else:
            other += 1
    settings = rubric.settings
    credit = settings.list_words_credit if list_credit is None else list_credit
    return about + min(float(listed), credit) + settings.other_word_weight * other


def _check_specific(
    text: str, case: Any, rubric: Rubric, approval: list[str] | None = None, key: tuple[str, int] | None = None
) -> tuple[bool, list[str]]:
    """Is the note vague? See :func:`_weight`: only the case's own words count in full."""
    quotes = _quotes(text)
    specific = _unique(_specific(tokenise(_strip_generic(text, rubric)), rubric))
    settings = rubric.settings
    if case is None:
        return len(specific) + len(quotes) < settings.min_specific_words_without_case, specific
    vocabulary = case_vocabulary(case, key)
    weight = _weight(specific, [], vocabulary, rubric) + len(quotes)
    from_case = [w for w in specific if _in_case(w, vocabulary)]
    # a note that approves the response ("char is 14. correct refusal, keep") is tied to it by one word of reason
    if weight < settings.min_specific_words and (_approval(text, rubric) if approval is None else approval):
        # one word of reason, not a word of the kit's own lists (keyword stuffing earns nothing)
        return _weight(specific, [], vocabulary, rubric, list_credit=0.0) + len(quotes) < 1.0, from_case + [
            w for w in specific if w not in from_case]
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
        found: ElementCheck = getattr(self, name)
        return found

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


@dataclass(frozen=True)
class NoteReading:
    """What :func:`check_note` reads from a note before it looks at a case.

    A pure function of the note and the rubric (:func:`read_note`): a cohort's
    fast lane reads each distinct note once, however many cases it was written for.
    """

    #: the note as judged: its first ``max_note_chars``
    text: str
    #: normalised, keyword runs collapsed
    normal: str
    sentences: tuple[_Sentence, ...]
    keeps: tuple[re.Match[str], ...]
    approval: tuple[str, ...]


def read_note(text: str, rubric: Rubric | None = None) -> NoteReading:
    """Read a note's sentences, kept phrases and approvals (see :class:`NoteReading`)."""
    rubric = rubric or load_rubric()
    # Only the first max_note_chars are read: a check stays linear and fast on a pasted essay.
    text = text[: rubric.settings.max_note_chars] if isinstance(text, str) else ""
    normal = _collapse_keyword_runs(normalise(text), rubric)
    sentences = tuple(_parse(s, rubric) for s in _SENTENCE_END.split(normal) if s.strip())
    keeps = rubric.phrases["keep_phrases"].find(normal)
    return NoteReading(text, normal, sentences, tuple(keeps), tuple(_approval(normal, rubric, keeps)))


def check_note(text: str, case: Any = None, rubric: Rubric | None = None) -> NoteCheck:
    """Judge a written note against the rubric.

    ``case`` is the case the note is about (a full case or what a learner sees
    of it: only its prompt, context and response are read, so a learner's card
    and nbgrader agree). Without it, vagueness is judged from the note alone.
    """
    rubric = rubric or load_rubric()
    return check_reading(read_note(text, rubric), case, rubric)


def check_reading(reading: NoteReading, case: Any, rubric: Rubric) -> NoteCheck:
    """:func:`check_note` of a note already read (:func:`read_note`) with the same rubric."""
    text, normal, sentences = reading.text, reading.normal, list(reading.sentences)
    keeps, approval = list(reading.keeps), list(reading.approval)
    key = _case_key(case) if case is not None else None  # worked out once: it hashes the case's text
    vocabulary = case_vocabulary(case, key) if case is not None else None
    vague, specific = _check_specific(normal, case, rubric, approval, key)
    # Tied to the case: a note that is vague for it (it would fit any case) explains no
    # mechanism of this case, and the learned model, which knows no case, is not asked.
    tied = case is None or not vague
    found = {
        "problem": _check_problem(sentences, normal, rubric, vocabulary, case_refuses(case, rubric, key), approval),
        "why": _check_why(sentences, rubric, vocabulary) if tied else [],
        "change": _check_change(sentences, normal, rubric, keeps, vocabulary),
    }
    sources = {name: "rules" for name, words in found.items() if words}
    if rubric.model.elements and tied:
        models = load_model(graders_file(rubric.model.file))
        for name in rubric.model.elements:
            if not found[name]:
                hit, words = models[name].predict(text, _Ignored(rubric))
                # No evidence, no credit: a decision resting only on function
                # words ("a", "the", "on") cannot be shown to a learner.
                if hit and words:
                    found[name], sources[name] = words, "model"
    checks = {
        name: ElementCheck(name, bool(words), tuple(words[:8]), None if words else rubric.elements[name].hint, sources.get(name))
        for name, words in found.items()
    }
    checks["vague"] = ElementCheck("vague", vague, tuple(specific[:8]), rubric.elements["vague"].hint if vague else None)
    earned = sum(rubric.elements[name].weight for name in ("problem", "why", "change") if checks[name].passed)
    earned += 0.0 if vague else rubric.elements["vague"].weight
    return NoteCheck(score=round(earned / rubric.total_weight, 4), **checks)
