"""What text may hold, whichever way it comes in (an import's cells, the API, the forms): one rule for all.

Refused: NUL and lone surrogates (PostgreSQL cannot store them), every other control character but tab, line
feed and carriage return (a bell or a terminal escape in a company name), and the bidirectional embeddings,
overrides and isolates that make text display in another order than it reads ("Trojan source").
"""

import re

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Every character refused above (the controls but tab, line feed and carriage return; the bidirectional ones;
# the surrogates), as one class: a search in C finds the first of them, where a loop in Python looked at each
# character (the events API checks some 4,000 texts per batch).
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused, as a sentence (about its first refused character), or None."""
    found = REFUSED.search(text)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return "Null characters are not allowed."
    if "\ud800" <= character <= "\udfff":
        return "Surrogate characters are not allowed."
    if character in BIDI_CONTROLS:
        return f"Bidirectional override characters are not allowed ({_code(character)}): they disguise the text."
    return f"Control characters are not allowed ({_code(character)})."


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"
