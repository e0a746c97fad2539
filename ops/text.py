"""What text may hold, whichever way it comes in (an import's cells, the API, the forms): one rule for all.

Refused: NUL and lone surrogates (PostgreSQL cannot store them), every other control character but tab, line
feed and carriage return (a bell or a terminal escape in a company name), and the bidirectional embeddings,
overrides and isolates that make text display in another order than it reads ("Trojan source").
"""

ALLOWED_CONTROLS = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused, as a sentence, or None."""
    for character in text:
        if character == "\x00":
            return "Null characters are not allowed."
        if "\ud800" <= character <= "\udfff":
            return "Surrogate characters are not allowed."
        if _is_control(character) and character not in ALLOWED_CONTROLS:
            return f"Control characters are not allowed ({_code(character)})."
        if character in BIDI_CONTROLS:
            return f"Bidirectional override characters are not allowed ({_code(character)}): they disguise the text."
    return None


def _is_control(character: str) -> bool:
    return character < " " or "\x7f" <= character <= "\x9f"


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"
