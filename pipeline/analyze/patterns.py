"""Small text helpers shared by the rule analyzers: numbers, dates, sentences."""

from __future__ import annotations

import re

WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "forty five": 45,
    "sixty": 60,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred eighty": 180,
    "a": 1,
    "an": 1,
}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}

# "thirty (30)", "30", "thirty" followed by a unit.
NUMBER = r"(?:(?P<word>[a-z]+(?:[- ][a-z]+)?)\s*\((?P<paren>\d{1,4})\)|(?P<digits>\d{1,4})|(?P<wordonly>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|ninety))"
UNIT = r"(?P<unit>business days?|calendar days?|days?|months?|years?|weeks?)"
# "30 days", "thirty (30) days", "two-year", "12-month", "(1) year".
DURATION = re.compile(NUMBER + r"\s*-?\s*" + UNIT, re.IGNORECASE)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_NUM = {m.lower(): i + 1 for i, m in enumerate(MONTHS.split("|"))}
DATE = re.compile(
    rf"(?P<mdy>(?P<m1>{MONTHS})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?P<m2>{MONTHS}),?\s+(?P<y2>(?:19|20)\d\d))"
    r"|(?P<num>(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>(?:19|20)\d\d))",
    re.IGNORECASE,
)

_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z0-9(\"“])|\n\s*\n")


def roman_to_int(s: str) -> int | None:
    s = s.lower()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def duration_value(m: re.Match[str]) -> str:
    """Normalised "30 days" from a DURATION match."""
    if m.group("paren"):
        n = int(m.group("paren"))
    elif m.group("digits"):
        n = int(m.group("digits"))
    else:
        n = WORD_NUMBERS.get((m.group("wordonly") or "").lower(), 0)
    unit = m.group("unit").lower()
    unit = unit.replace("calendar ", "")
    base = unit.rstrip("s") if not unit.startswith("business") else "business day"
    return f"{n} {base}{'' if n == 1 else 's'}"


def date_value(m: re.Match[str]) -> str:
    """ISO date from a DATE match."""
    if m.group("mdy"):
        y, mo, d = int(m.group("y1")), _MONTH_NUM[m.group("m1").lower()], int(m.group("d1"))
    elif m.group("dmy"):
        y, mo, d = int(m.group("y2")), _MONTH_NUM[m.group("m2").lower()], int(m.group("d2"))
    else:
        y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    return f"{y:04d}-{mo:02d}-{d:02d}"


def sentence_bounds(text: str, pos: int, *, limit: int = 1200) -> tuple[int, int]:
    """The sentence around ``pos``: back to the previous sentence end, forward to the next."""
    lo = max(0, pos - limit)
    start = lo
    # endpos one past pos so the lookahead can see the character at pos.
    for m in _SENTENCE_END.finditer(text, lo, min(len(text), pos + 1)):
        if m.end() <= pos:
            start = m.end()
    m2 = _SENTENCE_END.search(text, pos, min(len(text), pos + limit))
    end = m2.start() if m2 else min(len(text), pos + limit)
    return trim(text, start, end)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
