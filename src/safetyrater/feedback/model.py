"""The feedback coach's small learned model: word n-grams to one rubric element.

The rules of :mod:`safetyrater.feedback` miss some of the many ways a note
can name a problem ("Jumping to conclusions about a coworker."). A logistic
regression over the note's words and word pairs, trained with scikit-learn on
every labelled note of ``datasets/feedback_notes`` (all voices and sets),
catches part of the rest; the coach counts an element as met when the
rules OR the model find it.

The trained weights ship as JSON in ``graders/feedback_model.json`` (an
inverse document frequency and a weight per n-gram), and this module applies
them in plain Python: no scikit-learn at run time, no pickle, nothing
downloaded, and an instructor can read which words push a note towards the
element. ``safetyrater feedback train`` retrains it after the labelled notes
change (scikit-learn is imported only there).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..io import iter_jsonl
from ..paths import datasets_dir, graders_dir
from .rubric import load_rubric
from .text import ngrams

MODEL_FILE = "feedback_model.json"
NOTES_FILE = Path("feedback_notes") / "notes.jsonl"
FORMAT = 1


def model_path() -> Path:
    return graders_dir() / MODEL_FILE


def notes_path() -> Path:
    return datasets_dir() / NOTES_FILE


@dataclass(frozen=True)
class ElementModel:
    """A logistic regression over tf-idf weighted n-grams, applied in plain Python."""

    element: str
    max_n: int
    intercept: float
    idf: dict[str, float]
    weight: dict[str, float]

    def contributions(self, text: str) -> dict[str, float]:
        """Each known n-gram's share of the decision (sublinear tf-idf, L2-normalised, times its weight)."""
        counts = Counter(g for g in ngrams(text, self.max_n) if g in self.idf)
        values = {g: (1.0 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        return {g: v / norm * self.weight.get(g, 0.0) for g, v in values.items()}

    def predict(self, text: str, ignore: Any = ()) -> tuple[bool, list[str]]:
        """Whether the model finds the element, and the n-grams that pushed it there most.

        N-grams made only of words in ``ignore`` (function words) count in the
        decision but are not shown as evidence."""
        parts = self.contributions(text)
        found = self.intercept + sum(parts.values()) > 0
        shown = [g for g, v in parts.items() if v > 0 and not all(w in ignore for w in g.split())]
        return found, sorted(shown, key=lambda g: -parts[g])[:3] if found else []


def load_model(path: Path | str | None = None) -> dict[str, ElementModel]:
    """The shipped models by element (kept until the file changes); a missing or
    broken file is reported with its path and the fix."""
    path = Path(path) if path is not None else model_path()
    if not path.is_absolute():
        path = path.resolve()
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = (0, 0)
    return _load_model(path, *version)


@lru_cache(maxsize=4)
def _load_model(path: Path, *version: int) -> dict[str, ElementModel]:
    retrain = "run `safetyrater feedback train` to rebuild it"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(path, None, None, f"feedback model not found; {retrain}")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(path, None, None, f"cannot read feedback model ({exc}); {retrain}")]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("elements"), dict):
        raise DataError([Problem(path, None, "format", f"expected a format {FORMAT} feedback model; {retrain}")])
    models = {}
    for element, entry in data["elements"].items():
        try:
            features = entry["features"]
            models[element] = ElementModel(
                element=element,
                max_n=int(entry["max_n"]),
                intercept=float(entry["intercept"]),
                idf={g: float(v[0]) for g, v in features.items()},
                weight={g: float(v[1]) for g, v in features.items() if v[1]},
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataError([Problem(path, None, f"elements.{element}", f"malformed model ({exc}); {retrain}")]) from None
    return models


def read_labelled_notes(path: Path | None = None) -> list[dict[str, Any]]:
    """The labelled notes, each checked against the notes schema (:mod:`.labelled`); problems name the file and line."""
    from .labelled import read_notes_file

    rows, problems = read_notes_file(path or notes_path())
    if problems:
        raise DataError(problems)
    return rows


#: what the coach reads of each case the labelled notes are about, as it was when they were labelled
LABELLED_CASES_FILE = Path("feedback_notes") / "cases.jsonl"
_CASE_TEXT_FIELDS = ("prompt", "context", "response", "response_a", "response_b")


@dataclass(frozen=True)
class LabelledCase:
    """A case as its labelled notes saw it: only what :func:`~safetyrater.feedback.check.check_note` reads.

    A label judges a note against the case's text at the time (a note on "box breathing" is
    specific only while the response says it), so the measurements read this snapshot and stay
    fixed when the case bank is rewritten."""

    id: str
    prompt: str
    context: str | None = None
    response: str | None = None
    response_a: str | None = None
    response_b: str | None = None
    segments: tuple[str, ...] | None = None


def labelled_cases_path() -> Path:
    return datasets_dir() / LABELLED_CASES_FILE


#: a notes file whose cases were rewritten since other notes on them were labelled keeps its own snapshot of
#: them beside it (``heldout-voices-7.cases.jsonl`` for ``heldout-voices-7.jsonl``), read over the shared one
SNAPSHOT_SUFFIX = ".cases.jsonl"


def snapshot_overlay(notes_file: Path) -> Path:
    """The file of case texts one notes file was labelled on where they differ from ``cases.jsonl``."""
    return notes_file.with_name(notes_file.name.removesuffix(".jsonl") + SNAPSHOT_SUFFIX)


def read_labelled_cases(path: Path | None = None, notes_file: Path | None = None) -> dict[str, LabelledCase]:
    """The snapshot of the labelled notes' cases, by id; a bad line is named by file and line.

    With ``notes_file``: the cases as that file's notes saw them (its own snapshot, if it has one, over the shared one)."""
    cases = _read_snapshot(path or labelled_cases_path())
    if notes_file is not None and snapshot_overlay(notes_file).exists():
        cases.update(_read_snapshot(snapshot_overlay(notes_file)))
    return cases


def _read_snapshot(path: Path) -> dict[str, LabelledCase]:
    cases: dict[str, LabelledCase] = {}
    problems: list[Problem] = []
    for line, obj, problem in iter_jsonl(path):
        if problem is not None or obj is None:
            problems += [problem] if problem is not None else []
            continue
        texts = {name: obj.get(name) for name in _CASE_TEXT_FIELDS}
        segments = obj.get("segments")
        if not isinstance(obj.get("case_id"), str) or not isinstance(obj.get("prompt"), str):
            problems.append(Problem(path, line, "case_id" if not isinstance(obj.get("case_id"), str) else "prompt", "expected str"))
        elif not all(value is None or isinstance(value, str) for value in texts.values()):
            problems.append(Problem(path, line, "response", "expected str or null"))
        elif segments is not None and not (isinstance(segments, list) and all(isinstance(x, str) for x in segments)):
            problems.append(Problem(path, line, "segments", "expected a list of str"))
        else:
            cases[obj["case_id"]] = LabelledCase(
                id=obj["case_id"], prompt=obj["prompt"], context=obj.get("context"), response=obj.get("response"),
                response_a=obj.get("response_a"), response_b=obj.get("response_b"), segments=tuple(segments) if segments else None,
            )
    if problems:
        raise DataError(problems)
    return cases


def snapshot_case(case: Any) -> dict[str, Any]:
    """The line of ``cases.jsonl`` for a bank case: what the coach reads of it, no more (``case_id`` names it,
    as in the notes files, so the learner kit leaves out graded cases' lines alike)."""
    line: dict[str, Any] = {"case_id": case.id}
    for name in _CASE_TEXT_FIELDS:
        value = getattr(case, name, None)
        if value is not None:
            line[name] = value
    segments = getattr(case, "segments", None)
    if segments:
        line["segments"] = list(segments)
    return line


#: held-out sets never trained on and never used to tune the rules: set 9, written and labelled by other hands from
#: the labelling rules alone, measured once before and once after round coach5 (sets 1-8 are tuned on)
UNSEEN_NOTE_FILES: frozenset[str] = frozenset({"heldout-voices-9.jsonl"})


def labelled_note_files(folder: Path | None = None) -> list[Path]:
    """The files of labelled notes the model learns from: every file in ``datasets/feedback_notes`` but the
    case snapshot and the unseen held-out sets, in name order."""
    folder = folder or notes_path().parent
    return sorted(
        p for p in folder.glob("*.jsonl")
        if p.name != LABELLED_CASES_FILE.name and not p.name.endswith(SNAPSHOT_SUFFIX) and p.name not in UNSEEN_NOTE_FILES
    )


def train(elements: list[str], c: float, max_n: int, notes: list[Path] | None = None) -> dict[str, Any]:
    """Train one model per element on every labelled note (``notes``: the files; default all of them).

    Every set has been measured at least once and is tuned on (the ``split`` field records
    what was held out when); the honest figure is a set kept outside the repository."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    files = notes if notes is not None else labelled_note_files()
    rows = [r for path in files for r in read_labelled_notes(path)]
    texts = [r["text"] for r in rows]
    names_read = ", ".join(path.name for path in files)
    out: dict[str, Any] = {"format": FORMAT, "trained_on": f"{names_read} ({len(rows)} notes)", "elements": {}}
    for element in elements:
        # an n-gram of a single note is noise to the model and only makes the shipped file larger
        vectoriser = TfidfVectorizer(analyzer=lambda text: ngrams(text, max_n), sublinear_tf=True, min_df=2)
        matrix = vectoriser.fit_transform(texts)
        labels = [bool(r[element]) for r in rows]
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(matrix, labels)
        names = vectoriser.get_feature_names_out()
        features = {
            str(name): [round(float(idf), 6), round(float(coef), 6)]
            for name, idf, coef in sorted(zip(names, vectoriser.idf_, model.coef_[0], strict=True), key=lambda t: t[0])
        }
        out["elements"][element] = {"c": c, "max_n": max_n, "intercept": round(float(model.intercept_[0]), 6), "features": features}
    return out


def write_model(model: dict[str, Any], path: Path | None = None) -> Path:
    path = path or model_path()
    path.write_text(json.dumps(model, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> int:
    """``safetyrater feedback train``: retrain the model from the labelled notes and write its weights."""
    rubric = load_rubric()
    model = train(list(rubric.model.elements), rubric.model.c, rubric.model.max_n)
    path = write_model(model, graders_dir() / rubric.model.file)
    print(f"wrote {path} ({model['trained_on']})")
    return 0
