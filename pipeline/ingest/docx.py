"""DOCX → ``ExtractedText`` straight from the OOXML: reading order, tracked changes accepted, numbering.

Text layout: headers once at the top, then the body (paragraphs separated by a blank line,
table rows one per line with cells joined by " | ", text boxes after their anchor paragraph),
then footnotes and endnotes as "[1] …" / "[i] …" paragraphs, then footers once.
Pages follow explicit page breaks, section breaks and Word's saved layout
(w:lastRenderedPageBreak); a DOCX with none of them is one page.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator

from lxml import etree

from pipeline.config import LimitsConfig
from pipeline.errors import Encrypted, TooLarge, Unreadable
from pipeline.ingest import docx_numbering
from pipeline.ingest.docx_numbering import MC, Definitions, Element, Numbering, W, attr, child_val, is_on
from pipeline.types import ExtractedText, ExtractWarning, PageSpan

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Strict OOXML (ISO 29500 strict) mostly renames namespaces; map them to the transitional ones.
_STRICT = (
    (b'"http://purl.oclc.org/ooxml/wordprocessingml/main"', b'"' + W[1:-1].encode() + b'"'),
    (b'"http://purl.oclc.org/ooxml/officeDocument/relationships"', b'"' + R[1:-1].encode() + b'"'),
)
_RATIO_CHECK_BYTES = 1024 * 1024  # small XML parts compress extremely well; only big ones can be bombs
# No entity expansion, DTDs or network; libxml2's depth and size limits stay on.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
# Page-break sentinels inside rendered text; XML 1.0 cannot carry these characters, so no clash.
HARD, RENDERED = "\x0c", "\x0b"
# Stripped from paragraph edges: whitespace Word writers use for spacing, incl. no-break spaces.
_EDGE = " \t\n\r\xa0\u2002\u2003\u2009\u200b\u3000\ufeff" + HARD + RENDERED
Item = tuple[str, str]  # (separator before, text); a lone sentinel as text is a page break

P, TBL, TR, TC, RUN, T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
INS, DEL, MOVE_TO, MOVE_FROM = W + "ins", W + "del", W + "moveTo", W + "moveFrom"
SDT, SDT_CONTENT, ALT, TXBX = W + "sdt", W + "sdtContent", MC + "AlternateContent", W + "txbxContent"
FLD_CHAR, NOTE_REFS = W + "fldChar", {W + "footnoteReference": "footnote", W + "endnoteReference": "endnote"}
_RUN_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-", W + "softHyphen": "",
             W + "lastRenderedPageBreak": RENDERED}  # fmt: skip
_SKIP_INLINE = {W + "pPr", W + "rPr", DEL, MOVE_FROM, W + "sdtPr", W + "sdtEndPr"}
_OBJECTS = {W + "drawing", W + "pict", W + "object", ALT}
# The cancel hook runs once per this many blocks (paragraphs and table rows).
CHECK_EVERY = 200
# Symbol/Wingdings code points (w:sym) that carry meaning in contracts: bullets, checkboxes, marks.
_SYMBOLS = {0xB7: "\u2022", 0xA8: "\u2610", 0xFE: "\u2612", 0xFD: "\u2612", 0xFC: "\u2713", 0x6F: "\u2610",
            0xD3: "\u00a9", 0xD2: "\u00ae", 0xD4: "\u2122", 0xB1: "\u00b1", 0xA3: "\u2264", 0xB3: "\u2265"}  # fmt: skip


class _Package:
    """The ZIP container: bomb guard on open, then parts by name and their relationships."""

    def __init__(self, data: bytes, limits: LimitsConfig) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise Unreadable(f"damaged DOCX (ZIP) container: {exc}") from exc
        total = sum(i.file_size for i in infos)
        if total > limits.docx_max_uncompressed_bytes:
            limit = limits.docx_max_uncompressed_bytes
            raise TooLarge(f"the DOCX expands to {total:,} bytes, over the limit of {limit:,} bytes")
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_CHECK_BYTES and ratio > limits.docx_max_compression_ratio:
                raise Unreadable(
                    f"DOCX member {info.filename!r} expands {ratio:,.0f}-fold (limit "
                    f"{limits.docx_max_compression_ratio:g}); refusing a likely decompression bomb"
                )
        self.infos = {i.filename.lstrip("/"): i for i in infos}
        self.lower = {n.lower(): n for n in self.infos}  # some writers vary the case of part names
        self.warnings: list[ExtractWarning] = []

    def read(self, name: str) -> bytes | None:
        info = self.infos.get(name) or self.infos.get(self.lower.get(name.lower(), ""))
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise Encrypted(f"DOCX member {name!r} is encrypted")
        try:
            with self.zip.open(info) as fh:
                return fh.read(info.file_size + 1)  # zipfile stops at the declared size anyway
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
            ValueError,
            UnicodeDecodeError,
        ) as exc:  # a damaged local header (seek before the file, bad name)
            raise Unreadable(f"DOCX member {name!r} cannot be decompressed: {exc}") from exc

    def xml(self, name: str, *, required: bool = False) -> Element | None:
        """Parse a part; a broken optional part is skipped with a warning instead of failing the file."""
        raw = self.read(name)
        if raw is None:
            if required:
                raise Unreadable(f"the DOCX has no {name}")
            return None
        for strict, transitional in _STRICT:
            raw = raw.replace(strict, transitional)
        try:
            return etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            if required:
                raise Unreadable(f"{name} is not well-formed XML: {exc}") from exc
            self.warnings.append(ExtractWarning(code="docx_part_skipped", message=f"{name}: {exc}"))
            return None

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId → (last segment of the relationship type, target part name), internal targets only."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, tuple[str, str]] = {}
        for rel in [] if root is None else root:
            target = rel.get("Target") or ""
            if not target or (rel.get("TargetMode") or "").lower() == "external":
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[rel.get("Id") or ""] = ((rel.get("Type") or "").rsplit("/", 1)[-1], posixpath.normpath(path))
        return out


def _choice(alt: Element) -> list[Element]:
    """mc:AlternateContent holds one content in several encodings: take the first only."""
    for branch in alt:
        return list(branch)
    return []


def _blocks_of(container: Element, wanted: tuple[str, ...]) -> Iterator[Element]:
    """Block-level children with content controls and custom XML wrappers unwrapped."""
    for el in container:
        tag = el.tag
        if tag in wanted:
            yield el
        elif tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks_of(content, wanted)
        elif tag in (W + "customXml", SDT_CONTENT, W + "smartTag"):
            yield from _blocks_of(el, wanted)
        elif tag == ALT:
            yield from _blocks_of(_choice(el), wanted)


def _textboxes(el: Element, out: list[Element]) -> list[Element]:
    """Outermost w:txbxContent under a drawing; nested boxes come out when that box is walked."""
    if el.tag == TXBX:
        out.append(el)
    else:
        for sub in _choice(el) if el.tag == ALT else el:
            if isinstance(sub.tag, str):
                _textboxes(sub, out)
    return out


def _join(parts: list[str], text: str) -> list[str]:
    # Accepting a deleted paragraph mark glues two paragraphs; keep their words apart. A list,
    # joined once, because thousands of glued paragraphs would make repeated concatenation quadratic.
    if text:
        if parts and not parts[-1][-1].isspace() and not text[0].isspace():
            parts.append(" ")
        parts.append(text)
    return parts


def _sym(el: Element) -> str:
    try:
        code = int(attr(el, "char") or "", 16)
    except ValueError:
        return ""
    code = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code  # symbol fonts sit in the private area
    font = (attr(el, "font") or "").lower()
    if "symbol" in font or "wingdings" in font or "webdings" in font:
        return _SYMBOLS.get(code, "")
    return chr(code) if 0x20 <= code < 0xD800 else ""  # no control characters or surrogates


class _Limits:
    """Running totals over every story of one document, checked as each block is read.

    Checking here, not on the finished string, stops a hostile file before it is built.
    """

    def __init__(self, limits: LimitsConfig, check: Callable[[], None] | None) -> None:
        self.config = limits
        self.check = check
        self.paragraphs = 0
        self.blocks = 0
        self.chars = 0

    def block(self, *, paragraph: bool) -> None:
        self.blocks += 1
        if paragraph:
            self.paragraphs += 1
            if self.paragraphs > self.config.docx_max_paragraphs:
                raise TooLarge(
                    f"the DOCX has more than {self.config.docx_max_paragraphs:,} paragraphs (the limit)"
                )
        if self.check is not None and self.blocks % CHECK_EVERY == 0:
            self.check()  # the caller's exception propagates as it is

    def text(self, chars: int) -> None:
        self.chars += chars
        if self.chars > self.config.max_text_chars:
            raise TooLarge(
                f"the DOCX text passed the limit of {self.config.max_text_chars:,} characters "
                f"at paragraph {self.paragraphs:,}"
            )


class _Story:
    """Walks one story (body, header, notes) in reading order and collects ``Item``s."""

    def __init__(
        self,
        defs: Definitions,
        limits: _Limits,
        notes: dict[str, dict[str, Element]] | None = None,
        formats: dict[str, tuple[str, int]] | None = None,
    ) -> None:
        self.defs = defs
        self.limits = limits
        self.numbering = self._numbering()
        self.notes = notes or {}
        self.note_formats = formats or {}
        self.note_labels: dict[tuple[str, str], str] = {}
        self.note_counts = {"footnote": 0, "endnote": 0}
        self.items: list[Item] = []
        self.fields: list[bool] = []  # complex-field stack: True once past w:fldChar "separate"
        self.deferred: list[Element] = []
        self.section_breaks: dict[Element, str] = {}
        self.tracked = False
        self.comments: set[str] = set()
        self.alt_chunks = 0
        self.labels: list[tuple[str, str]] = []  # (label without its suffix, paragraph text) as emitted

    def _numbering(self) -> Numbering:
        cfg = self.limits.config
        return Numbering(self.defs, max_value=cfg.docx_max_numbering_value, max_depth=cfg.docx_max_list_depth)

    # -- blocks
    def blocks(self, container: Element) -> None:
        merged: list[str] = []  # paragraphs whose mark was deleted, waiting to join the next paragraph
        for el in _blocks_of(container, (P, TBL, W + "altChunk")):
            if el.tag == P:
                self.limits.block(paragraph=True)
                text, mark_deleted = self._paragraph_text(el)
                self.limits.text(len(text) + 2)  # 2: the blank line before it; labels count in _emit
                if mark_deleted:
                    _join(merged, text)
                else:
                    self._emit(el, "".join(_join(merged, text)))
                    merged = []
                    # a section break lives in the paragraph mark: it follows the label and text
                    sect = el.find(f"{W}pPr/{W}sectPr")
                    if sect is not None and self.section_breaks.get(sect):
                        self.items.append(("", self.section_breaks[sect]))
            elif el.tag == TBL:
                if merged:
                    self._emit(None, "".join(merged))
                    merged = []
                self._table(el)
            else:
                self.alt_chunks += 1
        if merged:
            self._emit(None, "".join(merged))

    def _paragraph_text(self, p: Element) -> tuple[str, bool]:
        ppr = p.find(W + "pPr")
        out: list[str] = []
        if ppr is not None and is_on(ppr.find(W + "pageBreakBefore")):
            out.append(HARD)
        self._inline(p, out)
        # An instruction never hides text past its paragraph: an unclosed field must not swallow the rest.
        self.fields = [True] * len(self.fields)
        mark = None if ppr is None else ppr.find(W + "rPr")
        deleted = mark is not None and (mark.find(DEL) is not None or mark.find(MOVE_FROM) is not None)
        self.tracked |= deleted
        return "".join(out), deleted

    def _emit(self, p: Element | None, text: str) -> None:
        """One paragraph: its numbering label, then the text split at page-break sentinels."""
        ppr = p.find(W + "pPr") if p is not None else None
        core = text.strip(_EDGE)
        # An empty paragraph that only carries a section break is no list item: LibreOffice
        # neither numbers nor counts it, and the templates' own cross-references ("Section 4.1")
        # count the list without it (bench/docx_labels.py).
        carrier = not core and ppr is not None and ppr.find(W + "sectPr") is not None
        label = self.numbering.label(ppr) if p is not None and not carrier else ""
        self.limits.text(len(label))
        if label:
            self.labels.append((label.rstrip("\t "), core))
        lead, _, trail = text.partition(core) if core else (text, "", "")
        self.items.extend(("", c) for c in lead if c in (HARD, RENDERED))
        if core or label:
            sep = "\n\n"
            for piece in re.split("([\x0b\x0c])", label + core if core else label.rstrip()):
                if piece in (HARD, RENDERED):
                    self.items.append(("", piece))
                    # a hard break inside a paragraph ends a line; Word's layout break changes nothing
                    sep = "\n" if piece == HARD else ""
                elif piece:
                    self.items.append((sep, piece.lstrip(" \n") if sep == "\n" else piece))
        self.items.extend(("", c) for c in trail if c in (HARD, RENDERED))
        while self.deferred:  # text boxes read after the paragraph that anchors them
            self.blocks(self.deferred.pop(0))

    def _table(self, tbl: Element) -> None:
        sep = "\n\n"
        for tr in _blocks_of(tbl, (TR,)):
            self.limits.block(paragraph=False)  # rows need not hold paragraphs: count them too
            trpr = tr.find(W + "trPr")
            if trpr is not None and (trpr.find(INS) is not None or trpr.find(DEL) is not None):
                self.tracked = True
                if trpr.find(DEL) is not None:
                    continue
            cells, brk = [], ""
            for tc in _blocks_of(tr, (TC,)):
                tcpr = tc.find(W + "tcPr")
                merge = None if tcpr is None else tcpr.find(W + "vMerge")
                if tcpr is not None and tcpr.find(W + "cellDel") is not None:
                    continue
                if merge is not None and (attr(merge) or "continue") == "continue":
                    cells.append("")  # the text sits in the first cell of a vertical merge
                    continue
                outer, self.items = self.items, []
                self.blocks(tc)
                inner, self.items = self.items, outer
                brk = max([brk, *(t for _, t in inner if is_break(t))])  # HARD beats RENDERED
                cell = "".join((" " if s else "") + t for s, t in inner if not is_break(t))
                cells.append(" ".join(cell.split("\n")).strip())
            while cells and not cells[-1]:
                cells.pop()  # trailing empty cells only pad the grid
            if cells:
                if brk:
                    self.items.append(("", brk))
                self.items.append((sep, " | ".join(cells)))
                sep = "\n"

    # -- inline content
    def _inline(self, el: Element, out: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag == RUN:
                self._run(child, out)
            elif not isinstance(tag, str) or tag in _SKIP_INLINE:
                self.tracked |= tag in (DEL, MOVE_FROM)
            elif tag == ALT:
                self._inline(_choice(child), out)
            elif tag == W + "ruby":
                self._inline(child.findall(W + "rubyBase"), out)
            elif tag == "{http://schemas.openxmlformats.org/officeDocument/2006/math}t":
                out.append(child.text or "")
            else:  # w:ins, w:moveTo, w:hyperlink, w:sdtContent, w:fldSimple (its result), math, …
                self.tracked |= tag in (INS, MOVE_TO)
                self._inline(child, out)

    def _run(self, run: Element, out: list[str]) -> None:
        rpr = run.find(W + "rPr")
        hidden = rpr is not None and is_on(rpr.find(W + "vanish"))
        visible = not hidden and all(self.fields)
        for child in run:
            tag = child.tag
            if tag == T:
                if visible:
                    out.append(child.text or "")
            elif tag == FLD_CHAR:  # instructions (between begin and separate) are not text
                kind = attr(child, "fldCharType")
                if kind == "begin":
                    self.fields.append(False)
                elif kind == "separate" and self.fields:
                    self.fields[-1] = True
                elif kind == "end" and self.fields:
                    self.fields.pop()
                visible = not hidden and all(self.fields)
            elif not visible:
                continue
            elif tag in _RUN_TEXT:
                out.append(_RUN_TEXT[tag])
            elif tag == W + "br":
                out.append(HARD if attr(child, "type") == "page" else "\n")
            elif tag == W + "sym":
                out.append(_sym(child))
            elif tag in NOTE_REFS:
                out.append(self._note_ref(child, NOTE_REFS[tag]))
            elif tag == W + "commentReference":
                self.comments.add(attr(child, "id") or "")
            elif tag in _OBJECTS:
                self.deferred.extend(_textboxes(child, []))

    # -- notes
    def _note_ref(self, ref: Element, kind: str) -> str:
        key = (kind, attr(ref, "id") or "")
        custom = docx_numbering.flag(ref, "customMarkFollows")
        if key not in self.note_labels:
            if custom:  # the author's own mark ("*") is the next run's text, already in the body
                nxt = ref.getparent().getnext()
                self.note_labels[key] = f"[{''.join(nxt.itertext()).strip() if nxt is not None else '*'}]"
            else:
                fmt, start = self.note_formats.get(kind, ("decimal", 1))
                self.note_labels[key] = docx_numbering.note_label(fmt, start + self.note_counts[kind])
                self.note_counts[kind] += 1
        return "" if custom else self.note_labels[key]

    def render_notes(self) -> list[Item]:
        """Notes in order of first reference: footnotes, then endnotes, each led by its marker."""
        body, self.items, self.fields = self.items, [], []
        self.numbering = self._numbering()  # lists in notes do not continue body lists
        out: list[Item] = []
        done: set[tuple[str, str]] = set()
        for kind in ("footnote", "endnote"):
            while todo := [k for k in self.note_labels if k[0] == kind and k not in done]:
                for key in todo:  # a note may itself cite a note; loop until none is new
                    done.add(key)
                    note = self.notes.get(kind, {}).get(key[1])
                    if note is None:
                        continue
                    self.blocks(note)
                    texts = [(s, t) for s, t in self.items if not is_break(t)]
                    self.items = []
                    if texts:
                        texts[0] = ("\n\n", f"{self.note_labels[key]} {texts[0][1]}")
                        out += texts
        self.items = body
        return out


def is_break(text: str) -> bool:
    return text in (HARD, RENDERED)


class _Document:
    """An opened DOCX with its body read: the parts the rest of the extraction needs."""

    def __init__(self, data: bytes, limits: LimitsConfig, check: Callable[[], None] | None) -> None:
        self.pkg = pkg = _Package(data, limits)
        self.budget = _Limits(limits, check)
        main = next((t for kind, t in pkg.rels("").values() if kind == "officeDocument"), "")
        main = main if main and pkg.read(main) is not None else "word/document.xml"
        root = pkg.xml(main, required=True)
        if root is None or root.tag != W + "document":
            raise Unreadable("the main part of this DOCX is not a WordprocessingML document")
        self.rels = pkg.rels(main)
        self.targets = {kind: target for kind, target in self.rels.values()}
        self.defs = Definitions.parse(self.part("numbering"), self.part("styles"), limits.docx_max_list_depth)
        self.settings = self.part("settings")
        notes = {kind: _notes(self.part(kind + "s"), kind) for kind in ("footnote", "endnote")}
        formats = docx_numbering.note_formats(self.settings, limits.docx_max_numbering_value)
        self.story = _Story(self.defs, self.budget, notes, formats)
        self.body = root.find(W + "body")
        if self.body is not None:
            self.story.section_breaks = _section_breaks(self.body)
            self.story.blocks(self.body)

    def part(self, kind: str) -> Element | None:
        return self.pkg.xml(self.targets[kind]) if kind in self.targets else None


def numbering_labels(data: bytes, *, limits: LimitsConfig) -> list[tuple[str, str]]:
    """(label, paragraph text) for each numbered paragraph of the body, tables included, in reading order.

    The label is what Word shows before the text, without the tab or space after it; bullets
    read as "\u2022". For checking longdoc's numbering against another renderer (bench/docx_labels.py).
    """
    return list(_Document(data, limits, None).story.labels)


def extract_docx(
    data: bytes, *, limits: LimitsConfig, check: Callable[[], None] | None = None
) -> ExtractedText:
    """The text of a DOCX.

    Raises ``TooLarge`` as soon as ``limits.docx_max_paragraphs`` or ``limits.max_text_chars``
    is passed; ``check`` runs every ``CHECK_EVERY`` blocks and may raise to abort (its exception
    propagates unchanged).
    """
    doc = _Document(data, limits, check)
    pkg, story, body = doc.pkg, doc.story, doc.body
    texts = [i for i, (_, t) in enumerate(story.items) if not is_break(t)]
    # breaks before the first or after the last text would only make empty pages
    body_items = story.items[texts[0] : texts[-1] + 1] if texts else []
    even = doc.settings is not None and is_on(doc.settings.find(W + "evenAndOddHeaders"))
    sects = iter(()) if body is None else body.iter(W + "sectPr")
    heads, foots = _headers_footers(pkg, sects, doc.rels, even, doc.defs, doc.budget)
    text, pages = _assemble(heads + body_items + story.render_notes() + foots)
    warnings = list(pkg.warnings)
    if story.tracked:
        warnings.append(ExtractWarning(code="tracked_changes", message="tracked changes are shown accepted"))
    if story.comments:
        warnings.append(
            ExtractWarning(code="comments_omitted", message=f"{len(story.comments)} comment(s) left out")
        )
    if story.alt_chunks:
        warnings.append(
            ExtractWarning(code="altchunks_skipped", message="embedded w:altChunk parts not read")
        )
    return ExtractedText(text=text, pages=pages, media_type=MEDIA_TYPE, backend="docx", warnings=warnings)


def _notes(root: Element | None, kind: str) -> dict[str, Element]:
    # separator and continuation notes only draw the rule above the notes area
    notes = [] if root is None else root.iterfind(W + kind)
    return {attr(n, "id") or "": n for n in notes if (attr(n, "type") or "normal") == "normal"}


def _section_breaks(body: Element) -> dict[Element, str]:
    """sectPr → the break after its section: set by the *next* section's w:type (default nextPage)."""
    sects = [s for s in body.iter(W + "sectPr") if s.getparent().tag in (W + "pPr", W + "body")]
    kinds = [child_val(s, "type") or "nextPage" for s in sects]
    new_page = [k not in ("continuous", "nextColumn") for k in kinds[1:]]
    return {s: HARD if brk else "" for s, brk in zip(sects, new_page, strict=False)}


