"""Do check questions answer at once with a word, a mark and the reason, and save the pick like other answers?"""

from __future__ import annotations

import json

import pytest

import safetyrater
from conftest import REPO
from safetyrater.widgets.html import escape
from safetyrater.widgets.questions import QuestionsView, load_questions, show_questions

QUESTIONS = REPO / "datasets" / "check_questions.toml"


def _answers(folder, set_name="lesson-01"):
    return json.loads((folder / f"{set_name}-check.answers.json").read_text())


def test_the_questions_come_in_file_order_without_their_ids(tmp_path):
    view = QuestionsView("lesson-01", tmp_path)
    expected = load_questions("lesson-01")
    assert [card.question.id for card in view.cards] == [q.id for q in expected] == ["l01-q1", "l01-q2", "l01-q3"]
    first = view.cards[0]
    assert "Question 1 of 3" in first.children[0].value
    assert "l01-q1" not in first.children[0].value
    assert first.feedback.value == ""


def test_a_wrong_pick_says_so_in_words_names_the_answer_and_gives_the_reason(tmp_path):
    card = QuestionsView("lesson-01", tmp_path).cards[0]
    question = card.question
    wrong = next(i for i in range(len(question.options)) if i != question.answer)
    card.options.value = wrong
    assert "✗ Not quite" in card.feedback.value
    assert question.options[question.answer].split(":")[0] in card.feedback.value
    assert escape(question.reason) in card.feedback.value


def test_the_right_pick_says_right_and_still_gives_the_reason(tmp_path):
    card = QuestionsView("lesson-01", tmp_path).cards[1]
    card.options.value = card.question.answer
    assert "✓ Right." in card.feedback.value
    assert "Not quite" not in card.feedback.value
    assert escape(card.question.reason) in card.feedback.value


def test_a_pick_is_saved_beside_the_notebook_and_restored(tmp_path):
    view = QuestionsView("lesson-03b", tmp_path)
    view.cards[1].options.value = 2
    saved = _answers(tmp_path, "lesson-03b")
    assert saved["exercise"] == "lesson-03b-check"
    assert saved["answers"][view.cards[1].question.id]["choice"] == 2
    assert "saved" in view.cards[1].status.value
    again = QuestionsView("lesson-03b", tmp_path).cards[1]
    assert again.options.value == 2
    assert again.feedback.value != ""


def test_every_lesson_set_has_two_or_three_questions():
    for set_name in [f"lesson-{n:02d}" for n in range(1, 13)] + ["lesson-03b"]:
        assert 2 <= len(load_questions(set_name)) <= 3, set_name


def test_an_unknown_set_is_one_plain_message(tmp_path):
    shown = show_questions("lesson-99", tmp_path)
    assert escape("no check questions for 'lesson-99'") in shown.value
    assert "Traceback" not in shown.value


def test_a_bad_answer_index_is_named_by_its_line(tmp_path):
    text = QUESTIONS.read_text(encoding="utf-8").replace("answer = 1\n", "answer = 7\n", 1)
    bad = tmp_path / "check_questions.toml"
    bad.write_text(text, encoding="utf-8")
    question_line = max(
        n for n, line in enumerate(text.splitlines(), 1) if line == "[[question]]" and n < text.splitlines().index("answer = 7") + 1
    )
    with pytest.raises(safetyrater.errors.DataError) as caught:
        load_questions("lesson-01", bad)
    message = str(caught.value)
    assert "check_questions.toml" in message
    assert "answer 7 is not an option" in message
    assert f"check_questions.toml:{question_line}:" in message


def test_a_bad_field_or_a_repeated_id_is_named_by_the_line_of_its_key(tmp_path):
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    first_answer = lines.index("answer = 1") + 1
    lines[first_answer - 1] = "answer = -1"
    second_id = [n for n, line in enumerate(lines, 1) if line.startswith("id = ")][1]
    lines[second_id - 1] = 'id = "l01-q1"'
    bad = tmp_path / "check_questions.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(safetyrater.errors.DataError) as caught:
        load_questions("lesson-01", bad)
    assert f"check_questions.toml:{first_answer}: question.0.answer:" in str(caught.value)
    lines[first_answer - 1] = "answer = 1"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(safetyrater.errors.DataError) as caught:
        load_questions("lesson-01", bad)
    assert f"check_questions.toml:{second_id}: id: question id 'l01-q1' is used twice" in str(caught.value)


def test_show_questions_is_importable_from_the_package_top():
    assert "show_questions" in safetyrater.__all__
    assert callable(safetyrater.show_questions)
