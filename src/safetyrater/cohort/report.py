"""The calibration report: a few HTML pages an instructor reads at 1,000 learners, and the tables as CSV.

``write_report`` writes into one folder (open ``report.html``; nothing is
fetched from the network, the pages work from the folder):

===========================  ===================================================
``report.html``              the summary: cohort figures, the cases to review, the
                             learners to contact, the calibration plots
``learners.html``            every learner, sortable and filterable
``learners/<id>.html``       one learner: points per exercise, confusion, notes
``cases.html``               every case: difficulty, discrimination, how ratings split
``split.html``               the most split cases, learners' notes beside the key
``agreement.html``           Krippendorff's alpha, the cohort's confusion, named mistakes
``problems.html``            files that could not be graded
``assets/``                  the pages' stylesheet and small sort-and-filter script
``scores.csv``               the record's tidy table: learner × exercise × case
``learners.csv``             per learner: score, accuracy, kappa, rates, tendencies
``learner_exercises.csv``    per learner × exercise: points, maximum, where they came from
``learner_categories.csv``   per learner × risk category: the same rates
``confusion.csv``            per learner: reference rating × given rating counts
``mistakes.csv``             per learner: how often each named mistake was made
``cases.csv``                per case: difficulty, discrimination, the ratings' split
``review_key.csv``           cases where most strong learners chose another rating
``agreement.csv``            Krippendorff's alpha, overall and per category
``problems.csv``             files that could not be graded, by learner and path
===========================  ===================================================

The points are the course record's (:mod:`.record`): the gradebook's where it
holds a submission, so a score set by hand in the formgrader shows here as in
the LMS export.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..bank.casebank import CaseBank
from ..bank.schema import RATINGS
from ..errors import DataError
from ..grading.calibration import TENDENCIES
from ..io import write_csv
from ..kinds import mistake_words
from ..widgets.html import escape
from .grade import NOT_SUBMITTED, NOTES_CASE
from .pages import Column, copy_assets, figures, is_missing, link, number, page, percent, plot, points, table
from .plots import PLOTS, render_plot, render_svg
from .stats import TENDENCY_THRESHOLDS, CohortStats, cohort_stats

if TYPE_CHECKING:
    from .grade import CohortGrades

__all__ = ["PLOTS", "REPORT_FILE", "learner_view", "problems_frame", "render_plot", "write_report"]

REPORT_FILE = "report.html"
LEARNER_DIR = "learners"
#: a learner whose weighted kappa is below this is one to contact
CONTACT_KAPPA = 0.4
#: how many learners and cases the summary lists (the full tables are a click away)
SUMMARY_ROWS = 12
#: how many cases the "most split" page reviews, and learners' notes shown per rating given
SPLIT_CASES = 25
NOTES_PER_RATING = 3
#: tendencies that need no follow-up
NO_FOLLOW_UP = {"well-calibrated"}
#: the kind of a row only the gradebook knows (see record.GRADEBOOK_KIND): a grade cell, not a case
_GRADEBOOK_KIND = "nbgrader"


def learner_view(stats: CohortStats, profiles: dict[str, str] | None = None) -> pd.DataFrame:
    """The per-learner table an instructor reads first: weakest agreement first."""
    columns = [
        "learner",
        "points",
        "max",
        "accuracy",
        "kappa",
        "over_flag_rate",
        "under_flag_rate",
        "over_refusal_recall",
        "tendencies",
        "top_mistakes",
    ]
    frame = stats.learners[columns].copy()
    frame["tendencies"] = frame["tendencies"].map(lambda codes: ", ".join(TENDENCIES[c].name for c in codes.split(";") if c))
    if profiles:
        frame.insert(1, "planted_profile", frame["learner"].map(profiles))
    return frame.sort_values("kappa", na_position="first", kind="stable").reset_index(drop=True)


def problems_frame(grades: CohortGrades) -> pd.DataFrame:
    rows = [{"path": str(p.path), "line": p.line, "where": p.field, "problem": p.message} for p in grades.problems]
    return pd.DataFrame(rows, columns=["path", "line", "where", "problem"])


def learner_file(learner: str) -> str:
    """The drill-down page of ``learner``, relative to the report folder: a safe file name, unique per id."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", learner)
    if safe != learner or safe.startswith("."):
        safe = f"{safe.lstrip('.')}-{hashlib.sha1(learner.encode()).hexdigest()[:8]}"
    return f"{LEARNER_DIR}/{safe}.html"


