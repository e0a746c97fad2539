import pytest

from ops.text import text_problem


@pytest.mark.parametrize(
    "text",
    ["Acme GmbH", "Société Générale", "שלום Acme", "line one\nline two\r\n", "a\tb", "\u200fRTL mark", ""],
)
def test_it_lets_ordinary_text_in(text):
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Ac\x00me", "Null characters are not allowed."),
        ("Ac\ud800me", "Surrogate characters are not allowed."),
        ("Ac\x07me", "Control characters are not allowed (U+0007)."),
        ("\x1b[31mred", "Control characters are not allowed (U+001B)."),
        ("Ac\x7fme", "Control characters are not allowed (U+007F)."),
        ("Ac\x85me", "Control characters are not allowed (U+0085)."),
        ("Ac\x0cme", "Control characters are not allowed (U+000C)."),
        ("invoice\u202efdp.exe", "Bidirectional override characters are not allowed (U+202E): they disguise the text."),
        ("a\u2066b\u2069", "Bidirectional override characters are not allowed (U+2066): they disguise the text."),
    ],
)
def test_it_says_why_it_refuses_hidden_characters(text, problem):
    assert text_problem(text) == problem
