"""``safetyrater assess start|report|form``: open the mock assessment, report on an attempt, write a form."""

from __future__ import annotations

import json
from pathlib import Path

from ..bank.casebank import CaseBank
from ..bank.policy import load_policy
from ..deploy.launch import start
from ..errors import SafetyraterError
from .forms import draw_form, pool_cases, public_form
from .report import grade_attempt
from .session import History, read_attempt_file, utc_now
from .ui import ENV_CASES, ENV_MINUTES, ENV_SEED

#: the notebook ``assess start`` opens, relative to the course root
ASSESSMENT_PAGE = "course/10-mock-assessment.ipynb"


def start_assessment(
    *, cases: int | None = None, seed: int | None = None, minutes: float | None = None, port: int = 8888, open_browser: bool = True
) -> int:
    """Open the app at the mock-assessment page; its Start form takes the options from the server's environment."""
    chosen = {ENV_CASES: cases, ENV_SEED: seed, ENV_MINUTES: minutes}
    env = {name: str(value) for name, value in chosen.items() if value is not None}
    return start("app", port=port, open_browser=open_browser, page=ASSESSMENT_PAGE, env=env)


def report(attempt_file: str, *, as_json: bool = False) -> int:
    """Score a submitted (or timed-out) attempt and print its report."""
    attempt = read_attempt_file(attempt_file)
    if attempt.submitted is None and utc_now() < attempt.deadline:
        raise SafetyraterError(f"{attempt_file}: not submitted and its time is not up; submit it in the notebook first")
    result = grade_attempt(attempt, CaseBank.load(), load_policy(), History(attempt.path.parent))
    print(json.dumps(result.to_json(), indent=2) if as_json else result.text())
    return 0


def form(*, cases: int | None = None, seed: int = 0, minutes: float | None = None, output: str | None = None) -> int:
    """Write a reference-free form (to ``output``, or print it) for a learner deployment without the pool."""
    bank, rules = CaseBank.load(), load_policy().assessment
    drawn = draw_form(pool_cases(bank), cases or rules.cases, seed, max_probe_pairs=rules.probe_pairs)
    text = json.dumps(public_form(drawn, bank, minutes=minutes or rules.minutes), indent=2, ensure_ascii=False)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote form {drawn.id} ({len(drawn.case_ids)} cases, no references) to {output}")
    else:
        print(text)
    return 0
