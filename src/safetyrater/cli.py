"""The ``safetyrater`` command: argument parsing only.

Each command calls one function of the subpackage that does the work (in the
manner of otter-grader's ``cli.py``); that function prints, writes and returns
the exit status. The import of each command's module waits until the command
runs, so ``safetyrater --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import SafetyraterError

# Each cmd_* imports its command's module when it runs (start-up speed: see the module docstring).


def cmd_start(args: argparse.Namespace) -> int:
    from .deploy.launch import start

    mode = "instructor" if args.instructor else "learner" if args.lab else "app"
    return start(mode, port=args.port, open_browser=not args.no_browser)


def cmd_validate(args: argparse.Namespace) -> int:
    from .bank.validate import main

    return main(args.paths)


def cmd_grade(args: argparse.Namespace) -> int:
    from .grading.answer_files import main

    return main(args.answers, as_json=args.json)


def cmd_build(args: argparse.Namespace) -> int:
    from .nbgrader.authoring import main

    return main(args.exercises)


def cmd_bank_coverage(args: argparse.Namespace) -> int:
    from .bank.coverage import main

    return main()


def cmd_bank_audit(args: argparse.Namespace) -> int:
    from .bank.audit import main

    return main(args.train or (), args.test or (), args.cv or (), as_json=args.json)


def cmd_cohort_grade(args: argparse.Namespace) -> int:
    from .cohort.commands import grade

    return grade(args.course_dir, out=args.out, gradebook=args.gradebook, learners=args.learner, progress=not args.no_progress)


def cmd_cohort_report(args: argparse.Namespace) -> int:
    from .cohort.commands import report

    return report(args.course_dir, args.out, progress=not args.no_progress)


def cmd_cohort_demo(args: argparse.Namespace) -> int:
    from .cohort.commands import demo

    return demo(args.learners, args.out, seed=args.seed, progress=not args.no_progress)


def cmd_cohort_export(args: argparse.Namespace) -> int:
    from .cohort.commands import export

    return export(args.course_dir, args.lms, args.out, source=args.source, scale=args.scale)


def cmd_refusal_rates(args: argparse.Namespace) -> int:
    from .xstest.rates import main

    return main(args.file, by=args.by, label_column=args.label_column, as_json=args.json)


def cmd_feedback_check(args: argparse.Namespace) -> int:
    from .feedback.notes_file import main

    return main(args.file, as_json=args.json, rubric_path=args.rubric, comments=args.comments)


def cmd_feedback_train(args: argparse.Namespace) -> int:
    from .feedback.model import main

    return main()


def cmd_assess_start(args: argparse.Namespace) -> int:
    from .assessment.commands import start_assessment

    return start_assessment(cases=args.cases, seed=args.seed, minutes=args.minutes, port=args.port, open_browser=not args.no_browser)


def cmd_assess_report(args: argparse.Namespace) -> int:
    from .assessment.commands import report

    return report(args.attempt, as_json=args.json)


def cmd_assess_form(args: argparse.Namespace) -> int:
    from .assessment.commands import form

    return form(cases=args.cases, seed=args.seed, minutes=args.minutes, output=args.output)


def cmd_hub_kit(args: argparse.Namespace) -> int:
    from .deploy.commands import kit

    return kit(args.dest)


def cmd_hub_install(args: argparse.Namespace) -> int:
    from .deploy.commands import install

    return install(args.python)


def cmd_hub_up(args: argparse.Namespace) -> int:
    from .deploy.commands import up

    return up(port=args.port, instructor=args.instructor, learners=args.learners, trial_dir=args.trial_dir)


def cmd_hub_remove(args: argparse.Namespace) -> int:
    from .deploy.commands import remove

    return remove(args.trial_dir)


def _add_start(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    start = sub.add_parser("start", help="open the course as web pages (the app) at the start page; --lab for JupyterLab")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    start.add_argument("--port", type=int, default=8888, help="port to serve on (default 8888)")
    mode = start.add_mutually_exclusive_group()
    mode.add_argument("--app", action="store_true", help="the course as web pages (Voilà), no code: the default")
    mode.add_argument("--lab", action="store_true", help="open the course's notebooks in JupyterLab, set up for learners")
    mode.add_argument(
        "--instructor", action="store_true", help="JupyterLab with nbgrader's instructor panels (formgrader, create assignment)"
    )
    start.set_defaults(func=cmd_start)


def _add_bank(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    validate = sub.add_parser("validate", help="check case-bank files (taxonomy, cases, decks, policy, dimensions, probes)")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or a datasets folder (default: the course's datasets/)")
    validate.set_defaults(func=cmd_validate)

    bank = sub.add_parser("bank", help="reports on the case bank: coverage of the taxonomy, surface cues")
    actions = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    coverage = actions.add_parser("coverage", help="rewrite README.md's coverage table from the bank")
    coverage.set_defaults(func=cmd_bank_coverage)
    audit = actions.add_parser("audit", help="can a model of surface words predict the labels? (course cases against the pool)")
    audit.add_argument("--train", nargs="+", type=Path, metavar="FILE", help="case files to train on (default: datasets/cases)")
    audit.add_argument("--test", nargs="+", type=Path, metavar="FILE", help="case files to test on (default: datasets/pool)")
    audit.add_argument("--cv", nargs="+", type=Path, metavar="FILE", help="cross-validate within these case files instead")
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.set_defaults(func=cmd_bank_audit)


def _add_grading(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    grade = sub.add_parser("grade", help="grade answer files against the key for their exercise")
    grade.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (*.answers.json)")
    grade.add_argument("--json", action="store_true", help="print JSON instead of a table")
    grade.set_defaults(func=cmd_grade)

    build = sub.add_parser("build", help="rebuild the exercises' nbgrader source notebooks (solutions/) from decks, policy and intros")
    build.add_argument("exercises", nargs="*", metavar="EXERCISE", help="graded decks or probe exercises (default: all)")
    build.set_defaults(func=cmd_build)


def _add_cohort(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cohort = sub.add_parser("cohort", help="grade a whole cohort fast, report calibration, export to an LMS")
    commands = cohort.add_subparsers(dest="cohort_command", metavar="STEP", required=True)
    where = "an nbgrader course folder (the course root or its graders/ folder)"

    grade = commands.add_parser("grade", help="grade every learner's answer files without kernels (the fast lane)")
    grade.add_argument("course_dir", metavar="COURSE_DIR", help=where)
    grade.add_argument("--out", metavar="FILE", help="write the tidy scores (learner, exercise, case, points, max, ...) as CSV")
    grade.add_argument("--gradebook", action="store_true", help="also write the scores into nbgrader's gradebook")
    grade.add_argument("--learner", action="append", metavar="ID", help="grade only this learner (repeatable)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(func=cmd_cohort_grade)

    report = commands.add_parser("report", help="write the calibration report (HTML with plots, CSV tables)")
    report.add_argument("course_dir", metavar="COURSE_DIR", help=where)
    report.add_argument("--out", metavar="DIR", required=True, help="folder for report.html and the CSV tables")
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.set_defaults(func=cmd_cohort_report)

    demo = commands.add_parser("demo", help="build a synthetic cohort with known profiles, grade it and report")
    demo.add_argument("--learners", type=int, required=True, metavar="N", help="how many learners")
    demo.add_argument("--out", metavar="DIR", required=True, help="folder for the demo course and its report/")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0): same seed, same cohort")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_cohort_demo)

    export = commands.add_parser("export", help="write an LMS gradebook CSV: one row per learner, one column per exercise")
    export.add_argument("course_dir", metavar="COURSE_DIR", help=where)
    export.add_argument("--lms", choices=["canvas", "moodle"], required=True, help="the gradebook import to write for")
    export.add_argument("--out", metavar="FILE", required=True, help="the CSV file to write")
    export.add_argument(
        "--source",
        choices=["auto", "gradebook", "answers"],
        default="auto",
        help="scores from nbgrader's gradebook or from grading the answer files (auto: the gradebook when it exists)",
    )
    export.add_argument("--scale", choices=["points", "percent"], default="points", help="points (default) or percent of each exercise")
    export.set_defaults(func=cmd_cohort_export)


def _add_refusal_rates(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rates = sub.add_parser(
        "refusal-rates",
        help="refusal rates per group, safe and unsafe prompts apart, from a CSV of labelled responses",
        description="Full and partial refusal rates per group from a CSV with one labelled response per row. "
        "Needs the group column, the label column (full_compliance / partial_refusal / full_refusal, "
        "XSTest's 1_full_compliance / 3_partial_refusal / 2_full_refusal, or compliance / partial / refusal) "
        "and a prompt_label or label column saying safe or unsafe.",
    )
    rates.add_argument(
        "file", metavar="FILE", help="CSV of labelled responses (such as datasets/xstest/xstest_v2_completions_filtered.csv)"
    )
    rates.add_argument("--by", default="model", metavar="COLUMN", help="column to group by (default: model)")
    rates.add_argument("--label-column", default="final_label", metavar="COLUMN", help="column holding the labels (default: final_label)")
    rates.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rates.set_defaults(func=cmd_refusal_rates)


def _add_feedback(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _add_assess(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    assess = sub.add_parser("assess", help="timed mock calibration assessments: start one, report on an attempt")
    commands = assess.add_subparsers(dest="assess_command", metavar="ACTION", required=True)
    start = commands.add_parser("start", help="open the mock-assessment page of the app")
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


def _add_hub(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = sub.add_parser("hub", help="JupyterHub for a cohort: learner kit, trial hub on this machine")
    actions = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    kit = actions.add_parser("kit", help="write the learner kit: lessons and exercise cases without answer keys")
    kit.add_argument("dest", metavar="DEST", help="folder to write (missing, empty or an earlier kit)")
    kit.set_defaults(func=cmd_hub_kit)
    install = actions.add_parser("install", help="install the hub's proxy (npm) and the single-user environment, or refresh them")
    install.add_argument("--python", metavar="PATH", help="a Python 3.11+ every account can run (default: found)")
    install.set_defaults(func=cmd_hub_install)
    up = actions.add_parser("up", help="start a trial hub on 127.0.0.1 with local accounts (as root)")
    up.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    up.add_argument("--instructor", default="sr-instructor", help="instructor account (default sr-instructor)")
    up.add_argument(
        "--learners",
        default="sr-learner1,sr-learner2,sr-learner3",
        help="learner accounts, comma-separated (default sr-learner1,sr-learner2,sr-learner3)",
    )
    up.add_argument("--trial-dir", metavar="DIR", help="where the trial keeps its state (default deploy/hub/trial)")
    up.set_defaults(func=cmd_hub_up)
    remove = actions.add_parser("remove", help="delete a trial's accounts (with their homes) and its folder")
    remove.add_argument("--trial-dir", metavar="DIR", help="the trial's folder (default deploy/hub/trial)")
    remove.set_defaults(func=cmd_hub_remove)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safetyrater",
        description="Train AI-safety evaluators: lessons, graded exercises and grading tools.",
    )
    parser.add_argument("--version", action="version", version=f"safetyrater {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_start(sub)
    _add_bank(sub)
    _add_grading(sub)
    _add_cohort(sub)
    _add_refusal_rates(sub)
    _add_feedback(sub)
    _add_assess(sub)
    _add_hub(sub)
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
