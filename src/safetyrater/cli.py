"""The ``safetyrater`` command: argument parsing only.

Each command calls one function of the subpackage that does the work (in the
manner of otter-grader's ``cli.py``); that function prints, writes and returns
the exit status. The import of each command's module waits until the command
runs, so ``safetyrater --help`` stays fast.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import SafetyraterError

# --- argument types: a bad value is refused in one line before anything runs ----------------


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def port(text: str) -> int:
    """A TCP port a server can listen on."""
    value = _integer(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return value


def _between(minimum: int, maximum: int) -> Callable[[str], int]:
    """A whole number from ``minimum`` to ``maximum``."""

    def check(text: str) -> int:
        value = _integer(text)
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{text!r} is not between {minimum} and {maximum}")
        return value

    return check


#: seeds go to numpy's generators, which take 0 to 2**32 - 1
seed = _between(0, 2**32 - 1)
#: how many cases or learners: at least one (a form draws from a pool of hundreds)
count = _between(1, 100_000)


def minutes(text: str) -> float:
    """A time allowance in minutes: more than zero, at most a week."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not math.isfinite(value) or not 0 < value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time allowance (more than 0, at most {7 * 24 * 60} minutes)")
    return value


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def output_file(text: str) -> str:
    """A file to write: not a folder, in a folder that exists and can be written."""
    path = Path(text)
    if text == "" or path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a regular file")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"{text!r} cannot be written here (no permission)")
    return text


def output_folder(text: str) -> str:
    """A folder to write into: one that exists, or one that can be made."""
    path = Path(text)
    if text == "" or (path.exists() and not path.is_dir()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} cannot be made: {str(existing)!r} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text!r} cannot be written (no permission in {str(existing)!r})")
    return text


def existing_folder(text: str) -> str:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder" if Path(text).exists() else f"{text!r} does not exist")
    return text


def existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a file" if Path(text).exists() else f"{text!r} does not exist")
    return text


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a refusal in one line that points to --help (not the usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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

    return main(*([Path(p) for p in paths or ()] for paths in (args.train, args.test, args.cv)), as_json=args.json)


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

    return main(
        args.file, by=args.by, label_column=args.label_column, label_columns=args.label_columns, labels=args.labels,
        prompt_label=args.prompt_label, prompt_label_column=args.prompt_label_column, prompt_labels=args.prompt_labels,
        as_json=args.json,
    )


def cmd_label_rates(args: argparse.Namespace) -> int:
    from .xstest.label_rates import main

    return main(
        args.file, args.label_column, label_columns=args.label_columns, by=args.by, prompt_label=args.prompt_label,
        prompt_label_column=args.prompt_label_column, prompt_labels=args.prompt_labels, as_json=args.json,
    )


def cmd_agreement(args: argparse.Namespace) -> int:
    from .xstest.agreement import main

    return main(args.file, args.a, args.b, by=args.by, labels=args.labels, as_json=args.json)


def cmd_cases_import(args: argparse.Namespace) -> int:
    from .bank.importer import main

    return main(args.sheet, args.out, drafts=args.drafts, prefix=args.prefix, sheet_name=args.sheet_name)


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
    start.add_argument("--port", type=port, default=8888, help="port to serve on (default 8888)")
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

    cases = sub.add_parser("cases", help="bring cases into the bank: import a spreadsheet")
    case_actions = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    importer = case_actions.add_parser(
        "import",
        help="turn a CSV or Excel sheet of cases into case-bank lines (JSON lines)",
        description="Read a CSV or Excel sheet whose header row names case fields (any case; spaces or underscores: "
        "'Reference rating', 'over_refusal', 'Categories' split on ; or ,) and write one case-bank line per complete row, "
        "with a generated id when the sheet has none. Rows missing what the bank requires are listed one per line "
        "(SHEET:ROW: field: problem) and written to a drafts file instead of the output. Then run safetyrater validate.",
    )
    importer.add_argument("sheet", metavar="SHEET", help="a .csv, .xlsx or .xlsm file; the first row names the fields")
    importer.add_argument("--out", required=True, metavar="FILE.jsonl", help="the case file to write (e.g. datasets/cases/imported.jsonl)")
    importer.add_argument("--drafts", metavar="FILE.jsonl", help="where incomplete rows go (default: FILE.drafts.jsonl beside --out)")
    importer.add_argument("--prefix", metavar="PREFIX", help="id prefix for generated ids (default: from the sheet's name)")
    importer.add_argument("--sheet-name", metavar="NAME", help="which worksheet of an Excel file (default: the first)")
    importer.set_defaults(func=cmd_cases_import)

    bank = sub.add_parser("bank", help="reports on the case bank: coverage of the taxonomy, surface cues")
    actions = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    coverage = actions.add_parser("coverage", help="rewrite README.md's coverage table from the bank")
    coverage.set_defaults(func=cmd_bank_coverage)
    audit = actions.add_parser("audit", help="can a model of surface words predict the labels? (course cases against the pool)")
    audit.add_argument("--train", nargs="+", type=existing_file, metavar="FILE", help="case files to train on (default: datasets/cases)")
    audit.add_argument("--test", nargs="+", type=existing_file, metavar="FILE", help="case files to test on (default: datasets/pool)")
    audit.add_argument("--cv", nargs="+", type=existing_file, metavar="FILE", help="cross-validate within these case files instead")
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
    grade.add_argument("course_dir", type=existing_folder, metavar="COURSE_DIR", help=where)
    grade.add_argument(
        "--out", type=output_file, metavar="FILE", help="write the tidy scores (learner, exercise, case, points, max, ...) as CSV"
    )
    grade.add_argument("--gradebook", action="store_true", help="also write the scores into nbgrader's gradebook")
    grade.add_argument("--learner", action="append", metavar="ID", help="grade only this learner (repeatable)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(func=cmd_cohort_grade)

    report = commands.add_parser("report", help="write the calibration report (HTML with plots, CSV tables)")
    report.add_argument("course_dir", type=existing_folder, metavar="COURSE_DIR", help=where)
    report.add_argument("--out", type=output_folder, metavar="DIR", required=True, help="folder for report.html and the CSV tables")
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.set_defaults(func=cmd_cohort_report)

    demo = commands.add_parser("demo", help="build a synthetic cohort with known profiles, grade it and report")
    demo.add_argument("--learners", type=count, required=True, metavar="N", help="how many learners")
    demo.add_argument("--out", type=output_folder, metavar="DIR", required=True, help="folder for the demo course and its report/")
    demo.add_argument("--seed", type=seed, default=0, metavar="S", help="random seed (default 0): same seed, same cohort")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_cohort_demo)

    export = commands.add_parser("export", help="write an LMS gradebook CSV: one row per learner, one column per exercise")
    export.add_argument("course_dir", type=existing_folder, metavar="COURSE_DIR", help=where)
    export.add_argument("--lms", choices=["canvas", "moodle"], required=True, help="the gradebook import to write for")
    export.add_argument("--out", type=output_file, metavar="FILE", required=True, help="the CSV file to write")
    export.add_argument(
        "--source",
        choices=["auto", "gradebook", "answers"],
        default="auto",
        help="scores from nbgrader's gradebook or from grading the answer files (auto: the gradebook when it exists)",
    )
    export.add_argument("--scale", choices=["points", "percent"], default="points", help="points (default) or percent of each exercise")
    export.set_defaults(func=cmd_cohort_export)


def _prompt_options(parser: argparse.ArgumentParser) -> None:
    """Which prompts were safe: a column, one value for the file, or a mapping of another column's values."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--prompt-label", choices=["safe", "unsafe"], help="every prompt in the file is safe (or unsafe)")
    group.add_argument(
        "--prompt-label-column", metavar="COLUMN", help="column saying safe or unsafe per row (default: prompt_label or label, if present)"
    )
    parser.add_argument(
        "--prompt-labels", metavar="VALUE=safe|unsafe,…",
        help="map that column's values to safe or unsafe (* and ? allowed), e.g. "
        "--prompt-label-column type --prompt-labels 'contrast_*=unsafe,*=safe'",
    )


def _add_refusal_rates(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rates = sub.add_parser(
        "refusal-rates",
        help="refusal rates per group, safe and unsafe prompts apart, from a CSV of labelled responses",
        description="Full and partial refusal rates per group from a CSV with one labelled response per row (long), or one "
        "label column per model (wide: --label-columns). Labels: full_compliance / partial_refusal / full_refusal, "
        "XSTest's 1_full_compliance / 3_partial_refusal / 2_full_refusal, compliance / partial / refusal, or any values "
        "mapped onto those with --labels; other values are counted as unclassified. Whether each prompt was safe: a "
        "prompt_label or label column, or the --prompt-label options.",
    )
    rates.add_argument(
        "file", metavar="FILE", help="CSV of labelled responses (such as datasets/xstest/xstest_v2_completions_filtered.csv)"
    )
    rates.add_argument("--by", metavar="COLUMN[,COLUMN…]", help="columns to group by (default: model; none for a wide file)")
    rates.add_argument("--label-column", default="final_label", metavar="COLUMN", help="column holding the labels (default: final_label)")
    rates.add_argument("--label-columns", metavar="A,B,C", help="a wide file: one label column per model, grouped by column name")
    rates.add_argument(
        "--labels", metavar="VALUE=LABEL,…",
        help="map the file's values onto the three labels, e.g. 0=full_refusal,2=partial_refusal,5=full_compliance",
    )
    _prompt_options(rates)
    rates.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rates.set_defaults(func=cmd_refusal_rates)

    label_rates = sub.add_parser(
        "label-rates",
        help="count and share of every value of any label column per group, safe and unsafe prompts apart when known",
        description="The count and share of each value of a categorical label (a 0/1 harmful flag, a 6-class action "
        "category, a platform's verdicts) per group. Empty cells are counted as missing and left out of the shares.",
    )
    label_rates.add_argument("file", metavar="FILE", help="CSV with one labelled response per row, or one label column per model")
    which = label_rates.add_mutually_exclusive_group(required=True)
    which.add_argument("--label-column", metavar="COLUMN", help="the column holding the label")
    which.add_argument("--label-columns", metavar="A,B,C", help="a wide file: one label column per model, grouped by column name")
    label_rates.add_argument("--by", metavar="COLUMN[,COLUMN…]", help="columns to group by (default: none)")
    _prompt_options(label_rates)
    label_rates.add_argument("--json", action="store_true", help="print JSON instead of a table")
    label_rates.set_defaults(func=cmd_label_rates)

    agreement = sub.add_parser(
        "agreement",
        help="agreement, Cohen's kappa and the confusion table between two label columns, per group",
        description="Raw agreement, Cohen's kappa (scikit-learn) and the confusion table between two label columns of a CSV "
        "(two annotators, or a human and a classifier), over all rows and per group. Rows where either is empty are "
        "counted as missing. Ids may have any shape.",
    )
    agreement.add_argument("file", metavar="FILE", help="CSV with one item per row")
    agreement.add_argument("--a", required=True, metavar="COLUMN", help="the first rater's column (rows of the confusion table)")
    agreement.add_argument("--b", required=True, metavar="COLUMN", help="the second rater's column (columns of the confusion table)")
    agreement.add_argument("--by", metavar="COLUMN[,COLUMN…]", help="also per group of these columns")
    agreement.add_argument(
        "--labels", metavar="VALUE=LABEL,…", help="rename values in both columns before comparing (e.g. 1_full_compliance=full_compliance)"
    )
    agreement.add_argument("--json", action="store_true", help="print JSON instead of text")
    agreement.set_defaults(func=cmd_agreement)


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
    start.add_argument("--cases", type=count, metavar="N", help="cases in the form (default: graders/policy.toml, 40)")
    start.add_argument("--seed", type=seed, metavar="S", help="draw the form with this seed (default: a new form)")
    start.add_argument("--minutes", type=minutes, metavar="M", help="time allowed (default: graders/policy.toml, 60)")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    start.add_argument("--port", type=port, default=8888, help="port to serve on (default 8888)")
    start.set_defaults(func=cmd_assess_start)
    report = commands.add_parser("report", help="score a saved attempt: pass mark, tendencies, earlier attempts")
    report.add_argument("attempt", type=existing_file, metavar="ATTEMPT_FILE", help="an attempt file (*.attempt.json)")
    report.add_argument("--json", action="store_true", help="print JSON instead of text")
    report.set_defaults(func=cmd_assess_report)
    form = commands.add_parser("form", help="write a reference-free form for a learner deployment without the pool")
    form.add_argument("--cases", type=count, metavar="N", help="cases in the form (default: graders/policy.toml, 40)")
    form.add_argument("--seed", type=seed, default=0, metavar="S", help="draw the form with this seed (default 0)")
    form.add_argument("--minutes", type=minutes, metavar="M", help="time allowed (default: graders/policy.toml, 60)")
    form.add_argument("-o", "--output", type=output_file, metavar="FILE", help="write to FILE instead of printing")
    form.set_defaults(func=cmd_assess_form)


def _add_hub(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = sub.add_parser("hub", help="JupyterHub for a cohort: learner kit, trial hub on this machine")
    actions = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    kit = actions.add_parser("kit", help="write the learner kit: lessons and exercise cases without answer keys")
    kit.add_argument("dest", type=output_folder, metavar="DEST", help="folder to write (missing, empty or an earlier kit)")
    kit.set_defaults(func=cmd_hub_kit)
    install = actions.add_parser("install", help="install the hub's proxy (npm) and the single-user environment, or refresh them")
    install.add_argument("--python", type=existing_file, metavar="PATH", help="a Python 3.11+ every account can run (default: found)")
    install.set_defaults(func=cmd_hub_install)
    up = actions.add_parser("up", help="start a trial hub on 127.0.0.1 with local accounts (as root)")
    up.add_argument("--port", type=port, default=8000, help="port to serve on (default 8000)")
    up.add_argument("--instructor", default="sr-instructor", help="instructor account (default sr-instructor)")
    up.add_argument(
        "--learners",
        default="sr-learner1,sr-learner2,sr-learner3",
        help="learner accounts, comma-separated (default sr-learner1,sr-learner2,sr-learner3)",
    )
    up.add_argument(
        "--trial-dir", metavar="DIR",
        help="where the trial keeps its state: a new or empty folder outside the checkout (default /var/lib/safetyrater/trial-*)",
    )
    up.set_defaults(func=cmd_hub_up)
    remove = actions.add_parser("remove", help="delete a trial's accounts (with their homes) and its folder")
    remove.add_argument("--trial-dir", metavar="DIR", help="the trial's folder, as made by `hub up` (default /var/lib/safetyrater/trial-*)")
    remove.set_defaults(func=cmd_hub_remove)


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = OneLineParser(
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


#: the exit status of a bug caught by main's last resort (sysexits' EX_SOFTWARE)
INTERNAL_ERROR = 70


def _os_problem(exc: OSError) -> str:
    """An OSError as one line naming the path and the reason."""
    where = " -> ".join(os.fsdecode(name) for name in (exc.filename, exc.filename2) if name is not None)
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}" if where else reason


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SafetyraterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a path given or found: missing, a folder, no permission, a full disk
        print(f"error: {_os_problem(exc)}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        if not str(exc).startswith("Symlink loop from"):  # Python 3.11's Path.resolve on a link to itself
            return _internal_error(exc)
        print(f"error: {str(exc).removeprefix('Symlink loop from ')}: a symbolic link that leads back to itself", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except Exception as exc:
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    """Last resort: every bad input should have been named before this; reaching it is a bug. One line,
    not a traceback (SAFETYRATER_DEBUG=1 shows it); the CLI fuzz (tests/reliability) fails on this line."""
    if os.environ.get("SAFETYRATER_DEBUG"):
        raise exc
    print(f"internal error (a bug in safetyrater; please report it): {type(exc).__name__}: {exc}"[:500], file=sys.stderr)
    return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
