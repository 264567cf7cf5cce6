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
        f"--LabApp.default_url=/lab/tree/{START_PAGE}",
        f"--ServerApp.port={args.port}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and CI often run as root; JupyterLab refuses that unless told
        command.append("--allow-root")
    env = dict(os.environ, SAFETYRATER_ROOT=str(root))
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


# --- feedback coach (issue 4): `safetyrater feedback check|train` ---------------------


def cmd_feedback_check(args: argparse.Namespace) -> int:
    from .feedback import check_note_lines, load_comment_bank, load_rubric, note_check_lines, suggested_comments

    rubric = load_rubric(args.rubric)
    bank = load_comment_bank() if args.comments else None
    if args.file == "-":
        source, text = "<stdin>", sys.stdin.read()
    else:
        source = args.file
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: {args.file}: cannot read ({getattr(exc, 'strerror', None) or exc})", file=sys.stderr)
            return 1
    failed = False
    for item in check_note_lines(text, source, rubric=rubric):
        if item.problem is not None:
            print(f"error: {item.problem}", file=sys.stderr)
            failed = True
            continue
        assert item.check is not None
        comments = suggested_comments(item.check, bank) if bank is not None else None
        if args.json:
            row = {"line": item.line, "case_id": item.case_id, **item.check.to_dict()}
            if comments is not None:
                row["comments"] = comments
            print(json.dumps(row, ensure_ascii=False))
        else:
            about = f" ({item.case_id})" if item.case_id else ""
            print(f"line {item.line}{about}: score {item.check.score:.2f}")
            for line in note_check_lines(item.check, rubric) + [f"comment: {c}" for c in comments or []]:
                print(f"  {line}")
    return 1 if failed else 0


def cmd_feedback_train(args: argparse.Namespace) -> int:
    from .feedback import load_rubric
    from .feedback_model import train, write_model
    from .paths import graders_dir

    rubric = load_rubric()
    model = train(list(rubric.model.elements), rubric.model.c, rubric.model.max_n)
    path = write_model(model, graders_dir() / rubric.model.file)
    print(f"wrote {path} ({model['trained_on']})")
    return 0


def _add_feedback_commands(sub: argparse._SubParsersAction) -> None:
    feedback = sub.add_parser("feedback", help="check written feedback against the rubric (graders/rubric.toml)")
    actions = feedback.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check notes: JSON lines with 'text' and optional 'case_id'",
        description="Check written notes against the feedback rubric. Input: one JSON object per line, "
        'e.g. {"text": "…", "case_id": "core-009"}. Output: one result per note.',
    )
    check.add_argument("file", nargs="?", default="-", metavar="FILE", help="JSON-lines file ('-' or none: standard input)")
    check.add_argument("--json", action="store_true", help="print one JSON line per note")
    check.add_argument("--rubric", metavar="PATH", help="a rubric file to use instead of graders/rubric.toml")
    check.add_argument("--comments", action="store_true", help="add the comment bank's suggestion for each gap")
    check.set_defaults(func=cmd_feedback_check)
    train = actions.add_parser("train", help="retrain the feedback model from datasets/feedback_notes (needs scikit-learn)")
    train.set_defaults(func=cmd_feedback_train)


# --- end feedback coach ------------------------------------------------------------------


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

    _add_feedback_commands(sub)  # feedback coach (issue 4)
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
