"""Cross-references (Section 9.2, Article IV, Exhibit B, clause 4(b)) and, in papers,
Figure 2, Table 1, Eq. (3), [12] and (Smith et al., 2020); plus the index of targets that
consolidation resolves them against."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.analyze.patterns import roman_to_int
from pipeline.types import Section

_NUM = r"\d{1,3}(?:\.\d{1,3}){0,4}[a-z]?(?:\s?\([a-zA-Z0-9]{1,5}\)){0,3}"
_LIST_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|through|to)\s+)"

CONTRACT_REFS = re.compile(
    rf"\b(?P<kw>Sections?|SECTIONS?|Sec\.|§§?|[Cc]lauses?|CLAUSES?|[Pp]aragraphs?|PARAGRAPHS?)\s*(?P<nums>{_NUM}(?:{_LIST_SEP}{_NUM})*)"
    r"|\b(?P<akw>Articles?|ARTICLES?)\s+(?P<anum>[IVXLC]{1,7}\b|\d{1,3}\b)"
    r"|\b(?P<xkw>Exhibits?|EXHIBITS?|Schedules?|SCHEDULES?|Annex(?:es)?|ANNEX(?:ES)?|Appendix|Appendices|APPENDIX|Attachments?|ATTACHMENTS?)\s+(?P<xnum>[A-Z]{1,2}(?:-\d{1,2})?\b|\d{1,3}(?:\.\d{1,2})?\b)"
)
PAPER_REFS = re.compile(
    r"\b(?P<fkw>Figure|Fig\.|Figs\.|Table|Tab\.|Eq\.|Eqs\.|Equation)\s*\(?(?P<fnum>\d{1,3}[a-z]?)\)?"
    r"|\[(?P<cnums>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]"
    r"|\((?P<authors>[A-Z][A-Za-z'\-]+(?:\s+et\s+al\.|\s+(?:and|&)\s+[A-Z][A-Za-z'\-]+)?),?\s+(?P<year>(?:19|20)\d\d[a-z]?)\)"
)
_ONE_NUM = re.compile(_NUM)

_KIND = {
    "section": "section",
    "sec.": "section",
    "§": "section",
    "clause": "clause",
    "paragraph": "clause",
    "exhibit": "exhibit",
    "schedule": "schedule",
    "annex": "annex",
    "appendix": "appendix",
    "attachment": "exhibit",
    "figure": "figure",
    "fig.": "figure",
    "table": "table",
    "tab.": "table",
    "eq.": "equation",
    "equation": "equation",
}


@dataclass(frozen=True)
class RefHit:
    kind: str
    target: str  # canonical key: "section:9.2(b)", "article:4", "exhibit:B", "citation:12"
    label: str
    start: int
    end: int


def _kind_of(keyword: str) -> str:
    k = keyword.lower().rstrip("s") if keyword not in ("§§",) else "§"
    if k.startswith("annex"):
        return "annex"
    if k.startswith("append"):
        return "appendix"
    return _KIND.get(k, _KIND.get(k.rstrip("e"), "section"))


def canonical_number(num: str) -> str:
    """'4 (b)' → '4(b)'; '9.2.' → '9.2'; case of letters kept for sub-clauses."""
    return re.sub(r"\s+", "", num).rstrip(".")


def _is_heading(text: str, start: int) -> bool:
    """A label at the start of its line is the section's own heading, not a reference."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def find_references(text: str, *, paper: bool = False) -> list[RefHit]:
    hits: list[RefHit] = []
    for m in CONTRACT_REFS.finditer(text):
        if _is_heading(text, m.start()):
            continue
        if m.group("nums"):
            kind = _kind_of(m.group("kw"))
            ns = "section"  # clauses and paragraphs share the section numbering
            for n in _ONE_NUM.finditer(m.group("nums")):
                s, e = m.start("nums") + n.start(), m.start("nums") + n.end()
                num = canonical_number(n.group())
                label_start = m.start() if n.start() == 0 else s
                hits.append(RefHit(kind, f"{ns}:{num}", text[label_start:e], label_start, e))
        elif m.group("akw"):
            raw = m.group("anum")
            n_int = int(raw) if raw.isdigit() else roman_to_int(raw)
            if n_int:
                hits.append(RefHit("article", f"article:{n_int}", m.group(), m.start(), m.end()))
        else:
            kind = _kind_of(m.group("xkw"))
            hits.append(RefHit(kind, f"{kind}:{m.group('xnum').upper()}", m.group(), m.start(), m.end()))
    if paper:
        for m in PAPER_REFS.finditer(text):
            if m.group("fkw"):
                if _is_heading(text, m.start()):
                    continue  # a caption, not a reference to one
                kind = _kind_of(m.group("fkw"))
                hits.append(RefHit(kind, f"{kind}:{m.group('fnum')}", m.group(), m.start(), m.end()))
            elif m.group("cnums"):
                for cited in expand_citations(m.group("cnums")):
                    hits.append(RefHit("citation", f"citation:{cited}", m.group(), m.start(), m.end()))
            else:
                first = m.group("authors").split()[0]
                hits.append(
                    RefHit(
                        "author_year",
                        f"author_year:{first}:{m.group('year')[:4]}",
                        m.group(),
                        m.start(),
                        m.end(),
                    )
                )
    hits.sort(key=lambda h: (h.start, h.target))
    return hits


