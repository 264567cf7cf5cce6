"""The score report of a mock assessment: pass mark, calibration, tendencies, progress.

Points come from the one grading core (:func:`safetyrater.grading.score_deck`),
under the policy in ``graders/policy.toml``. On top of them the report adds what
a calibration test looks at:

* the pass mark: ``pass_points`` of the points AND a quadratic-weighted Cohen's
  kappa of the safety ratings against the reference of at least ``pass_kappa``
  (kappa over the rated cases; unrated ones already cost their points);
* the rates PRODUCT.md names: agreement, over-flagging on safe cases,
  under-flagging on risky and harmful ones, over-refusal recall, per category;
* the consistency probes: was a case and its rewording rated alike?
* the learner's tendencies, each with the course modules to revisit;
* how this attempt compares with the earlier ones in the saved history.

Late answers: with ``late_answers = "not-scored"`` (the default) a change made
after the deadline is listed but not graded; the answer given in time, if any,
is graded. With ``"scored"`` the late change is graded and marked late.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from ..errors import DataError, Problem
from ..feedback.check import check_note
from ..feedback.rubric import load_rubric
from ..frames import records
from ..grading.calibration import TENDENCIES as EVERY_TENDENCY
from ..grading.calibration import TendencyKind, defined, weighted_kappa
from ..grading.core import score_deck
from ..kinds import NOT_ANSWERED, mistake_words
from ..kinds.rating import RatingCase, answer_class
from ..numbers import one_decimal, signed_one_decimal
from ..widgets.html import escape
from .forms import primary_category
from .session import Attempt, AttemptSession, History, submit_attempt

if TYPE_CHECKING:
    from ..bank.casebank import CaseBank
    from ..bank.policy import Policy

#: the course modules a report can point to
MODULES: dict[int, str] = {
    1: "The two questions",
    2: "Risk categories",
    3: "Safety versus over-refusal",
    4: "Context and framing",
    5: "Comparing responses",
    6: "Flagging unsafe instructions",
    7: "Writing feedback",
    8: "Domain tracks",
    9: "Calibration and common mistakes",
}


#: the tendencies an attempt can show (of the kit's one set, :data:`safetyrater.grading.calibration.TENDENCIES`)
TENDENCIES: dict[str, TendencyKind] = {
    code: EVERY_TENDENCY[code]
    for code in ("over-flagging", "under-flagging", "missing-polite-harm", "accepting-over-refusals", "inconsistency", "vague-notes")
}


def note_is_vague(text: str, case: Any = None, rubric: Any = None) -> bool:
    """Is this note too vague to be useful feedback, in the feedback coach's judgement?

    A note is vague when it is empty, when the coach
    (:func:`safetyrater.feedback.check_note`, the check the cards and
    nbgrader's written-feedback cell use) calls it vague, or when it does not
    name the problem, explain why it matters and say what should change.
    ``case`` lets the coach judge specificity against the case's own words.
    """
    if not isinstance(text, str) or not text.strip():
        return True
    check = check_note(text, case, rubric)
    return check.vague.passed or not (check.problem.passed and check.why.passed and check.change.passed)


@dataclass(frozen=True)
class Tendency:
    """A tendency found in an attempt: how often, on which cases, what to revisit."""

    code: str
    name: str
    detail: str
    count: int
    out_of: int
    positions: tuple[int, ...]
    modules: tuple[int, ...]

    @property
    def revisit(self) -> str:
        return ", ".join(f"module {m} ({MODULES[m]})" for m in self.modules)


@dataclass(frozen=True)
class ProbeResult:
    """A case and its rewording: did the learner rate them alike?"""

    original: str
    variant: str
    positions: tuple[int, int]
    ratings: tuple[str | None, str | None]
    over_refusal: tuple[bool | None, bool | None]

    @property
    def answered(self) -> bool:
        return all(r is not None for r in self.ratings)

    @property
    def consistent(self) -> bool | None:
        if not self.answered:
            return None
        return self.ratings[0] == self.ratings[1] and bool(self.over_refusal[0]) == bool(self.over_refusal[1])


@dataclass
class AssessmentReport:
    """Everything the learner sees after submitting, computed once."""

    attempt: Attempt
    scores: pd.DataFrame
    points: float
    max_points: float
    kappa: float | None
    passed: bool
    pass_points: float
    pass_kappa: float
    late_policy: str
    reveal: bool
    rates: dict[str, dict[str, float | int | None]]
    by_category: list[dict[str, Any]]
    probes: list[ProbeResult]
    tendencies: list[Tendency]
    earlier: list[dict[str, Any]] = field(default_factory=list)
    rationales: dict[str, str] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def unanswered(self) -> list[int]:
        return [int(p) for p in self.scores.loc[~self.scores["answered"], "position"]]

    @property
    def late(self) -> list[int]:
        return [int(p) for p in self.scores.loc[self.scores["late"], "position"]]

    def summary(self) -> dict[str, Any]:
        """What the history keeps of this attempt, to compare later ones with."""
        return {
            "points": round(self.points, 4),
            "max_points": self.max_points,
            "share": round(self.share, 4),
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "passed": self.passed,
            "tendencies": [t.code for t in self.tendencies],
        }

    def progress(self) -> dict[str, Any] | None:
        """The change since the latest earlier attempt, or None if this is the first."""
        if not self.earlier:
            return None
        last = self.earlier[-1]["result"]
        before = set(last.get("tendencies", []))
        now = {t.code for t in self.tendencies}
        kappa_change = None
        if self.kappa is not None and last.get("kappa") is not None:
            kappa_change = round(self.kappa - last["kappa"], 4)
        return {
            "since": self.earlier[-1].get("file"),
            "share_change": round(self.share - float(last.get("share", 0.0)), 4),
            "kappa_change": kappa_change,
            "tendencies_gone": sorted(before - now),
            "tendencies_new": sorted(now - before),
        }

    def to_json(self) -> dict[str, Any]:
        items = []
        for row in records(self.scores):
            item = {
                "position": int(row["position"]),
                "case_id": row["case_id"],
                "rating": row["rating"],
                "over_refusal": row["over_refusal"],
                "points": row["points"],
                "max_points": row["max_points"],
                "seconds": row["seconds"],
                "late": bool(row["late"]),
                "messages": list(row["messages"]),
            }
            if self.reveal:
                item["mistakes"] = list(row["mistakes"])
                item["reference_rating"] = row["reference_rating"]
                item["reference_over_refusal"] = bool(row["reference_over_refusal"])
            items.append(item)
        return {
            "attempt": self.attempt.path.name,
            "form": self.attempt.form,
            "seed": self.attempt.seed,
            "attempt_number": self.attempt.number,
            "cases": len(self.attempt.case_ids),
            "minutes": self.attempt.minutes,
            "started": self.attempt.started.isoformat(timespec="seconds"),
            "submitted": self.attempt.submitted.isoformat(timespec="seconds") if self.attempt.submitted else None,
            "submitted_late": self.attempt.submitted_late,
            "points": round(self.points, 4),
            "max_points": self.max_points,
            "share": round(self.share, 4),
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "passed": self.passed,
            "pass_mark": {"points": self.pass_points, "kappa": self.pass_kappa},
            "late_answers": self.late_policy,
            "late_positions": self.late,
            "unanswered_positions": self.unanswered,
            "rates": self.rates,
            "by_category": self.by_category,
            "probes": [
                {
                    "original": p.original,
                    "variant": p.variant,
                    "positions": list(p.positions),
                    "ratings": list(p.ratings),
                    "consistent": p.consistent,
                }
                for p in self.probes
            ],
            "tendencies": [
                {
                    "code": t.code,
                    "name": t.name,
                    "detail": t.detail,
                    "count": t.count,
                    "out_of": t.out_of,
                    # which cases show it would tell the key; inconsistent pairs do not
                    "positions": list(t.positions) if self.reveal or t.code == "inconsistency" else [],
                    "modules": list(t.modules),
                }
                for t in self.tendencies
            ],
            "earlier": [
                {"file": e.get("file"), "form": e.get("form"), "started": e.get("started"), **e["result"]}
                for e in self.earlier
            ],
            "progress": self.progress(),
            "items": items,
        }

    # -- words ---------------------------------------------------------------------
    def headline(self) -> str:
        verdict = "PASS" if self.passed else "NOT YET PASSED"
        kappa = "not computable" if self.kappa is None else f"{self.kappa:.2f}"
        return (
            f"{verdict}: points {self.points:g} / {self.max_points:g} ({self.share:.1%}; pass mark {self.pass_points:.0%}), "
            f"weighted kappa {kappa} (pass mark {self.pass_kappa:.2f})"
        )

    def _lines(self) -> dict[str, list[str]]:
        """The report's sections as plain lines, shared by the text and HTML forms."""
        a = self.attempt
        about = [
            f"Form {a.form} (seed {a.seed}), attempt {a.number}: {len(a.case_ids)} cases, {a.minutes:g} minutes.",
        ]
        if a.submitted is not None:
            used = (a.submitted - a.started).total_seconds()
            late = " (after the time was up)" if a.submitted_late else ""
            about.append(f"Submitted after {_duration(used)}{late}; {_duration(sum(a.seconds.values()))} spent on cases.")
        if self.unanswered:
            about.append(f"Unanswered (0 points): case {_positions(self.unanswered)}.")
        if self.late:
            how = "not scored" if self.late_policy != "scored" else "scored, marked late"
            about.append(f"Answered or changed after the time was up ({how}): case {_positions(self.late)}.")

        rates = []
        for key, label in RATE_LABELS.items():
            rate = self.rates[key]
            if rate["out_of"]:
                rates.append(f"{label}: {rate['rate']:.0%} ({rate['count']} of {rate['out_of']})")

        probes = []
        for p in self.probes:
            where = f"cases {p.positions[0]} and {p.positions[1]}"
            if p.consistent is None:
                probes.append(f"{where}: not both answered")
            elif p.consistent:
                probes.append(f"{where} (one reworded): rated alike")
            else:
                probes.append(f"{where} (one reworded): rated differently ({p.ratings[0]} and {p.ratings[1]})")
        if not self.probes:
            probes.append("This form had no reworded pair.")

        tendencies = [f"{t.name}: {t.detail} Revisit {t.revisit}." for t in self.tendencies]
        if not tendencies:
            tendencies.append("No tendency stood out.")

        history = []
        for e in self.earlier:
            r = e["result"]
            kappa = "-" if r.get("kappa") is None else f"{r['kappa']:.2f}"
            history.append(
                f"{str(e.get('started', ''))[:16].replace('T', ' ')}  form {e.get('form')}: "
                f"{float(r.get('share', 0)):.1%}, kappa {kappa}, {'pass' if r.get('passed') else 'not passed'}"
            )
        change = self.progress()
        if change is not None:
            words = f"Since the last attempt: points {signed_one_decimal(change['share_change'] * 100)} percentage points"
            if change["kappa_change"] is not None:
                words += f", kappa {change['kappa_change']:+.2f}"
            if change["tendencies_gone"]:
                words += "; no longer: " + ", ".join(TENDENCIES[c].name.lower() for c in change["tendencies_gone"])
            if change["tendencies_new"]:
                words += "; new: " + ", ".join(TENDENCIES[c].name.lower() for c in change["tendencies_new"])
            history.append(words + ".")
        return {"about": about, "rates": rates, "probes": probes, "tendencies": tendencies, "history": history}

    def _case_notes(self, row: dict[str, Any]) -> list[str]:
        """Late, problems with the answer and, when references are revealed, the named mistakes."""
        notes = ["late"] if row["late"] else []
        notes += row["messages"]
        if self.reveal:
            notes += _mistake_words(row["mistakes"])
        return notes

    def text(self) -> str:
        sections = self._lines()
        out = [f"Mock assessment report: {self.attempt.path.name}", self.headline(), *sections["about"], ""]
        out += ["Calibration:", *(f"  {line}" for line in sections["rates"])]
        out += ["By category:"]
        out += [
            f"  {c.get('name', c['category']):<26} {one_decimal(c['points'])} / {one_decimal(c['max_points'])}" for c in self.by_category
        ]
        out += ["Consistency probes:", *(f"  {line}" for line in sections["probes"])]
        out += ["Tendencies:", *(f"  - {line}" for line in sections["tendencies"])]
        if sections["history"]:
            out += ["Earlier attempts:", *(f"  {line}" for line in sections["history"])]
        out += ["Cases:"]
        for row in records(self.scores):
            line = f"  {int(row['position']):>3} {row['case_id']:<16} you: {row['rating'] or '-':<8}"
            if self.reveal:
                line += f" reference: {row['reference_rating']:<8}"
            line += f" {one_decimal(row['points'])} / {one_decimal(row['max_points'])}  {_duration(row['seconds'])}"
            notes = self._case_notes(row)
            if notes:
                line += "  " + "; ".join(notes)
            out.append(line)
        return "\n".join(out)

    def html(self) -> str:
        sections = self._lines()
        colour = "#2a7d2a" if self.passed else "#b36b00"

        def items(lines: list[str]) -> str:
            return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"

        tendencies = "".join(
            f"<li><b>{escape(t.name)}</b>: {escape(t.detail)} "
            f"<br><small>Revisit {escape(t.revisit)}.</small></li>"
            for t in self.tendencies
        ) or "<li>No tendency stood out.</li>"
        categories = "".join(
            f"<tr><td>{escape(c.get('name', c['category']))}</td>"
            f"<td style='text-align:right'>{one_decimal(c['points'])} / {one_decimal(c['max_points'])}</td></tr>"
            for c in self.by_category
        )
        reference = "<th>reference</th>" if self.reveal else ""
        head = f"<tr><th>#</th><th>your rating</th>{reference}<th>points</th><th>time</th><th>notes</th></tr>"
        rows = []
        for row in records(self.scores):
            notes = self._case_notes(row)
            why = ""
            if self.reveal and row["points"] < row["max_points"] and row["case_id"] in self.rationales:
                why = f"<details><summary>why</summary>{escape(self.rationales[row['case_id']])}</details>"
            rows.append(
                f"<tr><td>{int(row['position'])}</td><td>{escape(row['rating'] or '-')}</td>"
                + (f"<td>{escape(row['reference_rating'])}</td>" if self.reveal else "")
                + f"<td>{one_decimal(row['points'])} / {one_decimal(row['max_points'])}</td><td>{_duration(row['seconds'])}</td>"
                f"<td>{escape('; '.join(notes))}{why}</td></tr>"
            )
        history = f"<h4>Earlier attempts</h4>{items(sections['history'])}" if sections["history"] else ""
        return (
            "<div class='sr-assessment-report'>"
            f"<h3 style='color:{colour}'>{escape(self.headline())}</h3>"
            f"{items(sections['about'])}"
            f"<h4>Tendencies</h4><ul>{tendencies}</ul>"
            f"<h4>Calibration</h4>{items(sections['rates'])}"
            f"<h4>Consistency probes</h4>{items(sections['probes'])}"
            f"{history}"
            f"<h4>By category</h4><table>{categories}</table>"
            f"<h4>Cases</h4><table>{head}{''.join(rows)}</table>"
            "</div>"
        )


RATE_LABELS = {
    "accuracy": "Ratings that match the reference",
    "over_flag": "Safe responses rated risky or harmful (over-flagging)",
    "under_flag": "Risky or harmful responses rated lower (under-flagging)",
    "over_refusal_recall": "Over-refusals ticked",
}


def _duration(seconds: float) -> str:
    seconds = int(round(float(seconds or 0)))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def _positions(positions: list[int]) -> str:
    return ", ".join(str(p) for p in positions)


def _mistake_words(codes: tuple[str, ...]) -> list[str]:
    words = mistake_words()
    return [words[c] for c in codes if c != NOT_ANSWERED]


def _rate(count: int, out_of: int) -> dict[str, float | int | None]:
    return {"count": count, "out_of": out_of, "rate": round(count / out_of, 4) if out_of else None}


def grade_attempt(attempt: Attempt, bank: CaseBank, policy: Policy, history: History | None = None) -> AssessmentReport:
    """Score an attempt with the grading core and build its report."""
    missing = [case_id for case_id in attempt.case_ids if case_id not in bank.cases]
    if missing:
        where = "the assessment pool (datasets/pool/) is not here" if not any(
            c.use == "assessment" for c in bank.cases.values()
        ) else "not in the case bank"
        raise DataError(
            [Problem(attempt.path, None, "cases", f"{len(missing)} case(s) cannot be graded ({where}): {', '.join(missing[:5])}")]
        )
    # a form holds rating cases only (forms.pool_cases)
    cases = [cast(RatingCase, bank.cases[case_id]) for case_id in attempt.case_ids]
    rules = policy.assessment
    answers = attempt.answers_for_grading(rules.late_answers)
    scores = score_deck(answers, cases, policy)
    scores["position"] = range(1, len(cases) + 1)
    scores["seconds"] = [attempt.seconds.get(c.id, 0.0) for c in cases]
    scores["late"] = [c.id in attempt.late_answers for c in cases]
    scores["category"] = [primary_category(c) for c in cases]
    scores["answer_class"] = [answer_class(c) for c in cases]
    scores["polite_harm"] = ["polite-harm" in c.tags for c in cases]

    scale = list(policy.rating.scale)
    rated = scores[scores["rating"].notna()]
    # undefined (fewer than two rated cases, or one level throughout): not computable, and no pass
    kappa = defined(weighted_kappa(list(rated["reference_rating"]), list(rated["rating"]), scale))
    points = float(scores["points"].sum())
    max_points = float(scores["max_points"].sum())
    share = points / max_points if max_points else 0.0
    passed = share >= rules.pass_points - 1e-9 and kappa is not None and kappa >= rules.pass_kappa - 1e-9

    level = {label: i for i, label in enumerate(scale)}
    lower = rated.apply(lambda r: level[r["rating"]] < level[r["reference_rating"]], axis=1) if len(rated) else rated["rating"]
    benign = rated[rated["reference_rating"] == scale[0]]
    unsafe = rated[rated["reference_rating"] != scale[0]]
    refusals = scores[scores["answered"] & scores["reference_over_refusal"]]
    rates = {
        "accuracy": _rate(int((rated["rating"] == rated["reference_rating"]).sum()), len(rated)),
        "over_flag": _rate(int((benign["rating"] != scale[0]).sum()), len(benign)),
        "under_flag": _rate(int(lower[unsafe.index].sum()) if len(unsafe) else 0, len(unsafe)),
        "over_refusal_recall": _rate(int((refusals["over_refusal"] == True).sum()), len(refusals)),  # noqa: E712
    }
    by_category = [
        {
            "category": category,
            # learners read the risk area's name, not its id
            "name": bank.taxonomy[str(category)].name if str(category) in bank.taxonomy else str(category),
            "points": round(float(group["points"].sum()), 4),
            "max_points": float(group["max_points"].sum()),
        }
        for category, group in scores.groupby("category", sort=True)
    ]
    position = {case_id: i for i, case_id in enumerate(attempt.case_ids, 1)}
    probes = []
    for case in cases:
        if case.variant_of and case.variant_of in position:
            first, second = scores.iloc[position[case.variant_of] - 1], scores.iloc[position[case.id] - 1]
            probes.append(
                ProbeResult(
                    case.variant_of,
                    case.id,
                    (position[case.variant_of], position[case.id]),
                    (first["rating"], second["rating"]),
                    (first["over_refusal"], second["over_refusal"]),
                )
            )
    probes.sort(key=lambda p: p.positions)
    tendencies = find_tendencies(scores, lower, probes, rules.tendency_share, rules.tendency_min_cases, scale, {c.id: c for c in cases})
    return AssessmentReport(
        attempt=attempt,
        scores=scores,
        points=round(points, 4),
        max_points=max_points,
        kappa=kappa,
        passed=passed,
        pass_points=rules.pass_points,
        pass_kappa=rules.pass_kappa,
        late_policy=rules.late_answers,
        reveal=rules.reveal_references,
        rates=rates,
        by_category=by_category,
        probes=probes,
        tendencies=tendencies,
        earlier=history.earlier_results(attempt) if history is not None else [],
        rationales={c.id: c.rationale for c in cases} if rules.reveal_references else {},
    )


def find_tendencies(
    scores: pd.DataFrame,
    lower: pd.Series,
    probes: list[ProbeResult],
    share: float,
    min_cases: int,
    scale: Sequence[str],
    cases: Mapping[str, Any] | None = None,
) -> list[Tendency]:
    """The tendencies an attempt shows, in the order of :data:`TENDENCIES`; ``cases`` by id, for the notes' check."""
    rated = scores[scores["rating"].notna()]
    answered = scores[scores["answered"]]
    safe = scale[0]
    found: list[Tendency] = []

    def check(code: str, concerned: pd.DataFrame, showing: pd.DataFrame, detail: str, minimum: int = min_cases) -> None:
        count, out_of = len(showing), len(concerned)
        if out_of and count >= minimum and count / out_of >= share:
            kind = TENDENCIES[code]
            found.append(
                Tendency(
                    code,
                    kind.name,
                    detail.format(count=count, out_of=out_of) + f" ({kind.meaning}).",
                    count,
                    out_of,
                    tuple(int(p) for p in showing["position"]),
                    kind.modules,
                )
            )

    benign = rated[rated["reference_rating"] == safe]
    check("over-flagging", benign, benign[benign["rating"] != safe], "you rated {count} of {out_of} safe responses risky or harmful")
    unsafe = rated[rated["reference_rating"] != safe]
    plain, polite = unsafe[~unsafe["polite_harm"]], unsafe[unsafe["polite_harm"]]
    check(
        "under-flagging",
        plain,
        plain[lower[plain.index]],
        "you rated {count} of {out_of} risky or harmful responses lower than the reference",
    )
    check(
        "missing-polite-harm",
        polite,
        polite[lower[polite.index]],
        "you under-rated {count} of {out_of} politely worded harmful or risky responses",
    )
    refusals = answered[answered["reference_over_refusal"]]
    check(
        "accepting-over-refusals",
        refusals,
        refusals[refusals["over_refusal"] != True],  # noqa: E712
        "you left the over-refusal tick off {count} of {out_of} over-refusals",
    )
    compared = [p for p in probes if p.answered]
    differing = [p for p in compared if not p.consistent]
    if differing:
        kind = TENDENCIES["inconsistency"]
        pairs = "; ".join(f"cases {p.positions[0]} and {p.positions[1]}" for p in differing)
        found.append(
            Tendency(
                "inconsistency",
                kind.name,
                f"you rated {len(differing)} of {len(compared)} reworded pair(s) differently: {pairs} ({kind.meaning}).",
                len(differing),
                len(compared),
                tuple(pos for p in differing for pos in p.positions),
                kind.modules,
            )
        )
    if len(answered):
        rubric, cases = load_rubric(), cases or {}
        notes = zip(answered["note"], answered["case_id"], strict=True)
        vague = answered[[note_is_vague(note, cases.get(case_id), rubric) for note, case_id in notes]]
    else:
        vague = answered
    check("vague-notes", answered, vague, "{count} of your {out_of} notes were missing or vague")
    return found


def finish_attempt(session: AttemptSession, bank: CaseBank, policy: Policy) -> AssessmentReport:
    """Submit the attempt, grade it and keep its result in the history."""
    submit_attempt(session)  # submitted, even if grading must happen elsewhere
    history = History(session.path.parent)
    report = grade_attempt(session.attempt, bank, policy, history)
    history.record(session.attempt, report.summary())
    return report
