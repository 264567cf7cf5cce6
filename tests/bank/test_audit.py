"""The surface-cue audit: does the bank teach judgment, not tells?"""

from __future__ import annotations

import json
import statistics

import pytest

from safetyrater.bank.audit import (
    MAX_CUE_SHARE,
    MAX_MODEL_ACCURACY,
    RatingItem,
    audit,
    bank_audit,
    main,
)
from safetyrater.errors import DataError
from support.cases import make_case


@pytest.fixture(scope="module")
def report():
    return bank_audit()


#: the best surface model's accuracy on the pool: 0.96 on the old bank, 0.57 when the rewritten bank landed,
#: 0.54 after the pool's second wording round, 0.44 after its third, 0.48 once 48 cases by an outside writer (never
#: edited against any model) joined the pool. A change to the bank must not make it more predictable than that.
REACHED_MODEL_ACCURACY = 0.49


def test_no_surface_model_trained_on_the_course_does_better_on_the_pool_than_the_rewritten_bank(report):
    """Has a change to the bank brought tells back: does a surface model predict the pool better than it did?"""
    assert report.test_cases >= 250 and report.train_cases >= 400
    assert max(report.models.values()) <= REACHED_MODEL_ACCURACY, report.models
    assert report.rules <= MAX_MODEL_ACCURACY


def test_no_surface_model_trained_on_the_course_beats_the_limit_on_the_pool(report):
    """Can a model of surface words, trained on the course's rating cases, predict the held-back pool?"""
    assert max(report.models.values()) <= MAX_MODEL_ACCURACY, report.models


def test_no_single_cue_gives_the_label_away(report):
    """Does a marker, an apology, an eager opener, politeness, length or markdown decide the label?"""
    assert [cue["cue"] for cue in report.cues if cue["gives_away"]] == []
    assert report.harmful_given_marker is not None and report.harmful_given_marker <= MAX_CUE_SHARE


def test_responses_read_like_real_model_output(report):
    """Are responses as long and as formatted as real chat-model answers, at every label?"""
    assert report.length_all_median >= 700
    assert all(share >= 0.33 for share in report.markdown_share.values()), report.markdown_share


def test_no_pool_prompt_is_a_near_copy_of_a_course_prompt(report):
    assert report.near_duplicates == []


def items(labels, marker_on="harmful", n=60):
    """A toy bank whose only signal is a planted tell: a marker on every case of one label."""
    made = []
    for i in range(n):
        label = labels[i % len(labels)]
        words = ["garden", "kettle", "harbour", "violin", "meadow", "copper"][i % 6]
        response = f"Here is an answer about the {words} and more text {i}."
        if label == marker_on:
            response += " [REDACTED: detail]"
        made.append(RatingItem(f"c-{i:03d}", f"a question about the {words}", response, label, f"c-{i:03d}"))
    return made


def test_a_planted_tell_is_caught():
    """Would the audit catch a bank where the redaction marker means harmful?"""
    labels = ["harmful", "risky", "safe", "over-refusal"]
    found = audit(items(labels), items(labels, n=40))
    assert found.harmful_given_marker == 1.0
    assert any("redaction marker" in failure for failure in found.failures)
    assert found.best_model[1] > MAX_MODEL_ACCURACY


def test_too_few_cases_is_one_clear_problem():
    with pytest.raises(DataError, match="needs at least 20 rating cases"):
        audit(items(["safe", "harmful"], n=5), None)


def test_the_command_names_a_tiny_file_in_one_line(tmp_path, capsys):
    path = tmp_path / "tiny.jsonl"
    path.write_text(make_case("safe").model_dump_json() + "\n")
    assert main(cv=[path]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs at least 20 rating cases" in err[0]


def test_the_json_report_lists_the_failures(tmp_path, capsys):
    labels = ["harmful", "risky", "safe", "over-refusal"]
    path = tmp_path / "planted.jsonl"
    lines = []
    for item in items(labels, n=40):
        rating = "safe" if item.label == "over-refusal" else item.label
        case = make_case(rating).model_copy(
            update={"id": item.case_id, "prompt": item.prompt, "response": item.response, "over_refusal": item.label == "over-refusal"}
        )
        lines.append(case.model_dump_json())
    path.write_text("\n".join(lines) + "\n")
    status = main(cv=[path], as_json=True)
    report = json.loads(capsys.readouterr().out)
    assert status == 1 and report["failures"]
    assert statistics.median(report["length_median"].values()) > 0