def case_count(scores: pd.DataFrame) -> int:
    """Cases in the record: not the written-feedback cells, not grade cells only the gradebook knows."""
    cases = scores[(scores["case"] != NOTES_CASE) & (scores["kind"] != _GRADEBOOK_KIND)]
    return len(cases[["exercise", "case"]].drop_duplicates())


def exercise_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Per learner × exercise: points, maximum, status, where the points came from, hand-set scores."""
    frame = scores.copy()
    for column, default in (("source", "answer file"), ("manual", False), ("needs_manual_grade", False)):
        if column not in frame:
            frame[column] = default
    totals = frame.groupby(["learner", "exercise"], sort=False).agg(
        points=("points", "sum"),
        max=("max", "sum"),
        status=("status", "first"),
        source=("source", "first"),
        manual=("manual", "sum"),
        waiting=("needs_manual_grade", "sum"),
    )
    totals["points"] = totals["points"].round(4)
    return totals.reset_index()


def contact_reasons(stats: CohortStats, totals: pd.DataFrame, problems: pd.DataFrame) -> dict[str, list[str]]:
    """Why to contact each learner who needs it: low agreement, a tendency, a file that could not be read, missing work."""
    reasons: dict[str, list[str]] = {}
    for learner, kappa, tendencies in zip(stats.learners["learner"], stats.learners["kappa"], stats.learners["tendencies"], strict=True):
        found: list[str] = []
        if not is_missing(kappa) and float(kappa) < CONTACT_KAPPA:
            found.append(f"low agreement (kappa {float(kappa):.2f})")
        found += [TENDENCIES[c].name for c in str(tendencies).split(";") if c and c not in NO_FOLLOW_UP]
        reasons[str(learner)] = found
    missing = totals[totals["status"] == NOT_SUBMITTED].groupby("learner").size()
    for learner, count in missing.items():
        reasons.setdefault(str(learner), []).append(f"{count} exercise(s) not handed in")
    for where in problems["where"]:
        learner = str(where).removeprefix("learner ")
        if learner in reasons and "a file could not be graded" not in reasons[learner]:
            reasons[learner].append("a file could not be graded")
    return {learner: found for learner, found in reasons.items() if found}


def most_split(stats: CohortStats) -> pd.DataFrame:
    """The rating cases the "most split" page reviews: the cohort most divided first."""
    rated = stats.cases[stats.cases["reference_rating"].notna() & (stats.cases["split"] > 0)]
    return rated.sort_values("split", ascending=False, kind="stable").head(SPLIT_CASES)


def _case_link(reviewed: set[str]) -> Column:
    """A case's id, linking to its review on the split page when it has one."""

    def show(row: Any) -> str:
        case = str(row["case"])
        return link(f"split.html#{case}", case) if case in reviewed else escape(case)

    return Column("case", "Case", render=show)


def _learner_link(depth: int = 0) -> Column:
    up = "../" * depth
    return Column("learner", "Learner", render=lambda row: link(up + learner_file(str(row["learner"])), str(row["learner"])))


def _tendency_names(codes: Any) -> str:
    return ", ".join(TENDENCIES[c].name for c in str(codes or "").split(";") if c)


