"""A paper's structure (issue 18): title, authors, abstract, the numbered section tree with its
appendices, figure and table captions, and the bibliography split into entries.

Pure text heuristics over the extracted text (offsets index it), so the same code serves PDFs,
DOCX and plain-text papers. Headings are accepted only in numbering order (1, 2, 2.1, 2.2, 3 …;
appendices A, A.1, B … after the bibliography), which is what keeps footnote marks, numbered
list items and table rows out of the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field

from pipeline.types import Model, PaperItem

# ---- the JSON a report carries -----------------------------------------------------------


class PaperSection(Model):
    number: str  # "3.2", "A", "B.1"
    title: str
    level: int = Field(ge=1)
    appendix: bool = False
    start: int = Field(ge=0)  # the heading line
    end: int = Field(ge=0)  # the next heading of the same or a higher level (or the bibliography)
    page: int = Field(ge=1)


class Caption(Model):
    kind: str  # figure | table
    number: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)


class Footnote(Model):
    number: int = Field(ge=1)
    text: str  # the note without its number: == text[start:end]
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    marker: int | None = None  # offset of its mark in the body ("writing.1" → the "1")


class BibEntry(Model):
    index: int = Field(ge=1)  # position in the list, 1-based
    label: str | None = None  # "12" for a numbered list ("[12]" or "12.")
    authors: list[str]
    year: str | None = None  # "2019a" keeps its letter: it tells entries apart
    title: str | None = None
    venue: str | None = None
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)


class Citation(Model):
    text: str  # as written: "[3-5]", "Smith et al. (2020)", "(Lee and Kim, 2019a)"
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    style: str  # numeric | author_year
    key: str  # "12" or "Smith:2020"
    target: int | None = None  # BibEntry.index, None when no entry answers


class DigestItem(Model):
    quote: str  # == text[start:end]
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    section: str | None = None  # "4.2 Results"
    where: str | None = None  # as a reader finds it ("p. 6, § 4.2", "L120–L124"): set by consolidation
    metric: str | None = None  # results only
    value: str | None = None
    dataset: str | None = None
    compared: str | None = None


class LLMDigest(Model):
    """The router's models' digest (issue 18, item 4): per-segment answers merged in document
    order, duplicates across segments folded; every item carries verified evidence."""

    models: list[str]
    contributions: list[PaperItem] = Field(default_factory=list)
    methods: list[PaperItem] = Field(default_factory=list)
    datasets: list[PaperItem] = Field(default_factory=list)
    results: list[PaperItem] = Field(default_factory=list)
    limitations: list[PaperItem] = Field(default_factory=list)
    open_questions: list[PaperItem] = Field(default_factory=list)
    dropped: int = 0  # items a model gave without any quote found in the text


class Digest(Model):
    contributions: list[DigestItem] = Field(default_factory=list)
    results: list[DigestItem] = Field(default_factory=list)
    datasets: list[DigestItem] = Field(default_factory=list)
    availability: list[DigestItem] = Field(default_factory=list)
    limitations: list[DigestItem] = Field(default_factory=list)
    central: list[DigestItem] = Field(default_factory=list)  # 1-3 per section, ranked
    llm: LLMDigest | None = None  # when an LLM analyzed the paper (``--model auto`` or a model id)


class Paper(Model):
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: str | None = None  # as the first page states it (arXiv stamp, ©, proceedings header)
    abstract: str | None = None
    sections: list[PaperSection] = Field(default_factory=list)
    figures: list[Caption] = Field(default_factory=list)
    tables: list[Caption] = Field(default_factory=list)
    footnotes: list[Footnote] = Field(default_factory=list)
    bibliography: list[BibEntry] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    digest: Digest = Field(default_factory=Digest)


# ---- structure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str  # stripped of trailing whitespace
    start: int
    end: int


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    out: list[Line] = []
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        raw = text[pos:stop]
        out.append(Line(raw.rstrip(), pos, pos + len(raw.rstrip())))
        pos = stop + 1
    return out


_HEADING = re.compile(
    r"^(?:(?:Chapter|CHAPTER)\s+)?(?P<num>\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,2})\.?\s+(?P<title>[A-Z\u00c0-\u024f][^\n]{0,90})$"
)
_TOC_LINE = re.compile(r"(?:\.\s?){4,}|\s\d{1,4}$")  # dot leaders or a trailing page number
_BIB_HEADING = re.compile(
    r"^\s*(?:References|REFERENCES|Bibliography|BIBLIOGRAPHY|Works Cited|Literature Cited)\s*$"
)
_ABSTRACT = re.compile(r"^\s*(?:Abstract|ABSTRACT)\b[\s.:—-]*", re.MULTILINE)
_AFTER_BIB = re.compile(
    r"^(?:Checklist|Appendix|Appendices|APPENDIX|Supplementary Material|Supplemental Material)\b"
    r"|^[A-H](?:\.\d{1,2})?\s+[A-Z][a-z]"
)
_CAPTION = re.compile(
    r"^(?P<kw>Figure|Fig\.|FIGURE|Table|TABLE)\s+(?P<n>\d{1,3}[a-z]?|[A-H]\.?\d{1,2})\s*[:.|]\s*\S"
)


def _bad_title(title: str) -> bool:
    # A sentence that happens to start with a number ("1 The BookSum number might …") is long
    # or ends like one; a table of contents line has dot leaders or a page number.
    # A table row ("7 Fully Connected (output) 10 neurons 850 1 730") holds numbers, not words.
    table_row = len(re.findall(r"(?<![\w.])\d+(?![\w.])", title)) >= 3
    return (
        bool(_TOC_LINE.search(title))
        or title.endswith((",", ";", "."))
        or len(title.split()) > 12
        or table_row
    )


def _next_ok(num: str, last: list[int] | None) -> bool:
    """``num`` continues the numbering ``last``: the next sibling at some level, or a first child."""
    parts = [int(p) for p in num.split(".")]
    if last is None:
        return parts in ([1], [0])
    for depth in range(len(last)):
        if parts[:depth] == last[:depth] and len(parts) == depth + 1 and parts[depth] == last[depth] + 1:
            return True
    return parts == [*last, 1]


def _letter_ok(num: str, last: list[str] | None) -> bool:
    parts = num.split(".")
    letter, rest = parts[0], [int(p) for p in parts[1:]]
    if last is None:
        return letter == "A" and rest in ([], [1])
    prev_letter, prev_rest = last[0], [int(p) for p in last[1:]]
    if letter == prev_letter:
        return _next_ok(".".join(map(str, rest)), prev_rest or None) if rest else False
    # A lost heading may skip one letter; a new appendix starts with its own heading or its .1.
    return 0 < ord(letter) - ord(prev_letter) <= 2 and rest in ([], [1])


def find_bibliography_span(text: str) -> tuple[int, int] | None:
    """Characters of the bibliography: after the last "References" line, up to the appendices."""
    heads = [m for m in _BIB_HEADING_ML.finditer(text)]
    if not heads:
        return None
    m = heads[-1]
    start = m.end()
    for ln in lines_of(text, start):
        if _AFTER_BIB.match(ln.text) and not re.search(r"\b(?:19|20)\d\d\b", ln.text):
            return start, ln.start
    return start, len(text)


_BIB_HEADING_ML = re.compile(_BIB_HEADING.pattern.replace("^", "^").replace("$", "$"), re.MULTILINE)


def find_sections(text: str, page_at: PageAt, bib: tuple[int, int] | None) -> list[PaperSection]:
    found: list[tuple[str, str, int, bool]] = []  # number, title, start, appendix
    last: list[int] | None = None
    last_letter: list[str] | None = None
    for ln in lines_of(text):
        s = ln.text.strip()
        if len(s) > 100 or not s[:1].isalnum():
            continue
        m = _HEADING.match(s)
        if not m or _bad_title(m.group("title")):
            continue
        num = m.group("num")
        if num[0].isdigit():
            if (bib and ln.start >= bib[0]) or not _next_ok(num, last):
                continue
            last = [int(p) for p in num.split(".")]
        else:
            # Lettered headings are appendices: only after the bibliography (or a thesis' end matter).
            if bib is None or ln.start < bib[1] or not _letter_ok(num, last_letter):
                continue
            last_letter = num.split(".")
        lead = len(ln.text) - len(ln.text.lstrip())  # a form feed or indent before the number
        found.append((num, m.group("title").strip(), ln.start + lead, not num[0].isdigit()))
    out: list[PaperSection] = []
    for i, (num, title, start, appendix) in enumerate(found):
        level = num.count(".") + 1
        end = len(text)
        for num2, _t, start2, _a in found[i + 1 :]:
            if num2.count(".") + 1 <= level:
                end = start2
                break
        if not appendix and bib and start < bib[0]:
            end = min(end, _bib_heading_start(text, bib))
        out.append(
            PaperSection(
                number=num,
                title=title,
                level=level,
                appendix=appendix,
                start=start,
                end=end,
                page=page_at(start),
            )
        )
    return out


def _bib_heading_start(text: str, bib: tuple[int, int]) -> int:
    return text.rfind("\n", 0, max(0, bib[0] - 1)) + 1


def find_captions(text: str, page_at: PageAt) -> tuple[list[Caption], list[Caption]]:
    figures: dict[str, Caption] = {}
    tables: dict[str, Caption] = {}
    for ln in lines_of(text):
        m = _CAPTION.match(ln.text.strip())
        if not m:
            continue
        kind = "table" if m.group("kw").lower().startswith("tab") else "figure"
        number = m.group("n").replace(".", "")
        seen = tables if kind == "table" else figures
        top = max((int(n) for n in seen if n.isdigit()), default=0)
        # Captions are numbered in order: "Table 97" after Table 2 is a table row or code, not a caption.
        if number.isdigit() and not 1 <= int(number) <= top + 2:
            continue
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        cap = Caption(
            kind=kind, number=number, text=ln.text.strip(), start=start, end=ln.end, page=page_at(start)
        )
        (tables if kind == "table" else figures).setdefault(number, cap)
    key = lambda c: c.start  # noqa: E731
    return sorted(figures.values(), key=key), sorted(tables.values(), key=key)


# ---- footnotes -------------------------------------------------------------------------------

# A footnote as a PDF's text layer gives it: its number alone on a line with the note on the next
# ("1" / "In the remainder of this work, …"), or glued to the note ("2https://arxiv.org",
# "8The papers included …"). "1 Introduction" (a space) is a heading, not a note.
_FN_ALONE = re.compile(r"^(?P<n>\d{1,2})$")
_FN_GLUED = re.compile(r"^(?P<n>\d{1,2})(?=[A-Z]|https?://|www\.)")
_FN_END = re.compile(r"[.!?)]$|^\S*(?:https?://|www\.)\S*$")
MAX_FOOTNOTE_LINES = 5


def find_footnotes(text: str, page_at: PageAt, bib: tuple[int, int] | None) -> list[Footnote]:
    """Footnotes numbered 1, 2, 3 … in reading order, each with the mark that calls it.

    A candidate is taken only as the next number in sequence (or the one after: a note the text
    layer lost) and, when its number stands alone on its line, only when its mark comes before it
    on the same page or the one before (a word or punctuation with the number glued on:
    "writing.1", "composition,3"): a page number or a table cell alone on its line has no mark.
    """
    stop = bib[0] if bib else len(text)
    lines = lines_of(text, 0, stop)
    out: list[Footnote] = []
    for i, ln in enumerate(lines):
        raw = ln.text.strip()
        m = _FN_ALONE.match(raw) or _FN_GLUED.match(raw)
        last = out[-1].number if out else 0
        # The next number, or the one after when a note was missed (a mark the text layer lost).
        if not m or not last < int(m.group("n")) <= last + 2:
            continue
        n = int(m.group("n"))
        lead = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        body: list[Line] = []
        alone = bool(_FN_ALONE.match(raw))
        if alone:
            nxt = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
            if not nxt or nxt[0].isdigit():
                continue
            start_line = i + 1
            start = lines[i + 1].start + (len(lines[i + 1].text) - len(lines[i + 1].text.lstrip()))
        else:
            start_line = i
            start = lead + len(m.group("n"))
        for k, ln2 in enumerate(lines[start_line : start_line + MAX_FOOTNOTE_LINES]):
            if k and (_FN_GLUED.match(ln2.text.strip()) or _FN_ALONE.match(ln2.text.strip())):
                break  # the next note begins
            body.append(ln2)
            if _FN_END.search(ln2.text.strip()):
                break
        else:
            body = body[:1]  # no end in sight: the note is its first line
        marker = _find_marker(text, n, lead, page_at)
        # A number alone on its line needs its mark (else it is a page number or a cell); a note
        # glued to its number ("9https://…") in exact sequence stands without: PDFs often lose
        # the superscript mark from the text layer.
        if marker is None and (alone or n != last + 1):
            continue
        end = body[-1].end
        out.append(
            Footnote(number=n, text=text[start:end], start=start, end=end, page=page_at(lead), marker=marker)
        )
    return out


def _find_marker(text: str, n: int, before: int, page_at: PageAt) -> int | None:
    page = page_at(before)
    floor = page_at.starts[max(0, page - 2)]  # this page or the one before
    # After a word of 3+ letters or a parenthesis, or punctuation that follows one ("writing.1",
    # "S2ORC,7", "(Giles et al., 1998),4", "GROBID10"): not a section number ("8.1", "2.6M"),
    # nor an identifier ("A1", "S2ORC").
    mark = re.compile(rf"(?:(?<=[A-Za-z]{{3}})|(?<=\))|(?<=[A-Za-z)][.,;:’”\"])){n}(?![\w])")
    found = None
    for m in mark.finditer(text, floor, before):
        found = m.start()  # the last mark before the note
    return found


# ---- title, authors, abstract ----------------------------------------------------------------

_HEADER_LINE = re.compile(
    r"Proceedings|Conference|Workshop|Journal|©|\(c\)|^c \d{4}|pages? \d|arXiv:|Copyright|Vol\.|Volume|"
    r"^\d+$|^(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"Association for|Published|Preprint|preprint|Under review|^\S+$",
)
_AUTHOR_MARK = re.compile(r"[†‡∗*♠♢♡♣♦□⋄§¶αβγδτωηλμ]|\d(?:,\d)*\s*$|@")
_FUNCTION_WORDS = {
    "of",
    "for",
    "the",
    "and",
    "in",
    "on",
    "a",
    "an",
    "to",
    "with",
    "using",
    "from",
    "via",
    "by",
    "at",
}
_AFFILIATION = re.compile(
    r"Universit|Institute|College|School|Department|Dept\.|Laborator|Lab\b|Inc\.|Research|Center|Centre|"
    r"Corporation|Google|Microsoft|@|\d{3,}|Broadway|Street|Avenue|, [A-Z]{2}\b"
)


def _author_like(s: str) -> bool:
    if _AUTHOR_MARK.search(s) and not s.endswith(":"):
        return True
    words = s.replace(",", " ").split()
    if ":" in s or not 2 <= len(words) <= 8:
        return False
    return all(w[:1].isupper() for w in words if w not in ("and",)) and not any(
        w.lower() in _FUNCTION_WORDS - {"and"} for w in words
    )


def title_authors(text: str, body_start: int) -> tuple[str | None, list[str]]:
    """The title is the first lines of the front matter that are not a running header;
    the authors follow it, up to the abstract."""
    head = [ln for ln in lines_of(text, 0, min(body_start, 3000)) if ln.text.strip()]
    i = 0
    while i < len(head) and _HEADER_LINE.search(head[i].text.strip()):
        i += 1
    title_lines: list[str] = []
    while i < len(head) and len(title_lines) < 3:
        s = head[i].text.strip()
        # A title line that ends mid-phrase ("… Representing, and") continues on the next.
        open_end = bool(title_lines) and re.search(
            r"(?:,|:|\b(?:and|of|for|in|on|the|with|to))$", title_lines[-1]
        )
        if _author_like(s) and not open_end:
            break
        title_lines.append(s)
        i += 1
    if not title_lines:
        return None, []
    authors: list[str] = []
    for ln in head[i:]:
        s = ln.text.strip()
        if _AFFILIATION.search(s) or s.startswith("{"):
            continue
        for part in re.split(r"\s*(?:,|\band\b|[†‡∗*♠♢♡♣♦□⋄§¶]|[αβγδτωηλμ](?:,[αβγδτωηλμ])*)\s*", s):
            words = [w for w in part.split() if w[:1].isupper() or w in ("de", "van", "von", "der")]
            if not words or len(words) != len(part.split()):
                continue
            # Names printed side by side without marks ("Yusuke Shinyama Satoshi Sekine"): pairs.
            if len(words) >= 4 and len(words) % 2 == 0 and not any(w.endswith(".") for w in words):
                authors += [" ".join(words[k : k + 2]) for k in range(0, len(words), 2)]
            elif len(words) <= 4:
                authors.append(" ".join(words))
    return " ".join(title_lines), list(dict.fromkeys(authors))


def find_abstract(text: str, first_section: int | None) -> str | None:
    m = _ABSTRACT.search(text, 0, 20_000)
    if not m:
        return None
    stop = first_section if first_section and first_section > m.end() else min(len(text), m.end() + 3000)
    body = text[m.end() : stop].strip()
    return re.sub(r"\s*\n\s*", " ", body) or None


# ---- bibliography ------------------------------------------------------------------------------

_YEAR = re.compile(r"\b(?P<y>(?:19|20)\d\d)(?P<s>[a-z])?\b")
_NUMBERED = re.compile(r"^\s*(?:\[(?P<b>\d{1,3})\]|(?P<d>\d{1,3})\.\s+(?=[A-Z]))")
_NAME = r"(?:[A-Z\u00c0-\u00de][\w'’\-\u00c0-\u024f]*\.?|van|von|de|der|da|del|di|la|le)"
# An entry opens with names ("Smith, J.", "Kyle Lo, Lucy …", "Lee and Kim") or with an
# organisation or tool right before its year ("Libraries at UMGC. 2020.", "pdf2image. 2023.").
_AUTHOR_START = re.compile(
    rf"^{_NAME}(?:\s+{_NAME}){{0,4}}(?:,\s+[A-Z]|,?\s+and\s+[A-Z])|^[\w\-]+(?:\s+[\w\-]+){{0,3}}\.\s+(?:19|20)\d\d[a-z]?(?:–\d{{4}})?\."
)
_STRAY_ACCENT = re.compile(r"\s?[´`¨ˇ˜˚]\s?")  # "Krysci ´ nski": a PDF's detached accent


def split_bibliography(text: str, span: tuple[int, int], page_at: PageAt) -> list[BibEntry]:
    lines = [ln for ln in lines_of(text, *span) if ln.text.strip() and not ln.text.strip().isdigit()]
    numbered = [ln for ln in lines if _NUMBERED.match(ln.text)]
    chunks: list[tuple[str | None, list[Line]]] = []
    if len(numbered) >= 3 and _numbered_sequence(numbered):
        expect = 1
        for ln in lines:
            m = _NUMBERED.match(ln.text)
            if m and int(m.group("b") or m.group("d")) == expect:
                chunks.append((str(expect), [ln]))
                expect += 1
            elif chunks:
                chunks[-1][1].append(ln)
    else:
        for ln in lines:
            s = ln.text.strip()
            if chunks:
                cur = chunks[-1][1]
                done = _YEAR.search(" ".join(c.text for c in cur)) is not None
                prev = cur[-1].text.rstrip()
                if done and prev.endswith((".", ")")) and _AUTHOR_START.match(_STRAY_ACCENT.sub("", s)):
                    chunks.append((None, [ln]))
                else:
                    cur.append(ln)
            elif _AUTHOR_START.match(s):
                chunks.append((None, [ln]))
    out: list[BibEntry] = []
    for label, chunk in chunks:
        start, end = chunk[0].start, chunk[-1].end
        start += len(chunk[0].text) - len(chunk[0].text.lstrip())
        body = re.sub(r"-\n(?=[a-z])", "", text[start:end])
        flat = re.sub(r"\s*\n\s*", " ", body)
        if label:
            flat = _NUMBERED.sub("", flat, count=1)
        authors, year, title, venue = _fields(flat)
        out.append(
            BibEntry(
                index=len(out) + 1,
                label=label,
                authors=authors,
                year=year,
                title=title,
                venue=venue,
                text=flat,
                start=start,
                end=end,
                page=page_at(start),
            )  # fmt: skip
        )
    return out


def _numbered_sequence(numbered: list[Line]) -> bool:
    first = _NUMBERED.match(numbered[0].text)
    return first is not None and (first.group("b") or first.group("d")) == "1"


def _fields(flat: str) -> tuple[list[str], str | None, str | None, str | None]:
    """authors, year, title, venue of one entry: "Authors. Year. Title. Venue" (ACL) or
    "Authors. Title. Venue, Year" (NeurIPS, IEEE)."""
    y = _YEAR.search(flat)
    year = (y.group("y") + (y.group("s") or "")) if y else None
    # Authors end at the first ". " that follows a word of two letters or more (initials are "A.").
    m = re.search(r"(?<=[a-z\u00e0-\u024f]{2})\.\s|(?<=[a-z]{2}\))\.\s|\.\s(?=(?:19|20)\d\d)", flat)
    names = flat[: m.start()] if m else flat[:200]
    authors = [
        a.strip()
        for a in re.split(r",\s*(?:and\s+)?|\s+and\s+", names)
        if a.strip() and a.strip() != "et al."
    ]
    rest = flat[m.end() :] if m else ""
    if y and rest.startswith(y.group()):
        rest = rest[len(y.group()) :].lstrip(". ")
    parts = re.split(r"(?<=[a-z0-9?!)])\.\s+", rest, maxsplit=1)
    title = parts[0].strip() or None
    venue = parts[1].strip().removeprefix("In ").strip(" .") if len(parts) > 1 else None
    return authors[:60], year, title, (venue or None)


# ---- the whole structure ---------------------------------------------------------------------


class PageAt:
    """Offset → 1-based page (a callable; a class so mypy names it in signatures)."""

    def __init__(self, starts: list[int]) -> None:
        self.starts = starts or [0]

    def __call__(self, offset: int) -> int:
        from bisect import bisect_right

        return max(1, bisect_right(self.starts, offset))


def analyze_structure(text: str, page_at: PageAt) -> Paper:
    bib = find_bibliography_span(text)
    sections = find_sections(text, page_at, bib)
    first = next((s.start for s in sections if not s.appendix), None)
    abstract = find_abstract(text, first)
    am = _ABSTRACT.search(text, 0, 20_000)
    body_start = am.start() if am else (first if first is not None else min(len(text), 3000))
    title, authors = title_authors(text, body_start)
    figures, tables = find_captions(text, page_at)
    bibliography = split_bibliography(text, bib, page_at) if bib else []
    footnotes = find_footnotes(text, page_at, bib)
    first_page_end = page_at.starts[1] if len(page_at.starts) > 1 else min(len(text), 8000)
    return Paper(
        title=title, authors=authors, year=find_year(text[: min(first_page_end, bib[0] if bib else len(text))]),
        abstract=abstract, sections=sections, figures=figures, tables=tables, footnotes=footnotes,
        bibliography=bibliography,
    )  # fmt: skip


# Where a paper states its own year on its first page: the arXiv stamp ("arXiv:2304.02623v1
# [cs.CL] 5 Apr 2023"), a copyright line ("©2023"), or the proceedings header above the title.
# A year cited in the text is not one of them; without such a stamp the year stays unknown
# (the newest cited year is only a lower bound: the 2006 NAACL paper cites 2004 at the latest).
_YEAR_STAMPS = (
    re.compile(
        r"arXiv:\d{4}\.\d{4,5}(?:v\d+)?\s*\[[\w.\-]+\]\s*\d{1,2}\s+[A-Z][a-z]{2,8}\s+((?:19|20)\d\d)\b"
    ),
    re.compile(r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?((?:19|20)\d\d)\b"),
)
_PROCEEDINGS = re.compile(r"\A\s*(?:Proceedings|Findings) of\b[^\n]*\n?[^\n]*?\b((?:19|20)\d\d)\b")


def find_year(first_page: str) -> str | None:
    for rx in _YEAR_STAMPS:
        m = rx.search(first_page)
        if m:
            return m.group(1)
    m = _PROCEEDINGS.search(first_page[:600])
    return m.group(1) if m else None
