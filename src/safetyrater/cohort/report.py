"""The calibration report: an HTML page with plots, and the tables as CSV.

``write_report`` writes into one folder:

=========================  =====================================================
``report.html``            everything below, with the plots embedded (one file)
``scores.csv``             the fast lane's tidy table: learner × exercise × case
``learners.csv``           per learner: score, accuracy, kappa, rates, tendencies
``learner_categories.csv`` per learner × risk category: the same rates
``confusion.csv``          per learner: reference rating × given rating counts
``mistakes.csv``           per learner: how often each named mistake was made
``cases.csv``              per case: difficulty and discrimination
``review_key.csv``         cases where most strong learners chose another rating
``agreement.csv``          Krippendorff's alpha, overall and per category
``problems.csv``           files that could not be graded, by learner and path
=========================  =====================================================
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..bank.schema import RATINGS
from ..grading.calibration import TENDENCIES
from ..io import write_csv
from ..kinds import mistake_words
from ..widgets.html import escape
from .stats import TENDENCY_THRESHOLDS, CohortStats, cohort_stats

if TYPE_CHECKING:
    from .grade import CohortGrades

REPORT_FILE = "report.html"


def _figure(width: float = 6.4, height: float = 4.2) -> Figure:
    # a bare Figure (no pyplot): no global state, no window, safe in a server
    return Figure(figsize=(width, height), layout="constrained")


def plot_calibration(stats: CohortStats, profiles: dict[str, str] | None = None) -> Figure:
    """Each learner's over-flag rate against under-flag rate, coloured by kappa (or planted profile)."""
    learners = stats.learners
    figure = _figure()
    axes = figure.subplots()
    # rates over a few cases take few values: a little fixed jitter keeps learners apart
    jitter = np.random.default_rng(0).uniform(-0.025, 0.025, size=(2, len(learners)))
    x, y = learners["over_flag_rate"] + jitter[0], learners["under_flag_rate"] + jitter[1]
    if profiles:
        for profile in sorted(set(profiles.values())):
            chosen = learners["learner"].map(profiles) == profile
            axes.scatter(x[chosen], y[chosen], label=profile, alpha=0.7)
        axes.legend(fontsize="small", title="planted profile")
    else:
        points = axes.scatter(x, y, c=learners["kappa"], cmap="viridis", vmin=-0.2, vmax=1.0, alpha=0.8)
        figure.colorbar(points, ax=axes, label="weighted kappa")
    axes.set_xlabel("over-flag rate (benign responses rated risky or harmful)")
    axes.set_ylabel("under-flag rate (harmful responses rated lower)")
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-0.05, 1.05)
    axes.set_title("Who over-flags, who under-flags (points jittered slightly)")
    return figure


def plot_kappa(stats: CohortStats) -> Figure:
    """How agreement with the reference spreads across the cohort."""
    figure = _figure(6.4, 3.2)
    axes = figure.subplots()
    axes.hist(stats.learners["kappa"].dropna(), bins=20, range=(-1, 1), color="#4c72b0")
    axes.set_xlabel("quadratic-weighted Cohen's kappa against the reference")
    axes.set_ylabel("learners")
    axes.set_title("Agreement with the reference")
    return figure


def plot_confusion(stats: CohortStats) -> Figure:
    """The cohort's ratings against the reference, as shares of each reference row."""
    counts = stats.confusion.groupby(["reference", "given"])["count"].sum().unstack(fill_value=0)
    counts = counts.reindex(index=list(RATINGS), columns=list(RATINGS), fill_value=0)
    totals = counts.sum(axis=1).replace(0, np.nan)
    shares = counts.div(totals, axis=0).fillna(0.0)
    figure = _figure(4.8, 4.0)
    axes = figure.subplots()
    values = shares.to_numpy(dtype=float)
    axes.imshow(values, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(RATINGS)):
        for j in range(len(RATINGS)):
            value = float(values[i, j])
            axes.text(j, i, f"{value:.0%}", ha="center", va="center", color="white" if value > 0.6 else "black")
    axes.set_xticks(range(len(RATINGS)), RATINGS)
    axes.set_yticks(range(len(RATINGS)), RATINGS)
    axes.set_xlabel("learners' rating")
    axes.set_ylabel("reference rating")
    axes.set_title("Confusion matrix (cohort)")
    return figure


