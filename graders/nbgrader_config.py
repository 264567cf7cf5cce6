"""nbgrader configuration of the safetyrater course.

Run nbgrader from this folder (``cd graders && nbgrader generate_assignment
ex01-two-questions``). The course layout of PRODUCT.md maps onto nbgrader's
folders: solutions/ is nbgrader's source, exercises/ its release, and the
cohort workspace (submissions, autograded notebooks, feedback, gradebook)
lives in graders/cohort/.
"""

import os
import tomllib
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades, OverwriteCells, SaveAutoGrades
from safetyrater.nbgrader.preprocessors import (
    ExecuteInCleanFolder,
    FlagNotesForReview,
    OverwriteCellsQuietlyRestoringHiddenTests,
    RunOnlyCourseCells,
    SetAsideHandedInModules,
    ShowLearnerCellsAsText,
)

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

here = Path(__file__).resolve().parent
root = here.parent
workspace = "graders/cohort"

c.CourseDirectory.course_id = "safetyrater"
c.CourseDirectory.root = str(root)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = f"{workspace}/submitted"
c.CourseDirectory.autograded_directory = f"{workspace}/autograded"
c.CourseDirectory.feedback_directory = f"{workspace}/feedback"
c.CourseDirectory.solution_directory = f"{workspace}/released-solutions"
c.CourseDirectory.db_url = f"sqlite:///{root / workspace / 'gradebook.db'}"

# The exchange (release, submit, collect): `safetyrater start --instructor` sets
# SAFETYRATER_EXCHANGE (default graders/cohort/exchange) so the formgrader's buttons
# and the learners' Assignments list meet in one folder. Unset (a hub, a command
# line with --Exchange.root), nbgrader's own setting stands.
if os.environ.get("SAFETYRATER_EXCHANGE"):
    c.Exchange.root = os.environ["SAFETYRATER_EXCHANGE"]

# Exercises are the graded decks; each saves its answers to <deck>.answers.json.
# Autograde copies non-notebook files from solutions/ over the submission unless
# they are excluded, which would replace a learner's answers with the instructor's.
decks = tomllib.loads((root / "datasets" / "decks.toml").read_text(encoding="utf-8"))["deck"]
graded = sorted(deck_id for deck_id, deck in decks.items() if deck.get("mode") == "graded")
# Probe-design exercises (datasets/probes/topics.toml) save their answers the same way.
probes = tomllib.loads((root / "datasets" / "probes" / "topics.toml").read_text(encoding="utf-8")).get("exercise", {})
graded += sorted(exercise_id for exercise_id, exercise in probes.items() if exercise.get("mode") == "graded")
c.Autograde.exclude_overwriting = {deck_id: [f"{deck_id}.answers.json"] for deck_id in graded}

# Test cells print the learner's score per item; their hidden part (the call
# that reads the key) must not reach the learner, and nbgrader's default
# feedback would print it.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Written feedback: the kit pre-scores each exercise's notes (the written-feedback
# cell's automatic score) and the instructor decides. Right after nbgrader saves the
# automatic scores, flag that cell as needing manual grading whenever the learner
# wrote a note, so the formgrader lists the submission for review.
steps = list(Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default())
steps.insert(steps.index(SaveAutoGrades) + 1, FlagNotesForReview)
# Grades must mean what they say: a deleted grade cell comes back, only the course's own
# cells run (a learner's cell could replace the grading function or rewrite the answer
# file), the kernel starts in a clean folder that holds only the answer file, so nothing
# handed in can be imported, and a learner's markdown reaches the formgrader and the
# feedback as plain text; see safetyrater/nbgrader/preprocessors.py.
steps.insert(0, SetAsideHandedInModules)
steps[steps.index(Execute)] = ExecuteInCleanFolder
c.Autograde.autograde_preprocessors = steps
sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].make_dynamic_default())
sanitize[sanitize.index(OverwriteCells) + 1 : sanitize.index(OverwriteCells) + 1] = [RunOnlyCourseCells, ShowLearnerCellsAsText]
# nbgrader warns "Attribute 'checksum' ... has changed!" for every grade cell whose hidden
# tests the release removed, so each untouched submission logged nine warnings that read like
# tampering. This OverwriteCells puts those tests back first, so the warning means a learner
# changed a locked cell (see safetyrater/nbgrader/preprocessors.py).
sanitize[sanitize.index(OverwriteCells)] = OverwriteCellsQuietlyRestoringHiddenTests
c.Autograde.sanitize_preprocessors = sanitize

# Collect takes a submission only from the account it names and only as plain files and
# folders: `nbgrader submit --student=<someone else>` and a link swapped into a submission
# are refused and named in the log (safetyrater/nbgrader/exchange.py).
c.ExchangeFactory.collect = "safetyrater.nbgrader.exchange.OwnerCheckedCollect"

# A grading cell that runs long means something is wrong; fail it rather than hang.
c.Execute.timeout = 60
