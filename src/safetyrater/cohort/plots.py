"""The calibration report's plots, drawn with matplotlib on bare Figures (no pyplot, no global state).

Every figure is saved with a tight bounding box, so its titles, axis labels,
tick labels and legend are inside the picture whatever their length; long
labels are wrapped, and the scatter's legend stands beside the axes rather than
over the points. The report embeds each plot as inline SVG with the text as
paths (:func:`figure_svg`), so a browser test can check that no label is cut
off; the dashboard notebook shows them as PNG (:func:`render_plot`).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from ..bank.schema import RATINGS
from ..kinds import mistake_words
from .stats import CohortStats

#: width of a label line, in characters, before it wraps
LABEL_WIDTH = 34
#: a bounding box a little wider than the drawing, so antialiased edges are not cut either
PAD_INCHES = 0.12


def _figure(width: float = 6.4, height: float = 4.2) -> Figure:
    # a bare Figure (no pyplot): no global state, no window, safe in a server
    return Figure(figsize=(width, height), layout="constrained")


def wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """A label broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(label, width)) or label


def plot_calibration(stats: CohortStats, profiles: dict[str, str] | None = None) -> Figure:
    """Each learner's over-flag rate against under-flag rate, coloured by kappa (or planted profile)."""
    learners = stats.learners
    figure = _figure(7.2, 4.4)
    axes = figure.subplots()
    # rates over a few cases take few values: a little fixed jitter keeps learners apart
    jitter = np.random.default_rng(0).uniform(-0.02, 0.02, size=(2, len(learners)))
    x, y = learners["over_flag_rate"] + jitter[0], learners["under_flag_rate"] + jitter[1]
    size = 18 if len(learners) > 200 else 30
    if profiles:
        for profile in sorted(set(profiles.values())):
            chosen = learners["learner"].map(profiles) == profile
            axes.scatter(x[chosen], y[chosen], label=profile, alpha=0.6, s=size, linewidths=0)
        # beside the axes, never over the points
        axes.legend(fontsize="small", title="planted profile", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        points = axes.scatter(x, y, c=learners["kappa"], cmap="viridis", vmin=-0.2, vmax=1.0, alpha=0.7, s=size, linewidths=0)
        figure.colorbar(points, ax=axes, label="weighted kappa")
    axes.set_xlabel("over-flag rate\n(benign responses rated risky or harmful)")
    axes.set_ylabel("under-flag rate\n(harmful responses rated lower)")
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-0.05, 1.05)
    axes.set_title("Who over-flags, who under-flags\n(each point a learner, jittered slightly)")
    return figure


def plot_kappa(stats: CohortStats) -> Figure:
    """How agreement with the reference spreads across the cohort."""
    figure = _figure(6.4, 3.4)
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
    axes.set_title("Ratings against the reference\n(share of each reference row)")
    return figure


def plot_cases(stats: CohortStats) -> Figure:
    """Each rating case's difficulty against its discrimination; cases to review in red."""
    cases = stats.cases[stats.cases["reference_rating"].notna()]
    review = set(stats.review_key["case"])
    figure = _figure(7.2, 4.4)
    axes = figure.subplots()
    flagged = cases["case"].isin(review)
    axes.scatter(cases.loc[~flagged, "mean_share"], cases.loc[~flagged, "discrimination"], color="#4c72b0", label="case", s=22)
    if flagged.any():
        axes.scatter(cases.loc[flagged, "mean_share"], cases.loc[flagged, "discrimination"], color="#c44e52", label="review the key", s=30)
        for _, row in cases[flagged].iterrows():
            place = (row["mean_share"], row["discrimination"])
            axes.annotate(row["case"], place, fontsize="x-small", xytext=(3, 3), textcoords="offset points")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.set_xlim(-0.05, 1.05)
    axes.set_xlabel("mean share of points (higher = easier)")
    axes.set_ylabel("discrimination\n(upper minus lower group)")
    axes.set_title("Cases: difficulty and discrimination")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    return figure


def plot_agreement(stats: CohortStats) -> Figure:
    """Krippendorff's alpha per risk category (categories with too few cases left out)."""
    table = stats.agreement.dropna(subset=["alpha"])
    figure = _figure(6.4, max(2.6, 0.3 * len(table) + 1.4))
    axes = figure.subplots()
    axes.barh(table["category"], table["alpha"], color=["#55a868" if c == "all" else "#8172b2" for c in table["category"]])
    axes.axvline(0.667, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xlim(min(-0.2, float(table["alpha"].min()) if len(table) else 0), 1)
    axes.invert_yaxis()
    axes.set_xlabel("Krippendorff's alpha (ordinal)\ndashed line: 0.667, the usual floor for tentative conclusions")
    axes.set_title("Agreement across learners, by risk area")
    return figure


def plot_mistakes(stats: CohortStats) -> Figure:
    """How often the cohort made each of the course's named mistakes."""
    words = mistake_words()
    counts = stats.mistakes.sum().sort_values()
    counts = counts[counts > 0]
    labels = [wrap(words.get(code, code)) for code in counts.index]
    lines = sum(label.count("\n") + 1 for label in labels)
    figure = _figure(6.4, max(2.6, 0.22 * lines + 0.12 * len(labels) + 1.2))
    axes = figure.subplots()
    axes.barh(labels, counts.to_numpy(), color="#dd8452")
    axes.tick_params(axis="y", labelsize="small")
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


def make_plot(name: str, stats: CohortStats, profiles: dict[str, str] | None = None) -> Figure:
    """One of :data:`PLOTS` as a Figure."""
    plot = PLOTS[name]
    return plot(stats, profiles) if name == "calibration" else plot(stats)


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", pad_inches=PAD_INCHES)
    return buffer.getvalue()


def figure_svg(figure: Figure, prefix: str) -> str:
    """The figure as an SVG element to put inline in a page; every id is prefixed so several can share a page.

    Text is drawn as paths (matplotlib's default), so it looks the same in every
    browser and a label's box is the box of what is drawn.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=PAD_INCHES, metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and doctype: the element goes inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)  # matplotlib's RDF credits: bytes, not pixels
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    svg = re.sub(r'href="#', f'href="#{prefix}-', svg)
    svg = re.sub(r"url\(#", f"url(#{prefix}-", svg)
    return svg


def render_plot(name: str, stats: CohortStats, profiles: dict[str, str] | None = None) -> bytes:
    """One of :data:`PLOTS` as PNG bytes (the dashboard notebook shows these)."""
    return figure_png(make_plot(name, stats, profiles))


def render_svg(name: str, stats: CohortStats, profiles: dict[str, str] | None = None) -> str:
    """One of :data:`PLOTS` as an inline SVG element (the report's pages embed these)."""
    return figure_svg(make_plot(name, stats, profiles), f"plot-{name}")
