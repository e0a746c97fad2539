"""From the text of a cell to a clean value (a number, a date, yes/no, a category, a domain...), or a plain
reason why not (``RowError``), for every kind of import.

Numbers and dates are read as spreadsheets and CRM exports write them: "$1,200,000", "1.2M", "1.200.000,50";
ISO dates, a/b/yyyy (the file's order, see ``date_order``), dd.mm.yyyy, "15 Mar 2024". A cell that says nothing
("", "N/A", "-", ...) is unknown: None for numbers, dates and yes/no, "" for text.
"""

import datetime
import functools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

CURRENCY = r"(usd|eur|gbp|chf|[$€£¥])"
NUMBER_PATTERN = re.compile(r"([0-9.,]+)(k|mm|mn|m|bn|b)?")
CURRENCY_EDGES = re.compile(rf"^{CURRENCY}|{CURRENCY}$")
CURRENCY_START = re.compile(rf"^{CURRENCY}")
GROUPED = {separator: re.compile(rf"\d{{1,3}}({re.escape(separator)}\d{{3}})+") for separator in ",."}
GROUPED_TWICE = {separator: re.compile(rf"\d{{1,3}}({re.escape(separator)}\d{{3}}){{2,}}") for separator in ",."}
EU_ONLY = re.compile(r"\d{1,3}(\.\d{3}){2,}(,\d+)?|\d+(\.\d{3})*,\d{1,2}")
US_ONLY = re.compile(r"\d{1,3}(,\d{3}){2,}(\.\d+)?|\d+(,\d{3})*\.\d{1,2}")
NOT_WORD = re.compile(r"[^0-9a-z]+")
SLASH_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/\d{2,4}(\s.*)?")
ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})([ T].*)?")
SHORT_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(\s.*)?")
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})")
MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
UNKNOWN = {"", "n/a", "na", "n.a.", "none", "null", "nil", "-", "--", "—", "?", "unknown", "#n/a", "not available"}


class RowError(Exception):
    """A row that cannot be imported; the message is the reason, in plain words."""


def column_key(header: str) -> str:
    """'  Country/Region ' and 'country_region' both become 'country region'."""
    return NOT_WORD.sub(" ", str(header).replace("\ufeff", "").lower()).strip()


def columns_by_name(headers: list[str], names: dict[str, str]) -> dict[str, str]:
    """Each column whose name (by ``column_key``) is in ``names`` -> the target it names; the first such
    column of a target wins, a later one naming the same target is left out."""
    columns: dict[str, str] = {}
    for header in headers:
        target = names.get(column_key(header))
        if target and target not in columns.values():
            columns[header] = target
    return columns


TRUE_WORDS = {"yes", "y", "true", "t", "1", "x", "✓", "✔"}
FALSE_WORDS = {"no", "n", "false", "f", "0"}

MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "b": 1_000_000_000, "bn": 1_000_000_000}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def is_unknown(text: str) -> bool:
    return text.strip().lower() in UNKNOWN


# --- Values ----------------------------------------------------------------------------


def number_style(texts: Iterable[str], delimiter: str | None = None) -> str:
    """Whether a file writes numbers the European way ("1.200.000,50": "eu") or not ("us").

    Counts the cells that can only be read one way; a tie goes to "eu" for a
    semicolon-delimited file (what spreadsheets write where the comma is the
    decimal point) and to "us" otherwise.
    """
    eu = us = 0
    for text in texts:
        digits = re.sub(r"[^0-9.,]", "", text)
        if EU_ONLY.fullmatch(digits):
            eu += 1
        elif US_ONLY.fullmatch(digits):
            us += 1
    if eu != us:
        return "eu" if eu > us else "us"
    return "eu" if delimiter == ";" else "us"


def parse_number(text: str, style: str = "us") -> Decimal | None:
    """'$1,200,000', '1.2M', '€ 1.200.000,50', '(300)' -> a Decimal; unknown -> None.

    ``style`` ("us" or "eu", see number_style) settles '1,200' and '1.200'.
    """
    if text.isdigit():
        return Decimal(text)
    original = text
    text = text.strip().lower().replace("\u00a0", "").replace(" ", "").replace("'", "").replace("_", "")
    if is_unknown(text):
        return None
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    text = CURRENCY_EDGES.sub("", text)
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = CURRENCY_START.sub("", text)
    match = NUMBER_PATTERN.fullmatch(text)
    if not match:
        raise RowError(f"“{original.strip()}” is not a number")
    digits, suffix = match.groups()
    digits = _decimal_point(digits, style)
    try:
        number = Decimal(digits) * MULTIPLIERS.get(suffix or "", 1)
    except InvalidOperation:
        raise RowError(f"“{original.strip()}” is not a number") from None
    return -number if negative else number


