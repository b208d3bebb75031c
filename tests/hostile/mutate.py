"""Mutations of real documents for the fuzz test, and the child process that reads them.

A mutation is plain data: a seed file (relative to ../shared/data) and a tuple of operations.
Hypothesis prints it on failure, and ``apply(Mutation, load)`` rebuilds the exact bytes, so a
printed failing example is its own reproducer::

    from pathlib import Path
    from tests.hostile.mutate import *
    load = lambda path: (Path("../shared/data") / path).read_bytes()
    data = apply(Mutation(seed="pdfs/pypdf/issue-297.pdf", ops=(Flip(pos=10, mask=1),)), load)

Operations on any file work on raw bytes; DOCX operations edit the XML parts inside the ZIP
and re-zip it; PDF operations rewrite numbers outside streams, in the xref table, after
dictionary keys, or inside Flate streams (content and object streams).

``Worker`` runs ``pipeline.ingest.ingest`` in a child process under an address-space limit,
killed after a wall-clock timeout, so a hang, a native crash or a memory blow-up becomes a
reported outcome instead of a stuck or killed test run.
"""

from __future__ import annotations

import copy
import ctypes
import io
import multiprocessing
import re
import resource
import threading
import traceback
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Caps on what the harness itself builds, so a mutation can never exhaust the test process.
MAX_PART_BYTES = 4 * 1024 * 1024  # a mutated XML part; larger growth is skipped
MAX_INFLATE = 4 * 1024 * 1024  # an inflated PDF stream considered for editing
MAX_OUTPUT_BYTES = 8 * 1024 * 1024  # a whole mutated file; further growth is skipped
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# ---------------------------------------------------------------------------- operations
# Positions and indices are taken modulo what is there, so any int is valid and 0 is simplest.


@dataclass(frozen=True)
class Flip:
    """XOR the byte at ``pos`` with ``mask``."""

    pos: int
    mask: int


@dataclass(frozen=True)
class Truncate:
    """Keep the first ``pos`` bytes."""

    pos: int


@dataclass(frozen=True)
class Insert:
    pos: int
    blob: bytes


@dataclass(frozen=True)
class Delete:
    pos: int
    length: int


@dataclass(frozen=True)
class Splice:
    """Insert ``length`` bytes of seed ``donor`` from ``start`` at ``pos`` (or overwrite there)."""

    pos: int
    donor: str
    start: int
    length: int
    overwrite: bool


@dataclass(frozen=True)
class Repeat:
    """Repeat the chunk ``[start, start + length)`` ``times`` times in place."""

    start: int
    length: int
    times: int


@dataclass(frozen=True)
class XmlDelete:
    """Remove the ``index``-th element below the root (document order) of a DOCX part;
    with a ``tag`` (local name in the w: namespace, e.g. "p", "num"), the ``index``-th such element."""

    part: str
    index: int
    tag: str = ""


@dataclass(frozen=True)
class XmlDup:
    """Insert ``times`` copies of the ``index``-th element below the root (or with ``tag``) after it."""

    part: str
    index: int
    times: int
    tag: str = ""


@dataclass(frozen=True)
class XmlNest:
    """Append a copy of the ``index``-th element inside the ``into``-th (nonsense nesting)."""

    part: str
    index: int
    into: int


@dataclass(frozen=True)
class XmlAttr:
    """Set the ``attr``-th attribute of the ``index``-th element that has attributes."""

    part: str
    index: int
    attr: int
    value: str


@dataclass(frozen=True)
class NumAttr:
    """Set the numbering-relevant attribute of the ``index``-th ``w:<target>`` (see NUM_TARGETS)."""

    part: str
    target: str
    index: int
    value: str


@dataclass(frozen=True)
class PdfNum:
    """Replace the ``index``-th number token outside streams (xref offsets, /Length, refs, …)."""

    index: int
    value: str


