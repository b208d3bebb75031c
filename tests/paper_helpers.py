"""A small planted paper for the LLM paper tests (no pytest fixtures here): long enough that the
tests' small segment sizes cut it into several segments, with a claim and a result each stated in
two distant places (the abstract and results, restated in the conclusion)."""

from __future__ import annotations

CLAIM = "We propose TabParse, a method for parsing tables in scanned scientific reports."
RESULT = "TabParse reaches an F1 of 91.2 on PubTabNet, better than BarNet by 3.1 points."
LIMIT = "A limitation is that TabParse cannot read rotated tables yet."
TOPICS = ("cell spans", "reading order", "ruling lines", "header rows", "merged cells", "footnotes")


def _filler(section: int, n: int) -> str:
    return "\n".join(
        f"Paragraph {i + 1} of section {section} looks at {TOPICS[(i + section) % len(TOPICS)]} in "
        f"tables of scanned reports, where layout number {section * 100 + i} shows how the grid is drawn "
        f"and how a reader follows it from the caption to the last row of the table."
        for i in range(n)
    )


def planted_paper(title: str = "TabParse: Parsing Tables in Scanned Reports") -> str:
    return "\n".join(
        [
            title,
            "Ann Author and Bo Writer",
            "© 2024 The authors. Published under CC BY 4.0.",
            "Abstract",
            f"{CLAIM} Tables hold most of the numbers a reader of a report looks for [1].",
            "1 Introduction",
            _filler(1, 14),
            "2 Method",
            "We train a grid detector on rendered pages and decode cells with a small transformer [2].",
            _filler(2, 14),
            "3 Results",
            f"{RESULT} Errors come mostly from tables without ruling lines [3].",
            _filler(3, 14),
            "4 Conclusion",
            f"{CLAIM} {RESULT}",
            f"{LIMIT} We leave handwritten tables to future work.",
            "References",
            "[1] A. Smith. 2019. Tables in reports. In Proceedings of ACL.",
            "[2] B. Lee and C. Kim. 2020. Transformers for cells. In Proceedings of EMNLP.",
            "[3] D. Ng. 2021. Ruling lines. In Proceedings of NAACL.",
            "",
        ]
    )
