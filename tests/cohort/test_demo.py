"""Does the demo cohort answer the real exercises with its planted profiles, and does the report find them?"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from safetyrater.cli import main
from safetyrater.cohort.demo import PROFILES, demo_answers, read_profiles


def test_the_same_seed_gives_the_same_cohort(bank):
    assert demo_answers(10, seed=3, bank=bank) == demo_answers(10, seed=3, bank=bank)
    assert demo_answers(10, seed=3, bank=bank)[1] != demo_answers(10, seed=4, bank=bank)[1]


def test_profiles_are_dealt_evenly_and_every_graded_case_is_answered(bank):
    profiles, answers = demo_answers(12, seed=0, bank=bank)
    counts = pd.Series(profiles).value_counts()
    assert set(counts.index) == set(PROFILES) and counts.max() - counts.min() <= 1
    graded = [d.id for d in bank.decks.values() if d.mode == "graded"]
    assert list(answers) == [*graded, "ex12-designing-probes"]  # the probe exercise too: every graded exercise is in the cohort views
    for exercise in graded:
        assert set(answers[exercise]) == set(profiles)
        for given in answers[exercise].values():
            assert set(given) == set(bank.deck(exercise).cases)
    for learner, pairs in answers["ex12-designing-probes"].items():
        written = [pair for pair in pairs.values() if pair]
        assert len(pairs) == 3 and (profiles[learner] == "random-clicker" or len(written) == 3)
        assert all(pair["first"]["prompt"] and pair["second"]["prompt"] for pair in written)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert main(["cohort", "demo", "--learners", "100", "--out", str(out), "--seed", "0", "--no-progress"]) == 0
    return out


def test_the_report_identifies_each_planted_profile(demo_report):
    """Does each profile stand out on the measure that defines it, and get its tendency named?"""
    learners = pd.read_csv(demo_report / "report" / "learners.csv", keep_default_na=False, na_values=[""])
    assert dict(zip(learners["learner"], learners["planted_profile"])) == read_profiles(demo_report)
    means = learners.groupby("planted_profile")[["kappa", "over_flag_rate", "under_flag_rate", "over_refusal_recall"]].mean()
    assert means["kappa"].idxmax() == "careful-expert"
    assert means["kappa"].idxmin() == "random-clicker"
    assert means["over_flag_rate"].drop("random-clicker").idxmax() == "over-flagger"
    assert means["over_flag_rate"]["over-flagger"] > means["over_flag_rate"]["random-clicker"]
    assert means["under_flag_rate"].idxmax() == "under-flagger"
    assert means["over_refusal_recall"].idxmin() == "over-refusal-blind"

    expected = {
        "careful-expert": "well-calibrated",
        "over-flagger": "over-flagging",
        "under-flagger": "under-flagging",
        "over-refusal-blind": "accepting-over-refusals",
        "random-clicker": "near-chance",
    }
    tendencies = learners["tendencies"].fillna("").str.split(";")
    for profile, tendency in expected.items():
        named = tendencies[learners["planted_profile"] == profile].map(lambda found: tendency in found)
        assert named.mean() > 0.5, (profile, named.mean())
        others = tendencies[learners["planted_profile"] != profile].map(lambda found: tendency in found)
        assert named.mean() > others.mean(), profile


def test_the_report_is_pages_with_inline_plots_and_csv_tables_and_nothing_from_the_network(demo_report):
    folder = demo_report / "report"
    for name in ("report", "learners", "cases", "split", "agreement", "problems"):
        page = (folder / f"{name}.html").read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), name  # no CDN: the pages work from the folder
    assert sum((folder / f"{name}.html").read_text().count("<svg ") for name in ("report", "cases", "agreement")) == 6
    assert (folder / "assets" / "report.js").is_file() and (folder / "assets" / "report.css").is_file()
    learners = pd.read_csv(folder / "learners.csv")
    assert len(list((folder / "learners").glob("*.html"))) == len(learners) == 100
    for name in ("scores", "learners", "learner_exercises", "learner_categories", "confusion", "mistakes", "cases", "review_key",
                 "agreement", "problems"):
        assert (folder / f"{name}.csv").is_file(), name
    cases = pd.read_csv(folder / "cases.csv")
    assert {"p_exact", "mean_share", "discrimination", "item_rest_r", "split"} <= set(cases.columns)
    assert len(pd.read_csv(folder / "scores.csv")) == 100 * len(cases)
    # the summary counts cases, not grade cells: each exercise's written-feedback cell is not a case
    summary = (folder / "report.html").read_text()
    real_cases = len(cases[cases["case"] != "written-feedback"])
    assert f'<div class="value">{real_cases}</div><div class="label">cases</div>' in summary


def test_the_careful_expert_writes_notes_that_earn_their_points(demo_report):
    scores = pd.read_csv(demo_report / "report" / "scores.csv")
    notes = scores[scores["case"] == "written-feedback"].assign(profile=lambda f: f["learner"].map(read_profiles(demo_report)))
    share = notes.groupby("profile")["points"].sum() / notes.groupby("profile")["max"].sum()
    assert share["careful-expert"] > 0.8
    assert share.drop("careful-expert").max() < 0.3


def test_report_lists_unreadable_files(tmp_path, demo_report, capsys):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(demo_report / "graders", course / "graders")
    broken = next((course / "graders/cohort/submitted").glob("*/*/*.answers.json"))
    broken.write_text("{")
    assert main(["cohort", "report", str(course), "--out", str(tmp_path / "report"), "--no-progress"]) == 0
    assert str(broken) in capsys.readouterr().err
    problems = pd.read_csv(tmp_path / "report" / "problems.csv")
    assert list(problems["path"]) == [str(broken)]
    assert "not valid JSON" in (tmp_path / "report" / "problems.html").read_text()