@dataclass(frozen=True)
class PdfKey:
    """Replace the number after the ``index``-th occurrence of ``key`` (``/Length``, ``startxref`` …)."""

    key: str
    index: int
    value: str


@dataclass(frozen=True)
class PdfXref:
    """Set the offset of the ``index``-th classic xref entry (zero-padded to 10 digits when it fits)."""

    index: int
    value: int


@dataclass(frozen=True)
class PdfStream:
    """Inflate the ``stream``-th Flate stream, replace its ``index``-th number token with ``value``
    (or, in a stream without number tokens such as an xref stream, XOR byte ``index`` with 0xFF),
    deflate it again and, if ``fix_length``, correct a direct ``/Length``."""

    stream: int
    index: int
    value: str
    fix_length: bool


ByteOp = Flip | Truncate | Insert | Delete | Splice | Repeat
DocxOp = XmlDelete | XmlDup | XmlNest | XmlAttr | NumAttr
PdfOp = PdfNum | PdfKey | PdfXref | PdfStream
Op = ByteOp | DocxOp | PdfOp


@dataclass(frozen=True)
class Mutation:
    """``seed`` (path under ../shared/data) with ``ops`` applied in order; structure ops come first."""

    seed: str
    ops: tuple[Op, ...]
    name: str = ""  # the file name ingest sees (".md" makes a text file Markdown); seed's name if empty

    def file_name(self) -> str:
        return self.name or Path(self.seed).name


# ---------------------------------------------------------------------------- vocabularies

# Numbering elements and the attribute each one's value lives in (w:lvl keeps its level in w:ilvl).
NUM_TARGETS: dict[str, str] = {
    "start": "val",
    "ilvl": "val",
    "numId": "val",
    "lvl": "ilvl",
    "abstractNum": "abstractNumId",
    "abstractNumId": "val",
    "num": "numId",
    "lvlText": "val",
    "numFmt": "val",
    "lvlRestart": "val",
    "startOverride": "val",
    "lvlOverride": "ilvl",
    "pStyle": "val",
    "outlineLvl": "val",
    "numStart": "val",
    "footnoteReference": "id",
    "footnote": "id",
}
# Elements whose deletion or repetition changes structure rather than one run's formatting.
BLOCK_TAGS = ("p", "tbl", "tr", "tc", "r", "body", "sectPr", "lvl", "abstractNum", "num", "style", "footnote")
DOCX_PARTS = (
    "word/document.xml",
    "word/numbering.xml",
    "word/styles.xml",
    "word/settings.xml",
    "word/footnotes.xml",
)
# Values an attacker would try in a numeric or enumerated attribute: edges of int types,
# too many digits for int() (Python refuses > 4300), non-ASCII digits int() accepts, junk.
ATTR_VALUES = (
    "-1", "0", "1", "8", "9", "10", "255", "32767", "32768", "65536", "2147483647", "2147483648",
    "-2147483649", "9223372036854775808", "1" + "0" * 40, "-" + "9" * 40, "9" * 5000, "1e9", "1.5",
    "NaN", "inf", "", " ", "abc", "0x1F", "+7", "1_000", "\u0663", "\u0661" + "\u0660" * 12,
    "%1.%2.%3.%4.%5.%6.%7.%8.%9.", "%1" * 500, "%99%0%-1", "%" * 1000, "decimal", "upperRoman",
    "lowerRoman", "upperLetter", "lowerLetter", "bullet", "ordinal", "cardinalText", "ordinalText",
    "chicago", "none", "hex", "\u202e", "rId1", "default",
)  # fmt: skip
PDF_KEYS = (
    "/Length", "/Size", "/Count", "/W", "/Index", "/First", "/N", "/Prev", "/Rotate", "/Root",
    "/Parent", "/Kids", "/Pages", "/Contents", "/Encrypt", "/V", "/R", "/P", "/MediaBox",
    "startxref", "/XRefStm", "/Font", "/Widths", "/FirstChar", "/LastChar", "/Resources",
)  # fmt: skip
NUM_VALUES = (
    "0", "-1", "1", "2", "3", "255", "65535", "2147483647", "2147483648", "-2147483648",
    "4294967296", "9223372036854775807", "9223372036854775808", "1" + "0" * 30, "-" + "9" * 30,
    "9" * 400, "9" * 5000, "1e10", "3.4e38", "-0", "0.0001", ".", "-", "+", "1.5", "--1",
    "99999999999.99999", "NaN", "R", "0 0 R", "1 0 R", "12 0 R", "[", "<<", "(", "",
)  # fmt: skip
BLOBS = (
    b"\x00", b"\xff" * 8, b"%PDF-1.7\n", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
    b"\f", b"\r", b"\r\n", b"endstream", b"endobj", b"stream\n", b"trailer\n<< /Size 1 >>\n",
    b"xref\n0 1\n0000000000 65535 f \n", b"%%EOF", b"<<" * 3000, b"[" * 5000, b"(" * 64,
    b"\xed\xa0\x80", b"\xc3", b"\xe2\x80\xae", b"<w:p>", b"]]>", b"\t" * 1000,
)  # fmt: skip


