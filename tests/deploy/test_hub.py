"""Does a cohort work through JupyterHub, with learners kept apart and keys kept back?

`safetyrater hub up` starts the course's hub (deploy/hub/jupyterhub_config.py)
with an instructor and two learners, local accounts made for this test and
removed afterwards. Everything then goes the way people's browsers go: through
the hub's proxy to each person's own Jupyter server, calling the endpoints
nbgrader's JupyterLab panels call (formgrader for the instructor, the
assignment list for learners) and running code in each person's own kernel.
So every nbgrader step runs as the account it belongs to, with that account's
file permissions; nothing is faked by root.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import REPO, perfect_answers

pytestmark = [pytest.mark.hub, pytest.mark.slow]

EXERCISE = "ex01-two-questions"
COURSE = "safetyrater"

if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("useradd") is None:
    pytest.skip("the hub test creates local accounts: it needs root and useradd", allow_module_level=True)


class Hub:
    """The hub's REST API and, through its proxy, each person's server."""

    def __init__(self, port: int, admin_token: str):
        self.base = f"http://127.0.0.1:{port}"
        self.admin_token = admin_token
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, token: str | None = None, body=None, form=None, timeout: float = 120):
        headers = {"Authorization": f"token {token or self.admin_token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def as_user(self, user: str, method: str, path: str, **kwargs):
        """A request to ``/user/<user>/<path>`` with ``user``'s own token."""
        status, body = self.call(method, f"/user/{user}/{path}", token=self.tokens[user], **kwargs)
        return status, body

    def ok_json(self, user: str, method: str, path: str, **kwargs):
        status, body = self.as_user(user, method, path, **kwargs)
        assert status in (200, 201), f"{method} /user/{user}/{path}: {status} {body[:500]}"
        return json.loads(body)

    def run_code(self, user: str, code: str) -> str:
        """Run ``code`` in a fresh kernel of ``user``'s server; return what it printed."""
        import websocket

        kernel = self.ok_json(user, "POST", "api/kernels", body={"name": "python3"})
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.base.rsplit(':', 1)[1]}/user/{user}/api/kernels/{kernel['id']}/channels",
            header=[f"Authorization: token {self.tokens[user]}"],
            timeout=120,
        )
        msg_id = uuid.uuid4().hex
        try:
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }))
            printed, done = [], False
            while not done:
                message = json.loads(ws.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = message["msg_type"]
                if kind == "stream":
                    printed.append(message["content"]["text"])
                elif kind == "error":
                    raise AssertionError(f"{user}'s kernel: " + "\n".join(message["content"]["traceback"]))
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    done = True  # idle comes after all output (the reply on the shell channel may not)
        finally:
            ws.close()
            self.as_user(user, "DELETE", f"api/kernels/{kernel['id']}")
        return "".join(printed)


def answers_code(answers: dict) -> str:
    """What a learner's clicks do: set each card's controls, which save the answer file."""
    return (
        "import json, os\n"
        f"os.chdir(os.path.expanduser('~/{EXERCISE}'))\n"
        "from safetyrater import show_deck\n"
        f"view = show_deck({EXERCISE!r})\n"
        f"answers = json.loads({json.dumps(answers)!r})\n"
        "for card in view.cards:\n"
        "    given = answers[card.case.id]\n"
        "    card.rating.value = given['rating']\n"
        "    card.over_refusal.value = given['over_refusal']\n"
        "    for area, button in card.category_buttons.items():\n"
        "        button.value = area in given['categories']\n"
        "print(json.dumps({'cases': len(view.cards), 'has_check': any(hasattr(c, 'check_button') for c in view.cards)}))\n"
    )


PROBE_CODE = """
import json, os
outcome = {}
for label, path in json.loads(%r).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, 'rb').read(1)
        outcome[label] = 'read'
    except PermissionError:
        outcome[label] = 'denied'
    except FileNotFoundError:
        outcome[label] = 'missing'
print(json.dumps(outcome))
"""


def processes_of(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids


def _account_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def cohort(request):
    """The whole cycle through the hub; what each step returned, for the tests to check."""
    import pwd

    from safetyrater.deploy import hub as hubmod
    from safetyrater.bank.casebank import CaseBank

    suffix = secrets.token_hex(2)
    instructor, alice, bob = f"srt{suffix}-teach", f"srt{suffix}-alice", f"srt{suffix}-bob"
    accounts = [instructor, alice, bob]
    folder = Path(tempfile.mkdtemp(prefix="safetyrater-hub-"))
    folder.chmod(0o755)
    trial_dir = folder / "trial"
    log_path = folder / "hub.log"
    process: list[subprocess.Popen] = []

    def stop_everything():
        """Stop the hub (which stops the servers and the proxy), then remove what is left; raise at the end."""
        problems = []
        if process:  # `hub up` became JupyterHub: this is the hub's own pid
            process[0].send_signal(signal.SIGTERM)
            try:
                process[0].wait(timeout=60)
            except subprocess.TimeoutExpired:
                problems.append("the hub did not stop within 60 s of SIGTERM")
                process[0].kill()
                process[0].wait(timeout=30)
        uids = set()
        for name in accounts:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        leftover = processes_of(uids)
        if leftover:
            problems.append(f"processes of the test accounts outlived the hub: {leftover}")
        for pid in leftover:  # the test accounts run only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        give_up = time.monotonic() + 20
        while processes_of(uids) and time.monotonic() < give_up:
            time.sleep(0.2)
        try:
            if trial_dir.exists():
                hubmod.remove(trial_dir)
        except hubmod.HubError as exc:
            problems.append(str(exc))
        for name in accounts:  # also an account made before the trial recorded it
            try:
                home = pwd.getpwnam(name).pw_dir
            except KeyError:
                continue
            subprocess.run(["userdel", "--remove", name], capture_output=True)
            shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        still_there = [name for name in accounts if _account_exists(name)]
        assert not problems and not still_there, f"cleanup: {problems}; accounts left: {still_there}"

    request.addfinalizer(stop_everything)

    port = hubmod.free_port()
    with open(log_path, "w") as log:
        process.append(
            subprocess.Popen(
                [sys.executable, "-m", "safetyrater", "hub", "up", "--port", str(port), "--instructor", instructor,
                 "--learners", f"{alice},{bob}", "--trial-dir", str(trial_dir)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )
    # the first run builds the single-user environment (.ci/run does it beforehand)
    deadline = time.monotonic() + 600
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/api/", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError):
            assert process[0].poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not answer: " + log_path.read_text()[-3000:]
            time.sleep(0.5)

    trial = hubmod.Trial(trial_dir, instructor, (alice, bob), port)
    hub = Hub(port, trial.token_path.read_text().strip())
    passwords = json.loads(trial.passwords_path.read_text())
    result: dict = {"hub": hub, "trial": trial, "names": (instructor, alice, bob), "passwords": passwords, "log": log_path}

    for name in accounts:
        status, body = hub.call("POST", f"/hub/api/users/{name}/server")
        assert status in (201, 202), body
    for name in accounts:
        while not json.loads(hub.call("GET", f"/hub/api/users/{name}")[1])["servers"].get("", {}).get("ready"):
            assert time.monotonic() < deadline, f"{name}'s server did not start: " + log_path.read_text()[-3000:]
            time.sleep(0.5)
        status, body = hub.call("POST", f"/hub/api/users/{name}/tokens", body={"note": "hub test", "expires_in": 3600})
        assert status == 201, body
        hub.tokens[name] = json.loads(body)["token"]

    # the instructor generates and releases the exercise from the formgrader
    grader = "formgrader/api/assignment/" + EXERCISE
    result["generate"] = hub.ok_json(instructor, "POST", f"{grader}/assign")
    result["release"] = hub.ok_json(instructor, "POST", f"{grader}/release")

    # each learner fetches it, answers by clicking cards, and submits
    bank = CaseBank.load(REPO / "datasets")
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    one_off = {"safe": "risky", "risky": "harmful", "harmful": "risky"}
    given = {alice: perfect, bob: {cid: {**a, "rating": one_off[a["rating"]]} for cid, a in perfect.items()}}
    result["expected"] = {alice: 24.0, bob: 20.0}
    form = {"course_id": COURSE, "assignment_id": EXERCISE}
    for name in (alice, bob):
        result.setdefault("fetched", {})[name] = hub.ok_json(name, "POST", "assignments/fetch", form=form)
        result.setdefault("cards", {})[name] = json.loads(hub.run_code(name, answers_code(given[name])).strip().splitlines()[-1])
        result.setdefault("submitted", {})[name] = hub.ok_json(name, "POST", "assignments/submit", form=form)
    result["kit_view"] = json.loads(hub.run_code(alice, (
        "import json\nfrom safetyrater.bank.casebank import CaseBank\nbank = CaseBank.load()\n"
        f"print(json.dumps({{'public': sorted(bank.public), 'full': sorted(set({[c.id for c in cases]!r}) & set(bank.cases))}}))"
    )).strip())

    # the instructor collects, autogrades, and returns feedback
    result["collect"] = hub.ok_json(instructor, "POST", f"{grader}/collect")
    result["autograde"] = {
        name: hub.ok_json(instructor, "POST", f"formgrader/api/submission/{EXERCISE}/{name}/autograde", timeout=300)
        for name in (alice, bob)
    }
    result["submissions"] = hub.ok_json(instructor, "GET", f"formgrader/api/submissions/{EXERCISE}")
    result["generate_feedback"] = hub.ok_json(instructor, "POST", f"{grader}/generate_feedback", timeout=300)
    result["release_feedback"] = hub.ok_json(instructor, "POST", f"{grader}/release_feedback")

    # each learner fetches feedback and reads what arrived in their own folder
    for name in (alice, bob):
        hub.ok_json(name, "POST", "assignments/fetch_feedback", form=form)
        pages = json.loads(hub.run_code(name, (
            "import json, pathlib\n"
            f"folder = pathlib.Path.home() / {EXERCISE!r} / 'feedback'\n"
            "print(json.dumps({str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob('*.html'))}))"
        )).strip())
        result.setdefault("feedback", {})[name] = pages

    # what bob's own account can open: alice's work, the exchange, the instructor's course
    exchange = trial.exchange / COURSE
    alice_submission = next((exchange / "inbound").glob(f"{alice}+{EXERCISE}+*"))
    course = trial.course_dir()
    probes = {
        "bob's own answers": f"/home/{bob}/{EXERCISE}/{EXERCISE}.answers.json",
        "the kit's lessons": str(trial.kit / "course"),
        "the released exercise": str(exchange / "outbound" / EXERCISE),
        "alice's answers in her home": f"{pwd.getpwnam(alice).pw_dir}/{EXERCISE}/{EXERCISE}.answers.json",
        "alice's submitted answers": str(alice_submission / f"{EXERCISE}.answers.json"),
        "alice's submitted notebook": str(alice_submission / f"{EXERCISE}.ipynb"),
        "the list of submissions": str(exchange / "inbound"),
        "the list of feedback": str(exchange / "feedback"),
        "the instructor's solutions": str(course / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"),
        "the instructor's case bank": str(course / "datasets" / "cases" / "core.jsonl"),
        "the gradebook": str(course / "graders" / "cohort" / "gradebook.db"),
        "collected submissions": str(course / "graders" / "cohort" / "submitted" / alice / EXERCISE / f"{EXERCISE}.answers.json"),
        # the instructor's checkout, which `hub up` ran from: every key is in it
        "the checkout's pool cases": str(REPO / "datasets" / "pool" / "crime.jsonl"),
        "the checkout's case bank": str(REPO / "datasets" / "cases" / "core.jsonl"),
        "the checkout's solutions": str(REPO / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"),
        "the checkout's collected work": str(REPO / "graders" / "cohort" / "submitted"),
        "the checkout's folder": str(REPO),
    }
    result["bob_can"] = json.loads(hub.run_code(bob, PROBE_CODE % json.dumps(probes)).strip())
    result["alice_submission"] = alice_submission
    return result


def test_learners_fetch_the_released_exercise_and_answer_it_with_cards(cohort):
    _, alice, bob = cohort["names"]
    assert cohort["generate"]["success"] and cohort["release"]["success"], (cohort["generate"], cohort["release"])
    for name in (alice, bob):
        fetched = [a for a in cohort["fetched"][name]["value"] if a["assignment_id"] == EXERCISE]
        assert {a["status"] for a in fetched} >= {"fetched"}
        assert cohort["cards"][name] == {"cases": 8, "has_check": False}


def test_a_learners_kit_shows_exercise_cases_without_their_keys(cohort, bank):
    """Inside a learner's server, is every exercise case public-only?"""
    ids = set(bank.deck(EXERCISE).cases)
    assert ids <= set(cohort["kit_view"]["public"]) and cohort["kit_view"]["full"] == []


def test_submissions_are_collected_and_autograded_to_known_scores(cohort):
    _, alice, bob = cohort["names"]
    assert cohort["collect"]["success"], cohort["collect"].get("error")
    assert all(cohort["autograde"][name]["success"] for name in (alice, bob)), cohort["autograde"]
    scores = {row["student"]: row["score"] for row in cohort["submissions"]}
    assert scores == cohort["expected"]


def test_each_learner_fetches_only_their_own_feedback(cohort):
    _, alice, bob = cohort["names"]
    assert cohort["generate_feedback"]["success"] and cohort["release_feedback"]["success"]
    for name, other in ((alice, bob), (bob, alice)):
        pages = cohort["feedback"][name]
        assert len(pages) == 1 and next(iter(pages)).endswith(f"/{EXERCISE}.html"), sorted(pages)
        text = re.sub(r"<[^>]+>", " ", next(iter(pages.values())))
        own, theirs = cohort["expected"][name], cohort["expected"][other]
        assert re.search(rf"Score:\s*{own:g}(\.0)?\s*/", text), text[:2000]
        assert not re.search(rf"Score:\s*{theirs:g}(\.0)?\s*/", text)
        assert "HIDDEN TESTS" not in text and "grade_item" not in text


def test_a_learner_cannot_read_another_learners_work_or_the_instructors_keys(cohort):
    can = cohort["bob_can"]
    # the probe can succeed: bob reads his own work and what everyone receives
    assert can["bob's own answers"] == "read"
    assert can["the kit's lessons"] == "read"
    assert can["the released exercise"] == "read"
    denied = {label for label, outcome in can.items() if outcome == "denied"}
    assert denied == set(can) - {"bob's own answers", "the kit's lessons", "the released exercise"}, can


def test_submissions_are_private_to_the_learner_and_the_instructors_group(cohort):
    """Does the exchange's submit close alice's submission to other accounts but leave it collectable?"""
    import grp

    instructor, _, _ = cohort["names"]
    submission: Path = cohort["alice_submission"]
    info = submission.stat()
    assert info.st_mode & 0o007 == 0, f"{submission} is open to others: {oct(info.st_mode)}"
    assert grp.getgrgid(info.st_gid).gr_name == instructor
    answers = (submission / f"{EXERCISE}.answers.json").stat()
    assert answers.st_mode & 0o777 == 0o640 and grp.getgrgid(answers.st_gid).gr_name == instructor


def test_the_hub_keeps_people_to_their_own_servers(cohort):
    hub: Hub = cohort["hub"]
    instructor, alice, bob = cohort["names"]
    # alice's token does not open bob's server or the instructor's formgrader
    assert hub.call("GET", f"/user/{bob}/api/contents", token=hub.tokens[alice])[0] == 403
    assert hub.call("GET", f"/user/{instructor}/formgrader/api/status", token=hub.tokens[alice])[0] == 403
    # learners have no formgrader; the instructor has it
    assert hub.as_user(alice, "GET", "formgrader/api/status")[0] == 404
    assert hub.as_user(instructor, "GET", "formgrader/api/status")[0] == 200
    # and JupyterLab hides nbgrader's instructor panels from learners
    status, page = hub.as_user(alice, "GET", "lab")
    assert status == 200
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= set(config["disabledExtensions"])


def test_people_log_in_with_their_own_password_only(cohort):
    """PAM checks each account's own password: alice's password does not open bob's account."""
    hub: Hub = cohort["hub"]
    _, alice, bob = cohort["names"]

    def login(user: str, password: str) -> int:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirect())
        with opener.open(f"{hub.base}/hub/login", timeout=30) as page:
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.read().decode()).group(1)
        data = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf}).encode()
        try:
            with opener.open(f"{hub.base}/hub/login", data=data, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert login(alice, cohort["passwords"][alice]) == 302
    assert login(bob, cohort["passwords"][alice]) == 403


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
