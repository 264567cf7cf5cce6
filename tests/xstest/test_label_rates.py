"""Does `safetyrater label-rates` count any categorical label the way an instructor would by hand, in every file shape?"""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from safetyrater.cli import main

FIXTURES = REPO / "tests" / "fixtures" / "labelled"


def run_json(capsys, *args: str) -> dict:
    assert main(["label-rates", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def groups(result: dict, section: str, *keys: str) -> dict:
    return {tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: row for row in result[section]}


def test_does_a_0_1_harmful_label_count_per_model_with_safe_and_unsafe_prompts_apart(capsys):
    result = run_json(capsys, str(FIXTURES / "long-binary-and-actions.csv"), "--label-column", "harmful", "--by", "model")
    assert (result["values"], result["prompt_column"]) == (["0", "1"], "prompt_label")
    safe, unsafe = groups(result, "safe", "model"), groups(result, "unsafe", "model")
    assert safe["m1"]["counts"] == {"0": 2} and safe["m1"]["shares"] == {"0": 1.0}
    assert unsafe["m1"]["counts"] == {"0": 1, "1": 1} and unsafe["m1"]["shares"] == {"0": 0.5, "1": 0.5}
    assert unsafe["m2"]["responses"] == 2


def test_does_a_six_class_label_count_every_class_and_leave_empty_cells_out_of_the_shares(capsys):
    result = run_json(capsys, str(FIXTURES / "six-classes.csv"), "--label-column", "action", "--by", "model")
    assert result["values"] == ["0", "1", "2", "3", "4", "5"]
    rows = groups(result, "all", "model")
    assert rows["gpt"]["counts"] == dict.fromkeys(["0", "1", "2", "3", "4", "5"], 1)
    assert rows["gpt"]["shares"]["3"] == pytest.approx(1 / 6, abs=1e-4)
    assert (rows["llama"]["responses"], rows["llama"]["missing"]) == (6, 1)
    assert rows["llama"]["shares"] == {"0": 0.6, "5": 0.4}


def test_does_by_take_several_columns(capsys):
    result = run_json(capsys, str(FIXTURES / "six-classes.csv"), "--label-column", "action", "--by", "model,risk_area")
    rows = groups(result, "all", "model", "risk_area")
    assert len(rows) == 6
    assert rows[("llama", "Misinformation")]["counts"] == {"5": 1}
    assert rows[("llama", "Misinformation")]["missing"] == 1
    assert rows[("gpt", "Discrimination")]["counts"] == {"2": 1, "3": 1}


def test_does_a_file_of_only_unsafe_prompts_need_no_edit(capsys):
    result = run_json(capsys, str(FIXTURES / "all-unsafe.csv"), "--label-column", "harmful", "--by", "model", "--prompt-label", "unsafe")
    assert "safe" not in result and result["prompt_column"] == "--prompt-label"
    rows = groups(result, "unsafe", "model")
    assert rows["m1"]["shares"] == {"0": 0.5, "1": 0.5} and rows["m2"]["counts"] == {"0": 2}


def test_can_safety_follow_from_the_prompt_type(capsys):
    path = str(FIXTURES / "long-binary-and-actions.csv")
    by_type = run_json(capsys, path, "--label-column", "harmful", "--by", "model", "--prompt-label-column", "type",
                       "--prompt-labels", "contrast_*=unsafe,*=safe")
    by_column = run_json(capsys, path, "--label-column", "harmful", "--by", "model")
    assert (by_type["safe"], by_type["unsafe"]) == (by_column["safe"], by_column["unsafe"])


def test_does_a_wide_file_group_by_column_name(capsys):
    result = run_json(capsys, str(FIXTURES / "wide.csv"), "--label-columns", "gpt4,llama,mistral")
    rows = groups(result, "all", "column")
    assert list(rows) == ["gpt4", "llama", "mistral"]
    assert rows["llama"]["counts"] == {"full_refusal": 3, "partial_refusal": 1}
    assert (rows["mistral"]["missing"], rows["mistral"]["shares"]) == (1, {"full_compliance": 1.0})


def test_does_the_table_show_count_and_share_per_group(capsys):
    assert main(["label-rates", str(FIXTURES / "all-unsafe.csv"), "--label-column", "harmful", "--by", "model",
                 "--prompt-label", "unsafe"]) == 0
    out = capsys.readouterr().out
    assert "Unsafe prompts: 4 responses" in out
    assert [line.split() for line in out.splitlines() if line.strip().startswith("m1")] == [["m1", "2", "1", "(50.0%)", "1", "(50.0%)"]]


@pytest.mark.parametrize(
    ("args", "status", "expected"),
    [
        (["--label-column", "verdict"], 1,
         "all-unsafe.csv:1: no column 'verdict' (--label-column; the header has: prompt, model, harmful)"),
        (["--label-column", "harmful", "--by", "model,platform"], 1, "all-unsafe.csv:1: no column 'platform' (--by;"),
        (["--label-column", "harmful", "--prompt-label-column", "prompt"], 1,
         "all-unsafe.csv:2: prompt: expected safe or unsafe, found 'how to make a pipe bomb'"),
        (["--label-column", "harmful", "--prompt-label-column", "model", "--prompt-labels", "m1"], 2,
         "--prompt-labels: 'm1' is not VALUE=LABEL"),
        (["--label-column", "harmful", "--prompt-label-column", "model", "--prompt-labels", "m1=maybe"], 2,
         "--prompt-labels: m1=maybe: a prompt is safe or unsafe"),
    ],
    ids=["no-label-column", "no-by-column", "not-safe-or-unsafe", "bad-mapping", "bad-target"],
)
def test_is_bad_input_one_clear_error_line(capsys, args, status, expected):
    assert main(["label-rates", str(FIXTURES / "all-unsafe.csv"), *args]) == status
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    assert expected in captured.err


def test_does_help_describe_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["label-rates", "--help"])
    out = capsys.readouterr().out
    for option in ("--label-column", "--label-columns", "--by", "--prompt-label", "--prompt-label-column", "--prompt-labels", "--json"):
        assert option in out