def _summary_body(
    grades: CohortGrades,
    stats: CohortStats,
    totals: pd.DataFrame,
    reasons: dict[str, list[str]],
    profiles: dict[str, str] | None,
    source: str | None,
) -> str:
    learners = stats.learners
    overall = stats.agreement.loc[stats.agreement["category"] == "all", "alpha"]
    alpha = number(overall.iloc[0]) if len(overall) and not is_missing(overall.iloc[0]) else "n/a"
    share = learners["points"].sum() / learners["max"].sum() if learners["max"].sum() else float("nan")
    split = most_split(stats)
    reviewed = set(split["case"].astype(str))
    handed_in = int((totals["status"] != NOT_SUBMITTED).sum())
    parts = [
        figures(
            [
                (f"{len(learners)}", "learners"),
                (f"{len(grades.exercises)}", "exercises"),
                (f"{case_count(grades.scores)}", "cases"),
                (f"{handed_in}", "submissions"),
                (percent(share) or "n/a", "mean score"),
                (number(learners["kappa"].median()) or "n/a", "median weighted kappa"),
                (alpha, "Krippendorff's alpha"),
                (f"{len(reasons)}", "learners to contact"),
                (f"{len(stats.review_key)}", "keys to review"),
            ]
        ),
        f"<p class='meta'>{escape(source or '')} Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        "Every table is also a CSV file in this folder.</p>",
    ]

    # the learners to contact, weakest agreement first
    order = learners.assign(reasons=learners["learner"].map(lambda lr: "; ".join(reasons.get(str(lr), []))))
    order = order[order["reasons"] != ""].sort_values("kappa", na_position="first", kind="stable")
    parts.append("<h2>Learners to contact</h2>")
    if len(order):
        shown = order.head(SUMMARY_ROWS)
        parts.append(
            table(
                shown.to_dict("records"),
                [
                    _learner_link(),
                    Column("kappa", "Kappa", number, numeric=True),
                    Column("score_share", "Score", percent, numeric=True),
                    Column("reasons", "Why"),
                ],
            )
        )
        more = f"All {len(order)} on the " if len(order) > len(shown) else "Filter them on the "
        parts.append(f"<p>{escape(more)}{link('learners.html?q=contact', 'Learners')} page (“contact” in the filter).</p>")
    else:
        parts.append("<p>None: every learner agrees with the key well enough, has no tendency and handed everything in.</p>")

    parts.append("<h2>Cases to review</h2>")
    review = stats.review_key
    if len(review):
        parts.append("<p>Most of the strongest learners chose another rating than the key: check the key first.</p>")
        parts.append(
            table(
                review.to_dict("records"),
                [
                    _case_link(reviewed),
                    Column("exercise", "Exercise"),
                    Column("reference_rating", "Key"),
                    Column("strong_most_given", "Strong learners chose"),
                    Column("strong_share", "Share of them", percent, numeric=True),
                ],
            )
        )
    if len(split):
        parts.append(
            f"<p>The most split cases: learners' notes beside the key are on the {link('split.html', 'Most split cases')} page.</p>"
        )
        parts.append(
            table(
                split.head(SUMMARY_ROWS).to_dict("records"),
                [
                    _case_link(reviewed),
                    Column("exercise", "Exercise"),
                    Column("reference_rating", "Key"),
                    Column("most_given", "Most given"),
                    Column("split", "Split", percent, numeric=True),
                    Column("p_exact", "Exact", percent, numeric=True),
                ],
            )
        )
    if not len(review) and not len(split):
        parts.append("<p>None: every learner gave every case the same rating.</p>")

    given = learners["tendencies"].str.split(";").explode()
    counts = given[given != ""].value_counts()
    tendency_items = "".join(f"<li>{escape(TENDENCIES[str(code)].name)}: {count} learner(s)</li>" for code, count in counts.items())
    limits = ", ".join(f"{k} {v}" for k, v in TENDENCY_THRESHOLDS.items())
    parts.append("<h2>Calibration</h2>")
    parts.append(f"<ul>{tendency_items or '<li>no tendencies</li>'}</ul><p class='note'>Thresholds: {escape(limits)}.</p>")
    parts.append(
        "<div class='plots'>"
        + plot(render_svg("calibration", stats, profiles), "Over-flag against under-flag rate, one point per learner")
        + plot(render_svg("kappa", stats), "How agreement with the key spreads across the cohort")
        + "</div>"
    )
    return "\n".join(parts)


def _learners_body(stats: CohortStats, reasons: dict[str, list[str]], profiles: dict[str, str] | None) -> str:
    rows = stats.learners.assign(
        tendency_names=stats.learners["tendencies"].map(_tendency_names),
        contact=stats.learners["learner"].map(lambda lr: ("contact: " + "; ".join(reasons[str(lr)])) if str(lr) in reasons else ""),
    )
    if profiles:
        rows = rows.assign(planted_profile=rows["learner"].map(profiles))
    rows = rows.sort_values("kappa", na_position="first", kind="stable")
    columns = [_learner_link()]
    if profiles:
        columns.append(Column("planted_profile", "Planted profile"))
    columns += [
        Column("points", "Points", points, numeric=True),
        Column("max", "Of", points, numeric=True),
        Column("score_share", "Score", percent, numeric=True),
        Column("kappa", "Kappa", number, numeric=True),
        Column("over_flag_rate", "Over-flag", percent, numeric=True),
        Column("under_flag_rate", "Under-flag", percent, numeric=True),
        Column("over_refusal_recall", "Over-refusals caught", percent, numeric=True),
        Column("tendency_names", "Tendencies"),
        Column("top_mistakes", "Most frequent mistakes"),
        Column("contact", "Contact"),
    ]
    tendency_names = [TENDENCIES[code].name for code in TENDENCIES]
    return (
        "<p>Weakest agreement first. Click a heading to sort, type in the filter (a learner id, a tendency, "
        "“contact”) to narrow; a learner's id opens their page. Rates are over rating cases answered: over-flag "
        "on benign responses, under-flag on harmful ones.</p>"
        + table(
            rows.to_dict("records"),
            columns,
            table_id="learners",
            noun="learners",
            search="learner, tendency, contact…",
            choices={"tendency_names": tendency_names},
        )
    )


