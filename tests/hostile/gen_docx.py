"""Hostile DOCX files, built at test time from XML strings (a few KB each; nothing committed).

Issue 12, finding 1: a numbering definition that starts a list at 2,000,000,000 in a Roman or
letter format makes every label millions of characters long, and a level text repeating the
label, or thousands of numbered paragraphs, multiply that without limit. The variants below
reach huge counters by every route OOXML offers (w:start, w:startOverride, a w:lvlOverride
level, w:lvlRestart, w:ilvl far past the nine levels, footnote numbering), plus plain size.

``python -m tests.hostile.gen_docx DIR`` writes every file to DIR for manual measurements.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PKG = "http://schemas.openxmlformats.org/package/2006/"
BOMB_START = 2_000_000_000
REPEATED = "%1" * 8  # a level text that shows the label eight times


def package(body: str, parts: dict[str, str] | None = None) -> bytes:
    """A minimal DOCX: ``body`` inside w:body; ``parts`` maps names under word/ (numbering.xml …) to XML."""
    parts = parts or {}
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}{name.removesuffix(".xml")}" Target="{name}"/>'
        for i, name in enumerate(parts, start=10)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{_PKG}content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}relationships">'
            f'<Relationship Id="rId1" Type="{_REL}officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/_rels/document.xml.rels",
            f'<Relationships xmlns="{_PKG}relationships">{rels}</Relationships>',
        )
        zf.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        for name, xml in parts.items():
            zf.writestr(f"word/{name}", xml)
    return buf.getvalue()


def para(text: str, *, num_id: int | None = None, ilvl: int = 0, inner: str = "") -> str:
    numpr = (
        "" if num_id is None else f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    )
    return f'<w:p><w:pPr>{numpr}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t>{inner}</w:r></w:p>'


def level(ilvl: int, fmt: str, text: str, *, start: int | None = 1, extra: str = "") -> str:
    start_el = "" if start is None else f'<w:start w:val="{start}"/>'
    return f'<w:lvl w:ilvl="{ilvl}">{start_el}<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>{extra}</w:lvl>'


def numbering(levels: str, *, num_extra: str = "") -> str:
    """One abstract list (id 0) and one instance of it (numId 1), with optional w:lvlOverride children."""
    return (
        f'<w:numbering {NS}><w:abstractNum w:abstractNumId="0">{levels}</w:abstractNum>'
        f'<w:num w:numId="1"><w:abstractNumId w:val="0"/>{num_extra}</w:num></w:numbering>'
    )


def numbered(paragraphs: int, ilvls: Callable[[int], int] = lambda i: 0) -> str:
    return "".join(para(f"Clause {i}.", num_id=1, ilvl=ilvls(i)) for i in range(paragraphs))


def numbering_bomb(fmt: str = "upperRoman", *, paragraphs: int = 3000, text: str = REPEATED) -> bytes:
    """(a)/(b) The finding as reported: w:start 2,000,000,000, a Roman or letter format, a repeating level text."""
    return package(numbered(paragraphs), {"numbering.xml": numbering(level(0, fmt, text, start=BOMB_START))})


def start_override_bomb(paragraphs: int = 3000) -> bytes:
    """(c) A harmless abstract list whose instance restarts it at 2,000,000,000 (w:startOverride)."""
    over = f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{BOMB_START}"/></w:lvlOverride>'
    xml = numbering(level(0, "lowerRoman", REPEATED), num_extra=over)
    return package(numbered(paragraphs), {"numbering.xml": xml})


def level_override_bomb(paragraphs: int = 3000) -> bytes:
    """(c) The instance replaces the whole level (w:lvlOverride/w:lvl) with a letter list at 2,000,000,000."""
    over = f'<w:lvlOverride w:ilvl="0">{level(0, "upperLetter", REPEATED, start=BOMB_START)}</w:lvlOverride>'
    return package(
        numbered(paragraphs), {"numbering.xml": numbering(level(0, "decimal", "%1."), num_extra=over)}
    )


def restart_bomb(paragraphs: int = 3000) -> bytes:
    """(c) Level 2 restarts at 2,000,000,000 after every level-1 paragraph (w:lvlRestart), Roman."""
    levels = level(0, "decimal", "%1.") + level(
        1, "upperRoman", "%1." + "%2" * 7, start=BOMB_START, extra='<w:lvlRestart w:val="1"/>'
    )
    return package(numbered(paragraphs, lambda i: i % 2), {"numbering.xml": numbering(levels)})


def deep_level_bomb(paragraphs: int = 3000) -> bytes:
    """(c) w:ilvl far past Word's nine levels, and a level defined there that must stay unreachable."""
    levels = (
        level(0, "decimal", "%1.")
        + level(8, "lowerLetter", "%9" * 4, start=BOMB_START)
        + level(1_000_000, "upperRoman", "%1" * 9, start=BOMB_START)
    )
    return package(numbered(paragraphs, lambda i: 1_000_000 + i), {"numbering.xml": numbering(levels)})


def long_level_text_bomb(paragraphs: int = 3000) -> bytes:
    """(c) An ordinary start but a level text of 5,000 placeholders: each label repeats the number 5,000 times."""
    return package(
        numbered(paragraphs), {"numbering.xml": numbering(level(0, "upperRoman", "%1" * 5000, start=3888))}
    )


def footnote_bomb(notes: int = 500) -> bytes:
    """(c) Footnotes numbered in lowerRoman from 2,000,000,000 (w:footnotePr/w:numStart in settings.xml)."""
    settings = (
        f'<w:settings {NS}><w:footnotePr><w:numFmt w:val="lowerRoman"/>'
        f'<w:numStart w:val="{BOMB_START}"/></w:footnotePr></w:settings>'
    )
    footnotes = f"<w:footnotes {NS}>" + "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t>Note {i}.</w:t></w:r></w:p></w:footnote>'
        for i in range(1, notes + 1)
    )
    body = "".join(
        para(f"Clause {i}.", inner=f'<w:footnoteReference w:id="{i}"/>') for i in range(1, notes + 1)
    )
    return package(body, {"settings.xml": settings, "footnotes.xml": footnotes + "</w:footnotes>"})


def plain(
    paragraphs: int, words: str = "The Supplier shall deliver the Goods on the Delivery Date."
) -> bytes:
    """(d) Nothing hostile but its size: ``paragraphs`` paragraphs of ``words``."""
    return package("".join(para(f"{i}. {words}") for i in range(paragraphs)))


BOMBS: dict[str, Callable[[], bytes]] = {
    "roman": numbering_bomb,
    "letter": lambda: numbering_bomb("lowerLetter"),
    "start_override": start_override_bomb,
    "level_override": level_override_bomb,
    "restart": restart_bomb,
    "deep_level": deep_level_bomb,
    "long_level_text": long_level_text_bomb,
    "footnotes": footnote_bomb,
}


def main(argv: list[str]) -> None:
    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name, make in BOMBS.items():
        (out / f"bomb-{name}.docx").write_bytes(make())
        print(out / f"bomb-{name}.docx")


if __name__ == "__main__":
    main(sys.argv[1:])