# ---------------------------------------------------------------------------- applying

Loader = Callable[[str], bytes]


def apply(mutation: Mutation, load: Loader) -> bytes:
    """The mutated bytes: ``load(path)`` gives a seed's (or donor's) bytes."""
    data = load(mutation.seed)
    docx_ops = [op for op in mutation.ops if isinstance(op, DocxOp)]
    pdf_ops = [op for op in mutation.ops if isinstance(op, PdfOp)]
    byte_ops = [op for op in mutation.ops if isinstance(op, ByteOp)]
    if docx_ops:
        data = _apply_docx(data, docx_ops)
    for pop in pdf_ops:
        data = _bounded(data, _apply_pdf(data, pop))
    for bop in byte_ops:
        data = _bounded(data, _apply_bytes(data, bop, load))
    return data


def _bounded(old: bytes, new: bytes) -> bytes:
    return new if len(new) <= MAX_OUTPUT_BYTES else old


def _apply_bytes(data: bytes, op: ByteOp, load: Loader) -> bytes:
    n = len(data)
    if isinstance(op, Flip):
        if not n:
            return data
        i = op.pos % n
        return data[:i] + bytes([data[i] ^ (op.mask & 0xFF or 0xFF)]) + data[i + 1 :]
    if isinstance(op, Truncate):
        return data[: op.pos % (n + 1)]
    if isinstance(op, Insert):
        i = op.pos % (n + 1)
        return data[:i] + op.blob + data[i:]
    if isinstance(op, Delete):
        i = op.pos % (n + 1)
        return data[:i] + data[i + op.length :]
    if isinstance(op, Splice):
        donor = load(op.donor)
        s = op.start % (len(donor) + 1)
        chunk = donor[s : s + op.length]
        i = op.pos % (n + 1)
        return data[:i] + chunk + data[i + (len(chunk) if op.overwrite else 0) :]
    s = op.start % (n + 1)
    chunk = data[s : s + op.length]
    return data[:s] + chunk * op.times + data[s + len(chunk) :]


# -- DOCX


