"""In-text citations of a paper linked to its bibliography entries (issue 18).

Numeric ``[12]``, ``[3-5]``, ``[4, 7]``; author-year ``Smith et al. (2020)``,
``(Lee and Kim, 2019a; Smith, 2020)``. One ``Citation`` per cited work, at the characters
that name it, so a reader can follow each one to its entry.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.analyze.paper import BibEntry, Citation, PageAt
from pipeline.analyze.references import expand_citations

_NUMERIC = re.compile(r"\[(?P<body>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_SURNAME = (
    r"[A-Z\u00c0-\u00de][\w'’\-\u00c0-\u024f]+(?:\s+(?:van|von|de|der|da|del|di|la|le)\s+[A-Z][\w'’\-]+)?"
)
_WHO = rf"(?P<who>(?:(?:van|von|de|der|da|del|di|la|le|De|Van|Von)\s+)?{_SURNAME}(?:\s+et\s+al\.?|\s+(?:and|&)\s+{_SURNAME})?)"
_YEAR = r"(?:19|20)\d\d[a-z]?"
# "Smith et al. (2020)", "Lee and Kim (2019a, 2020)"
_NARRATIVE = re.compile(rf"(?<![\w\-]){_WHO}\s+\((?P<years>{_YEAR}(?:\s*[,;]\s*{_YEAR})*)\)")
_PAREN = re.compile(r"\((?P<body>[^()]{4,400}?(?:19|20)\d\d[a-z]?[^()]{0,40})\)")
_ITEM = re.compile(rf"{_WHO},?\s+(?P<years>{_YEAR}(?:\s*,\s*{_YEAR})*)")


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).casefold()


def _surname_of(entry: BibEntry) -> str:
    if not entry.authors:
        return _fold(entry.text.split(".")[0].split(",")[0].split()[-1]) if entry.text.strip() else ""
    first = entry.authors[0].strip()
    if "," in first:  # "Smith, J."
        return _fold(first.split(",")[0].split()[-1])
    words = [w for w in first.split() if not w.endswith(".") or len(w) > 2]
    return _fold(words[-1] if words else first.split()[-1])


def _index(entries: list[BibEntry]) -> dict[tuple[str, str], int]:
    keys: dict[tuple[str, str], int] = {}
    for e in entries:
        if not e.year:
            continue
        name = _surname_of(e)
        keys.setdefault((name, e.year), e.index)
        keys.setdefault((name, e.year[:4]), e.index)  # "(Smith, 2019)" finds "2019a" when it is alone
    return keys


def _resolve(who: str, year: str, keys: dict[tuple[str, str], int], entries: list[BibEntry]) -> int | None:
    first = re.split(r"\s+(?:et\s+al|and|&)\b", who)[0].strip()
    name = _fold(first.split()[-1])
    for probe in (year, year[:4]):
        if (name, probe) in keys:
            return keys[(name, probe)]
    # The entry's first author may be written differently ("Hardy Hardy", a particle): its head names them.
    head = _fold(first)
    for e in entries:
        if e.year and e.year[:4] == year[:4] and head in _fold(e.text[:80]):
            return e.index
    return None


def find_citations(
    text: str, entries: list[BibEntry], page_at: PageAt, *, skip: tuple[int, int] | None = None
) -> list[Citation]:
    """Citations anywhere in ``text`` but the bibliography itself (``skip``): the appendices cite too."""
    body = text if skip is None else text[: skip[0]] + " " * (skip[1] - skip[0]) + text[skip[1] :]
    out: dict[tuple[int, str], Citation] = {}
    by_label = {e.label: e.index for e in entries if e.label}
    if by_label:
        for m in _NUMERIC.finditer(body):
            for n in (
                k for k in expand_citations(m.group("body")) if k > 0
            ):  # "[0]" indexes code, cites nothing
                out[(m.start(), str(n))] = Citation(
                    text=m.group(), start=m.start(), end=m.end(), page=page_at(m.start()), style="numeric",
                    key=str(n), target=by_label.get(str(n)),
                )  # fmt: skip
        return sorted(out.values(), key=lambda c: (c.start, int(c.key)))
    keys = _index(entries)

    def add(who: str, years: str, start: int, end_: int) -> None:
        first = re.split(r"\s+(?:et\s+al|and|&)\b", who)[0].strip()
        for y in re.findall(_YEAR, years):
            key = f"{first.split()[-1]}:{y}"
            out.setdefault(
                (start, key),
                Citation(
                    text=text[start:end_],
                    start=start,
                    end=end_,
                    page=page_at(start),
                    style="author_year",
                    key=key,
                    target=_resolve(who, y, keys, entries),
                ),  # fmt: skip
            )

    for m in _NARRATIVE.finditer(body):
        if not _name_like(m.group("who")):
            continue  # "SQuALITY (2022)", "BM25 (1995)": a system or data set with its year
        add(m.group("who"), m.group("years"), m.start(), m.end())
    for m in _PAREN.finditer(body):
        base = m.start("body")
        for part in re.finditer(r"[^;]+", m.group("body")):
            if it := _ITEM.search(part.group()):
                s = base + part.start() + it.start()
                add(it.group("who"), it.group("years"), s, base + part.start() + it.end())
    return sorted(out.values(), key=lambda c: (c.start, c.key))


def _name_like(who: str) -> bool:
    word = re.split(r"\s+", who.strip())[0]
    if re.search(r"\d|[A-Z]{2}", word):
        return False
    camel = re.fullmatch(r"[A-Z][a-z]+[A-Z][\w'’\-]*", word)
    return not camel or word.startswith(("Mc", "Mac", "De", "Di", "La", "Le", "Van", "Von", "O'", "O’"))
