"""``longdoc extract`` (issue 17): the text exactly as analyzed, page by page, or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli.main import main
from tests.pdf_helpers import make_pdf, text_ops


def test_plain_output_is_the_analyzed_text_after_page_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(make_pdf(text_ops("1. Term. One year."), text_ops("2. Law. Delaware law governs.")))
    assert main(["extract", "--json", str(pdf)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["number"] for p in data["pages"]] == [1, 2] and {p["source"] for p in data["pages"]} == {
        "text_layer"
    }
    assert data["pages"][0]["start"] == 0 and data["pages"][-1]["end"] == len(data["text"]) == data["chars"]
    assert "Delaware law governs" in data["text"][data["pages"][1]["start"] : data["pages"][1]["end"]]
    assert [s["label"] for s in data["sections"]][:2] == ["1.", "2."]

    assert main(["extract", str(pdf)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines(keepends=True)
    assert lines[0].startswith("──── page 1 · text_layer · chars 0–")
    # Between the markers: the page's text exactly, so a cited offset can be counted from it.
    pages = out.split("────\n")[1:]
    assert pages[0].split("──── page 2")[0].rstrip("\n") == data["text"][: data["pages"][0]["end"]].rstrip(
        "\n"
    )


def test_a_bad_file_is_a_coded_error_and_the_others_still_print(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "a.txt", tmp_path / "b.pdf"
    good.write_text("1. Scope. The services.\n")
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    assert main(["extract", "--json", str(bad), str(good)]) == 1
    results = json.loads(capsys.readouterr().out)
    assert results[0]["ok"] is False and results[0]["error"]["code"] == "unreadable"
    assert results[1]["ok"] is True and results[1]["text"] == "1. Scope. The services.\n"
