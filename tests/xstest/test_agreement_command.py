"""Does `safetyrater agreement` give the agreement, Cohen's kappa and confusion table an instructor would compute by hand?"""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from safetyrater.cli import main

FILE = REPO / "tests" / "fixtures" / "labelled" / "long-binary-and-actions.csv"


def test_do_two_annotators_agree_as_computed_by_hand_overall_and_per_model(capsys):
    assert main(["agreement", str(FILE), "--a", "annotator_1", "--b", "annotator_2", "--by", "model", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    overall, m1, m2 = result["groups"]
    assert (overall["group"], overall["items"], overall["agreement"]) == ({}, 8, 0.75)
    # p_o = 6/8; marginals a (fc 4, fr 3, pr 1), b (fc 3, fr 2, pr 3): p_e = 21/64
    assert overall["cohen_kappa"] == pytest.approx((0.75 - 21 / 64) / (1 - 21 / 64))
    assert overall["confusion"]["full_compliance"] == {"full_compliance": 3, "full_refusal": 0, "partial_refusal": 1}
    assert overall["confusion"]["full_refusal"]["partial_refusal"] == 1
    assert (m1["group"], m1["agreement"], m2["group"], m2["agreement"]) == ({"model": "m1"}, 0.75, {"model": "m2"}, 0.75)


def test_are_ids_of_any_shape_and_classifier_free_text_fine(capsys):
    """The file's ids are 'p-001'; the GPT-4 column holds '0_empty'. Neither stops the comparison."""
    assert main(["agreement", str(FILE), "--a", "gpt4_label", "--b", "final_label", "--labels",
                 "1_full_compliance=full_compliance,2_full_refusal=full_refusal,3_partial_refusal=partial_refusal", "--json"]) == 0
    overall = json.loads(capsys.readouterr().out)["groups"][0]
    assert overall["items"] == 8
    assert overall["agreement"] == pytest.approx(6 / 8)
    assert overall["confusion"]["0_empty"] == {"0_empty": 0, "full_compliance": 1, "full_refusal": 0, "partial_refusal": 1}


def test_are_empty_cells_missing_and_one_value_everywhere_an_undefined_kappa(tmp_path, capsys):
    path = tmp_path / "same.csv"
    path.write_text("item,human,classifier\n1,safe,safe\n2,safe,safe\n3,,safe\n")
    assert main(["agreement", str(path), "--a", "human", "--b", "classifier"]) == 0
    out = capsys.readouterr().out
    assert "all rows: 2 items, 1 missing; agreement 100.0%; Cohen's kappa undefined (one value everywhere)" in out


def test_is_a_missing_column_one_clear_error_line(capsys):
    assert main(["agreement", str(FILE), "--a", "annotator_1", "--b", "annotator_3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {FILE}:1: no column 'annotator_3' (--b; the header has: id, model")
    assert len(err.splitlines()) == 1