def _apply_docx(data: bytes, ops: list[DocxOp]) -> bytes:
    """Edit XML parts and re-zip with the original member order, names, dates and compression."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(info, zf.read(info)) for info in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return data  # not a readable ZIP: leave it to the byte operations
    trees: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    contents = {info.filename: raw for info, raw in members}
    for op in ops:
        if op.part not in contents:
            continue
        if op.part not in trees:
            try:
                trees[op.part] = etree.fromstring(contents[op.part], _XML_PARSER)
            except etree.XMLSyntaxError:
                continue
            sizes[op.part] = len(contents[op.part])
        sizes[op.part] = _apply_xml(trees[op.part], op, sizes[op.part])
    for part, root in trees.items():
        contents[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info, _ in members:
            fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            fresh.compress_type = info.compress_type
            fresh.external_attr = info.external_attr
            zf.writestr(fresh, contents[info.filename])
    return out.getvalue()


def _elements(root: Any) -> list[Any]:
    return [el for el in root.iter() if isinstance(el.tag, str)]


def _apply_xml(root: Any, op: DocxOp, size: int) -> int:
    """Apply ``op`` to the parsed part; returns the part's approximate serialized size."""
    elements = _elements(root)
    if isinstance(op, XmlDelete | XmlDup):
        # never the root: a part without one is merely not XML, which byte mutations cover
        below = [el for el in elements[1:] if el.tag == W + op.tag] if op.tag else elements[1:]
        if not below:
            return size
        el = below[op.index % len(below)]
        if isinstance(op, XmlDelete):
            el.getparent().remove(el)
            return size - len(etree.tostring(el))
        growth = len(etree.tostring(el)) * op.times
        if size + growth > MAX_PART_BYTES:
            return size
        for _ in range(op.times):
            el.addnext(copy.deepcopy(el))
        return size + growth
    if isinstance(op, XmlNest):
        el = elements[op.index % len(elements)]
        growth = len(etree.tostring(el))
        if size + growth > MAX_PART_BYTES:
            return size
        elements[op.into % len(elements)].append(copy.deepcopy(el))
        return size + growth
    if isinstance(op, XmlAttr):
        with_attrs = [el for el in elements if el.attrib]
        if with_attrs:
            el = with_attrs[op.index % len(with_attrs)]
            keys = sorted(el.attrib)
            el.set(keys[op.attr % len(keys)], op.value)
        return size + len(op.value)
    targets = [el for el in elements if el.tag == W + op.target]
    if targets:
        targets[op.index % len(targets)].set(W + NUM_TARGETS[op.target], op.value)
    return size + len(op.value)


# -- PDF

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_NUMBER = re.compile(rb"(?<![\w.+\-])[+\-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w.])")
_XREF_ENTRY = re.compile(rb"(?<!\d)(\d{10}) (\d{5}) ([nf])")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