def expand_citations(body: str) -> list[int]:
    """ "3, 5-7" → [3, 5, 6, 7] (a range of at most 50)."""
    out: list[int] = []
    for part in re.split(r"\s*,\s*", body):
        if m := re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part):
            a, b = int(m.group(1)), int(m.group(2))
            if 0 < b - a <= 50:
                out.extend(range(a, b + 1))
                continue
        if part.isdigit():
            out.append(int(part))
    return out


# ---- targets: what a reference can point at -------------------------------------------

_SEC_LABEL = re.compile(r"^(?:(?:Section|SECTION|Sec\.|§)\s*)?(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?$")
_SUB_LABEL = re.compile(r"^\((?P<sub>[a-zA-Z0-9]{1,5})\)$")
_ART_LABEL = re.compile(r"^(?:Article|ARTICLE)\s+(?P<num>[IVXLC]+|\d+)\b", re.I)
_X_LABEL = re.compile(
    r"^(?P<kw>Exhibit|Schedule|Annex|Appendix|Attachment|Part)\s*(?P<id>[A-Z0-9]{1,3}(?:[-.]\d{1,2})?)?\b",
    re.I,
)

# Exhibit/annex identifiers read as Roman numerals: I, V and X only, so "Exhibit C" or "D" stay letters.
_ROMAN_ID = re.compile(r"[IVX]{1,6}")


def target_keys(sections: list[Section]) -> dict[str, int]:
    """Canonical key → index of the first section that answers to it."""
    keys: dict[str, int] = {}
    numbers: dict[int, str] = {}  # section index → its full number path ("4.2(b)")
    for i, s in enumerate(sections):
        label = s.label.strip()
        own: list[str] = []
        if m := _SEC_LABEL.match(label):
            numbers[i] = m.group("num")
            own.append(f"section:{m.group('num')}")
        elif m := _SUB_LABEL.match(label):
            parent_num = numbers.get(s.parent) if s.parent is not None else None
            if parent_num:
                numbers[i] = f"{parent_num}({m.group('sub')})"
                own.append(f"section:{numbers[i]}")
        elif m := _ART_LABEL.match(label):
            raw = m.group("num")
            n = int(raw) if raw.isdigit() else roman_to_int(raw)
            if n:
                numbers[i] = str(n)
                own += [f"article:{n}", f"section:{n}"]
        elif m := _X_LABEL.match(label):
            kind = _kind_of(m.group("kw")) if m.group("kw").lower() != "part" else "part"
            ident = (m.group("id") or "").upper()
            own.append(f"{kind}:{ident}" if ident else f"{kind}:")
            if _ROMAN_ID.fullmatch(ident):  # "Annex I" also answers to "Annex 1" (templates mix the two)
                own.append(f"{kind}:{roman_to_int(ident)}")
        for key in own:
            keys.setdefault(key, i)
    return keys


def resolve(target: str, keys: dict[str, int]) -> int | None:
    """Section index for ``target``; '9.2(b)(ii)' falls back to '9.2(b)' then '9.2'."""
    probe = target
    while True:
        if probe in keys:
            return keys[probe]
        if probe.endswith(")") and "(" in probe:
            probe = probe[: probe.rindex("(")]
            continue
        kind, _, ident = probe.partition(":")
        if kind == "section" and ident.isdigit() and f"article:{ident}" in keys:
            return keys[f"article:{ident}"]
        if kind != "section" and _ROMAN_ID.fullmatch(ident) and f"{kind}:{roman_to_int(ident)}" in keys:
            return keys[f"{kind}:{roman_to_int(ident)}"]  # "Annex II" finds a section labelled "Annex 2"
        return None
