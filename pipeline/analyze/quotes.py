"""Find a model's quote in the segment, verbatim or up to whitespace; never invent offsets."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")


class QuoteLocator:
    """Locates quotes in one segment's text; built once per segment."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm: str | None = None
        self._index: list[int] = []

    def _build(self) -> tuple[str, list[int]]:
        # Built on the first quote that is not verbatim: most quotes are, and the map costs
        # a Python pass over the whole segment.
        if self._norm is not None:
            return self._norm, self._index
        text = self.text
        norm: list[str] = []
        index: list[int] = []  # normalised position → original position
        for m in re.finditer(r"\s+|\S+", text):
            if m.group()[0].isspace():
                norm.append(" ")
                index.append(m.start())
            else:
                norm.append(m.group())
                index.extend(range(m.start(), m.end()))
        self._norm, self._index = "".join(norm), index
        return self._norm, self._index

    def find(self, quote: str) -> tuple[int, int] | None:
        """``(start, end)`` in the segment text, or None if the quote is not there."""
        q = quote.strip()
        if not q:
            return None
        pos = self.text.find(q)
        if pos >= 0:
            return pos, pos + len(q)
        nq = _WS.sub(" ", q)
        norm, index = self._build()
        npos = norm.find(nq)
        if npos < 0:
            return None
        start = index[npos]
        last = index[npos + len(nq) - 1]
        return start, last + 1