def stream_spans(data: bytes, limit: int = 10_000) -> list[tuple[int, int]]:
    """``[start, end)`` of each stream's data (without the EOL before ``endstream``)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(spans) < limit:
        m = _STREAM.search(data, pos)
        if m is None:
            break
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        stop = (
            end - 2
            if data[end - 2 : end] == b"\r\n"
            else end - 1
            if data[end - 1 : end] in (b"\n", b"\r")
            else end
        )
        spans.append((m.end(), max(m.end(), stop)))
        pos = end + len(b"endstream")
    return spans


def _outside_streams(data: bytes, pattern: re.Pattern[bytes]) -> list[re.Match[bytes]]:
    spans = stream_spans(data)
    out: list[re.Match[bytes]] = []
    cursor = 0
    for start, end in [*spans, (len(data), len(data))]:
        out.extend(pattern.finditer(data, cursor, start))
        cursor = end
    return out


def _apply_pdf(data: bytes, op: PdfOp) -> bytes:
    if isinstance(op, PdfNum):
        tokens = _outside_streams(data, _NUMBER)
        if not tokens:
            return data
        m = tokens[op.index % len(tokens)]
        return data[: m.start()] + op.value.encode() + data[m.end() :]
    if isinstance(op, PdfKey):
        pattern = re.compile(re.escape(op.key.encode()) + rb"(?![A-Za-z])\s*\[?\s*([+\-]?\d+(?:\.\d*)?)")
        found = _outside_streams(data, pattern)
        if not found:
            return data
        m = found[op.index % len(found)]
        return data[: m.start(1)] + op.value.encode() + data[m.end(1) :]
    if isinstance(op, PdfXref):
        entries = _outside_streams(data, _XREF_ENTRY)
        if not entries:
            return data
        m = entries[op.index % len(entries)]
        value = b"%010d" % op.value if 0 <= op.value < 10**10 else str(op.value).encode()
        return data[: m.start(1)] + value + data[m.end(1) :]
    return _edit_stream(data, op)


def _edit_stream(data: bytes, op: PdfStream) -> bytes:
    flate: list[tuple[int, int, bytes]] = []
    for start, end in stream_spans(data):
        inflater = zlib.decompressobj()
        try:
            plain = inflater.decompress(data[start:end], MAX_INFLATE)
        except zlib.error:
            continue  # not Flate, or encrypted: nothing readable to edit
        if plain and not inflater.unconsumed_tail:
            flate.append((start, end, plain))
    if not flate:
        return data
    start, end, plain = flate[op.stream % len(flate)]
    tokens = list(_NUMBER.finditer(plain))
    if tokens:
        m = tokens[op.index % len(tokens)]
        plain = plain[: m.start()] + op.value.encode() + plain[m.end() :]
    else:
        i = op.index % len(plain)
        plain = plain[:i] + bytes([plain[i] ^ 0xFF]) + plain[i + 1 :]
    packed = zlib.compress(plain)
    head = data[:start]
    if op.fix_length:
        # the stream's own dictionary: the last direct /Length before its "stream" keyword
        dict_start = max(head.rfind(b"obj", 0, start), 0)
        lengths = list(_LENGTH.finditer(head, dict_start))
        if lengths:
            m = lengths[-1]
            head = head[: m.start(1)] + str(len(packed)).encode() + head[m.end(1) :]
    return head + packed + data[end:]


# ---------------------------------------------------------------------------- the child process


@dataclass(frozen=True)
class Outcome:
    """What one ``ingest`` call did. ``kind``: ok, coded, uncoded, bad_result, memory, hang, crash."""

    kind: str
    detail: str = ""
    code: str = ""
    chars: int = 0
    seconds: float = 0.0


INGEST = "pipeline.ingest:ingest"
STARTUP_TIMEOUT_S = 120.0


def _vm_hwm_kb() -> int:
    """This process's own peak RSS. Not ru_maxrss: Linux carries the forking parent's high-water
    mark across exec into it, so a child of a big pytest process would report the parent's."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def _serve(conn: Connection, memory_limit: int, max_rss_kb: int) -> None:
    """Child: answer each (data, name, settings dict, reader) request with an ``Outcome``."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a native crash must not write a core file
    import importlib
    import logging
    import time

    from pipeline.config import Settings
    from pipeline.errors import LongdocError
    from pipeline.types import ExtractedText

    logging.disable(logging.CRITICAL)  # pypdf warns on every broken xref; outcomes are what count
    importlib.import_module(INGEST.partition(":")[0])
    conn.send("ready")  # start-up (imports) is done: the per-document timeout starts after it
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        data, name, fields, reader = request
        module, _, function = reader.partition(":")
        read = getattr(importlib.import_module(module), function)
        settings = Settings.model_validate(fields)
        started = time.perf_counter()
        try:
            result = read(data, name=name, settings=settings)
        except LongdocError as exc:
            chain = _chain(exc)
            kind = "memory" if "MemoryError" in chain else "coded"
            code = exc.code if isinstance(exc.code, str) and exc.code else ""
            outcome = Outcome(kind if code else "bad_result", f"{exc.message[:300]} [{chain}]", code)
        except BaseException as exc:  # noqa: B036 - anything else, even SystemExit, is the finding
            outcome = Outcome("uncoded", "".join(traceback.format_exception(exc))[-4000:])
        else:
            limit = settings.max_text_chars
            if not isinstance(result, ExtractedText) or not isinstance(result.text, str):
                outcome = Outcome("bad_result", f"ingest returned {type(result).__name__}")
            elif len(result.text) > limit:
                outcome = Outcome(
                    "bad_result", f"{len(result.text):,} characters, over max_text_chars {limit:,}"
                )
            else:
                outcome = Outcome("ok", chars=len(result.text))
        rss = _vm_hwm_kb()
        if rss > max_rss_kb:
            outcome = Outcome("memory", f"peak RSS {rss // 1024} MiB; {outcome.kind}: {outcome.detail}")
        conn.send(
            Outcome(outcome.kind, outcome.detail, outcome.code, outcome.chars, time.perf_counter() - started)
        )
        if outcome.kind == "memory":
            return  # the peak RSS is a high-water mark: the next request needs a fresh process


# Misbehaving readers for the harness's own test: each must come back as the outcome it names.


def hang(data: bytes, **_: Any) -> None:
    threading.Event().wait()


def crash(data: bytes, **_: Any) -> None:
    ctypes.string_at(0)  # SIGSEGV, as a native parser bug would


def hog_rss(data: bytes, **_: Any) -> None:
    from pipeline.errors import Unreadable

    block = b"x" * (len(data) * 1024**2)  # touched pages: they count in the resident size
    raise Unreadable(f"held {len(block):,} bytes")


def hog_address_space(data: bytes, **_: Any) -> None:
    from pipeline.errors import Unreadable

    try:
        bytearray(1 << 40)
    except MemoryError as exc:  # as ingest reports it: a coded error caused by MemoryError
        raise Unreadable("document too complex to read (MemoryError)") from exc


def uncoded(data: bytes, **_: Any) -> None:
    raise KeyError("a parser bug that escaped")


def _chain(exc: BaseException) -> str:
    """Type names along the cause/context chain, e.g. ``Unreadable<-MemoryError``."""
    names: list[str] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen and len(names) < 8:
        seen.add(id(cur))
        names.append(type(cur).__name__)
        cur = cur.__cause__ or cur.__context__
    return "<-".join(names)


class Worker:
    """One child process reading documents; replaced after a hang, a crash or a memory blow-up."""

    def __init__(self, *, memory_limit: int, max_rss: int, timeout: float) -> None:
        self.memory_limit = memory_limit
        self.max_rss_kb = max_rss // 1024
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a test process with threads
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_serve, args=(child, self.memory_limit, self.max_rss_kb), daemon=True, name="fuzz-ingest"
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        # A spawned child imports the readers first, seconds on a loaded machine: that is not a
        # hang of the document, so it has a deadline of its own.
        if not parent.poll(STARTUP_TIMEOUT_S) or parent.recv() != "ready":
            self.stop()
            raise RuntimeError(f"the reading process did not start within {STARTUP_TIMEOUT_S} s")

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            self._proc.join(timeout=self.timeout)
            if self._proc.is_alive():
                self._proc.kill()  # only our own child, by its handle
                self._proc.join()
        self._proc = self._conn = None

    def run(self, data: bytes, name: str, settings: dict[str, Any], reader: str = INGEST) -> Outcome:
        """Read ``data`` with ``reader`` ("module:function", called like ``ingest``) in the child."""
        if self._proc is None or not self._proc.is_alive():
            self.stop()
            self.start()
        assert self._proc is not None and self._conn is not None
        try:
            self._conn.send((data, name, settings, reader))
            ready = self._conn.poll(self.timeout)
            outcome = self._conn.recv() if ready else None
        except (EOFError, OSError):
            outcome = None
            ready = True
        if outcome is None:
            if not ready:
                self._proc.kill()
                self._proc.join()
                outcome = Outcome("hang", f"no answer within {self.timeout:g} s; child killed")
            else:
                self._proc.join(timeout=self.timeout)
                code = self._proc.exitcode
                how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                outcome = Outcome("crash", f"the reading process died ({how})")
            self.stop()
        assert isinstance(outcome, Outcome)
        if outcome.kind == "memory":
            self.stop()
        return outcome
