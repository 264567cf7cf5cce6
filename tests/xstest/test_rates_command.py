"""Does `safetyrater refusal-rates` compute the rates an instructor expects, and say clearly what is wrong with a bad file?"""

from __future__ import annotations

import json

import pytest

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
        ("model,prompt_label,verdict\nA,safe,refusal\n", [], ":1: missing column(s) 'final_label' (the header has: model, prompt_label, verdict)"),
        ("model,prompt_label,final_label\nA,safe,refusal\n", ["--by", "platform"], ":1: missing column(s) 'platform' (the header has: model, prompt_label, final_label)"),
        ("model,final_label\nA,refusal\n", [], ":1: no column saying whether each prompt is safe or unsafe: expected prompt_label or label"),
        (
            "model,prompt_label,final_label\nA,safe,refusal\nA,safe,maybe\nA,safe,dunno\n",
            [],
            ":3: final_label: unknown label 'maybe' (expected full_compliance, partial_refusal or full_refusal, "
            "or XSTest's 1_full_compliance, 3_partial_refusal, 2_full_refusal) (and 1 more problem(s))",
        ),
        ("model,prompt_label,final_label\nA,harmless,refusal\n", [], ":2: prompt_label: input should be 'safe' or 'unsafe' (found 'harmless')"),
        ("model,prompt_label,final_label\n,safe,refusal\n", [], ":2: model: is empty"),
        ("model,prompt_label,final_label\nA,safe\n", [], ":2: expected 3 fields, found 2"),
        ("", [], ": file is empty"),
    ],
    ids=["no-label-column", "no-group-column", "no-safety-column", "unknown-label", "bad-safety", "empty-group", "short-row", "empty-file"],
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
