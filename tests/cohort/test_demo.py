"""Does the demo cohort answer the real exercises with its planted profiles, and does the report find them?"""

from __future__ import annotations

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


def test_the_report_is_one_html_page_with_its_plots_and_csv_tables(demo_report):
    folder = demo_report / "report"
    page = (folder / "report.html").read_text()
    assert page.count("src='data:image/png;base64,") == 6
    for heading in ("Learners", "Cases", "Review the key", "Agreement across learners", "Problems"):
        assert f"<h2>{heading}</h2>" in page
    for name in ("scores", "learners", "learner_categories", "confusion", "mistakes", "cases", "review_key", "agreement", "problems"):
        assert (folder / f"{name}.csv").is_file(), name
    cases = pd.read_csv(folder / "cases.csv")
    assert {"p_exact", "mean_share", "discrimination", "item_rest_r"} <= set(cases.columns)
    assert len(pd.read_csv(folder / "scores.csv")) == 100 * len(cases)


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
    assert "not valid JSON" in (tmp_path / "report" / "report.html").read_text()
