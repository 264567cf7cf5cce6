"""Bad input is named, not fatal: do the loaders reject garbage with the kit's own one-line error?

Each loader gets hand-made bad files (wrong types, missing fields, unknown
labels, duplicate ids, wrong encodings, huge texts, empty files) and then
hypothesis throws random bytes and mutated records at it. Anything but a
:class:`SafetyraterError` (or a clean result) is a crash to fix in the package.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from safetyrater.errors import DataError, SafetyraterError

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID_CASE = json.loads((REPO / "datasets" / "cases" / "core.jsonl").read_text(encoding="utf-8").splitlines()[0])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
#: a valid case with some fields replaced by random values or removed
mutated_cases = st.dictionaries(st.sampled_from(sorted(VALID_CASE) + ["kind", "use", "extra"]), json_values | st.just(None), max_size=5).map(
    lambda changes: {k: v for k, v in {**VALID_CASE, **changes}.items() if v is not None}
)
file_bytes = st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8"))


@contextmanager
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="sr-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def one_line(exc: SafetyraterError, name: str) -> str:
    first = str(exc).splitlines()[0]
    assert name in first, f"the error does not name {name}: {first}"
    return first


# Case-bank files -------------------------------------------------------------------


def _validate_lines(folder: Path, lines: list[str] | bytes) -> list:
    from safetyrater.bank.validate import validate_paths

    path = folder / "cases.jsonl"
    path.write_bytes(lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode("utf-8"))
    shutil.copy(REPO / "datasets" / "taxonomy.toml", folder / "taxonomy.toml")
    problems, _ = validate_paths([path])
    return problems


@pytest.mark.parametrize(
    "lines, expected",
    [
        ([json.dumps({**VALID_CASE, "reference_rating": 3})], "reference_rating"),
        ([json.dumps({k: v for k, v in VALID_CASE.items() if k != "rationale"})], "rationale"),
        ([json.dumps({**VALID_CASE, "reference_rating": "very bad"})], "reference_rating"),
        ([json.dumps({**VALID_CASE, "categories": ["no-such-area"]})], "unknown category"),
        ([json.dumps(VALID_CASE), json.dumps(VALID_CASE)], "duplicate case id"),
        ([json.dumps({**VALID_CASE, "response": "x" * 2_000_000})], "response"),
        (["[1, 2, 3]"], "cases.jsonl:1"),
        (['{"id": "core-001", '], "cases.jsonl:1"),
    ],
    ids=["wrong-type", "missing-field", "unknown-label", "unknown-category", "duplicate-id", "huge-text", "not-object", "torn-json"],
)
def test_a_bad_case_file_gives_a_problem_naming_file_line_and_field(tmp_path, lines, expected):
    problems = _validate_lines(tmp_path, lines)
    assert problems, "a bad case was accepted"
    first = str(problems[0])
    assert "cases.jsonl" in first and expected in first and "\n" not in first


@pytest.mark.parametrize("content", [b"", "r\xe9ponse".encode("latin-1"), b"\xff\xfe{\x00"], ids=["empty", "latin-1", "utf-16"])
def test_an_empty_or_wrongly_encoded_case_file_is_named(tmp_path, content):
    problems = _validate_lines(tmp_path, content)
    if content:
        assert problems and "cases.jsonl" in str(problems[0])
    else:
        assert not problems or "cases.jsonl" in str(problems[0])


@FUZZ
@given(st.lists(mutated_cases.map(json.dumps) | st.text(max_size=80), min_size=1, max_size=4))
def test_fuzzed_case_lines_never_crash_the_validator(lines):
    with scratch() as folder:
        for problem in _validate_lines(folder, lines):
            assert str(problem).startswith(str(folder / "cases.jsonl"))


@FUZZ
@given(file_bytes)
def test_fuzzed_case_bytes_never_crash_the_loader(content):
    from safetyrater.bank.casebank import load_cases

    with scratch() as folder:
        path = folder / "cases.jsonl"
        path.write_bytes(content)
        _, problems = load_cases([path], None)
        assert all(str(p).startswith(str(path)) for p in problems)


# Policy, rubric, comment bank (TOML) --------------------------------------------------------

toml_texts = st.text(max_size=200) | st.builds(
    lambda key, value: f"[points]\n{key} = {value}\n",
    st.sampled_from(["rating", "over_refusal", "categories", "nonsense"]),
    st.sampled_from(['"three"', "-1", "1e999", "[1, 2]", "{a = 1}", "true", "nan"]),
)


def _toml_loaders():
    from safetyrater.feedback.comments import load_comment_bank
    from safetyrater.feedback.rubric import load_rubric
    from safetyrater.bank.policy import load_policy

    return {"policy.toml": load_policy, "rubric.toml": load_rubric, "comment_bank.toml": load_comment_bank}


@FUZZ
@given(st.sampled_from(["policy.toml", "rubric.toml", "comment_bank.toml"]), toml_texts | file_bytes)
def test_fuzzed_policy_rubric_and_comment_files_give_the_kits_error(name, content):
    loader = _toml_loaders()[name]
    with scratch() as folder:
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        try:
            loader(path)
        except SafetyraterError as exc:
            one_line(exc, name)


@pytest.mark.parametrize("name", ["policy.toml", "rubric.toml", "comment_bank.toml"])
@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00", b"[points\n"], ids=["empty", "utf-16", "torn"])
def test_a_bad_policy_rubric_or_comment_file_is_named(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    loader = _toml_loaders()[name]
    if content == b"" and name == "policy.toml":
        loader(path)  # an empty policy takes PRODUCT.md's defaults
        return
    with pytest.raises(SafetyraterError) as caught:
        loader(path)
    one_line(caught.value, name)


# Answer files -------------------------------------------------------------------------

answer_documents = st.fixed_dictionaries(
    {"exercise": json_values | st.just("ex01-two-questions"), "answers": json_values | st.dictionaries(st.text(max_size=8), json_values, max_size=3)},
    optional={"format": json_values, "points": json_values},
)


@FUZZ
@given(answer_documents.map(lambda d: json.dumps(d).encode()) | file_bytes)
def test_fuzzed_answer_files_are_read_or_named_and_graded_without_a_crash(content):
    """An answer file of any shape: read_answer_file names it, and the grading core scores what it gets."""
    from safetyrater.answers import read_answer_file
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.grading.core import score_case
    from safetyrater.bank.policy import load_policy

    bank = CaseBank.load(REPO / "datasets")
    policy = load_policy(REPO / "graders" / "policy.toml")
    with scratch() as folder:
        path = folder / "ex01-two-questions.answers.json"
        path.write_bytes(content)
        try:
            loaded = read_answer_file(path)
        except DataError as exc:
            one_line(exc, path.name)
            return
        for case in bank.deck_cases("ex01-two-questions")[:2]:
            for answer in list(loaded.answers.values())[:2]:
                result = score_case(answer, case, policy)
                assert 0 <= result["points"] <= result["max_points"]


# XSTest CSV ---------------------------------------------------------------------------------


@FUZZ
@given(file_bytes | st.lists(st.lists(st.text(max_size=10), min_size=1, max_size=5), min_size=1, max_size=4).map(
    lambda rows: "\n".join(",".join(r) for r in [["id", "type", "prompt", "completion", "final_label", "model"], *rows]).encode()
))
def test_fuzzed_xstest_files_give_the_kits_error(content):
    from safetyrater.xstest.data import load_prompts, load_responses

    with scratch() as folder:
        path = folder / "xstest.csv"
        path.write_bytes(content)
        for loader in (load_responses, load_prompts):
            try:
                loader(path)
            except SafetyraterError as exc:
                one_line(exc, "xstest.csv")


# Cohort folders -----------------------------------------------------------------------------

learner_ids = st.text(min_size=1, max_size=12) | st.sampled_from(["../escape", "..", ".hidden", "a/b", "ok-learner", "x\\y", "*", "a+b"])


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(learner_ids, file_bytes | answer_documents.map(lambda d: json.dumps(d).encode()), min_size=1, max_size=4))
def test_fuzzed_cohort_folders_grade_or_name_each_bad_file(submissions):
    """A cohort folder of odd learner names and odd files: graded, with each bad one named, nothing read outside."""
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.cohort.grade import grade_course
    from safetyrater.bank.policy import load_policy

    bank = CaseBank.load(REPO / "datasets")
    policy = load_policy(REPO / "graders" / "policy.toml")
    with scratch() as course:
        submitted = course / "submitted"
        submitted.mkdir()
        for learner, content in submissions.items():
            try:
                folder = submitted / learner / "ex01-two-questions"
                if not folder.resolve().is_relative_to(submitted.resolve()):
                    continue  # a name the file system would put elsewhere; passed on the command line below
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "ex01-two-questions.answers.json").write_bytes(content)
            except (OSError, ValueError):
                continue  # a name this file system cannot hold
        grades = grade_course(course, bank=bank, policy=policy, exercises=["ex01-two-questions"], learners=list(submissions), progress=False)
        graded = set(grades.submissions["learner"]) if len(grades.submissions) else set()
        named = " ".join(str(p) for p in grades.problems)
        for learner in submissions:
            assert learner in graded or repr(learner) in named or learner in named, learner
        assert all(0 <= p <= m for p, m in zip(grades.submissions["points"], grades.submissions["max"]))


# Deeply nested documents: json and tomllib raise RecursionError, not their decode errors

DEEP_JSON = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_case_line_is_a_named_problem(tmp_path):
    problems = _validate_lines(tmp_path, [DEEP_JSON])
    assert problems and "cases.jsonl:1" in str(problems[0]) and "nested too deeply" in str(problems[0])


def test_a_deeply_nested_answer_file_is_a_named_error(tmp_path):
    from safetyrater.answers import read_answer_file

    path = tmp_path / "ex01-two-questions.answers.json"
    path.write_text(DEEP_JSON)
    with pytest.raises(DataError) as caught:
        read_answer_file(path)
    assert "nested too deeply" in one_line(caught.value, path.name)


@pytest.mark.parametrize("name", ["policy.toml", "rubric.toml", "comment_bank.toml"])
def test_a_deeply_nested_toml_file_is_a_named_error(tmp_path, name):
    path = tmp_path / name
    path.write_text("a = " + DEEP_JSON + "\n")
    with pytest.raises(SafetyraterError) as caught:
        _toml_loaders()[name](path)
    one_line(caught.value, name)
