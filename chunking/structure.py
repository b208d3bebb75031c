"""The section tree of a contract or paper, found from headings at line starts.

One regex pass finds candidate heading lines; cheap per-candidate checks then reject the
usual false positives (references in wrapped text, dates, table rows, tables of
contents, running page headers, footnotes), and a numbering check keeps weakly formatted
numbered lines only when they continue the numbering seen so far.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from pipeline.types import Section, SectionKind

# Every pattern starts with a literal "\n" (the text is scanned with one prepended) so
# re's literal-prefix search jumps from line to line; "\f" may open a line (PDF page break).
_HEADING = re.compile(
    r"""\n(?P<ind>[ \t\f\u00a0]*)(?:
      (?P<kw>ARTICLE|Article|SECTION|Section|EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex
            |APPENDIX|Appendix|PART|Part|STATEMENT[ ]OF[ ]WORK[ ]NO\.|Statement[ ]of[ ]Work[ ]No\.)
        (?:[ \t\u00a0]+(?P<kwnum>(?:\d{1,3}(?:\.\d{1,3}){0,3}|[IVXLC]{1,7}|[A-Z]{1,2}(?:[.-]\d{1,2})*)
                                 (?:\([a-z0-9]{1,4}\))*)(?![A-Za-z0-9]))?
    | (?P<num>\d{1,3}(?:\.\d{1,3}){0,4})(?P<ndot>\.?)(?=[ \t\u00a0]+[A-Z"'\[(\u201c\u2018]|[ \t]*(?:\n|\Z))
    | \((?P<par>[a-z]{1,4}|[A-Z]{1,4}|\d{1,2})\)
    | (?P<word>ABSTRACT|Abstract|REFERENCES|References|BIBLIOGRAPHY|Bibliography
              |ACKNOWLEDGE?MENTS?|Acknowledge?ments?)(?!\w)
    )""",
    re.VERBOSE,
)
_KW_KINDS: tuple[SectionKind, ...] = (
    "article",
    "section",
    "exhibit",
    "schedule",
    "annex",
    "appendix",
    "part",
)
_KW_KIND: dict[str, SectionKind] = {k: k for k in _KW_KINDS}
# A statement of work under a master agreement is a document of its own: article level.
_KW_KIND["statement of work no."] = "part"
_ROMAN = re.compile(r"(?i)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
# A run-in title ends at the first "." or ":" after a word ("1.1 Term. This ..."); "U.S." does not.
_RUN_IN = re.compile(r"[.:](?=\s|$)")
_RUN_IN_BEFORE = re.compile(r"[A-Za-z0-9)\]\"'\u2019\u201d]{2}|\s\d")
# '"Affiliate" shall mean ...': a definition is titled by the term it defines.
_DEFINED = re.compile(
    r"[\"\u201c]([^\"\u201d]{1,60})[\"\u201d]\s+(?:shall\s+(?:mean|have)|means|has\s+the|have\s+the)"
)
# "PRODUCT DESIGN During the term ...": an upper-case title run into the text.
_CAPS_LEAD = re.compile(
    r"((?:[A-Z0-9][A-Z0-9'\u2019&/-]*,? ){1,12}?[A-Z0-9'\u2019&/-]*[A-Z]{3,}[A-Z0-9'\u2019&/-]*) +(?=[A-Z][a-z])"
)
_MONTH = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?\s*\d"
)
_GAP = re.compile(r"(?<=\S)(?: {3,}|\t)(?=\S)")  # two such gaps in a line: a table row
_TOC_TAIL = re.compile(r"(?:\s|\.{2,}|\u2026)\d{1,4}$")  # "Definitions ..... 12" / "Term 3"
_REFERENCE_WORDS = re.compile(r"(?:of|hereof|herein|hereto|hereunder|above|below|and|or|to|in)\b")
_CLOSED = re.compile(r"[\w.]{0,4}\)")  # "Section V\nB) ..." or "Appendix D.3) ...": a wrapped reference
_PAGE_NO = re.compile(r"(?i)page\s+\d+(?:\s+of\s+\d+)?$")
_QUOTES = "\"'\u201c\u2018[("
# A form feed starts a new document when the page opens with a title like these.
_DOC_TITLE = re.compile(
    r"(?:[A-Z0-9][A-Z0-9 ,.&'\u2019()/-]*\b(?:AGREEMENT|CONTRACT|AMENDMENT|LEASE|INDENTURE|PLAN|DEED"
    r"|LICENSE|MEMORANDUM|CERTIFICATE|BYLAWS|CHARTER|GUARANTY|WARRANT|TERMS AND CONDITIONS)S?\b"
    r"[A-Z0-9 ,.&'\u2019()/-]*|EX-\d[\w.-]*.*|Exhibit \d+(?:\.\d+)*)"
)
_SPARSE_PAGE_CHARS = 20_000  # pages longer than any real page: form feeds join documents


@dataclass(slots=True)
class _Head:
    start: int  # line start (after any form feed)
    label: str
    title: str
    form: str  # "kw", "num", "par" or "word"
    kind: SectionKind
    level: int
    nums: tuple[int, ...]  # numeric label parts, for the numbering check
    strong: bool  # formatting alone shows a heading; no numbering check needed
    key: str  # normalised line, to spot running headers
    toc: bool = False  # ends in a page number, as in a table of contents


def find_sections(text: str) -> list[Section]:
    """Headings of ``text`` as a flat list in document order; ``parent`` links form the tree."""
    heads = _drop_running_headers(_drop_tables_of_contents(_candidates(text)))
    starts = [h.start for h in heads]
    sections: list[Section] = []
    first = 0
    # Each document (see find_document_breaks) restarts numbering and closes all headings.
    for end in [*find_document_breaks(text), len(text)]:
        last = bisect_left(starts, end)
        _build_tree(_check_numbering(heads[first:last]), end, sections)
        first = last
    return sections


def find_document_breaks(text: str) -> list[int]:
    """Offsets just after form feeds that start a new document (not just a new page)."""
    last = len(text.rstrip())  # a form feed with only blank text after it starts nothing
    feeds = [m.start() for m in re.finditer("\f", text) if m.start() + 1 < last]
    if not feeds:
        return []
    if len(text) / (len(feeds) + 1) >= _SPARSE_PAGE_CHARS:
        return [f + 1 for f in feeds]
    # The first lines of each page; lines opening many pages are running headers, not titles.
    chunks = (text[f + 1 : f + 600].split("\f", 1)[0].split("\n") for f in feeds)
    openings = [[" ".join(x.split()) for x in lines if x.strip()][:3] for lines in chunks]
    counts = Counter(line for lines in openings for line in lines[:2])
    return [
        f + 1
        for f, lines in zip(feeds, openings, strict=True)
        if any(counts[line] < 3 and _DOC_TITLE.fullmatch(line) for line in lines)
    ]


def _candidates(text: str) -> list[_Head]:
    scan = "\n" + text  # offsets in scan are text offsets + 1
    heads: list[_Head] = []
    for m in _HEADING.finditer(scan):
        ind = m.group("ind")
        start = m.start("ind") + ind.rfind("\f") if "\f" in ind else m.start("ind") - 1
        line_end = scan.find("\n", m.end()) % (len(scan) + 1)  # -1 (last line) -> len(scan)
        rest = scan[m.end() : min(line_end, m.end() + 240)].split("\f", 1)[0]  # enough for a title
        head = _classify(m, rest, text, line_end - 1)
        if head is not None:
            head.start = start
            heads.append(head)
    return heads


def _classify(m: re.Match[str], rest: str, text: str, line_end: int) -> _Head | None:
    body = " ".join(rest.split())
    if m.group("kw"):
        return _keyword(m.group("kw"), m.group("kwnum"), rest, body, text, line_end)
    if m.group("num"):
        return _numbered(m.group("num"), m.group("ndot"), rest, body, text, line_end)
    if m.group("par"):
        if _columns(rest) or _REFERENCE_WORDS.match(body) or body[:1].isdigit():
            return None
        label = f"({m.group('par')})"
        return _Head(0, label, _title(body), "par", "clause", 5, (), True, label, False)
    word = m.group("word")
    low = word.lower()
    if body and not (low == "abstract" and body[0] in ".:-\u2013\u2014"):
        return None
    kind: SectionKind = "abstract" if low == "abstract" else "heading" if low[0] == "a" else "references"
    return _Head(0, word, _title(body.lstrip(".:-\u2013\u2014 ")), "word", kind, 2, (), True, word, False)


def _keyword(kw: str, num: str | None, rest: str, body: str, text: str, line_end: int) -> _Head | None:
    kind = _KW_KIND[kw.lower()]
    if num is None and kind not in ("annex", "appendix"):
        return None
    tail = body.lstrip(".:-\u2013\u2014 ")
    # "Section 5.2 of this Agreement", "Exhibit A attached hereto", "(see Appendix D.3)":
    # references in running text, not headings.
    if tail[:1].islower() or (tail and tail[0] in ",;)") or _columns(rest) or _CLOSED.match(tail):
        return None
    label = f"{kw} {num}" if num else kw
    title = _title(tail) if tail else _next_line_title(text, line_end, caps_only=False)
    if tail.endswith("-") and title.endswith("-"):  # a heading hyphenated across lines
        title = title[:-1] + _next_line_title(text, line_end, caps_only=False, hyphen=True)
    nums = _numbers(num) if num and num[0].isdigit() else ()
    strong = True
    if kind == "section":
        level = min(1 + len(nums), 4) if nums else 2
        # Wrapped running text can start with "Section 2.8. Finally, ..."; trust the format
        # only when it looks like a heading, else fall back to the numbering check.
        strong = not tail or _heading_like(title, tail)
        if not (strong or nums):
            return None
    else:
        # "Appendix A.1" sits below "Appendix A"; "Exhibit 10.38" (an EDGAR number) does not.
        level = 1 + num.count(".") if num and num[0].isalpha() else 1
        # Only an article's number carries into its sections ("ARTICLE IV" then "4.1").
        if kind != "article":
            nums = ()
        elif num and not nums:
            nums = (_roman_value(num),) if _ROMAN.fullmatch(num) else ()
    toc = len(body) < 200 and bool(_TOC_TAIL.search(body[-8:]))  # TOC lines are short
    return _Head(0, label, title, "kw", kind, level, nums, strong, f"{label} {title}", toc)


def _numbered(num: str, dot: str, rest: str, body: str, text: str, line_end: int) -> _Head | None:
    nums = tuple(map(int, num.split(".")))
    label = num + dot
    if not body:
        # "12." alone: a heading only if an upper-case title follows on the next line.
        title = _next_line_title(text, line_end, caps_only=True) if dot or len(nums) > 1 else ""
        if not title:
            return None
        return _Head(0, label, title, "num", _num_kind(nums, title), 1 + len(nums), nums, True, title)
    first = body[0]
    if not (first.isupper() or first in _QUOTES) or _MONTH.match(body) or _columns(rest):
        return None
    title = _title(body)
    if not dot and len(nums) == 1:
        # "1 Introduction" (papers) looks like a footnote or affiliation unless short and clean.
        # A wide gap ("1      Exhibit 10.2") is page layout: a page number, then a header.
        if len(body) > 80 or len(body.split()) > 8 or "," in body or body.endswith(".") or rest[:8].isspace():
            return None
        strong = _is_caps(title)
    else:
        strong = _heading_like(title, body)
    toc = len(body) < 200 and bool(_TOC_TAIL.search(body[-8:]))  # TOC lines are short
    return _Head(0, label, title, "num", _num_kind(nums, title), 1 + len(nums), nums, strong, title, toc)


def _is_caps(title: str) -> bool:
    head = title[:60]
    return head.isupper() and len(head) >= 3


def _title_case(title: str) -> bool:
    words = [w for w in title.split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words) and len(title.split()) <= 12


def _heading_like(title: str, body: str) -> bool:
    """An upper-case title, or a short Title Case one (run in, or alone on its line)."""
    alone = title == body and len(body) <= 80
    return _is_caps(title) or (_title_case(title) and (title != body or alone))


def _columns(rest: str) -> bool:
    return ("   " in rest or "\t" in rest) and len(_GAP.findall(rest)) >= 2


def _num_kind(nums: tuple[int, ...], title: str) -> SectionKind:
    if title.lower() in ("references", "bibliography"):
        return "references"
    return "section" if len(nums) == 1 else "subsection"


def _numbers(num: str) -> tuple[int, ...]:
    return tuple(int(p) for p in num.split("(", 1)[0].split(".") if p.isdigit())


def _roman_value(s: str) -> int:
    values = [_ROMAN_VALUES[c] for c in s.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _title(body: str) -> str:
    """The heading text: a run-in title up to its period, a short line whole, else an excerpt."""
    m = _DEFINED.match(body) or _CAPS_LEAD.match(body)
    if m:
        return m.group(1).strip()
    for end in _RUN_IN.finditer(body, 1, 122):
        if _RUN_IN_BEFORE.match(body, end.start() - 2):
            return body[: end.start()].strip()
    if len(body) <= 120:
        return body.rstrip(" .:;")
    cut = body.rfind(" ", 0, 80)
    return body[: cut if cut > 20 else 80] + "\u2026"


def _next_line_title(text: str, line_end: int, *, caps_only: bool, hyphen: bool = False) -> str:
    """A title broken onto the next line (PDF layout), allowing one blank line in between."""
    pos = line_end + 1
    for _ in range(1 if hyphen else 2):
        nl = text.find("\n", pos, pos + 400)
        line = " ".join(text[pos : nl if nl >= 0 else pos + 400].split())
        if line:
            break
        pos = nl + 1 if nl >= 0 else len(text)
    else:
        return ""
    if hyphen:
        return line.split(" ", 1)[0]
    if len(line) > 100 or line[-1] in ",;" or _HEADING.match("\n" + line) or _PAGE_NO.match(line):
        return ""
    # Only a heading-like line: "INDEMNIFICATION" or "Form of Note", not the first sentence.
    if not (
        _is_caps(line) or (not caps_only and _title_case(line) and line[0].isupper() and line[-1] != ".")
    ):
        return ""
    return line.rstrip(" .:")


def _drop_tables_of_contents(heads: list[_Head]) -> list[_Head]:
    """Drop lines ending in a page number when a neighbouring candidate does too (a TOC block)."""
    n = len(heads)
    return [
        h
        for i, h in enumerate(heads)
        if not (h.toc and ((i > 0 and heads[i - 1].toc) or (i + 1 < n and heads[i + 1].toc)))
    ]


def _drop_running_headers(heads: list[_Head]) -> list[_Head]:
    """Drop a heading line repeated 3+ times before different content (a page header/footer).

    A document pasted twice repeats its headings too, but each copy is followed by the same
    next heading; a running header is followed by whatever the page holds. The first
    occurrence stays when it is well formed (e.g. "Exhibit 10.38" opening the filing).
    """
    counts = Counter(h.key for h in heads if h.form != "par")
    repeated = {k for k, c in counts.items() if c >= 3}
    if not repeated:
        return heads
    followers: dict[str, set[str]] = {k: set() for k in repeated}
    for i, h in enumerate(heads):
        if h.key in followers and h.form != "par":
            followers[h.key].add(heads[i + 1].key if i + 1 < len(heads) else "")
    running = {k for k in repeated if len(followers[k]) > counts[k] / 2}
    keep = {h.key: i for i, h in reversed(list(enumerate(heads))) if h.key in running and h.strong}
    return [h for i, h in enumerate(heads) if h.form == "par" or h.key not in running or keep.get(h.key) == i]


def _follows(prev: tuple[int, ...] | None, nums: tuple[int, ...]) -> bool:
    """Whether ``nums`` plausibly continues the numbering after ``prev`` (allowing a gap of one)."""
    if prev is None:
        return nums[0] <= 2 and all(x <= 1 for x in nums[1:])
    for k in range(min(len(prev), len(nums))):
        if nums[:k] == prev[:k] and prev[k] < nums[k] <= prev[k] + 2 and all(x <= 1 for x in nums[k + 1 :]):
            return True
    n = len(prev)
    return len(nums) > n and nums[:n] == prev and all(x <= 1 for x in nums[n:])


def _check_numbering(heads: list[_Head]) -> list[_Head]:
    """Keep weak numbered lines that continue the numbering; give list items their levels."""
    out: list[_Head] = []
    state: tuple[int, ...] | None = None
    enclosing = 1  # level of the last non-list heading: list items nest below it
    stack: list[_OpenList] = []  # list styles open at this point, outermost first
    for h in heads:
        if h.form == "par":
            if _place_item(h, stack, enclosing):
                out.append(h)
            continue
        if not (h.strong or (h.nums and _follows(state, h.nums))):
            continue
        if h.form == "num" or h.kind == "section":
            state = h.nums or state
        elif h.level == 1:
            state = h.nums or None
        enclosing, stack = h.level, []
        out.append(h)
    return out


@dataclass(slots=True)
class _OpenList:
    style: str  # "a", "A", "i", "I" or "1"
    last: int  # ordinal of the latest item
    level: int


def _place_item(h: _Head, stack: list[_OpenList], enclosing: int) -> bool:
    """Decide letter vs roman for "(i)", then the item's level from the open list styles."""
    raw = h.label[1:-1]
    low = raw.lower()
    if not (raw.isdigit() or raw.islower() or raw.isupper()):
        return False
    last = {e.style: e.last for e in stack}
    letter, roman = ("a", "i") if raw.islower() else ("A", "I")
    letter_ord = ord(low[0]) - 96 + 26 * (len(low) - 1) if len(set(low)) == 1 and len(low) <= 2 else 0
    if raw.isdigit():
        style, ordinal = "1", int(raw)
    elif letter_ord and last.get(letter) == letter_ord - 1:  # "(i)" right after "(h)"
        style, ordinal = letter, letter_ord
    elif (len(low) > 1 or low in "ivx") and _ROMAN.fullmatch(low):
        style, ordinal = roman, _roman_value(low)
    elif letter_ord:
        style, ordinal = letter, letter_ord
    else:
        return False
    if style in last:
        while stack[-1].style != style:
            stack.pop()
        stack[-1].last = ordinal
        h.level = stack[-1].level
    else:
        base = 5 if style == "a" else 6
        h.level = max(base, enclosing + 1, stack[-1].level + 1 if stack else 0)
        stack.append(_OpenList(style, ordinal, h.level))
    h.kind = "clause" if style == "a" else "item"
    return True


def _build_tree(heads: list[_Head], end: int, out: list[Section]) -> None:
    """Append one document's headings to ``out``; parents and ends come from a stack."""
    base = len(out)
    ends = [end] * len(heads)
    parents: list[int | None] = [None] * len(heads)
    open_: list[int] = []
    for i, h in enumerate(heads):
        while open_ and heads[open_[-1]].level >= h.level:
            ends[open_.pop()] = h.start
        parents[i] = base + open_[-1] if open_ else None
        open_.append(i)
    out.extend(
        Section(label=h.label, title=h.title, kind=h.kind, level=h.level, start=h.start, end=e, parent=p)
        for h, e, p in zip(heads, ends, parents, strict=True)
    )