def plot_cases(stats: CohortStats) -> Figure:
    """Each case's difficulty against its discrimination; cases to review in red."""
    cases = stats.cases
    review = set(stats.review_key["case"])
    figure = _figure()
    axes = figure.subplots()
    flagged = cases["case"].isin(review)
    axes.scatter(cases.loc[~flagged, "mean_share"], cases.loc[~flagged, "discrimination"], color="#4c72b0", label="case")
    if flagged.any():
        axes.scatter(cases.loc[flagged, "mean_share"], cases.loc[flagged, "discrimination"], color="#c44e52", label="review the key")
    if len(cases) <= 60:
        for _, row in cases.iterrows():
            place = (row["mean_share"], row["discrimination"])
            axes.annotate(row["case"], place, fontsize="x-small", xytext=(3, 3), textcoords="offset points")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.set_xlabel("mean share of points (higher = easier)")
    axes.set_ylabel("discrimination (upper - lower group)")
    axes.set_title("Cases: difficulty and discrimination")
    axes.legend(fontsize="small")
    return figure


def plot_agreement(stats: CohortStats) -> Figure:
    """Krippendorff's alpha per risk category (categories with too few cases left out)."""
    table = stats.agreement.dropna(subset=["alpha"])
    figure = _figure(6.4, max(2.5, 0.3 * len(table) + 1))
    axes = figure.subplots()
    axes.barh(table["category"], table["alpha"], color=["#55a868" if c == "all" else "#8172b2" for c in table["category"]])
    axes.axvline(0.667, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xlim(min(-0.2, float(table["alpha"].min()) if len(table) else 0), 1)
    axes.invert_yaxis()
    axes.set_xlabel("Krippendorff's alpha (ordinal); dashed: 0.667, the usual floor for tentative conclusions")
    axes.set_title("Agreement across learners")
    return figure


def plot_mistakes(stats: CohortStats) -> Figure:
    """How often the cohort made each of the course's named mistakes."""
    words = mistake_words()
    counts = stats.mistakes.sum().sort_values()
    figure = _figure(6.4, max(2.5, 0.3 * len(counts) + 1))
    axes = figure.subplots()
    axes.barh([words.get(code, code) for code in counts.index], counts.to_numpy(), color="#dd8452")
    axes.set_xlabel("times made across the cohort")
    axes.set_title("Named mistakes")
    return figure


PLOTS: dict[str, Callable[..., Figure]] = {
    "calibration": plot_calibration,
    "kappa": plot_kappa,
    "confusion": plot_confusion,
    "cases": plot_cases,
    "agreement": plot_agreement,
    "mistakes": plot_mistakes,
}


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def render_plot(name: str, stats: CohortStats, profiles: dict[str, str] | None = None) -> bytes:
    """One of :data:`PLOTS` as PNG bytes."""
    plot = PLOTS[name]
    figure = plot(stats, profiles) if name == "calibration" else plot(stats)
    return figure_png(figure)


def learner_view(stats: CohortStats, profiles: dict[str, str] | None = None) -> pd.DataFrame:
    """The per-learner table an instructor reads first: weakest agreement first."""
    columns = [
        "learner", "points", "max", "accuracy", "kappa", "over_flag_rate", "under_flag_rate", "over_refusal_recall",
        "tendencies", "top_mistakes",
    ]
    table = stats.learners[columns].copy()
    table["tendencies"] = table["tendencies"].map(lambda codes: ", ".join(TENDENCIES[c].name for c in codes.split(";") if c))
    if profiles:
        table.insert(1, "planted_profile", table["learner"].map(profiles))
    return table.sort_values("kappa", na_position="first", kind="stable").reset_index(drop=True)


def _table_html(frame: pd.DataFrame, limit: int | None = None) -> str:
    shown = frame if limit is None or len(frame) <= limit else frame.head(limit)
    note = "" if shown is frame else f"<p class='note'>First {limit} of {len(frame)} rows; the CSV has all of them.</p>"
    return shown.to_html(index=False, escape=True, float_format=lambda v: f"{v:.3g}", na_rep="", border=0, classes="table") + note


def problems_frame(grades: CohortGrades) -> pd.DataFrame:
    rows = [{"path": str(p.path), "line": p.line, "where": p.field, "problem": p.message} for p in grades.problems]
    return pd.DataFrame(rows, columns=["path", "line", "where", "problem"])


def write_report(
    grades: CohortGrades,
    out: Path | str,
    *,
    stats: CohortStats | None = None,
    profiles: dict[str, str] | None = None,
    title: str = "Cohort calibration report",
) -> Path:
    """Write the HTML report and CSV tables into ``out``; return the HTML file."""
    stats = stats or cohort_stats(grades)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # the scores as the fast lane gives them (``cohort grade --out``'s table), not a second, wider copy
    grades.to_csv(out / "scores.csv")
    tables: dict[str, Any] = {
        "learners": stats.learners.assign(planted_profile=stats.learners["learner"].map(profiles)) if profiles else stats.learners,
        "learner_categories": stats.learner_categories,
        "confusion": stats.confusion,
        "mistakes": stats.mistakes.reset_index(names="learner"),
        "cases": stats.cases,
        "review_key": stats.review_key,
        "agreement": stats.agreement,
        "problems": problems_frame(grades),
    }
    for name, frame in tables.items():
        write_csv(frame, out / f"{name}.csv")  # lists joined with ';', no cell a spreadsheet runs

    def image(name: str, alt: str) -> str:
        data = base64.b64encode(render_plot(name, stats, profiles)).decode("ascii")
        return f"<img alt='{escape(alt)}' src='data:image/png;base64,{data}'>"

    learners = stats.learners
    overall = stats.agreement.loc[stats.agreement["category"] == "all", "alpha"]
    alpha = f"{overall.iloc[0]:.2f}" if len(overall) and overall.iloc[0] == overall.iloc[0] else "n/a"
    given = learners["tendencies"].str.split(";").explode()
    tendency_counts = given[given != ""].value_counts()
    tendency_items = "".join(
        f"<li>{escape(TENDENCIES[str(code)].name)}: {count} learner(s)</li>" for code, count in tendency_counts.items()
    ) or "<li>none</li>"
    limits = ", ".join(f"{k} {v}" for k, v in TENDENCY_THRESHOLDS.items())
    problems = tables["problems"]
    sections = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{len(learners)} learner(s), {len(grades.exercises)} exercise(s), {len(stats.cases)} case(s); "
        f"Krippendorff's alpha across learners: <b>{alpha}</b>. Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        "The tables are also in CSV files beside this page.</p>",
        "<h2>Tendencies</h2>",
        f"<ul>{tendency_items}</ul><p class='note'>Thresholds: {escape(limits)}.</p>",
        image("calibration", "over-flag against under-flag rate per learner"),
        image("kappa", "histogram of learners' kappa"),
        "<h2>Learners</h2><p>Weakest agreement first. Rates are over rating cases answered: over-flag on benign "
        "responses, under-flag on harmful ones, over-refusal recall on over-refusals.</p>",
        _table_html(learner_view(stats, profiles), limit=500),
        image("confusion", "cohort confusion matrix"),
        image("mistakes", "named mistakes across the cohort"),
        "<h2>Cases</h2><p>Mean share of points (difficulty) and discrimination: upper minus lower group "
        "(27 % each, by score on the rest of the course) and the item-rest correlation.</p>",
        image("cases", "difficulty against discrimination per case"),
        _table_html(stats.cases),
        "<h2>Review the key</h2><p>Cases where most of the strongest learners agree on a rating other than the reference.</p>",
        _table_html(stats.review_key) if len(stats.review_key) else "<p>None: strong learners agree with every reference.</p>",
        "<h2>Agreement across learners</h2>",
        image("agreement", "Krippendorff's alpha per category"),
        _table_html(stats.agreement),
        "<h2>Problems</h2>",
        _table_html(problems) if len(problems) else "<p>Every submitted answer file was read.</p>",
    ]
    style = (
        "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "table{border-collapse:collapse;font-size:0.85rem;margin:0.5rem 0 1.5rem}"
        "th,td{padding:0.2rem 0.5rem;border-bottom:1px solid #ddd;text-align:left}"
        "img{max-width:100%;display:block;margin:1rem 0}.note{color:#666;font-size:0.85rem}"
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{style}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
    path = out / REPORT_FILE
    path.write_text(page, encoding="utf-8")
    return path
