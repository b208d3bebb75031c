"""Offsets → page number and section label, for citations in findings."""

from __future__ import annotations

from bisect import bisect_right

from pipeline.types import ExtractedText, PageSpan, Section


class Locator:
    """Answers "which page, which section" for a document offset in O(log n)."""

    def __init__(self, pages: list[PageSpan], sections: list[Section]) -> None:
        self._page_starts = [p.start for p in pages]
        self._page_numbers = [p.number for p in pages]
        self.sections = sections
        self._sec_starts = [s.start for s in sections]
        self._paths = [self._path(i) for i in range(len(sections))]

    @classmethod
    def for_text(cls, extracted: ExtractedText, sections: list[Section]) -> Locator:
        return cls(extracted.pages, sections)

    def page(self, offset: int) -> int:
        if not self._page_starts:
            return 1
        i = bisect_right(self._page_starts, offset) - 1
        return self._page_numbers[max(0, i)]

    def section_index(self, offset: int) -> int | None:
        """Deepest section whose range holds ``offset``."""
        i = bisect_right(self._sec_starts, offset) - 1
        while i >= 0:
            s = self.sections[i]
            if s.start <= offset < s.end:
                return i
            i = s.parent if s.parent is not None else -1
        return None

    def section(self, offset: int) -> str | None:
        """Label path of the deepest section holding ``offset``, e.g. "Article IV > 4.2 > (b)"."""
        i = self.section_index(offset)
        return None if i is None else self._paths[i]

    def path(self, i: int) -> str:
        return self._paths[i]

    def _path(self, i: int) -> str:
        labels: list[str] = []
        node: int | None = i
        while node is not None and len(labels) < 6:
            labels.append(self.sections[node].label)
            node = self.sections[node].parent
        return " > ".join(reversed(labels))