def _decimal_point(digits: str, style: str) -> str:
    """Decide which of ',' and '.' separates decimals, and drop the thousands separator."""
    for separator in (",", "."):
        if GROUPED_TWICE[separator].fullmatch(digits):
            return digits.replace(separator, "")  # 1,200,000 or 1.200.000: thousands, whatever the style
    decimal, thousands = (",", ".") if style == "eu" else (".", ",")
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
    elif GROUPED[thousands].fullmatch(digits):
        return digits.replace(thousands, "")
    if digits.count(decimal) > 1 or thousands in digits.split(decimal)[-1]:
        return "x"
    return digits.replace(thousands, "").replace(decimal, ".")


def parse_whole(text: str, *, money: bool = False, style: str = "us") -> int | None:
    number = parse_number(text, style)
    if number is None:
        return None
    if money:
        return int(number.to_integral_value())
    if number != number.to_integral_value():
        raise RowError(f"“{text.strip()}” is not a whole number")
    return int(number)


def parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if is_unknown(word):
        return None
    raise RowError(f"“{text.strip()}” is not yes or no")


def parse_category(text: str, words: dict[str, str]) -> str | None:
    word = NOT_WORD.sub(" ", text.lower()).strip()
    if word in words:
        return words[word]
    if is_unknown(text):
        return None
    known = ", ".join(sorted(set(words.values())))
    raise RowError(f"“{text.strip()}” is not one of {known}")


def parse_domain(text: str) -> str:
    text = text.strip().lower()
    if is_unknown(text):
        return ""
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split("?")[0]
    return text.removeprefix("www.")


def parse_titles(text: str) -> str:
    if is_unknown(text):
        return ""
    return "; ".join(title.strip() for title in re.split(r"[;|\n]+", text) if title.strip())


def date_order(texts: Iterable[str]) -> str:
    """Whether a column's 'a/b/yyyy' dates put the day first ("dmy") or the month first ("mdy").

    A value with a first part over 12 says day first, a second part over 12 says
    month first. A column that never says, US style, is read month first.
    """
    for text in texts:
        match = SLASH_DATE.fullmatch(text)
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                return "dmy"
            if second > 12 >= first:
                return "mdy"
    return "mdy"


@functools.lru_cache(maxsize=4096)
def parse_date(text: str, order: str = "mdy") -> datetime.date | None:
    """ISO (with or without a time), a/b/yyyy in ``order``, dd.mm.yyyy, '15 Mar 2024', 'March 15, 2024'."""
    text = text.strip()
    if is_unknown(text):
        return None
    try:
        if match := ISO_DATE.fullmatch(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := SHORT_DATE.fullmatch(text):
            first, separator, second, year = int(match[1]), match[2], int(match[3]), _year(match[4])
            day_first = separator != "/" or order == "dmy"
            day, month = (first, second) if day_first else (second, first)
            return datetime.date(year, month, day)
        if match := DAY_MONTH_YEAR.fullmatch(text.lower()):
            return datetime.date(int(match[3]), MONTHS[match[2]], int(match[1]))
        if match := MONTH_DAY_YEAR.fullmatch(text.lower()):
            return datetime.date(int(match[3]), MONTHS[match[1]], int(match[2]))
    except (ValueError, KeyError):
        raise RowError(f"“{text}” is not a date") from None
    raise RowError(f"“{text}” is not a date (use 2024-03-15, 03/15/2024 or 15.03.2024)")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 70 else year + 1900 if year < 100 else year


def parse_extra(text: str):
    """An extra attribute: a number or yes/no when it clearly is one, else the text."""
    text = text.strip()
    if is_unknown(text):
        return None
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if re.fullmatch(r"-?\d{1,15}\.\d{1,6}", text):
        return float(text)
    if text.lower() in ("true", "false", "yes", "no"):
        return text.lower() in ("true", "yes")
    return text
