"""PDF ingest: exact page maps, passwords, coded errors, text-layer warnings, both backends.

Every PDF the default tests need is written here by hand, so they run without ../shared/data;
the tests over the shared corpus skip when it is absent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.config import LimitsConfig, OcrConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest import pdf as pdf_module
from pipeline.ingest.pdf import PAGE_BREAK, Backend, clean_page, extract_pdf
from pipeline.types import ExtractedText
from tests.conftest import SHARED_DATA, needs_shared
from tests.pdf_helpers import IMAGE_OPS, build_pdf, encrypt, make_pdf, stream, text_ops

LIMITS = LimitsConfig.model_validate({})  # the defaults, whatever the environment

BACKENDS: tuple[Backend, ...] = ("pypdfium2", "pypdf")
both_backends = pytest.mark.parametrize("backend", BACKENDS)


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> Iterator[None]:
    # pypdf logs every odd font and broken xref; the assertions are what matter.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def code_of(call: Callable[[], object]) -> str:
    with pytest.raises(LongdocError) as info:
        call()
    return info.value.code


def assert_page_map(doc: ExtractedText) -> None:
    assert doc.pages, "at least one page"
    assert doc.pages[0].start == 0
    assert doc.pages[-1].end == len(doc.text)
    for i, (page, following) in enumerate(zip(doc.pages, doc.pages[1:], strict=False)):
        assert page.number == i + 1
        assert page.end == following.start
        # The page break lies inside the page it ends, and only there.
        assert doc.text[page.start : page.end].endswith(PAGE_BREAK)
        assert PAGE_BREAK not in doc.text[page.start : page.end - 1]
    assert PAGE_BREAK not in doc.text[doc.pages[-1].start :]
    assert "\r" not in doc.text and "\x00" not in doc.text


# ---------------------------------------------------------------------------- text and pages


@both_backends
def test_two_pages_text_and_page_map(backend: Backend) -> None:
    doc = extract_pdf(make_pdf(text_ops("First line", "Second line"), text_ops("Page two")), backend=backend)
    assert doc.text == "First line\nSecond line\n\fPage two\n"
    assert [(p.number, p.start, p.end) for p in doc.pages] == [(1, 0, 24), (2, 24, 33)]
    assert doc.backend == backend and doc.media_type == "application/pdf"
    assert doc.warnings == []
    assert doc.page_at(doc.text.index("Page two")) == 2
    assert_page_map(doc)


def test_dispatcher_uses_the_configured_backend() -> None:
    data = make_pdf(text_ops("Via ingest"))
    assert ingest(data, name="a.pdf", limits=LIMITS).backend == LIMITS.pdf_backend == "pypdfium2"
    assert ingest(data, name="a.pdf", limits=LimitsConfig(pdf_backend="pypdf")).backend == "pypdf"


def test_unknown_backend_is_a_config_error() -> None:
    assert code_of(lambda: extract_pdf(make_pdf(text_ops("x")), backend="nope")) == "config"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "backend", "expected"),
    [
        ("unterschiedli-\nchem", "pypdf", "unterschiedlichem"),
        ("E-\nMail and 2-\n3", "pypdf", "E-\nMail and 2-\n3"),
        ("unterschiedli\ufffechem FAA\ufffeapproved", "pypdfium2", "unterschiedlichem FAA-approved"),
        ("Gra\ufb01k \ufb00 \ufb03", "pypdfium2", "Grafik ff ffi"),
        ("a\r\nb\rc\x00d", "pypdf", "a\nb\ncd"),
        ("box\x04 brace\x0c form feed", "pypdfium2", "box  brace  form feed"),
        ("lone \ud835 surrogate, x\u00b2 kept", "pypdf", "lone  surrogate, x\u00b2 kept"),
        ("e\u0301", "pypdf", "\u00e9"),
    ],
)
def test_clean_page(raw: str, backend: str, expected: str) -> None:
    assert clean_page(raw, backend=backend) == expected


@both_backends
def test_characters_outside_the_bmp_survive(backend: Backend) -> None:
    # ToUnicode maps "A" to MATHEMATICAL ITALIC SMALL A (U+1D44E), a surrogate pair in UTF-16.
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"2 beginbfchar <41> <D835DC4E> <42> <0042> endbfchar endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream(b"BT /F1 24 Tf 72 700 Td (ABAB) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        stream(cmap),
    ]
    assert extract_pdf(build_pdf(objects), backend=backend).text == "\U0001d44eB\U0001d44eB\n"


# ---------------------------------------------------------------------------- passwords


@both_backends
def test_empty_user_password_opens_silently(backend: Backend) -> None:
    data = encrypt(make_pdf(text_ops("Open to all")), user="")
    assert extract_pdf(data, backend=backend).text == "Open to all\n"
    # A wrong password for a file that needs none is no reason to refuse it.
    assert extract_pdf(data, password="whatever", backend=backend).text == "Open to all\n"


@both_backends
def test_password_required(backend: Backend) -> None:
    data = encrypt(make_pdf(text_ops("Top secret")), user="s3cret")
    with pytest.raises(LongdocError) as missing:
        extract_pdf(data, backend=backend)
    assert missing.value.code == "encrypted" and "password is needed" in missing.value.message
    with pytest.raises(LongdocError) as wrong:
        extract_pdf(data, password="guess", backend=backend)
    assert wrong.value.code == "encrypted" and "wrong password" in wrong.value.message
    assert extract_pdf(data, password="s3cret", backend=backend).text == "Top secret\n"
    assert extract_pdf(data, password="owner-pw", backend=backend).text == "Top secret\n"


def test_dispatcher_names_the_document_in_errors() -> None:
    data = encrypt(make_pdf(text_ops("x")), user="pw")
    with pytest.raises(LongdocError) as info:
        ingest(data, name="locked.pdf", limits=LIMITS)
    assert info.value.code == "encrypted" and info.value.document == "locked.pdf"
    assert ingest(data, name="locked.pdf", password="pw", limits=LIMITS).text == "x\n"


# ---------------------------------------------------------------------------- broken files


@both_backends
@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 4,
        make_pdf(text_ops("cut short"))[:300],
        b"%PDF-1.4\n%%EOF\n",
    ],
    ids=["garbage", "truncated", "header-only"],
)
def test_unparseable_is_unreadable(backend: Backend, data: bytes) -> None:
    assert code_of(lambda: extract_pdf(data, backend=backend)) == "unreadable"
    assert (
        code_of(lambda: ingest(data, name="bad.pdf", limits=LimitsConfig(pdf_backend=backend)))
        == "unreadable"
    )


@both_backends
def test_circular_form_xobject_terminates(backend: Backend) -> None:
    resources = b"/Resources << /Font << /F1 6 0 R >> /XObject << /X 5 0 R >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s /Contents 4 0 R >>" % resources,
        stream(b"BT /F1 12 Tf 72 720 Td (Outer) Tj ET /X Do"),
        stream(
            b"BT /F1 12 Tf 72 700 Td (Loop) Tj ET /X Do",
            b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] %s " % resources,
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    try:
        doc = extract_pdf(build_pdf(objects), backend=backend)
    except LongdocError as exc:
        assert exc.code == "unreadable"
    else:
        assert doc.text.startswith("Outer")


@pytest.mark.parametrize(
    ("failure", "code"),
    [(RecursionError(), "unreadable"), (ValueError("bug"), "unreadable"), (MemoryError(), "unreadable")],
)
def test_library_exceptions_become_coded_errors(
    monkeypatch: pytest.MonkeyPatch, failure: BaseException, code: str
) -> None:
    def reader(data: bytes, password: str | None, labels: list[str]) -> list[str | None]:
        raise failure

    monkeypatch.setitem(pdf_module.BACKENDS, "pypdf", reader)
    assert code_of(lambda: extract_pdf(b"%PDF-", backend="pypdf")) == code


# ---------------------------------------------------------------------------- text layer


@both_backends
def test_image_only_pdf_has_no_text_layer(backend: Backend) -> None:
    data = make_pdf(IMAGE_OPS, b"")
    with pytest.raises(LongdocError) as info:
        extract_pdf(data, backend=backend)
    assert info.value.code == "no_text_layer" and "OCR" in info.value.message


@both_backends
def test_mixed_document_warns_about_the_blank_page(backend: Backend) -> None:
    doc = extract_pdf(make_pdf(text_ops("one"), IMAGE_OPS, text_ops("three")), backend=backend)
    assert doc.text == "one\n\f\fthree\n"
    assert [w.code for w in doc.warnings] == ["no_text_layer"]
    assert doc.warnings[0].pages == [2] and "page 2" in doc.warnings[0].message
    assert (doc.pages[1].start, doc.pages[1].end) == (5, 6)
    assert_page_map(doc)


def test_unparseable_pages_are_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pdf_module.BACKENDS, "pypdf", lambda data, password, labels: ["text", None, "  "])
    doc = extract_pdf(b"%PDF-", backend="pypdf")
    assert doc.text == "text\n\f\f"
    assert {w.code: w.pages for w in doc.warnings} == {"no_text_layer": [3], "unreadable_pages": [2]}
    monkeypatch.setitem(pdf_module.BACKENDS, "pypdf", lambda data, password, labels: [None, None])
    assert code_of(lambda: extract_pdf(b"%PDF-", backend="pypdf")) == "unreadable"
    monkeypatch.setitem(pdf_module.BACKENDS, "pypdf", lambda data, password, labels: [])
    assert code_of(lambda: extract_pdf(b"%PDF-", backend="pypdf")) == "empty_document"


def test_pdfium_is_safe_to_call_from_threads() -> None:
    data = make_pdf(*(text_ops(f"Page {i}", "more text") for i in range(20)))
    expected = extract_pdf(data).text
    with ThreadPoolExecutor(max_workers=8) as pool:
        texts = list(pool.map(lambda _: extract_pdf(data).text, range(32)))
    assert set(texts) == {expected}


# ---------------------------------------------------------------------------- shared corpus

PASSWORDS = {
    "pdfs/sample-files/libreoffice-writer-password.pdf": "openpassword",
    **{f"pdfs/pypdf/r{r}-user-password.pdf": "asdfzxcv" for r in ("2", "3", "4", "4-aes", "5", "6")},
    "pdfs/pypdf/r6-both-passwords.pdf": "foo",
    "pdfs/pypdf/crazyones-encrypted-256.pdf": "password",
    "pdfs/pdfplumber/password-example.pdf": "test",
    **{
        f"pdfs/pdfminer/{name}.pdf": "foo"
        for name in ("rc4-40", "rc4-128", "aes-128", "aes-256", "aes-256-m")
    },
}
# Malformed files worth the slower pure-Python backend too.
MALFORMED = [
    "pdfs/pdfminer/issue-1113-evil-xobjects.pdf",
    "pdfs/pdfminer/zen_of_python_corrupted.pdf",
    "pdfs/pdfminer/issue-886-xref-stream-widths.pdf",
    "pdfs/pypdf/issue-297.pdf",
    "pdfs/pypdf/encrypted_doc_no_id.pdf",
    "pdfs/ocrmypdf/invalid.pdf",
    "pdfs/ocrmypdf/kcs.pdf",
    "pdfs/sample-files/unreadablemetadata.pdf",
]
CODES = {"unreadable", "encrypted", "no_text_layer", "empty_document"}


def shared_pdfs() -> list[Path]:
    return sorted(SHARED_DATA.rglob("*.pdf")) if SHARED_DATA.is_dir() else []


def ingest_file(path: Path, backend: Backend) -> ExtractedText | str:
    rel = path.relative_to(SHARED_DATA).as_posix()
    try:
        return ingest(
            path.read_bytes(),
            name=rel,
            password=PASSWORDS.get(rel),
            # Robustness, not OCR (tests/test_ocr.py): OCR'ing the 36 scanned pages here costs minutes.
            limits=LimitsConfig(pdf_backend=backend, ocr=OcrConfig(enabled=False)),
        )
    except LongdocError as exc:
        assert exc.code in CODES, f"{rel}: unexpected {exc.one_line()}"
        return exc.code


@needs_shared
def test_every_shared_pdf_gives_text_or_a_coded_error() -> None:
    outcomes: dict[str, int] = {}
    for path in shared_pdfs():
        result = ingest_file(path, "pypdfium2")
        if isinstance(result, ExtractedText):
            assert_page_map(result)
            result = "ok"
        outcomes[result] = outcomes.get(result, 0) + 1
    assert outcomes.get("ok", 0) >= 80, outcomes


@needs_shared
@both_backends
@pytest.mark.parametrize("rel", MALFORMED)
def test_malformed_shared_pdfs(backend: Backend, rel: str) -> None:
    path = SHARED_DATA / rel
    if not path.is_file():
        pytest.skip(f"{rel} absent")
    result = ingest_file(path, backend)
    if isinstance(result, ExtractedText):
        assert_page_map(result)


@needs_shared
@both_backends
@pytest.mark.parametrize("rel", sorted(PASSWORDS))
def test_encrypted_fixtures_open_with_their_passwords(backend: Backend, rel: str) -> None:
    path = SHARED_DATA / rel
    if not path.is_file():
        pytest.skip(f"{rel} absent")
    data = path.read_bytes()
    assert extract_pdf(data, password=PASSWORDS[rel], backend=backend).text.strip()
    # pypdf also accepts an empty *owner* password, which r5/r6-user-password have.
    if not (backend == "pypdf" and rel.endswith(("r5-user-password.pdf", "r6-user-password.pdf"))):
        assert code_of(lambda: extract_pdf(data, backend=backend)) == "encrypted"


@needs_shared
def test_geotopo_long_document() -> None:
    path = SHARED_DATA / "pdfs" / "sample-files" / "GeoTopo-komprimiert.pdf"
    if not path.is_file():
        pytest.skip("GeoTopo absent")
    doc = extract_pdf(path.read_bytes())
    assert doc.page_count == 117 and not doc.warnings
    assert_page_map(doc)
    assert "unterschiedlichem" in doc.text and "\ufb01" not in doc.text
    start = doc.text.index("1.1 Topologische Räume\nDefinition 1")
    assert doc.page_at(start) == 6
