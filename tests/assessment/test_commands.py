"""Does `safetyrater assess` open the mock assessment, report on attempts and write learner forms?"""

from __future__ import annotations

import json
import subprocess

import pytest

from safetyrater.assessment.forms import draw_form, pool_cases
from safetyrater.assessment.report import finish_attempt
from safetyrater.assessment.session import start_attempt
from safetyrater.cli import main

from assessment.helpers import FakeClock, answer_all, reference_answer


@pytest.fixture
def finished(tmp_path, bank, policy):
    """A submitted attempt at a 10-case form, every answer right but the last unanswered."""
    clock = FakeClock()
    form = draw_form(pool_cases(bank), 10, 4)
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    answer_all(session, [bank.cases[i] for i in form.case_ids[:-1]], reference_answer, clock)
    finish_attempt(session, bank, policy)
    return session.path


def test_assess_start_opens_the_mock_assessment_page_of_the_app_with_the_chosen_form(monkeypatch, repo):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, **kw: calls.append((command, kw)) or 0)
    assert main(["assess", "start", "--cases", "20", "--seed", "7", "--minutes", "25", "--no-browser", "--port", "9999"]) == 0
    command, options = calls[0]
    assert "--ServerApp.default_url=/voila/render/course/10-mock-assessment.ipynb" in command
    assert "--ServerApp.port=9999" in command and "--no-browser" in command
    env = options["env"]
    assert (env["SAFETYRATER_ASSESS_CASES"], env["SAFETYRATER_ASSESS_SEED"], env["SAFETYRATER_ASSESS_MINUTES"]) == ("20", "7", "25.0")
    assert (repo / "course" / "10-mock-assessment.ipynb").exists()


def test_assess_start_without_options_leaves_the_choice_to_the_policy(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, **kw: calls.append(kw["env"]) or 0)
    monkeypatch.delenv("SAFETYRATER_ASSESS_SEED", raising=False)
    assert main(["assess", "start", "--no-browser"]) == 0
    assert "SAFETYRATER_ASSESS_SEED" not in calls[0]


def test_assess_report_prints_the_pass_mark_tendencies_and_cases(finished, capsys):
    assert main(["assess", "report", str(finished)]) == 0
    out = capsys.readouterr().out
    assert "PASS: points 27 / 30 (90.0%; pass mark 80%)" in out
    assert "Unanswered (0 points): case 10." in out
    assert "Tendencies:" in out and out.count(" you: ") == 10


def test_assess_report_json(finished, capsys):
    assert main(["assess", "report", "--json", str(finished)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["points"], result["max_points"], result["passed"]) == (27, 30, True)
    assert result["unanswered_positions"] == [10] and len(result["items"]) == 10
    assert result["pass_mark"] == {"points": 0.8, "kappa": 0.7}


def test_assess_report_refuses_an_attempt_still_running(tmp_path, bank, policy, capsys):
    form = draw_form(pool_cases(bank), 10, 4)
    session = start_attempt(tmp_path, form, 30, policy.assessment)  # the real clock: 30 minutes left
    assert main(["assess", "report", str(session.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not submitted and its time is not up" in err


def test_assess_report_names_a_broken_file_in_one_line(tmp_path, capsys):
    path = tmp_path / "broken.attempt.json"
    path.write_text("[]")
    assert main(["assess", "report", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: kind: not a mock-assessment attempt" in err


def test_assess_form_writes_a_form_without_references(tmp_path, bank, capsys):
    out = tmp_path / "form.json"
    assert main(["assess", "form", "--cases", "12", "--seed", "3", "-o", str(out)]) == 0
    assert "wrote form n12-s3 (12 cases, no references)" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert [c["id"] for c in data["cases"]] == list(draw_form(pool_cases(bank), 12, 3).case_ids)
    assert not any("rationale" in c or "reference_rating" in c for c in data["cases"])


def test_help_lists_the_assess_actions(capsys):
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    out = capsys.readouterr().out
    for action in ("start", "report", "form"):
        assert any(line.strip().startswith(action) for line in out.splitlines()), action
