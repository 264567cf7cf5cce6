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

def cmd_start(args: argparse.Namespace) -> int:
    from .deploy.launch import build_launch
    from .paths import project_root

    mode = "app" if getattr(args, "app", False) else "instructor" if getattr(args, "instructor", False) else "learner"
    launch = build_launch(
        mode,
        project_root(),
        port=args.port,
        open_browser=not args.no_browser,
        page=getattr(args, "page", None),
        environ=dict(os.environ, **getattr(args, "env", {})),
    )
    try:
        return subprocess.call(launch.command, cwd=launch.cwd, env=launch.env)
    except KeyboardInterrupt:
        return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .bank.casebank import validate_paths
    from .paths import datasets_dir
    from .bank.policy import load_policy

    paths = [Path(p) for p in args.paths] or [datasets_dir()]
    problems = []
    policy_files = [p for p in paths if p.name == "policy.toml"]
    for path in policy_files:
        try:
            load_policy(path)
        except SafetyraterError as exc:
            problems += exc.problems  # type: ignore[attr-defined]
    # --- dimensions and probe files (issue 10) ---
    from .bank.validate import split_extra_files

    extra_problems, paths_left = split_extra_files([p for p in paths if p not in policy_files], default=not args.paths)
    problems += extra_problems
    # --- end dimensions and probe files ---
    found, count = validate_paths(paths_left)
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
    from .bank.casebank import CaseBank
    from .grading.core import point_parts, score_deck
    from .bank.policy import load_policy

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
                "kind": row["kind"],
                "points": row["points"],
                "max_points": row["max_points"],
                # the parts that apply to the case's kind (see grading.POINT_PARTS)
                **{part: round(value, 4) for part, value in point_parts(row).items()},
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


# --- cohort: grade a whole cohort, report calibration, export (safetyrater.cohort) ---


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_cohort_grade(args: argparse.Namespace) -> int:
    from .cohort.grade import grade_course, summary_lines

    grades = grade_course(args.course_dir, learners=args.learner, progress=False if args.no_progress else None)
    if args.out:
        grades.to_csv(args.out)
    for line in summary_lines(grades):
        print(line)
    if args.out:
        print(f"scores: {args.out}")
    if args.gradebook:
        from .cohort.gradebook import write_gradebook

        written = write_gradebook(grades)
        _print_problems(written.problems)
        print(f"gradebook: {written.submissions} submission(s), {written.grades} grade(s) written to {grades.layout.db_url}")
    _print_problems(grades.problems)
    if grades.problems:
        print(f"{len(grades.problems)} problem(s): those files scored 0", file=sys.stderr)
    return 1 if grades.problems else 0


def cmd_cohort_report(args: argparse.Namespace) -> int:
    from .cohort.demo import read_profiles
    from .cohort.grade import grade_course
    from .cohort.report import write_report

    grades = grade_course(args.course_dir, progress=False if args.no_progress else None)
    _print_problems(grades.problems)
    path = write_report(grades, args.out, profiles=read_profiles(args.course_dir))
    print(f"report: {path} (CSV tables beside it)")
    return 0


def cmd_cohort_demo(args: argparse.Namespace) -> int:
    from .cohort.demo import read_profiles, write_demo_cohort
    from .cohort.grade import grade_course, summary_lines
    from .cohort.report import write_report

    if args.learners < 1:
        print("error: --learners must be at least 1", file=sys.stderr)
        return 2
    course = write_demo_cohort(args.out, args.learners, seed=args.seed)
    grades = grade_course(course, progress=False if args.no_progress else None)
    for line in summary_lines(grades):
        print(line)
    path = write_report(grades, Path(args.out) / "report", profiles=read_profiles(course), title="Demo cohort: calibration report")
    print(f"demo cohort: {Path(args.out) / 'graders' / 'cohort' / 'submitted'} (profiles in {Path(args.out) / 'profiles.csv'})")
    print(f"report: {path}")
    return 0


def cmd_cohort_export(args: argparse.Namespace) -> int:
    from .cohort.collect import CourseLayout
    from .cohort.lms import lms_table, totals_from_gradebook, totals_from_grades, write_lms_csv

    layout = CourseLayout.find(args.course_dir)
    totals = None
    gradebook = layout.gradebook_file
    if args.source == "gradebook" or args.source == "auto" and (gradebook is None or gradebook.is_file()):
        totals = totals_from_gradebook(layout.db_url, layout.course_id)
        if args.source == "auto" and totals.points.columns.empty:
            totals = None  # an empty gradebook: nothing autograded yet
    if totals is None:
        from .cohort.grade import grade_course

        grades = grade_course(args.course_dir, progress=False)
        _print_problems(grades.problems)
        totals = totals_from_grades(grades)
    path = write_lms_csv(lms_table(totals, args.lms, args.scale), args.out)
    print(f"{args.lms}: {len(totals.points)} learner(s) x {len(totals.points.columns)} exercise(s) from the {totals.source} -> {path}")
    return 0


def add_cohort_commands(sub: argparse._SubParsersAction) -> None:
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


# --- end cohort ---


# --- refusal-rates (XSTest, issue 3) ---------------------------------------------------
def cmd_refusal_rates(args: argparse.Namespace) -> int:
    from .errors import DataError
    from .xstest.data import rates_json, rates_text, read_labelled_responses, refusal_rates, safety_column

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
# --- feedback coach (issue 4): `safetyrater feedback check|train` ---------------------


