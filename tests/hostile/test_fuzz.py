"""Issue 12: property-based fuzzing of ``ingest`` with mutated real files from ../shared/data.

Property: for any mutation of a real PDF, DOCX or TXT file, ``ingest`` returns text no longer
than ``max_text_chars`` or raises a coded ``LongdocError``, within a few seconds and without a
memory blow-up. Each example is read in a child process (``tests.hostile.mutate.Worker``) under
an address-space limit and a wall-clock timeout, so a hang or a native crash is a reported
failure rather than a stuck run.

Deterministic (``derandomize``, no example database) and bounded: a fixed number of examples,
no shrinking by default (a hang would be re-run for every shrink step). A failing example is
printed as a ``Mutation``, which ``tests.hostile.mutate.apply`` turns back into the exact bytes.
For a longer local hunt with minimal reproducers::

    LONGDOC_FUZZ_SCALE=10 LONGDOC_FUZZ_SHRINK=1 python -m pytest -q tests/hostile/test_fuzz.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st

from tests.conftest import SHARED_DATA, needs_shared
from tests.hostile.mutate import (
    ATTR_VALUES,
    BLOBS,
    BLOCK_TAGS,
    DOCX_PARTS,
    NUM_TARGETS,
    NUM_VALUES,
    PDF_KEYS,
    Delete,
    Flip,
    Insert,
    Mutation,
    NumAttr,
    Op,
    Outcome,
    PdfKey,
    PdfNum,
    PdfStream,
    PdfXref,
    Repeat,
    Splice,
    Truncate,
    Worker,
    XmlAttr,
    XmlDelete,
    XmlDup,
    XmlNest,
    apply,
)

pytestmark = [needs_shared, pytest.mark.slow, pytest.mark.shared_data]

# Small real files (< 300 KB) covering the readers' usual and unusual paths.
PDF_SEEDS = (
    "pdfs/sample-files/minimal-document.pdf",  # pdfTeX, xref stream + object stream
    "pdfs/pdfminer/dmca.pdf",  # a statute, 18 pages, over the fuzz text limit (too_large path)
    "pdfs/pdfminer/naacl06-shinyama.pdf",  # two-column paper, classic xref table
    "pdfs/pdfplumber/2023-06-20-PV.pdf",  # tagged, several xref streams and object streams
    "pdfs/pypdf/r2-owner-password.pdf",  # RC4 encrypted, opens with the empty user password
    "pdfs/sample-files/libreoffice-writer-password.pdf",  # encrypted, needs a password
    "pdfs/pdfminer/issue-886-xref-stream-widths.pdf",  # xref stream with odd /W widths
    "pdfs/pypdf/issue-297.pdf",  # broken xref, needs the lenient path
    "pdfs/pdfminer/zen_of_python_corrupted.pdf",  # corrupted Flate content stream
)
DOCX_SEEDS = (
    "docx/legal/openagreements-due-diligence-request-list.docx",  # ~150 multi-level numbered items
    "docx/legal/bonterms-mutual-nda.docx",  # a contract held in tables
    "docx/pandoc/pandoc-lists_level_override.docx",  # w:lvlOverride / w:startOverride
    "docx/pandoc/pandoc-table_with_list_cell.docx",  # a numbered list inside a table cell
    "docx/pandoc/pandoc-notes.docx",  # a footnote and an endnote
    "docx/python-docx/pydocx-hdr-header-footer.docx",  # headers and footers, two sections
    "docx/mammoth/mammoth-utf8-bom.docx",  # XML parts starting with a BOM
)
TXT_SEEDS = (
    "cuad-dev/contracts/NELNETINC_04_08_2020-EX-1-JOINT_FILING_AGREEMENT.txt",
    "cuad-dev/contracts/GluMobileInc_20070319_S-1A_EX-10.09_436630_EX-10.09_Content_License_Agreement4.txt",
    "cuad-dev/contracts/CORALGOLDRESOURCES_LTD_05_28_2020-EX-4.1-CONSULTING_AGREEMENT.txt",
)
ALL_SEEDS = PDF_SEEDS + DOCX_SEEDS + TXT_SEEDS

# Lower than the defaults so the limit paths are part of what gets fuzzed; the DOCX ones sit
# just above the largest DOCX seed (19,401 characters, 170 paragraphs), so duplicated elements
# cross them.
# OCR off: a mutant whose text layer breaks would be OCR'd at seconds a page, past TIMEOUT;
# the parsers are what is fuzzed here (OCR's bounds: tests/test_ocr.py, the pixel cap and timeout).
FUZZ_SETTINGS: dict[str, Any] = {"max_text_chars": 40_000, "ocr": {"enabled": False}}
DOCX_SETTINGS: dict[str, Any] = {"max_text_chars": 20_000, "docx_max_paragraphs": 200}
MEMORY_LIMIT = 1536 * 1024**2  # address space of the child
MAX_RSS = 1024**3  # a peak resident size past this on a file under 1 MB is a blow-up
TIMEOUT = 10.0  # seconds per example; a healthy read of any seed takes well under one

SCALE = max(1, int(os.environ.get("LONGDOC_FUZZ_SCALE", "1")))
PHASES = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if os.environ.get("LONGDOC_FUZZ_SHRINK") else ())


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        # The child's TIMEOUT is the real bound; this only flags an example that somehow ran past it.
        deadline=timedelta(seconds=TIMEOUT * 2),
        derandomize=True,
        database=None,
        phases=PHASES,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        print_blob=False,
    )


@cache
def load_seed(path: str) -> bytes:
    return (SHARED_DATA / path).read_bytes()


# ---------------------------------------------------------------------------- strategies

positions = st.integers(min_value=0, max_value=2**20)
numbers = st.one_of(st.sampled_from(NUM_VALUES), st.integers(min_value=-(2**70), max_value=2**70).map(str))
attr_values = st.one_of(
    st.sampled_from(ATTR_VALUES), st.integers(min_value=-(2**70), max_value=2**70).map(str)
)

byte_ops: st.SearchStrategy[Op] = st.one_of(
    st.builds(Flip, pos=positions, mask=st.integers(min_value=1, max_value=255)),
    st.builds(Truncate, pos=positions),
    st.builds(
        Insert, pos=positions, blob=st.one_of(st.sampled_from(BLOBS), st.binary(min_size=1, max_size=64))
    ),
    st.builds(Delete, pos=positions, length=st.integers(min_value=1, max_value=4096)),
    st.builds(
        Splice,
        pos=positions,
        donor=st.sampled_from(ALL_SEEDS),
        start=positions,
        length=st.integers(min_value=1, max_value=4096),
        overwrite=st.booleans(),
    ),
    st.builds(
        Repeat,
        start=positions,
        length=st.integers(min_value=1, max_value=16_384),
        times=st.integers(min_value=2, max_value=64),
    ),
)
pdf_ops: st.SearchStrategy[Op] = st.one_of(
    st.builds(PdfNum, index=positions, value=numbers),
    st.builds(PdfKey, key=st.sampled_from(PDF_KEYS), index=positions, value=numbers),
    st.builds(PdfXref, index=positions, value=st.integers(min_value=-(2**40), max_value=2**40)),
    st.builds(PdfStream, stream=positions, index=positions, value=numbers, fix_length=st.booleans()),
)


def docx_ops(parts: list[str]) -> st.SearchStrategy[Op]:
    part = st.sampled_from(parts)
    tags = st.sampled_from(("", *BLOCK_TAGS))  # "": any element
    return st.one_of(
        st.builds(XmlDelete, part=part, index=positions, tag=tags),
        st.builds(XmlDup, part=part, index=positions, times=st.integers(min_value=1, max_value=64), tag=tags),
        st.builds(XmlNest, part=part, index=positions, into=positions),
        st.builds(
            XmlAttr, part=part, index=positions, attr=st.integers(min_value=0, max_value=8), value=attr_values
        ),
        st.builds(
            NumAttr,
            part=part,
            target=st.sampled_from(sorted(NUM_TARGETS)),
            index=positions,
            value=attr_values,
        ),
    )


@cache
def docx_parts(seed: str) -> list[str]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(load_seed(seed))) as zf:
        names = set(zf.namelist())
    return [p for p in DOCX_PARTS if p in names]


@st.composite
def mutations(draw: st.DrawFn, kind: str) -> Mutation:
    """A seed of ``kind`` with 1-6 operations: structure-aware ones first, then raw bytes."""
    if kind == "pdf":
        seed = draw(st.sampled_from(PDF_SEEDS))
        ops = draw(st.lists(pdf_ops, max_size=4)) + draw(st.lists(byte_ops, max_size=2))
        name = ""
    elif kind == "docx":
        seed = draw(st.sampled_from(DOCX_SEEDS))
        # byte edits of a ZIP mostly end in a CRC error: keep them rare, the XML is the target
        ops = draw(st.lists(docx_ops(docx_parts(seed)), min_size=1, max_size=4))
        ops += draw(st.lists(byte_ops, max_size=1))
        name = ""
    else:
        seed = draw(st.sampled_from(TXT_SEEDS))
        ops = []
        name = Path(seed).with_suffix(".md").name if draw(st.booleans()) else ""
    if not ops:
        ops = draw(st.lists(byte_ops, min_size=1, max_size=4))
    return Mutation(seed=seed, ops=tuple(ops), name=name)


# ---------------------------------------------------------------------------- the property


class UncodedError(AssertionError):
    """ingest raised something that is not a LongdocError."""


class Hang(AssertionError):
    """ingest did not finish within TIMEOUT."""


class Crash(AssertionError):
    """the reading process died (segfault, abort) instead of raising."""


class MemoryBlowUp(AssertionError):
    """ingest ran out of its address space or past MAX_RSS."""


class BadResult(AssertionError):
    """ingest returned something other than text within max_text_chars (or an uncoded error object)."""


# One class per kind of failure, so Hypothesis reports each kind found as a distinct bug.
FAILURES: dict[str, type[AssertionError]] = {
    "uncoded": UncodedError,
    "hang": Hang,
    "crash": Crash,
    "memory": MemoryBlowUp,
    "bad_result": BadResult,
}


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker(memory_limit=MEMORY_LIMIT, max_rss=MAX_RSS, timeout=TIMEOUT)
    w.start()
    yield w
    w.stop()


def check(worker: Worker, mutation: Mutation, backend: str | None = None) -> Outcome:
    data = apply(mutation, load_seed)
    fields = dict(DOCX_SETTINGS if mutation.seed.endswith(".docx") else FUZZ_SETTINGS)
    if backend:
        fields["pdf_backend"] = backend
    outcome = worker.run(data, mutation.file_name(), fields)
    if currently_in_test_context():  # also used for the plain seed test, outside Hypothesis
        # Spelled out: under pytest, Hypothesis 6.170 prints dataclass arguments as "mutation=,".
        note(f"reproducer: apply({mutation!r}, load_seed) -> {len(data):,} bytes; {outcome}")
        event(f"outcome: {outcome.code or outcome.kind}")
    failure = FAILURES.get(outcome.kind)
    if failure is not None:
        raise failure(f"{outcome.kind}: {outcome.detail}")
    return outcome


@pytest.mark.parametrize(
    ("reader", "kind"),
    [
        ("uncoded", "uncoded"),
        ("hang", "hang"),
        ("crash", "crash"),
        ("hog_rss", "memory"),
        ("hog_address_space", "memory"),
    ],
)
def test_harness_reports_misbehaving_readers(reader: str, kind: str) -> None:
    """The child process turns each way a reader can misbehave into the outcome that fails a test."""
    # A short timeout only where a hang is the point: touching 200 MB may take over a second
    # on a loaded machine, and that is not a hang.
    w = Worker(memory_limit=MEMORY_LIMIT, max_rss=128 * 1024**2, timeout=1.0 if kind == "hang" else TIMEOUT)
    try:
        outcome = w.run(b"\x00" * 200, "x", FUZZ_SETTINGS, reader=f"tests.hostile.mutate:{reader}")
        assert outcome.kind == kind, outcome
        # and the next document gets a working process again
        assert w.run(b"plain text", "x.txt", FUZZ_SETTINGS).kind == "ok"
    finally:
        w.stop()


def test_seeds_are_read(worker: Worker) -> None:
    """Every seed, unmutated, is parsed (not ``unreadable``), so the mutants start from real paths."""
    for seed in ALL_SEEDS:
        for backend in ("pypdfium2", "pypdf") if seed.endswith(".pdf") else (None,):
            outcome = check(worker, Mutation(seed=seed, ops=()), backend)
            assert outcome.code != "unreadable", (seed, backend, outcome)


@fuzz_settings(examples=80)
@given(mutation=mutations("txt"))
def test_fuzz_text(worker: Worker, mutation: Mutation) -> None:
    check(worker, mutation)


@fuzz_settings(examples=200)
@given(mutation=mutations("docx"))
def test_fuzz_docx(worker: Worker, mutation: Mutation) -> None:
    check(worker, mutation)


@fuzz_settings(examples=200)
@given(mutation=mutations("pdf"))
def test_fuzz_pdf_pypdfium2(worker: Worker, mutation: Mutation) -> None:
    check(worker, mutation, "pypdfium2")


@fuzz_settings(examples=120)
@given(mutation=mutations("pdf"))
def test_fuzz_pdf_pypdf(worker: Worker, mutation: Mutation) -> None:
    check(worker, mutation, "pypdf")


@needs_shared
@pytest.mark.parametrize("mutation", [
    # A member's local header moved before the start of the file: zipfile raises ValueError.
    Mutation(seed="docx/pandoc/pandoc-table_with_list_cell.docx", ops=(
        XmlDelete(part="word/settings.xml", index=300, tag="num"),
        NumAttr(part="word/settings.xml", target="ilvl", index=12977, value="-356"),
        Delete(pos=2036, length=1677))),
    # A local header whose file name is not UTF-8: zipfile raises UnicodeDecodeError.
    Mutation(seed="docx/legal/openagreements-due-diligence-request-list.docx", ops=(
        XmlDelete(part="word/styles.xml", index=2077, tag="tc"),
        Splice(pos=63724, donor="docx/mammoth/mammoth-utf8-bom.docx", start=14843, length=1510, overwrite=True))),
])  # fmt: skip
def test_a_damaged_member_header_is_reported_as_such(mutation: Mutation) -> None:
    # Found by the fuzz test: these were `unreadable` only through ingest()'s catch-all, with a
    # message naming a Python exception instead of the damaged member.
    from pipeline.config import LimitsConfig
    from pipeline.errors import Unreadable
    from pipeline.ingest import ingest

    with pytest.raises(Unreadable, match="cannot be decompressed"):
        ingest(apply(mutation, load_seed), name="damaged.docx", limits=LimitsConfig.model_validate({}))
