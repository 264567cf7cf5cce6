"""Reading words the feedback coach's way: one tokeniser for the rules and the learned model.

Plain quotes and dashes, lower case, tokens of letters, digits and ``$`` joined by
``' . - / +``, a crude stem, and word n-grams. The rules (:mod:`.check`) read a
note's tokens; the learned model (:mod:`.model`) reads its n-grams.
"""

from __future__ import annotations

import re
from functools import lru_cache

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

#: curly quotes and dashes as their plain forms
PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - "})
#: a token: letters, digits and $ joined by ' . - / +
TOKEN = re.compile(r"[a-z0-9$]+(?:['.\-/+][a-z0-9]+)*")
_SUFFIXES = ("ations", "ation", "ing", "ers", "er", "ed", "es", "s", "ly", "al")


def plain_lower(text: str) -> str:
    """Plain quotes and dashes, lower case."""
    return text.translate(PLAIN).lower()


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, ``she'd`` as ``she would``, single spaces."""
    text = plain_lower(text)
    text = re.sub(r"\b(i|you|he|she|it|we|they|someone|anyone)'d\b", r"\1 would", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def tokenise(text: str) -> list[str]:
    """The tokens of text already lowered (see :func:`normalise` and :func:`plain_lower`)."""
    return TOKEN.findall(text)


def ngrams(text: str, max_n: int = 2) -> list[str]:
    """The note's words and word sequences up to ``max_n``: what the learned model reads."""
    words = tokenise(plain_lower(text))
    grams = list(words)
    for n in range(2, max_n + 1):
        grams += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return grams


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem, enough to match "training" in a note with "train" in a case."""
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word
