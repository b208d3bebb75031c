"""OCR of PDF pages without a text layer (issue 17): only those pages, upright, deskewed, marked.

The engine's own accuracy is checked on the shared scans (one or two pages each, to stay fast);
which pages are OCR'd, the cancel hook, failures and the no-engine path are checked with the
engine replaced, so they run everywhere.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from pipeline.cli.main import main
from pipeline.config import LimitsConfig, OcrConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest import ocr as ocr_module
from pipeline.ingest import pdf as pdf_module
from pipeline.ingest.ocr import OcrFailed, _rotate, deskew, engine_problem, skew_angle
from pipeline.ingest.pdf import extract_pdf
from tests.conftest import SHARED_DATA, needs_shared
from tests.pdf_helpers import IMAGE_OPS, make_pdf, text_ops

OCRMYPDF = SHARED_DATA / "pdfs" / "ocrmypdf"
needs_tesseract = pytest.mark.skipif(engine_problem("eng") is not None, reason="Tesseract is not installed")
ON = OcrConfig(enabled=True, dpi=200, languages="eng")


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def similarity(text: str, truth: str) -> float:
    return difflib.SequenceMatcher(None, normalized(text), normalized(truth), autojunk=False).ratio()


def pages_of(path: Path, indices: list[int]) -> bytes:
    """A new PDF holding only ``indices`` (0-based) of ``path``: OCR one or two pages, not all."""
    src = pdfium.PdfDocument(path)
    new = pdfium.PdfDocument.new()
    new.import_pages(src, indices)
    buf = io.BytesIO()
    new.save(buf)
    return buf.getvalue()


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """An engine that is always there and reads "OCR TEXT <n>"; records each image's shape."""
    calls: list[tuple[int, int]] = []

    def read(image: np.ndarray, **_kw: object) -> str:
        calls.append(image.shape)
        return f"OCR TEXT {len(calls)}\nsecond line\n"

    monkeypatch.setattr(pdf_module, "engine_problem", lambda languages: None)
    monkeypatch.setattr(pdf_module, "ocr_image", read)
    return calls


# ---------------------------------------------------------------------------- the real engine