def cmd_feedback_check(args: argparse.Namespace) -> int:
    from .feedback.notes_file import main

    return main(args.file, as_json=args.json, rubric_path=args.rubric, comments=args.comments)


def cmd_feedback_train(args: argparse.Namespace) -> int:
    from .feedback.model import main

    return main()


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
    from .bank.casebank import CaseBank
    from .bank.policy import load_policy

    attempt = read_attempt_file(args.attempt)
    if attempt.submitted is None and utc_now() < attempt.deadline:
        raise SafetyraterError(f"{args.attempt}: not submitted and its time is not up; submit it in the notebook first")
    report = grade_attempt(attempt, CaseBank.load(), load_policy(), History(attempt.path.parent))
    print(json.dumps(report.to_json(), indent=2) if args.json else report.text())
    return 0


def cmd_assess_form(args: argparse.Namespace) -> int:
    from .assessment.forms import draw_form, pool_cases, public_form
    from .bank.casebank import CaseBank
    from .bank.policy import load_policy

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
# --- hub (cohort deployment, issue 9) ---------------------------------------------------
def cmd_hub_kit(args: argparse.Namespace) -> int:
    from .deploy.learnerkit import build_learner_kit

    print(build_learner_kit(args.dest).line())
    return 0


def cmd_hub_install(args: argparse.Namespace) -> int:
    from .deploy import hub

    print(f"proxy: {hub.ensure_proxy()}")
    print(f"single-user environment: {hub.ensure_singleuser_env(python=Path(args.python) if args.python else None)}")
    return 0


def cmd_hub_up(args: argparse.Namespace) -> int:
    from .deploy import hub

    learners = tuple(name.strip() for name in args.learners.split(",") if name.strip())
    trial = hub.Trial(Path(args.trial_dir) if args.trial_dir else hub.hub_dir() / "trial", args.instructor, learners, args.port)
    hub.prepare(trial)
    passwords = json.loads(trial.passwords_path.read_text())
    print(f"Trial hub at http://127.0.0.1:{args.port}/ (Ctrl+C stops it and every server it started)")
    print(f"  instructor {trial.instructor}  password {passwords[trial.instructor]}  (formgrader: Nbgrader > Formgrader)")
    for name in learners:
        print(f"  learner    {name}  password {passwords[name]}")
    print(f"  state, passwords and admin API token: {trial.state_dir} (root only); exchange: {trial.exchange}")
    print(f"  remove the accounts afterwards: safetyrater hub remove --trial-dir {trial.folder}", flush=True)
    hub.run(trial)
    return 0  # not reached: run() becomes JupyterHub


def cmd_hub_remove(args: argparse.Namespace) -> int:
    from .deploy import hub

    folder = Path(args.trial_dir) if args.trial_dir else hub.hub_dir() / "trial"
    removed = hub.remove(folder)
    print(f"removed {len(removed)} account(s){': ' + ', '.join(removed) if removed else ''} and {folder}")
    return 0
# --- end hub -------------------------------------------------------------------------------


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

    validate = sub.add_parser("validate", help="check case-bank files (taxonomy, cases, decks, policy, dimensions, probes)")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or a datasets folder (default: the course's datasets/)")
    validate.set_defaults(func=cmd_validate)

    grade = sub.add_parser("grade", help="grade answer files against the key for their exercise")
    grade.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (*.answers.json)")
    grade.add_argument("--json", action="store_true", help="print JSON instead of a table")
    grade.set_defaults(func=cmd_grade)

    add_cohort_commands(sub)  # --- cohort (safetyrater.cohort) ---

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
    _add_feedback_commands(sub)  # feedback coach (issue 4)
    add_assess_commands(sub)  # mock assessments (issue 6)

    # --- hub (cohort deployment, issue 9) ---
    hub = sub.add_parser("hub", help="JupyterHub for a cohort: learner kit, trial hub on this machine")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    kit = hub_sub.add_parser("kit", help="write the learner kit: lessons and exercise cases without answer keys")
    kit.add_argument("dest", metavar="DEST", help="folder to write (missing, empty or an earlier kit)")
    kit.set_defaults(func=cmd_hub_kit)
    install = hub_sub.add_parser("install", help="install the hub's proxy (npm) and the single-user environment, or refresh them")
    install.add_argument("--python", metavar="PATH", help="a Python 3.11+ every account can run (default: found)")
    install.set_defaults(func=cmd_hub_install)
    up = hub_sub.add_parser("up", help="start a trial hub on 127.0.0.1 with local accounts (as root)")
    up.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    up.add_argument("--instructor", default="sr-instructor", help="instructor account (default sr-instructor)")
    up.add_argument(
        "--learners", default="sr-learner1,sr-learner2,sr-learner3", help="learner accounts, comma-separated (default sr-learner1,sr-learner2,sr-learner3)"
    )
    up.add_argument("--trial-dir", metavar="DIR", help="where the trial keeps its state (default deploy/hub/trial)")
    up.set_defaults(func=cmd_hub_up)
    remove = hub_sub.add_parser("remove", help="delete a trial's accounts (with their homes) and its folder")
    remove.add_argument("--trial-dir", metavar="DIR", help="the trial's folder (default deploy/hub/trial)")
    remove.set_defaults(func=cmd_hub_remove)
    # --- end hub ---
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
