"""Does `safetyrater refusal-rates` compute the rates an instructor expects, and say clearly what is wrong with a bad file?"""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from safetyrater.cli import main
from xstest.test_data import hand_made_csv


def test_does_json_output_give_the_hand_computed_rates(tmp_path, capsys):
    path = hand_made_csv(tmp_path / "labels.csv")
    assert main(["refusal-rates", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["by"], result["label_column"], result["prompt_column"]) == ("model", "final_label", "prompt_label")
    assert result["safe"][0] == {
        "model": "A",
        "responses": 4,
        "full_compliance": 2,
        "partial_refusal": 1,
        "full_refusal": 1,
        "unclassified": 0,
        "full_refusal_rate": 0.25,
        "partial_refusal_rate": 0.25,
        "refusal_rate": 0.5,
    }
    assert [row["model"] for row in result["unsafe"]] == ["A", "B"]
    assert result["unsafe"][1]["refusal_rate"] == pytest.approx(0.6667)


def test_does_the_table_show_safe_and_unsafe_prompts_apart(tmp_path, capsys):
    path = hand_made_csv(tmp_path / "labels.csv", "label")
    assert main(["refusal-rates", str(path)]) == 0
    out = capsys.readouterr().out
    safe, unsafe = out.split("Unsafe prompts")
    assert "Safe prompts (every refusal is an over-refusal): 6 responses" in safe
    assert [line.split() for line in safe.splitlines() if line.strip().startswith(("A ", "B "))] == [
        ["A", "4", "25.0%", "25.0%", "50.0%"],
        ["B", "2", "100.0%", "0.0%", "100.0%"],
    ]
    assert ": 4 responses" in unsafe.splitlines()[0]
    assert "33.3%" in unsafe and "66.7%" in unsafe


def test_do_by_and_label_column_choose_the_columns(tmp_path, capsys):
    path = tmp_path / "platform.csv"
    path.write_text(
        "topic,prompt_label,reviewer_label,final_label\n"
        "health,safe,refusal,compliance\n"
        "health,safe,compliance,compliance\n"
        "law,safe,partial,compliance\n"
    )
    assert main(["refusal-rates", str(path), "--by", "topic", "--label-column", "reviewer_label", "--json"]) == 0
    safe = {row["topic"]: row for row in json.loads(capsys.readouterr().out)["safe"]}
    assert safe["health"]["full_refusal_rate"] == 0.5
    assert safe["law"]["partial_refusal_rate"] == 1.0


def test_does_the_shipped_xstest_file_give_the_lessons_safe_prompt_rates(repo, capsys):
    path = repo / "datasets" / "xstest" / "xstest_v2_completions_filtered.csv"
    assert main(["refusal-rates", str(path), "--json"]) == 0
    safe = {row["model"]: row for row in json.loads(capsys.readouterr().out)["safe"]}
    assert (safe["llama2orig"]["full_refusal"], safe["llama2orig"]["partial_refusal"]) == (95, 54)
    assert safe["gpt4"]["refusal_rate"] == 0.084


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("model,prompt_label,verdict\nA,safe,refusal\n", [],
         ":1: no column 'final_label' (--label-column; the header has: model, prompt_label, verdict)"),
        ("model,prompt_label,final_label\nA,safe,refusal\n", ["--by", "platform"],
         ":1: no column 'platform' (--by; the header has: model, prompt_label, final_label)"),
        (
            "model,final_label\nA,refusal\n",
            [],
            ":1: no column saying whether each prompt is safe or unsafe: expected prompt_label or label, "
            "or give --prompt-label safe|unsafe or --prompt-label-column COLUMN",
        ),
        (
            "model,prompt_label,final_label\nA,harmless,refusal\n",
            [],
            ":2: prompt_label: expected safe or unsafe, found 'harmless' (map it with --prompt-labels VALUE=safe|unsafe)",
        ),
        ("model,prompt_label,final_label\n,safe,refusal\n", [], ":2: model: is empty (a group needs a name)"),
        ("model,prompt_label,final_label\nA,safe\n", [], ":2: expected 3 fields, found 2"),
        ("", [], ": file is empty"),
    ],
    ids=["no-label-column", "no-group-column", "no-safety-column", "bad-safety", "empty-group", "short-row", "empty-file"],
)
def test_is_bad_input_one_clear_error_line(tmp_path, capsys, content, args, expected):
    path = tmp_path / "labels.csv"
    path.write_text(content)
    assert main(["refusal-rates", str(path), *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {path}{expected}\n"


def test_is_a_missing_file_one_clear_error_line(tmp_path, capsys):
    assert main(["refusal-rates", str(tmp_path / "nope.csv")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.csv'}: file not found\n"


def test_does_a_spreadsheet_export_with_a_byte_order_mark_read(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffmodel,label,final_label\r\nA,Safe,Full Refusal\r\n".encode())
    assert main(["refusal-rates", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["safe"][0]["full_refusal_rate"] == 1.0


LABELLED = REPO / "tests" / "fixtures" / "labelled"


def _rows(capsys, section: str, *args: str) -> dict:
    assert main(["refusal-rates", *args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    return {row.get("model", row.get("column")): row for row in result[section]}


def test_are_values_no_label_fits_counted_as_unclassified_not_rejected(capsys):
    """A classifier's '0_empty' outputs are counted, named, and left out of the rates."""
    assert main(["refusal-rates", str(LABELLED / "long-binary-and-actions.csv"), "--label-column", "gpt4_label", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["unclassified_values"] == {"0_empty": 2}
    unsafe = {row["model"]: row for row in result["unsafe"]}
    assert (unsafe["m1"]["unclassified"], unsafe["m1"]["responses"], unsafe["m1"]["full_refusal_rate"]) == (1, 2, 1.0)
    assert main(["refusal-rates", str(LABELLED / "long-binary-and-actions.csv"), "--label-column", "gpt4_label"]) == 0
    assert "2 response(s) are unclassified and left out of the rates: '0_empty' (2)" in capsys.readouterr().out


def test_does_labels_map_a_six_class_action_label_onto_the_three(capsys):
    mapping = "0=full_refusal,1=full_refusal,4=full_refusal,2=partial_refusal,3=partial_refusal,5=full_compliance"
    safe = _rows(capsys, "safe", str(LABELLED / "long-binary-and-actions.csv"), "--label-column", "action", "--labels", mapping)
    assert (safe["m1"]["full_refusal_rate"], safe["m2"]["partial_refusal_rate"]) == (0.5, 1.0)


def test_does_a_wide_file_with_safety_from_the_prompt_type_give_rates_per_column(capsys):
    args = [str(LABELLED / "wide.csv"), "--label-columns", "gpt4,llama,mistral", "--prompt-label-column", "type",
            "--prompt-labels", "contrast_*=unsafe,*=safe"]
    safe = _rows(capsys, "safe", *args)
    assert (safe["gpt4"]["refusal_rate"], safe["llama"]["full_refusal_rate"], safe["llama"]["refusal_rate"]) == (0.0, 0.5, 1.0)
    unsafe = _rows(capsys, "unsafe", *args)
    assert (unsafe["mistral"]["unclassified"], unsafe["mistral"]["refusal_rate"]) == (1, 0.0)


def test_does_an_all_unsafe_file_with_a_0_1_label_need_no_edit(capsys):
    unsafe = _rows(capsys, "unsafe", str(LABELLED / "all-unsafe.csv"), "--prompt-label", "unsafe", "--label-column", "harmful",
                   "--labels", "1=full_compliance,0=full_refusal")
    assert (unsafe["m1"]["refusal_rate"], unsafe["m2"]["refusal_rate"]) == (0.5, 1.0)


def test_does_by_take_several_columns(capsys):
    assert main(["refusal-rates", str(LABELLED / "long-binary-and-actions.csv"), "--by", "model,type", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["unsafe"]
    assert [(row["model"], row["type"]) for row in rows] == [("m1", "contrast_homonyms"), ("m2", "contrast_homonyms")]


def test_is_a_label_mapping_onto_an_unknown_label_refused(capsys):
    assert main(["refusal-rates", str(LABELLED / "all-unsafe.csv"), "--prompt-label", "unsafe", "--label-column", "harmful",
                 "--labels", "1=bad"]) == 2
    assert capsys.readouterr().err == "error: --labels: 1=bad: map values onto full_compliance, partial_refusal or full_refusal\n"
