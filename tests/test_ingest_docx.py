"""DOCX ingest: hand-built packages for every feature, then the shared fixtures when present."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from pipeline.config import LimitsConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest.docx import extract_docx
from pipeline.ingest.docx_numbering import format_number
from pipeline.types import ExtractedText
from tests.conftest import SHARED_DATA, needs_shared

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DOCX_DIR = SHARED_DATA / "docx"
DEFAULTS = LimitsConfig.model_validate({})  # defaults only: no LONGDOC_* environment in these tests


def make_docx(
    body: str, *, parts: dict[str, str] | None = None, raw: dict[str, bytes] | None = None
) -> bytes:
    """A minimal package: ``body`` goes inside w:body; ``parts`` maps names under word/ to XML."""
    parts = parts or {}
    rels = [f'<Relationship Id="rId{i}" Type="{REL}{name.split(".")[0].rstrip("0123456789")}" Target="{name}"/>'
            for i, name in enumerate(parts, start=100)]  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')  # fmt: skip
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="{REL}officeDocument" Target="word/document.xml"/></Relationships>')  # fmt: skip
        zf.writestr("word/_rels/document.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                    f'package/2006/relationships">{"".join(rels)}</Relationships>')  # fmt: skip
        zf.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        for name, xml in parts.items():
            zf.writestr(f"word/{name}", xml)
        for name, data in (raw or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def para(text: str, *, num: tuple[int, int] | None = None, style: str | None = None, extra: str = "") -> str:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f'<w:p><w:pPr>{ppr}{extra}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def level(ilvl: int, fmt: str, text: str, *, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')  # fmt: skip


def numbering(abstracts: dict[int, str], nums: dict[int, str]) -> str:
    body = "".join(
        f'<w:abstractNum w:abstractNumId="{a}">{lv}</w:abstractNum>' for a, lv in abstracts.items()
    )
    body += "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{a}"/></w:num>' for n, a in nums.items())
    return f"<w:numbering {NS}>{body}</w:numbering>"


def extract(data: bytes, limits: LimitsConfig | None = None) -> ExtractedText:
    return extract_docx(data, limits=limits or DEFAULTS)


def labels(text: str) -> list[str]:
    """Numbering labels: the short run before a tab at the start of a line."""
    return re.findall(r"^([^\s|][^\t\n|]{0,14})\t", text, flags=re.M)


LEGAL = level(0, "decimal", "%1.") + level(1, "decimal", "%1.%2") + level(2, "lowerLetter", "(%3)")


def test_multilevel_numbering_restarts_lower_levels() -> None:
    seq = [
        (0, "Definitions"),
        (1, "a"),
        (1, "b"),
        (2, "c"),
        (2, "d"),
        (1, "e"),
        (0, "Term"),
        (1, "f"),
        (2, "g"),
    ]
    body = "".join(para(t, num=(1, lv)) for lv, t in seq)
    text = extract(make_docx(body, parts={"numbering.xml": numbering({0: LEGAL}, {1: "0"})})).text
    assert "1.\tDefinitions" in text
    assert labels(text) == ["1.", "1.1", "1.2", "(a)", "(b)", "1.3", "2.", "2.1", "(a)"]


def test_start_override_and_shared_abstract_counters() -> None:
    xml = numbering({0: LEGAL}, {1: "0", 3: "0"}).replace(
        "</w:numbering>",
        '<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0">'
        '<w:startOverride w:val="5"/></w:lvlOverride></w:num></w:numbering>',
    )
    body = "".join(para(t, num=(n, 0)) for n, t in [(1, "a"), (1, "b"), (2, "c"), (2, "d"), (3, "e")])
    text = extract(make_docx(body, parts={"numbering.xml": xml})).text
    # numId 3 shares abstractNum 0 with numId 1 and continues it; numId 2 restarts at 5.
    assert labels(text) == ["1.", "2.", "5.", "6.", "3."]


def test_roman_article_legal_and_never_restart() -> None:
    levels = (
        level(0, "upperRoman", "Article %1", extra='<w:suff w:val="space"/>')
        + level(1, "decimalZero", "Section %1.%2", extra="<w:isLgl/>")
        + level(2, "lowerRoman", "(%3)", extra='<w:lvlRestart w:val="0"/>')
    )
    seq = [(0, "One"), (1, "Sa"), (2, "x"), (2, "y"), (0, "Two"), (1, "Sb"), (2, "z"), (2, "w")]
    body = "".join(para(t, num=(7, lv)) for lv, t in seq)
    text = extract(make_docx(body, parts={"numbering.xml": numbering({4: levels}, {7: "4"})})).text
    assert text.split("\n\n")[:2] == ["Article I One", "Section 1.01\tSa"]
    assert "\n\nArticle II Two\n\nSection 2.01\tSb\n\n" in text
    # isLgl shows "Article I" as 1 inside "Section 1.01"; lvlRestart 0 keeps (iii) counting on
    assert labels(text) == ["Section 1.01", "(i)", "(ii)", "Section 2.01", "(iii)", "(iv)"]


def test_numbering_inherited_from_styles() -> None:
    styles = (
        f"<w:styles {NS}>"
        '<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="H2base"><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/>'
        "</w:numPr></w:pPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="H2"><w:basedOn w:val="H2base"/></w:style>'
        "</w:styles>"
    )
    body = (para("Scope", style="H1") + para("Detail", style="H2") + para("More", style="H2")
            + para("Plain", style="H1", extra='<w:numPr><w:numId w:val="0"/></w:numPr>') + para("Next", style="H1"))  # fmt: skip
    text = extract(
        make_docx(body, parts={"numbering.xml": numbering({0: LEGAL}, {1: "0"}), "styles.xml": styles})
    )
    assert text.text.split("\n\n") == ["1.\tScope", "1.1\tDetail", "1.2\tMore", "Plain", "2.\tNext"]


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [(4, "lowerRoman", "iv"), (1994, "upperRoman", "MCMXCIV"), (28, "lowerLetter", "bb"), (3, "upperLetter", "C"),
     (7, "decimalZero", "07"), (22, "ordinal", "22nd"), (13, "ordinal", "13th"), (21, "cardinalText", "Twenty-one"),
     (12, "ordinalText", "Twelfth"), (5, "none", ""), (6, "chicago", "\u2020\u2020"), (9, "custom", "9")],
)  # fmt: skip
def test_number_formats(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


def test_bullets_render_as_bullet_sign() -> None:
    xml = numbering({0: level(0, "bullet", "\uf0b7")}, {1: "0"})
    assert extract(make_docx(para("item", num=(1, 0)), parts={"numbering.xml": xml})).text == "\u2022\titem"


def test_tracked_changes_are_accepted() -> None:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Keep </w:t></w:r><w:ins><w:r><w:t>inserted </w:t></w:r></w:ins>'
        "<w:del><w:r><w:delText>deleted </w:delText></w:r></w:del><w:moveFrom><w:r><w:t>gone</w:t></w:r></w:moveFrom>"
        "<w:moveTo><w:r><w:t>moved</w:t></w:r></w:moveTo></w:p>"
        '<w:p><w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr><w:r><w:t>joined</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>paragraph.</w:t></w:r></w:p>"
    )
    result = extract(make_docx(body))
    assert result.text == "Keep inserted moved\n\njoined paragraph."
    assert [w.code for w in result.warnings] == ["tracked_changes"]


def test_fields_comments_symbols_and_breaks() -> None:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> REF _Ref1 \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>Section 2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:fldSimple w:instr="PAGE"><w:r><w:t>, p. 3</w:t></w:r></w:fldSimple>'
        '<w:r><w:commentReference w:id="4"/><w:tab/><w:t>a</w:t><w:noBreakHyphen/><w:t>b</w:t><w:br/>'
        '<w:sym w:font="Wingdings" w:char="F0A8"/><w:t>x</w:t></w:r></w:p>'
    )
    result = extract(make_docx(body))
    assert result.text == "See Section 2, p. 3\ta-b\n\u2610x"
    assert "comments_omitted" in [w.code for w in result.warnings]


NOTES = (
    '<w:{k}s {ns}><w:{k} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{k}>'
    '<w:{k} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:t>SEP</w:t></w:r></w:p></w:{k}>'
    '<w:{k} w:id="1"><w:p><w:r><w:{k}Ref/></w:r><w:r><w:t xml:space="preserve"> {k} one.</w:t></w:r></w:p></w:{k}>'
    '<w:{k} w:id="2"><w:p><w:r><w:{k}Ref/></w:r><w:r><w:t xml:space="preserve"> {k} two.</w:t></w:r></w:p></w:{k}>'
    "</w:{k}s>"
)


def test_footnote_and_endnote_markers_and_texts() -> None:
    body = (
        '<w:p><w:r><w:t>Claim.</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r><w:r><w:t xml:space="preserve">'
        ' More.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>'
    )
    parts = {
        "footnotes.xml": NOTES.format(k="footnote", ns=NS),
        "endnotes.xml": NOTES.format(k="endnote", ns=NS),
    }
    text = extract(make_docx(body, parts=parts)).text
    # numbered in order of reference, like Word; endnotes in Word's default lower-case Roman
    assert text == "Claim.[1] More.[2][i]\n\n[1] footnote two.\n\n[2] footnote one.\n\n[i] endnote one."
    assert "SEP" not in text


def hdr(kind: str, text: str) -> str:
    tag = "hdr" if kind == "header" else "ftr"
    return f"<w:{tag} {NS}>{para(text)}</w:{tag}>"


def test_headers_once_at_start_footers_at_end() -> None:
    def sect(*refs: tuple[str, str, int]) -> str:
        return (
            "<w:sectPr>"
            + "".join(f'<w:{k}Reference w:type="{t}" r:id="rId{i}"/>' for k, t, i in refs)
            + "</w:sectPr>"
        )

    first = sect(("header", "default", 100), ("header", "first", 101), ("footer", "default", 102))
    second = sect(("header", "default", 103), ("footer", "default", 102))
    body = para("Page one.", extra=first) + para("Section two.") + second
    parts = {"header1.xml": hdr("header", "CONFIDENTIAL"), "header2.xml": hdr("header", "Only on a title page"),
             "footer1.xml": hdr("footer", "Page 1"), "header3.xml": hdr("header", "CONFIDENTIAL")}  # fmt: skip
    result = extract(make_docx(body, parts=parts))
    assert result.text == "CONFIDENTIAL\n\nPage one.\n\nSection two.\n\nPage 1"
    # the section break (next page by default) starts page 2
    assert [(p.number, result.text[p.start : p.end].strip()) for p in result.pages] == [
        (1, "CONFIDENTIAL\n\nPage one."), (2, "Section two.\n\nPage 1")]  # fmt: skip


def test_tables_in_document_order_with_nesting_and_merges() -> None:
    def cell(inner: str, props: str = "") -> str:
        return f"<w:tc><w:tcPr>{props}</w:tcPr>{inner}</w:tc>"

    nested = f"<w:tbl><w:tr>{cell(para('n1'))}{cell(para('n2'))}</w:tr></w:tbl>"
    restart = '<w:vMerge w:val="restart"/>'
    table = (
        f"<w:tbl><w:tr>{cell(para('A'), restart)}{cell(para('B') + para('B2'))}</w:tr>"
        f"<w:tr>{cell(para(''), '<w:vMerge/>')}{cell(nested)}</w:tr>"
        f'<w:tr><w:trPr><w:del w:id="9"/></w:trPr>{cell(para("deleted row"))}</w:tr></w:tbl>'
    )
    text = extract(make_docx(para("Before") + table + para("After"))).text
    assert text == "Before\n\nA | B B2\n | n1 | n2\n\nAfter"


def test_text_box_read_once_after_its_paragraph() -> None:
    box = f"<w:txbxContent>{para('Boxed')}</w:txbxContent>"
    body = (
        '<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f"<wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>{box}</v:textbox>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>" + para("Next")
    )
    assert extract(make_docx(body)).text == "Anchor\n\nBoxed\n\nNext"


def test_page_breaks_make_contiguous_pages() -> None:
    body = (
        para("One") + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        + '<w:p><w:r><w:lastRenderedPageBreak/><w:t xml:space="preserve">Two and </w:t></w:r>'
        + "<w:r><w:lastRenderedPageBreak/><w:t>three</w:t></w:r></w:p>"
    )  # fmt: skip
    result = extract(make_docx(body))
    assert result.text == "One\n\nTwo and three"  # Word's layout breaks never change the text
    assert [result.text[p.start : p.end] for p in result.pages] == ["One\n\n", "Two and ", "three"]
    assert result.pages[-1].end == len(result.text)
    assert all(a.end == b.start for a, b in zip(result.pages, result.pages[1:], strict=False))


def test_section_break_follows_the_label_of_its_paragraph() -> None:
    body = para("Cover", num=(1, 0), extra="<w:sectPr/>") + para("Next", num=(1, 0)) + "<w:sectPr/>"
    result = extract(make_docx(body, parts={"numbering.xml": numbering({0: LEGAL}, {1: "0"})}))
    assert [result.text[p.start : p.end] for p in result.pages] == ["1.\tCover\n\n", "2.\tNext"]
    # an empty paragraph that only carries the break is no list item (tests/test_docx_numbering.py)
    body = para("", num=(1, 0), extra="<w:sectPr/>") + para("Next", num=(1, 0)) + "<w:sectPr/>"
    result = extract(make_docx(body, parts={"numbering.xml": numbering({0: LEGAL}, {1: "0"})}))
    assert result.text == "1.\tNext"


def test_bom_and_strict_namespace_parts_parse() -> None:
    strict = make_docx(para("Strict text"))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(strict)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = b"\xef\xbb\xbf" + data.replace(
                    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
                )
            dst.writestr(info, data)
    assert extract(buf.getvalue()).text == "Strict text"


def code_of(data: bytes, limits: LimitsConfig | None = None) -> str:
    with pytest.raises(LongdocError) as info:
        ingest(data, name="x.docx", limits=limits or DEFAULTS)
    return info.value.code


def test_zip_bomb_and_size_guards() -> None:
    bomb = make_docx(para("tiny"), raw={"word/media/zeros.bin": b"\0" * (8 * 1024 * 1024)})
    assert code_of(bomb) == "unreadable"
    assert (
        code_of(
            make_docx(para("x" * 5000)), DEFAULTS.model_copy(update={"docx_max_uncompressed_bytes": 2000})
        )
        == "too_large"
    )


def test_broken_packages_give_coded_errors() -> None:
    good = make_docx(para("ok"))
    assert code_of(good[:200]) == "unreadable"  # truncated ZIP
    no_body = io.BytesIO()
    with zipfile.ZipFile(no_body, "w") as zf:
        zf.writestr("word/styles.xml", "<w:styles/>")
    for data in (no_body.getvalue(), make_docx("<w:p><w:r><w:t>unclosed</w:r></w:p>"), b"PK\x03\x04junk"):
        with pytest.raises(LongdocError) as info:
            extract(data)
        assert info.value.code == "unreadable"
    assert code_of(make_docx("")) == "empty_document"


def test_one_megabyte_document_is_fast() -> None:
    body = "".join(para(f"Clause {i} text with some words in it.", num=(1, i % 3)) for i in range(6000))
    data = make_docx(body, parts={"numbering.xml": numbering({0: LEGAL}, {1: "0"})})
    started = time.perf_counter()
    result = extract(data)
    assert time.perf_counter() - started < 1.5
    assert len(result.text) > 200_000


# ---------------------------------------------------------------- shared fixtures (skipped when absent)


def native_text(path: Path) -> tuple[str, list[str]]:
    """Plain words of a pandoc native AST: (body, [note texts]); Space/SoftBreak and blocks → " "."""
    body: list[str] = []
    notes: list[list[str]] = []
    stack: list[int] = []  # bracket depths at which open notes started
    depth = 0
    for m in re.finditer(
        r'Str "((?:[^"\\]|\\.)*)"|(Note \[)|(\[)|(\])|(Space|SoftBreak|LineBreak)', path.read_text()
    ):
        word, note, opening, closing, _space = m.groups()
        if note:
            notes.append([])
            stack.append(depth)
            depth += 1
        elif opening:
            depth += 1
        elif closing:
            depth -= 1
            if stack and depth == stack[-1]:
                stack.pop()
        target = notes[-1] if stack else body
        if word is not None:
            target.append(re.sub(r"\\(\d+)", lambda d: chr(int(d.group(1))), word).replace('\\"', '"'))
        elif not note:
            target.append(" ")
    return squash("".join(body)), [squash("".join(n)) for n in notes]


def squash(text: str) -> str:
    return " ".join(text.split())


def fixture(name: str) -> ExtractedText:
    return ingest((DOCX_DIR / name).read_bytes(), name=name, limits=DEFAULTS)


@needs_shared
@pytest.mark.parametrize(
    "stem", ["track_changes_insertion", "track_changes_deletion", "paragraph_insertion_deletion"]
)
def test_pandoc_tracked_changes_match_accepted_ast(stem: str) -> None:
    expected, _ = native_text(DOCX_DIR / f"pandoc/pandoc-{stem}_accept.native")
    assert squash(fixture(f"pandoc/pandoc-{stem}.docx").text) == expected


@needs_shared
def test_pandoc_notes_match_ast() -> None:
    body, notes = native_text(DOCX_DIR / "pandoc/pandoc-notes.native")
    text = fixture("pandoc/pandoc-notes.docx").text
    assert squash(re.sub(r"\[(\d+|[ivx]+)\]", "", text)).startswith(body)
    assert "footnote.[1]" in text and "endnote.[i]" in text
    assert [f"[1] {notes[0]}", f"[i] {notes[1]}"] == [
        line for line in text.split("\n\n") if line.startswith("[")
    ]


@needs_shared
def test_pandoc_lists_and_list_in_table() -> None:
    assert labels(fixture("pandoc/pandoc-lists_level_override.docx").text) == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
        "6.",
    ]
    rows = fixture("pandoc/pandoc-table_with_list_cell.docx").text.split("\n")
    assert re.search(r"1\.\tCell with 2\.\tA 3\.\tNumbered list", rows[-1])


@needs_shared
def test_common_paper_csa_clause_numbers() -> None:
    text = fixture("legal/common-paper-csa-with-ai.docx").text
    found = re.findall(r"^(\d+\.|\d+\.\d+|\([a-z]\))\t", text, flags=re.M)
    assert len(found) == 140  # every w:numPr paragraph got a label
    # the template's own cross-references ("Section 8.4 (Exceptions)") name these labels
    for clause in ("1.\tService", "6.3\tFrom Provider.", "8.4\tExceptions.", "9.\tIndemnification",
                   "12.3\tGoverning Law", "13.34\t", "(b)\tCustomer’s obligations", "1.\tAI Services"):  # fmt: skip
        assert clause in text, clause
    tops = [int(x[:-1]) for x in found if re.fullmatch(r"\d+\.", x)]
    assert tops == list(range(1, 14)) + [1, 2, 3, 4]  # the AI addendum is a separate list


@needs_shared
def test_due_diligence_multilevel_sequences() -> None:
    text = fixture("legal/openagreements-due-diligence-request-list.docx").text
    found = labels(text)
    assert len(found) == 149
    for clause in ("1.\tEngagement Scope and Instructions", "1.2\tResponse columns", "(a)\tProvided",
                   "(d)\tPrivileged", "2.\tSection A", "2.1\tA.1 Certificate"):  # fmt: skip
        assert clause in text, clause
    top, sub = 0, 0
    for label in found:  # top level counts 1, 2, 3 …; second level restarts under each
        if re.fullmatch(r"\d+\.", label):
            top, sub = top + 1, 0
            assert label == f"{top}."
        elif re.fullmatch(r"\d+\.\d+", label):
            sub += 1
            assert label == f"{top}.{sub}"


@needs_shared
def test_fixture_pages_headers_notes_and_boxes() -> None:
    pages = fixture("python-docx/pydocx-sct-first-page-hdrftr.docx")
    assert pages.page_count == 6 and pages.page_at(pages.text.index("Page 6")) == 6
    hf = fixture("python-docx/pydocx-hdr-header-footer.docx").text
    assert hf.startswith("Header for section-1") and hf.endswith("Footer for section 1")
    assert hf.count("Header for section-1") == 1
    assert fixture("mammoth/mammoth-text-box.docx").text.count("Datum plane") == 1
    assert fixture("mammoth/mammoth-endnotes.docx").text == (
        "Ouch[i].[ii]\n\n[i] A tachyon walks into a bar.\n\n[ii] Fin."
    )
    assert fixture("mammoth/mammoth-utf8-bom.docx").text == "This XML has a byte order mark."


@needs_shared
@pytest.mark.parametrize(
    "path", sorted(DOCX_DIR.glob("*/*.docx")) if DOCX_DIR.is_dir() else [], ids=lambda p: p.name
)
def test_every_fixture_gives_text_or_coded_error(path: Path) -> None:
    try:
        result = ingest(path.read_bytes(), name=path.name, limits=DEFAULTS)
    except LongdocError as exc:
        assert exc.code == "empty_document", exc
        return
    assert result.text.strip() and result.backend == "docx"
    assert result.pages[0].start == 0 and result.pages[-1].end == len(result.text)
    assert all(a.end == b.start for a, b in zip(result.pages, result.pages[1:], strict=False))
