"""Type by content, coded errors for bad input, and text decoding that never fails."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config import LimitsConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest

LIMITS = LimitsConfig.model_validate({})  # the defaults, whatever the environment


def code_of(data: bytes, **kw: object) -> str:
    with pytest.raises(LongdocError) as info:
        ingest(data, name="f", **{"limits": LIMITS, **kw})  # type: ignore[arg-type]
    return info.value.code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Plain UTF-8 – “quotes”\n".encode(), "Plain UTF-8 – “quotes”\n"),
        (b"\xef\xbb\xbfWith BOM", "With BOM"),
        ("UTF-16 LE ✓".encode("utf-16"), "UTF-16 LE ✓"),
        (b"\xfe\xff" + "BE ✓".encode("utf-16-be"), "BE ✓"),
        ("Caf\u00e9 \u201cquoted\u201d".encode("cp1252"), "Café “quoted”"),
        (b"line one\r\nline two\rline three", "line one\nline two\nline three"),
    ],
)
def test_text_encodings(raw: bytes, expected: str) -> None:
    assert ingest(raw, name="a.txt", limits=LIMITS).text == expected


def test_markdown_media_type_from_name_only_refines_text() -> None:
    assert ingest(b"# Title\n\nBody", name="notes.md", limits=LIMITS).media_type == "text/markdown"
    assert ingest(b"# Title\n\nBody", name="notes.pdf", limits=LIMITS).media_type == "text/plain"


def test_type_is_by_content_not_name() -> None:
    with pytest.raises(LongdocError) as info:
        ingest(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, name="contract.txt", limits=LIMITS)
    assert info.value.code == "unsupported_media_type"
    assert info.value.document == "contract.txt"


def test_error_codes() -> None:
    assert code_of(b"") == "empty_document"
    assert code_of(b"   \n\n\t ") == "empty_document"
    assert code_of(b"x" * 101, limits=LimitsConfig(max_document_bytes=100)) == "too_large"
    assert code_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == "unsupported_media_type"
    assert code_of(bytes(range(256)) * 4) == "unsupported_media_type"
    assert code_of(b"PK\x03\x04garbage that is not a zip") == "unreadable"


def test_zip_that_is_not_docx_is_unsupported() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert code_of(buf.getvalue()) == "unsupported_media_type"


def test_form_feeds_make_pages() -> None:
    ex = ingest(b"page one\fpage two\fpage three", name="t.txt", limits=LIMITS)
    assert [p.number for p in ex.pages] == [1, 2, 3]
    assert ex.page_at(ex.text.index("two")) == 2
    assert ex.pages[-1].end == len(ex.text)


@given(st.binary(max_size=2000))
def test_never_a_traceback_on_any_bytes(data: bytes) -> None:
    try:
        ex = ingest(data, name="fuzz", limits=LIMITS)
    except LongdocError as exc:
        assert exc.code in {
            "empty_document",
            "unsupported_media_type",
            "unreadable",
            "encrypted",
            "no_text_layer",
        }
    else:
        assert ex.text.strip()
        assert ex.pages[0].start == 0 and ex.pages[-1].end == len(ex.text)


@given(st.text(min_size=1, max_size=500).filter(lambda s: s.strip() and "\x00" not in s))
def test_utf8_text_round_trips(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        assert ingest(text.encode(), name="t.txt", limits=LIMITS).text == expected
    except LongdocError as exc:
        # Text made mostly of control characters is, reasonably, not taken for a document.
        assert exc.code == "unsupported_media_type"
