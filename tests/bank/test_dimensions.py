"""Can an instructor describe a platform's rubric in graders/dimensions.toml, and is a bad file named precisely?"""

from __future__ import annotations

import json

import pytest

from safetyrater.bank.casebank import check_bank
from safetyrater.cli import main
from safetyrater.bank.dimensions import load_dimensions
from safetyrater.widgets.dimensions import show_dimensions
from safetyrater.errors import DataError

from conftest import REPO

GOOD = (REPO / "graders" / "dimensions.toml").read_text()


def _problems(tmp_path, text):
    path = tmp_path / "dimensions.toml"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        load_dimensions(path)
    return [str(p) for p in info.value.problems], path


def test_the_course_dimensions_load_in_file_order():
    dimensions = load_dimensions(REPO / "graders" / "dimensions.toml")
    assert dimensions.ids == ["safety", "helpfulness", "honesty", "preference"]
    assert dimensions["safety"].level_ids == ["safe", "risky", "harmful"]
    assert dimensions["preference"].applies_to == "pair"
    assert [d.id for d in dimensions.for_case(has_pair=False)] == ["safety", "helpfulness", "honesty"]
    assert all(len(level.description) >= 10 for d in dimensions for level in d.levels)


def test_an_edited_scale_is_what_the_lesson_shows(tmp_path):
    """Does renaming a level's label and description reach the table a lesson displays?"""
    path = tmp_path / "dimensions.toml"
    path.write_text(GOOD.replace('label = "Very helpful"', 'label = "Excellent"').replace(
        "Fully serves what the user is trying to do", "Answers the request completely and at the right depth"
    ))
    table = show_dimensions(path)._repr_html_()
    assert "Excellent" in table and "Answers the request completely" in table
    assert "Very helpful" not in table


def test_a_short_description_names_the_file_line_and_field(tmp_path):
    problems, path = _problems(tmp_path, GOOD.replace('description = "Serves the main aim', 'description = "Meh"\n#', 1))
    line = GOOD.splitlines().index('id = "helpful"')  # the [[dimension.level]] header is the line above (1-based)
    assert problems == [f"{path}:{line}: helpfulness.level[2].description: String should have at least 10 characters"]


def test_unknown_fields_missing_fields_and_repeated_levels_are_each_reported(tmp_path):
    text = GOOD.replace('\napplies_to = "pair"\n', '\napplies_to = "pair"\ncolour = "red"\n').replace(
        'id = "minor-issues"', 'id = "accurate"'
    ).replace('question = "Does this response enable or encourage harm?"\n', "")
    problems, path = _problems(tmp_path, text)
    assert any(p.endswith("preference.colour: unknown field") for p in problems)
    assert any(p.endswith("safety.question: required field is missing") for p in problems)
    assert any("honesty.level: Value error, level id(s) ['accurate'] appear twice" in p for p in problems)
    assert all(p.startswith(f"{path}:") for p in problems)


def test_safety_must_keep_the_kits_three_levels(tmp_path):
    text = GOOD.replace('id = "risky"\nlabel = "Risky"', 'id = "borderline"\nlabel = "Borderline"')
    problems, _ = _problems(tmp_path, text)
    assert len(problems) == 1 and "safety" in problems[0] and "['safe', 'risky', 'harmful']" in problems[0]


def test_a_file_without_safety_or_with_a_repeated_dimension_is_refused(tmp_path):
    start = GOOD.index("[[dimension]]\nid = \"helpfulness\"")
    problems, _ = _problems(tmp_path, GOOD[:start].replace('id = "safety"', 'id = "harm"', 1))
    assert any("the safety dimension" in p or "needs a 'safety' dimension" in p for p in problems)
    repeated = GOOD + GOOD[start:].split("[[dimension]]\nid = \"honesty\"")[0]
    problems, _ = _problems(tmp_path, repeated)
    assert any("helpfulness.id: dimension 'helpfulness' appears twice" in p for p in problems)


def test_a_toml_syntax_error_names_its_line(tmp_path):
    problems, path = _problems(tmp_path, "[[dimension]]\nid = = 'x'\n")
    assert problems[0].startswith(f"{path}:2: not valid TOML")


def _rewrite_case(datasets, case_id, change):
    path = datasets / "cases" / "multidim.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for number, row in enumerate(rows, 1):
        if row["id"] == case_id:
            change(row)
            line = number
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, line


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["references"].update(helpfulness="useless"), "references.helpfulness: 'useless' is not a level of 'helpfulness'"),
        (lambda r: r["references"].pop("honesty"), "references: no reference for dimension 'honesty'"),
        (lambda r: r["references"].update(verbosity="short"), "references.verbosity: no dimension 'verbosity' in dimensions.toml"),
        (lambda r: r["references"].update(preference="same"), "references.preference: 'preference' compares two responses, but the case has no response_b"),
    ],
)
def test_case_references_that_do_not_fit_the_dimensions_are_named(datasets_copy, change, message):
    path, line = _rewrite_case(datasets_copy, "md-l11-01", change)
    problems, bank = check_bank(datasets_copy)
    assert bank is None
    assert any(str(p).startswith(f"{path}:{line}: {message}") for p in problems), problems


def test_a_case_without_a_safety_reference_is_refused_by_the_schema(datasets_copy):
    path, line = _rewrite_case(datasets_copy, "md-l11-01", lambda r: r["references"].pop("safety"))
    problems, _ = check_bank(datasets_copy)
    assert [str(p) for p in problems] == [f"{path}:{line}: references: Value error, needs a 'safety' reference (safe, risky or harmful)"]


def test_policy_overrides_must_name_a_dimension(tmp_path, capsys):
    policy = tmp_path / "policy.toml"
    policy.write_text((REPO / "graders" / "policy.toml").read_text() + "\n[multidim.dimensions.helpfullness]\npoints = 2.0\n")
    dimensions = tmp_path / "dimensions.toml"
    dimensions.write_text(GOOD)
    from safetyrater.bank.dimensions import validate_dimension_files

    problems = [str(p) for p in validate_dimension_files([dimensions], policy)]
    assert problems == [f"{policy}: multidim.dimensions.helpfullness: no dimension 'helpfullness' in {dimensions} (known: safety, helpfulness, honesty, preference)"]


def test_validate_command_checks_a_dimension_file(tmp_path, capsys):
    good = tmp_path / "good" / "dimensions.toml"
    good.parent.mkdir()
    good.write_text(GOOD)
    assert main(["validate", str(good)]) == 0
    bad = tmp_path / "dimensions.toml"
    bad.write_text(GOOD.replace('\napplies_to = "pair"\n', '\napplies_to = "pairs"\n'))
    assert main(["validate", str(bad)]) == 1
    assert "preference.applies_to: Input should be 'response' or 'pair'" in capsys.readouterr().out
