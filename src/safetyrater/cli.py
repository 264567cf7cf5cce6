"""The ``safetyrater`` command: one thin layer over the package's functions."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import SafetyraterError

def cmd_start(args: argparse.Namespace) -> int:
    from .launch import build_launch
    from .paths import project_root

    mode = "app" if args.app else "instructor" if args.instructor else "learner"
    launch = build_launch(mode, project_root(), port=args.port, open_browser=not args.no_browser)
    try:
        return subprocess.call(launch.command, cwd=launch.cwd, env=launch.env)
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
    start_mode = start.add_mutually_exclusive_group()
    start_mode.add_argument("--app", action="store_true", help="serve the course as web pages (Voilà): no code, no notebooks")
    start_mode.add_argument("--instructor", action="store_true", help="JupyterLab with nbgrader's instructor panels (formgrader, create assignment)")
    start.set_defaults(func=cmd_start)

    validate = sub.add_parser("validate", help="check case-bank files (taxonomy, cases, decks, policy)")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or a datasets folder (default: the course's datasets/)")
    validate.set_defaults(func=cmd_validate)

    grade = sub.add_parser("grade", help="grade answer files against the key for their exercise")
    grade.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (*.answers.json)")
    grade.add_argument("--json", action="store_true", help="print JSON instead of a table")
    grade.set_defaults(func=cmd_grade)
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