def _headers_footers(
    pkg: _Package,
    sects: Iterator[Element],
    rels: dict[str, tuple[str, str]],
    even: bool,
    defs: Definitions,
    limits: _Limits,
) -> tuple[list[Item], list[Item]]:
    # Headers and footers repeat on every page; one copy of each keeps them out of the running
    # text. Headers (titles, legends) read naturally before the body and footers (version lines,
    # page numbers) after it. First-page and even-page ones count only where Word shows them.
    out: dict[str, list[Item]] = {"header": [], "footer": []}
    seen_parts: set[str] = set()
    seen_text: set[str] = set()
    for sect in sects:
        shown = {"first": is_on(sect.find(W + "titlePg")), "even": even, "default": True}
        for kind in out:
            for ref in sect.iterfind(f"{W}{kind}Reference"):
                target = rels.get(ref.get(R + "id") or "", ("", ""))[1]
                if not shown.get(attr(ref, "type") or "default", True) or target in seen_parts:
                    continue
                seen_parts.add(target)
                root = pkg.xml(target) if target else None
                story = _Story(defs, limits)
                if root is not None:
                    story.blocks(root)
                items = [(s, t) for s, t in story.items if not is_break(t)]
                key = "\n".join(t for _, t in items)
                if key and key not in seen_text:
                    seen_text.add(key)
                    out[kind] += [("\n\n", items[0][1]), *items[1:]]
    return out["header"], out["footer"]


def _assemble(items: list[Item]) -> tuple[str, list[PageSpan]]:
    """Join items into the text; break items become page boundaries where the next text starts."""
    parts: list[str] = []
    length = 0
    bounds: list[int] = []
    pending: list[str] = []
    for sep, text in items:
        if is_break(text):
            pending.append(text)
        elif text:
            if parts:
                parts.append(sep)
                length += len(sep)
            # Word writes w:lastRenderedPageBreak where its last layout began a page, right after
            # hard breaks too: a rendered break directly after another break is that same break.
            bounds += [length] * sum(1 for i, k in enumerate(pending) if k == HARD or i == 0)
            pending = []
            parts.append(text)
            length += len(text)
    text = "".join(parts)
    edges = [0, *bounds, len(text)]
    return text, [PageSpan(number=n, start=edges[n - 1], end=edges[n]) for n in range(1, len(edges))]
