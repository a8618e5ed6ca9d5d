"""The .env rewriters: each changes exactly the line it names, as python-dotenv reads it, or declines."""

from __future__ import annotations

import pytest

from doctor.repairs.dotenv_text import bare_key, close_quote, drop_unused_duplicates, loaded, plain_assignment, rename

KEY = "OPENAI_API_KEY"


@pytest.mark.parametrize(("before", "after"), [
    ('A=1\nOPENAI_API_KEY = " sk-abc " # mine\nB=2\n', "A=1\nOPENAI_API_KEY=sk-abc # mine\nB=2\n"),
    ("OPENAI_API_KEY=\u201csk-abc\u201d\r\n", "OPENAI_API_KEY=sk-abc\r\n"),  # smart quotes, CRLF kept
    ("OPENAI_API_KEY=\"'sk-abc'\"\n", "OPENAI_API_KEY=sk-abc\n"),  # quotes inside the quotes
    ("\texport OPENAI_API_KEY=\"sk-abc\t\"\n", "\texport OPENAI_API_KEY=sk-abc\n"),  # tabs
])
def test_the_keys_spaces_and_quotes_are_stripped_and_nothing_else_changes(before, after):
    done = bare_key(before, KEY)
    assert done is not None and done.after == after and done.safe
    assert loaded(done.after)[KEY] == "sk-abc"


@pytest.mark.parametrize("text", [
    "OPENAI_API_KEY=sk-abc\n",  # nothing to do
    "OPENAI_API_KEY='sk-abc'\n",  # python-dotenv removes plain quotes itself
    'OPENAI_API_KEY="sk abc"\n',  # a space inside is the user's to correct
    'OPENAI_API_KEY=" ${OTHER}"\n',  # the value comes from elsewhere
    'OPENAI_API_KEY="sk-\nabc "\n',  # a value over two lines
    "OTHER=1\n",
])
def test_a_value_that_is_not_plainly_wrapped_is_left_alone(text):
    assert bare_key(text, KEY) is None


def test_only_the_line_python_dotenv_uses_is_stripped_when_the_key_is_set_twice():
    done = bare_key('OPENAI_API_KEY=" sk-old"\nOPENAI_API_KEY=" sk-new"\n', KEY)
    assert done.after == 'OPENAI_API_KEY=" sk-old"\nOPENAI_API_KEY=sk-new\n'


@pytest.mark.parametrize(("before", "after"), [
    ("EXPORT OPENAI_API_KEY=sk\n", "OPENAI_API_KEY=sk\n"),
    ("export export OPENAI_API_KEY=sk\n", "OPENAI_API_KEY=sk\n"),
    ("set OPENAI_API_KEY=sk\r\n", "OPENAI_API_KEY=sk\r\n"),
    ('$env:OPENAI_API_KEY="sk"\n', 'OPENAI_API_KEY="sk"\n'),
    ("OPENAI_API_KEY: sk\n", "OPENAI_API_KEY=sk\n"),
])
def test_shell_words_python_dotenv_cannot_read_are_removed(before, after):
    assert loaded(before).get(KEY) is None
    done = plain_assignment(before, 1)
    assert done is not None and done.after == after and loaded(done.after)[KEY] == "sk"


def test_a_plain_export_works_and_stays():
    assert plain_assignment("export OPENAI_API_KEY=sk\n", 1) is None


def test_an_unclosed_quote_is_closed_on_its_own_line_and_the_lines_after_keep_their_values():
    before = 'A=1\nOPENAI_API_KEY="sk-abc\nB=2\n'
    done = close_quote(before, 2)
    assert done.after == 'A=1\nOPENAI_API_KEY="sk-abc"\nB=2\n'
    assert loaded(done.after) == {"A": "1", KEY: "sk-abc", "B": "2"}
    assert close_quote('OPENAI_API_KEY="sk"abc\n', 1) is None  # another quote: which one closes is a guess


def test_a_variable_is_renamed_to_the_name_the_code_reads_keeping_export_and_comment():
    done = rename("export OPENAI_KEY=sk # mine\n", "OPENAI_KEY", KEY)
    assert done.after == "export OPENAI_API_KEY=sk # mine\n"


@pytest.mark.parametrize("text", [
    "OPENAI_KEY=sk\nOPENAI_API_KEY=other\n",  # both set: which wins is not a guess to make
    "OPENAI_KEY=sk\nURL=${OPENAI_KEY}\n",  # another line refers to the old name
])
def test_a_rename_that_would_change_another_value_is_declined(text):
    assert rename(text, "OPENAI_KEY", KEY) is None


def test_earlier_duplicates_go_and_load_dotenv_sets_the_same_values():
    before = 'OPENAI_API_KEY="sk-\nold"\nB=1\nOPENAI_API_KEY=sk-new\n'
    done = drop_unused_duplicates(before, KEY)
    assert done.after == "B=1\nOPENAI_API_KEY=sk-new\n" and loaded(done.after) == loaded(before)


def test_duplicates_that_interpolation_reads_in_between_are_left_as_they_are():
    text = "OPENAI_API_KEY=sk-old\nCOPY=${OPENAI_API_KEY}\nOPENAI_API_KEY=sk-new\n"
    assert loaded(text)["COPY"] == "sk-old"  # python-dotenv expands with the value set so far
    assert drop_unused_duplicates(text, KEY) is None