def _confusion_table(counts: pd.DataFrame) -> str:
    # a plain 3 × 3 count (pandas' unstack per learner costs seconds at 1,000 learners)
    position = {rating: i for i, rating in enumerate(RATINGS)}
    values = [[0] * len(RATINGS) for _ in RATINGS]
    for reference, given, count in zip(counts["reference"], counts["given"], counts["count"], strict=True):
        if reference in position and given in position:
            values[position[reference]][position[given]] += int(count)
    head = "".join(f"<th scope='col'>{escape(r)}</th>" for r in RATINGS)
    body = "".join(
        f"<tr><th scope='row'>{escape(ref)}</th>"
        + "".join(f"<td class='{'hit' if i == j else ''}'>{values[i][j]}</td>" for j in range(len(RATINGS)))
        + "</tr>"
        for i, ref in enumerate(RATINGS)
    )
    return (
        "<table class='confusion' style='width:auto'><caption class='note'>Rows: the key's rating; columns: the learner's.</caption>"
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


#: the columns of a learner's "cases and notes" table (see :func:`page_rows`)
PAGE_COLUMNS = ["learner", "exercise", "case", "rating", "reference_rating", "points", "max", "mistake_words", "note"]


def page_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """The submitted rows of the scores with only what a learner's page shows, the mistakes in words (all learners at once)."""
    words = mistake_words()
    rows = scores[scores["status"] != NOT_SUBMITTED]

    def named(codes: Any) -> str:
        return "; ".join(str(words.get(c, c)) for c in codes) if isinstance(codes, tuple) else ""

    return rows.assign(mistake_words=rows["mistakes"].map(named)).reindex(columns=PAGE_COLUMNS)


def _learner_body(
    learner: str,
    row: Mapping[Hashable, Any],
    scores: list[dict[str, Any]],
    totals: list[dict[str, Any]],
    confusion: pd.DataFrame,
    reasons: dict[str, list[str]],
    profile: str | None,
) -> str:
    """One learner's page: ``row`` of the learner table, and their own rows (records) of :func:`page_rows`, the totals and the confusion."""
    parts = [
        figures(
            [
                (f"{points(row['points'])} / {points(row['max'])}", "points"),
                (percent(row["score_share"]) or "n/a", "score"),
                (number(row["kappa"]) or "n/a", "weighted kappa"),
                (percent(row["over_flag_rate"]) or "n/a", "over-flag rate"),
                (percent(row["under_flag_rate"]) or "n/a", "under-flag rate"),
            ]
        )
    ]
    if profile:
        parts.append(f"<p class='meta'>Planted profile (demo): {escape(profile)}</p>")
    found = reasons.get(learner)
    parts.append(f"<p><b>Contact:</b> {escape('; '.join(found))}</p>" if found else "<p>Nothing to follow up.</p>")
    parts.append("<h2>Exercises</h2>")
    parts.append(
        table(
            totals,
            [
                Column("exercise", "Exercise"),
                Column("points", "Points", points, numeric=True),
                Column("max", "Of", points, numeric=True),
                Column("status", "Status"),
                Column("source", "From"),
                Column("manual", "Scores set by hand", lambda v: str(int(v)) if v else "", numeric=True),
                Column("waiting", "Awaiting a manual grade", lambda v: str(int(v)) if v else "", numeric=True),
            ],
        )
    )
    parts.append("<h2>Ratings against the key</h2>")
    parts.append(_confusion_table(confusion))
    parts.append("<h2>Cases and notes</h2>")
    parts.append(
        table(
            scores,
            [
                Column("exercise", "Exercise"),
                Column("case", "Case"),
                Column("rating", "Rating"),
                Column("reference_rating", "Key"),
                Column("points", "Points", points, numeric=True),
                Column("max", "Of", points, numeric=True),
                Column("mistake_words", "Mistakes"),
                Column("note", "Note", lambda note: f"<div class='note-text'>{escape(note)}</div>" if isinstance(note, str) else ""),
            ],
            table_id="cases",
            noun="items",
            search="case, mistake, word in a note…",
        )
    )
    return "\n".join(parts)


def _split_body(stats: CohortStats, scores: pd.DataFrame, bank: CaseBank | None) -> str:
    split = most_split(stats)
    if not len(split):
        return "<p>No case splits the cohort: every learner gave each case the same rating.</p>"
    notes = scores[scores["case"].isin(set(split["case"]))]
    notes = notes[notes["note"].map(lambda n: isinstance(n, str) and bool(n.strip()))]  # the notes written, found once
    parts = [
        f"<p>The {len(split)} rating cases the cohort is most divided on (the share who did not give the most common "
        "rating), most split first. Beside each key: what learners chose and, for each rating, a few of their notes. "
        "A split with good reasons on both sides is a case to discuss; a key the strong learners reject is one to check.</p>"
    ]
    for case in split.itertuples():
        key_case = bank.cases.get(str(case.case)) if bank is not None else None
        rationale = getattr(key_case, "rationale", "") or ""
        prompt = getattr(key_case, "prompt", "") or ""
        shares = "".join(
            f"<li>{escape(r)}{' (key)' if r == case.reference_rating else ''}: {percent(getattr(case, f'given_{r}'))} "
            f"<span class='bar' style='width:{6 * float(getattr(case, f'given_{r}') or 0):.2f}rem'></span></li>"
            for r in RATINGS
        )
        given = notes[notes["case"] == case.case]
        voices = []
        for rating in RATINGS:
            some = given[given["rating"] == rating].head(NOTES_PER_RATING)
            if not len(some):
                continue
            quotes = "".join(
                f"<blockquote>{escape(str(note))} <span class='note'>({link(learner_file(str(who)), str(who))})</span></blockquote>"
                for who, note in zip(some["learner"], some["note"], strict=True)
            )
            voices.append(f"<h4>Rated {escape(rating)}</h4>{quotes}")
        parts.append(
            f"<section class='split' id='{escape(str(case.case))}'><div>"
            f"<h3>{escape(str(case.case))}</h3><p class='note'>{escape(str(case.exercise))} · split {percent(case.split)} · "
            f"{case.learners} learner(s)</p>"
            + (f"<p><b>Prompt:</b> {escape(prompt[:300])}{'…' if len(prompt) > 300 else ''}</p>" if prompt else "")
            + f"<div class='key'><b>Key: {escape(str(case.reference_rating))}.</b> {escape(rationale)}</div>"
            f"<ul>{shares}</ul></div><div>"
            + ("".join(voices) or "<p class='note'>No learner wrote a note on this case.</p>")
            + "</div></section>"
        )
    return "\n".join(parts)


def _cases_body(stats: CohortStats) -> str:
    cases = stats.cases
    exercises = list(dict.fromkeys(cases["exercise"]))
    return (
        "<p>Difficulty (mean share of points; exact: share with the key's rating) and discrimination: the upper "
        "minus the lower group (27 % each, by score on the rest of the course) and the item-rest correlation. "
        "Split: the share who did not give the most common rating.</p>"
        + "<div class='plots'>"
        + plot(render_svg("cases", stats), "Difficulty against discrimination, one point per rating case")
        + "</div>"
        + table(
            cases.to_dict("records"),
            [
                _case_link(set(most_split(stats)["case"].astype(str))),
                Column("exercise", "Exercise"),
                Column("kind", "Kind"),
                Column("learners", "Learners", lambda v: "" if is_missing(v) else str(int(v)), numeric=True),
                Column("reference_rating", "Key"),
                Column("most_given", "Most given"),
                Column("p_exact", "Exact", percent, numeric=True),
                Column("mean_share", "Mean share", number, numeric=True),
                Column("split", "Split", percent, numeric=True),
                Column("discrimination", "Discrimination", number, numeric=True),
                Column("item_rest_r", "Item-rest r", number, numeric=True),
            ],
            table_id="cases",
            noun="cases",
            search="case id, rating…",
            choices={"exercise": exercises},
        )
    )


def _agreement_body(stats: CohortStats) -> str:
    return (
        "<div class='plots'>"
        + plot(render_svg("agreement", stats), "Krippendorff's alpha (ordinal) across learners, overall and per risk area")
        + plot(render_svg("confusion", stats), "The cohort's ratings against the key")
        + "</div>"
        + table(
            stats.agreement.to_dict("records"),
            [
                Column(str(c), str(c).replace("_", " ").capitalize(), number if c == "alpha" else None, numeric=c == "alpha")
                for c in stats.agreement.columns
            ],
        )
        + "<h2>Named mistakes</h2><div class='plots'>"
        + plot(render_svg("mistakes", stats), "How often the cohort made each named mistake")
        + "</div>"
    )


def _problems_body(problems: pd.DataFrame) -> str:
    if not len(problems):
        return "<p>Every submitted answer file was read.</p>"
    return table(
        problems.to_dict("records"),
        [Column("where", "Learner"), Column("path", "File"), Column("line", "Line"), Column("problem", "Problem")],
        table_id="problems",
        noun="problems",
        search="learner, file, problem…",
    )


def _write(path: Path, html: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def write_report(
    grades: CohortGrades,
    out: Path | str,
    *,
    stats: CohortStats | None = None,
    profiles: dict[str, str] | None = None,
    title: str = "Cohort calibration report",
    bank: CaseBank | None = None,
) -> Path:
    """Write the report's pages and CSV tables into ``out``; return the summary page."""
    stats = stats or cohort_stats(grades)
    if bank is None:
        try:
            bank = CaseBank.load()
        except DataError:
            bank = None  # the split page then shows no key text; `safetyrater validate` names the problem
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    totals = exercise_totals(grades.scores)
    problems = problems_frame(grades)
    # the scores as the fast lane gives them (``cohort grade --out``'s table), not a second, wider copy
    grades.to_csv(out / "scores.csv")
    tables: dict[str, pd.DataFrame] = {
        "learners": stats.learners.assign(planted_profile=stats.learners["learner"].map(profiles)) if profiles else stats.learners,
        "learner_exercises": totals,
        "learner_categories": stats.learner_categories,
        "confusion": stats.confusion,
        "mistakes": stats.mistakes.reset_index(names="learner"),
        "cases": stats.cases,
        "review_key": stats.review_key,
        "agreement": stats.agreement,
        "problems": problems,
    }
    for name, frame in tables.items():
        write_csv(frame, out / f"{name}.csv")  # lists joined with ';', no cell a spreadsheet runs

    copy_assets(out)
    reasons = contact_reasons(stats, totals, problems)
    source = _source_sentence(grades)
    _write(out / REPORT_FILE, page(title, _summary_body(grades, stats, totals, reasons, profiles, source), current=REPORT_FILE))
    _write(
        out / "learners.html",
        page(f"Learners · {title}", _learners_body(stats, reasons, profiles), current="learners.html", heading="Learners"),
    )
    _write(out / "cases.html", page(f"Cases · {title}", _cases_body(stats), current="cases.html", heading="Cases"))
    _write(
        out / "split.html",
        page(f"Most split cases · {title}", _split_body(stats, grades.scores, bank), current="split.html", heading="Most split cases"),
    )
    _write(
        out / "agreement.html",
        page(f"Agreement · {title}", _agreement_body(stats), current="agreement.html", heading="Agreement across learners"),
    )
    _write(out / "problems.html", page(f"Problems · {title}", _problems_body(problems), current="problems.html", heading="Problems"))
    # each learner's rows found once (a filter per learner would scan the whole table 1,000 times),
    # as records made in one go (a to_dict per learner costs more than the rows it makes)
    scores_of = _records_by_learner(page_rows(grades.scores))
    totals_of = _records_by_learner(totals)
    confusion_of = {str(k): v for k, v in stats.confusion.groupby("learner", sort=False)}
    empty_confusion = stats.confusion.iloc[:0]
    for row in stats.learners.to_dict("records"):
        learner = str(row["learner"])
        body = _learner_body(
            learner,
            row,
            scores_of.get(learner, []),
            totals_of.get(learner, []),
            confusion_of.get(learner, empty_confusion),
            reasons,
            (profiles or {}).get(learner),
        )
        _write(out / learner_file(learner), page(f"{learner} · {title}", body, depth=1, heading=f"Learner {learner}"))
    return out / REPORT_FILE


def _records_by_learner(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``frame`` as records, by learner (as text), in their order."""
    found: dict[str, list[dict[str, Any]]] = {}
    names = [str(name) for name in frame.columns]
    # what to_dict("records") gives (Python's own numbers), made from whole columns: several times faster
    for values in zip(*(frame[name].tolist() for name in names), strict=True):
        record = dict(zip(names, values, strict=True))
        found.setdefault(str(record["learner"]), []).append(record)
    return found


def _source_sentence(grades: CohortGrades) -> str | None:
    from .record import source_line  # record imports the gradebook (SQLAlchemy): only when a report is written

    return source_line(grades).replace("points: ", "Points from ", 1) + "."
