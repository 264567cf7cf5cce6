"""The ``safetyrater`` command: one thin layer over the package's functions."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import SafetyraterError

START_PAGE = "course/00-start-here.ipynb"


def cmd_start(args: argparse.Namespace) -> int:
    from .paths import project_root

    root = project_root()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{getattr(args, 'page', START_PAGE)}",
        f"--ServerApp.port={args.port}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and CI often run as root; JupyterLab refuses that unless told
        command.append("--allow-root")
    env = dict(os.environ, SAFETYRATER_ROOT=str(root), **getattr(args, "env", {}))
    try:
        return subprocess.call(command, cwd=root, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .casebank import validate_paths
    from .paths import datasets_dir
    from .policy import load_policy

    paths = [Path(p) for p in args.paths] or [datasets_dir()]
    problems = []
    policy_files = [p for p in paths if p.name == "policy.toml"]
    for path in policy_files:
        try:
            load_policy(path)
        except SafetyraterError as exc:
            problems += exc.problems  # type: ignore[attr-defined]
    found, count = validate_paths([p for p in paths if p not in policy_files])
    problems += found
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {count} case(s) valid in {', '.join(str(p) for p in paths)}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from .answers import read_answer_file
    from .casebank import CaseBank
    from .grading import score_deck
    from .policy import load_policy

    bank = CaseBank.load()
    policy = load_policy()
    failed = False
    results = []
    for path in args.answers:
        try:
            answer_file = read_answer_file(path)
            cases = bank.deck_cases(answer_file.deck_id)
        except SafetyraterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
            continue
        scores = score_deck(answer_file.answers, cases, policy)
        items = [
            {
                "case_id": row["case_id"],
                "points": row["points"],
                "max_points": row["max_points"],
                "rating_points": row["rating_points"],
                "over_refusal_points": row["over_refusal_points"],
                "category_points": round(row["category_points"], 4),
                "mistakes": list(row["mistakes"]),
                "messages": list(row["messages"]),
            }
            for row in scores.to_dict("records")
        ]
        results.append(
            {
                "file": str(path),
                "exercise": answer_file.deck_id,
                "points": round(float(scores["points"].sum()), 4),
                "max_points": float(scores["max_points"].sum()),
                "items": items,
            }
        )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print(f"{result['file']} ({result['exercise']}): {result['points']:g} / {result['max_points']:g} points")
            for item in result["items"]:
                detail = "; ".join(item["messages"] + item["mistakes"])
                print(f"  {item['case_id']:<16} {item['points']:>5g} / {item['max_points']:g}" + (f"  {detail}" if detail else ""))
    return 1 if failed else 0


# --- refusal-rates (XSTest, issue 3) ---------------------------------------------------
def cmd_refusal_rates(args: argparse.Namespace) -> int:
    from .errors import DataError
    from .xstest import rates_json, rates_text, read_labelled_responses, refusal_rates, safety_column

    try:
        frame = read_labelled_responses(args.file, by=args.by, label_column=args.label_column)
    except DataError as exc:
        # one line, whatever the number of bad rows: the first problem and how many more
        more = len(exc.problems) - 1
        print(f"error: {exc.problems[0]}" + (f" (and {more} more problem(s))" if more else ""), file=sys.stderr)
        return 1
    rates = refusal_rates(frame, by=args.by, label_column=args.label_column)
    if args.json:
        about = {"file": str(args.file), "label_column": args.label_column, "prompt_column": safety_column(frame.columns, args.label_column)}
        print(rates_json(rates, args.by, **about))
    else:
        print(f"Refusal rates in {args.file}, by {args.by} (labels from {args.label_column})\n")
        print(rates_text(rates, args.by))
    return 0
# --- end refusal-rates -------------------------------------------------------------------


# --- assess (mock assessments, issue 6) -----------------------------------------------
ASSESSMENT_PAGE = "course/10-mock-assessment.ipynb"


def cmd_assess_start(args: argparse.Namespace) -> int:
    from .assessment.ui import ENV_CASES, ENV_MINUTES, ENV_SEED

    # the notebook's kernel inherits the server's environment, and start_assessment() reads it
    chosen = {ENV_CASES: args.cases, ENV_SEED: args.seed, ENV_MINUTES: args.minutes}
    args.env = {name: str(value) for name, value in chosen.items() if value is not None}
    args.page = ASSESSMENT_PAGE
    return cmd_start(args)


def cmd_assess_report(args: argparse.Namespace) -> int:
    from .assessment.report import grade_attempt
    from .assessment.session import History, read_attempt_file, utc_now
    from .casebank import CaseBank
    from .policy import load_policy

    attempt = read_attempt_file(args.attempt)
    if attempt.submitted is None and utc_now() < attempt.deadline:
        raise SafetyraterError(f"{args.attempt}: not submitted and its time is not up; submit it in the notebook first")
    report = grade_attempt(attempt, CaseBank.load(), load_policy(), History(attempt.path.parent))
    print(json.dumps(report.to_json(), indent=2) if args.json else report.text())
    return 0


def cmd_assess_form(args: argparse.Namespace) -> int:
    from .assessment.forms import draw_form, pool_cases, public_form
    from .casebank import CaseBank
    from .policy import load_policy

    bank, rules = CaseBank.load(), load_policy().assessment
    form = draw_form(pool_cases(bank), args.cases or rules.cases, args.seed, max_probe_pairs=rules.probe_pairs)
    text = json.dumps(public_form(form, bank, minutes=args.minutes or rules.minutes), indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote form {form.id} ({len(form.case_ids)} cases, no references) to {args.output}")
    else:
        print(text)
    return 0


def add_assess_commands(sub: argparse._SubParsersAction) -> None:
    assess = sub.add_parser("assess", help="timed mock calibration assessments: start one, report on an attempt")
    commands = assess.add_subparsers(dest="assess_command", metavar="ACTION", required=True)
    start = commands.add_parser("start", help="open the mock-assessment notebook in JupyterLab")
    start.add_argument("--cases", type=int, metavar="N", help="cases in the form (default: graders/policy.toml, 40)")
    start.add_argument("--seed", type=int, metavar="S", help="draw the form with this seed (default: a new form)")
    start.add_argument("--minutes", type=float, metavar="M", help="time allowed (default: graders/policy.toml, 60)")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    start.add_argument("--port", type=int, default=8888, help="port to serve on (default 8888)")
    start.set_defaults(func=cmd_assess_start)
    report = commands.add_parser("report", help="score a saved attempt: pass mark, tendencies, earlier attempts")
    report.add_argument("attempt", metavar="ATTEMPT_FILE", help="an attempt file (*.attempt.json)")
    report.add_argument("--json", action="store_true", help="print JSON instead of text")
    report.set_defaults(func=cmd_assess_report)
    form = commands.add_parser("form", help="write a reference-free form for a learner deployment without the pool")
    form.add_argument("--cases", type=int, metavar="N", help="cases in the form (default: graders/policy.toml, 40)")
    form.add_argument("--seed", type=int, default=0, metavar="S", help="draw the form with this seed (default 0)")
    form.add_argument("--minutes", type=float, metavar="M", help="time allowed (default: graders/policy.toml, 60)")
    form.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    form.set_defaults(func=cmd_assess_form)
# --- end assess --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safetyrater",
        description="Train AI-safety evaluators: lessons, graded exercises and grading tools.",
    )
    parser.add_argument("--version", action="version", version=f"safetyrater {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    start = sub.add_parser("start", help="open the course in JupyterLab at the start page")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    start.add_argument("--port", type=int, default=8888, help="port to serve on (default 8888)")
    start.set_defaults(func=cmd_start)

    validate = sub.add_parser("validate", help="check case-bank files (taxonomy, cases, decks, policy)")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or a datasets folder (default: the course's datasets/)")
    validate.set_defaults(func=cmd_validate)

    grade = sub.add_parser("grade", help="grade answer files against the key for their exercise")
    grade.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (*.answers.json)")
    grade.add_argument("--json", action="store_true", help="print JSON instead of a table")
    grade.set_defaults(func=cmd_grade)

    # --- refusal-rates (XSTest, issue 3) ---
    rates = sub.add_parser(
        "refusal-rates",
        help="refusal rates per group, safe and unsafe prompts apart, from a CSV of labelled responses",
        description="Full and partial refusal rates per group from a CSV with one labelled response per row. "
        "Needs the group column, the label column (full_compliance / partial_refusal / full_refusal, "
        "XSTest's 1_full_compliance / 3_partial_refusal / 2_full_refusal, or compliance / partial / refusal) "
        "and a prompt_label or label column saying safe or unsafe.",
    )
    rates.add_argument("file", metavar="FILE", help="CSV of labelled responses (such as datasets/xstest/xstest_v2_completions_filtered.csv)")
    rates.add_argument("--by", default="model", metavar="COLUMN", help="column to group by (default: model)")
    rates.add_argument("--label-column", default="final_label", metavar="COLUMN", help="column holding the labels (default: final_label)")
    rates.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rates.set_defaults(func=cmd_refusal_rates)
    # --- end refusal-rates ---
    add_assess_commands(sub)  # mock assessments (issue 6)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SafetyraterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
