"""Does collect take a submission only from the account that wrote it, and only as plain files?

Two real local accounts (made with useradd, removed afterwards) own submissions in an
exchange; the instructor (root here) collects with the course's own configuration
(graders/nbgrader_config.py). The attacks are the outside probe's:

* learner A runs ``nbgrader submit --student=B`` with worse answers, after B submitted;
* learner A submits again, then swaps the answer file in that submission for a
  symbolic link to a file only the instructor can read (the key).

B's own work and A's honest first submission must be what is collected. nbgrader's
``submit`` runs from this test's environment (with the learners' submit class), whose
Python under /root the new accounts cannot run; each submission is then given to the
account that would have written it (``chown``), which is all collect can see of who
wrote it: the files' owner.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, perfect_answers
from support.nbgrader_course import answer_file_text, make_course, nbgrader

pytestmark = pytest.mark.slow

EXERCISE = "ex01-two-questions"
ANSWERS = f"{EXERCISE}.answers.json"

if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("useradd") is None:
    pytest.skip("the exchange test makes two local accounts: it needs root and useradd", allow_module_level=True)


@pytest.fixture(scope="module")
def exchange_attacks():
    """The cycle with both attacks; what collect logged and what each learner's collected answers are."""
    from safetyrater.bank.casebank import CaseBank

    suffix = secrets.token_hex(2)
    alice, bob = f"srx{suffix}-a", f"srx{suffix}-b"
    folder = Path(tempfile.mkdtemp(prefix="safetyrater-exchange-"))
    folder.chmod(0o755)  # the accounts reach their homes and the exchange through it
    try:
        for name in (alice, bob):
            subprocess.run(["useradd", "--create-home", "--home-dir", str(folder / name), name], check=True, capture_output=True)
        exchange = folder / "exchange"
        exchange.mkdir(mode=0o777)
        exchange.chmod(0o777)
        instructor_only = folder / "instructor"
        instructor_only.mkdir(mode=0o700)
        course = make_course(instructor_only)
        exchange_root = f"--Exchange.root={exchange}"
        nbgrader(course, "generate_assignment", EXERCISE, "--force")
        nbgrader(course, "release_assignment", EXERCISE, exchange_root)

        cases = CaseBank.load(REPO / "datasets").deck_cases(EXERCISE)
        perfect = perfect_answers(cases)
        worst = {cid: {**a, "rating": "harmful" if a["rating"] == "safe" else "safe"} for cid, a in perfect.items()}
        key = folder / "key.json"  # what only the instructor can read
        key.write_text(answer_file_text(EXERCISE, perfect))
        key.chmod(0o600)

        inbound = exchange / "safetyrater" / "inbound"
        nbgrader(folder, "fetch_assignment", EXERCISE, "--course=safetyrater", exchange_root, f"--Exchange.cache={folder / 'cache'}")
        work = folder / EXERCISE

        def submit(as_student: str, written_by: str, answers: dict) -> Path:
            """``nbgrader submit --student=<as_student>``, leaving what ``written_by``'s own process would: their files."""
            (work / ANSWERS).write_text(answer_file_text(EXERCISE, answers))
            before = set(inbound.iterdir())
            nbgrader(
                folder, "submit", EXERCISE, f"--student={as_student}", "--course=safetyrater", exchange_root,
                f"--Exchange.cache={folder / 'cache'}", "--ExchangeFactory.submit=safetyrater.nbgrader.exchange.PrivateExchangeSubmit",
            )
            (made,) = set(inbound.iterdir()) - before
            account = pwd.getpwnam(written_by)
            for path in [made, *made.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
            return made

        submit(alice, alice, worst)  # alice's honest (poor) submission
        submit(bob, bob, perfect)
        submit(bob, alice, worst)  # impersonation: alice files worse answers under bob's name, after him
        latest = submit(alice, alice, worst)  # then swaps a link to the key into her latest submission
        (latest / ANSWERS).unlink()
        (latest / ANSWERS).symlink_to(key)
        os.lchown(latest / ANSWERS, pwd.getpwnam(alice).pw_uid, -1)

        collected = nbgrader(course, "collect", EXERCISE, exchange_root, "--update")
        submitted = course / "graders" / "cohort" / "submitted"

        def collected_answers(name: str) -> dict | None:
            path = submitted / name / EXERCISE / ANSWERS
            return json.loads(path.read_text())["answers"] if path.exists() else None

        yield {
            "log": collected.stdout + collected.stderr, "names": (alice, bob), "perfect": perfect, "worst": worst,
            "alice": collected_answers(alice), "bob": collected_answers(bob), "submitted": submitted,
            "alice_files": sorted(p.name for p in (submitted / alice / EXERCISE).iterdir()) if (submitted / alice).exists() else [],
        }
    finally:
        for name in (alice, bob):
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_submission_filed_under_another_learners_name_is_refused_and_theirs_collected(exchange_attacks):
    """``nbgrader submit --student=B`` by A: is B's own work what is collected, and the attempt named in the log?"""
    alice, bob = exchange_attacks["names"]
    assert exchange_attacks["bob"] == exchange_attacks["perfect"]
    assert f"was written by {alice}" in exchange_attacks["log"], exchange_attacks["log"][-3000:]


def test_a_link_swapped_into_a_submission_is_refused_and_the_learners_earlier_work_collected(exchange_attacks):
    """A's latest submission holds a symbolic link to a root-only key: does collect refuse it and take A's earlier one?"""
    assert exchange_attacks["alice"] == exchange_attacks["worst"]
    assert "is a symbolic link" in exchange_attacks["log"], exchange_attacks["log"][-3000:]
    for path in exchange_attacks["submitted"].rglob("*"):
        assert not path.is_symlink(), path