@needs_shared
@needs_tesseract
def test_linn_scan_reads_as_its_ground_truth_through_longdoc_extract(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LONGDOC_OCR_ENABLED", raising=False)
    assert main(["extract", "--json", str(OCRMYPDF / "linn.pdf")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["source"] for p in data["pages"]] == ["ocr"]
    assert [w["code"] for w in data["warnings"]] == ["ocr_pages"]
    assert similarity(data["text"], (OCRMYPDF / "linn.txt").read_text()) >= 0.90


@needs_shared
@needs_tesseract
def test_cardinal_pages_turned_180_and_270_degrees_read_upright() -> None:
    # Pages 3 and 4 of cardinal.pdf hold the linn scan upside down and turned a quarter.
    doc = extract_pdf(pages_of(OCRMYPDF / "cardinal.pdf", [2, 3]), ocr=OcrConfig(dpi=150))
    truth = (OCRMYPDF / "linn.txt").read_text()
    for span in doc.pages:
        assert span.source == "ocr"
        page = doc.text[span.start : span.end]
        assert "linnsequencer" in normalized(page), page[:200]
        assert similarity(page, truth) >= 0.90


def test_skew_is_measured_and_removed() -> None:
    # Text-like stripes: dark bars of a line's height, a line pitch apart, with gaps for words.
    image = np.full((1200, 900), 255, dtype=np.uint8)
    for top in range(100, 1100, 40):
        for left in range(80, 820, 90):
            image[top : top + 14, left : left + 70] = 0
    assert abs(skew_angle(image)) < 0.1
    skewed = _rotate(image, -2.0)
    assert skew_angle(skewed) == pytest.approx(2.0, abs=0.15)
    assert abs(skew_angle(deskew(skewed))) < 0.15
    # A blank page has no angle and comes back unchanged.
    blank = np.full((500, 400), 255, dtype=np.uint8)
    assert skew_angle(blank) == 0.0 and deskew(blank) is blank


# ---------------------------------------------------------------------------- which pages


@needs_shared
def test_multipage_ocrs_only_its_image_pages(fake_engine: list[tuple[int, int]]) -> None:
    data = (OCRMYPDF / "multipage.pdf").read_bytes()
    doc = extract_pdf(data, ocr=ON)
    assert [p.source for p in doc.pages] == ["ocr", "ocr", "ocr", "text_layer", "ocr", "ocr"]
    assert len(fake_engine) == 5
    page4 = doc.pages[3]
    assert "OCR TEXT" not in doc.text[page4.start : page4.end]
    # Pages bigger than the pixel cap are rendered smaller, never bigger than the cap.
    assert max(h * w for h, w in fake_engine) <= ON.max_pixels


def test_a_pdf_with_a_text_layer_is_never_ocrd(fake_engine: list[tuple[int, int]]) -> None:
    data = make_pdf(text_ops("1. Term. This Agreement runs for one year."), text_ops("2. Law. New York law."))
    doc = extract_pdf(data, ocr=ON)
    assert fake_engine == []
    assert {p.source for p in doc.pages} == {"text_layer"} and doc.warnings == []


def test_a_stamped_page_number_on_a_scan_is_still_ocrd(fake_engine: list[tuple[int, int]]) -> None:
    # A few characters of text layer (a Bates label) over an image: the image is the page.
    doc = extract_pdf(make_pdf(text_ops("12") + b"\n" + IMAGE_OPS, text_ops("13")), ocr=ON)
    assert [p.source for p in doc.pages] == ["ocr", "text_layer"]
    assert doc.text.startswith("OCR TEXT 1\nsecond line\n\f13\n")


def test_ocr_pages_are_mapped_and_warned_and_the_cancel_hook_runs_per_page(
    fake_engine: list[tuple[int, int]],
) -> None:
    checks: list[int] = []
    data = make_pdf(text_ops("One. The first page has its text layer."), IMAGE_OPS, IMAGE_OPS)
    doc = extract_pdf(data, ocr=ON, check=lambda: checks.append(1))
    assert len(checks) == 3 + 2  # once per page read, once per page OCR'd
    assert [p.source for p in doc.pages] == ["text_layer", "ocr", "ocr"]
    assert doc.text[doc.pages[1].start : doc.pages[1].end] == "OCR TEXT 1\nsecond line\n\f"
    assert [(w.code, w.pages) for w in doc.warnings] == [("ocr_pages", [2, 3])]

    class Stop(Exception):
        pass

    def stop_on_the_ocr() -> Callable[[], None]:
        seen = [0]

        def check() -> None:
            seen[0] += 1
            if seen[0] == 4:  # the first OCR page
                raise Stop

        return check

    with pytest.raises(Stop):
        extract_pdf(data, ocr=ON, check=stop_on_the_ocr())


def test_a_page_the_engine_fails_on_stays_empty_with_a_warning(
    fake_engine: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(image: np.ndarray, **_kw: object) -> str:
        raise OcrFailed("Tesseract took longer than 120 s")

    monkeypatch.setattr(pdf_module, "ocr_image", fail)
    doc = extract_pdf(make_pdf(text_ops("One. A page with its own text."), IMAGE_OPS), ocr=ON)
    assert {w.code: w.pages for w in doc.warnings} == {"ocr_failed": [2], "no_text_layer": [2]}


# ---------------------------------------------------------------------------- without OCR


def test_without_the_engine_a_scan_fails_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_module.shutil, "which", lambda _name: None)
    with pytest.raises(LongdocError) as info:
        extract_pdf(make_pdf(IMAGE_OPS, IMAGE_OPS, text_ops("Three.")), ocr=ON)
    assert info.value.code == "no_text_layer"
    assert "2 of 3 pages" in info.value.message and "apt-get install tesseract-ocr" in info.value.message

    # Partly scanned: the text is analyzed, the warning says which pages and why.
    doc = extract_pdf(make_pdf(text_ops("One."), IMAGE_OPS, text_ops("Three.")), ocr=ON)
    assert [(w.code, w.pages) for w in doc.warnings] == [("no_text_layer", [2])]
    assert "Tesseract was not found" in doc.warnings[0].message


def test_ocr_off_by_config_for_ingest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LONGDOC_OCR_ENABLED", "false")
    limits = LimitsConfig()
    assert limits.ocr.enabled is False
    with pytest.raises(LongdocError) as info:
        ingest(make_pdf(IMAGE_OPS), name="scan.pdf", limits=limits)
    assert info.value.code == "no_text_layer" and "LONGDOC_OCR_ENABLED=false" in info.value.message


def test_analyze_summary_shows_the_partly_scanned_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("LONGDOC_OCR_ENABLED", "false")
    doc = tmp_path / "part-scanned.pdf"
    doc.write_bytes(
        make_pdf(
            text_ops("1. Term. This Agreement runs for one year."), IMAGE_OPS, text_ops("2. Law. Delaware.")
        )
    )
    assert main(["analyze", str(doc), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "warning[no_text_layer] no text layer on 1 of 3 pages" in out and "page 2" in out


def test_the_report_marks_ocr_pages(
    fake_engine: list[tuple[int, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("LONGDOC_OCR_ENABLED", raising=False)
    doc = tmp_path / "signed.pdf"
    doc.write_bytes(make_pdf(text_ops("1. Term. This Agreement runs for one year."), IMAGE_OPS))
    assert main(["analyze", str(doc), "--out", str(tmp_path / "out")]) == 0
    assert "warning[ocr_pages] 1 of 2 pages read by OCR" in capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "signed.report.json").read_text())
    assert report["document"]["ocr_pages"] == [2]
    markdown = (tmp_path / "out" / "signed.report.md").read_text()
    assert "Read by OCR: page(s) 2; quotes cited on them are OCR text." in markdown
