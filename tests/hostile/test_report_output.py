"""Hostile names and text in what longdoc writes for people: Markdown reports, CLI lines, tables.

Issue 12, findings 6, 8 and 9:

* a contract's own text (``<script>``, ``[click](javascript:…)``, headings, pipes) must stay
  text in the Markdown report, whatever renders it;
* two documents with the same file name in different folders of one run get two reports
  (and two distinguishable table rows), not one overwritten by the other;
* a newline (or any control character) in a file name cannot forge an extra line in CLI output
  or an extra row in the CSV/XLSX table.

Everything runs the real CLI in a subprocess, on files generated here.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from pipeline.report.markdown import MAX_QUOTE, printable, render_markdown
from pipeline.report.model import Report
from tests.api_helpers import contract

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[click](javascript:alert(1))"
IMG = "<img src=x onerror=alert(1)>"
# The document name itself: HTML, a javascript: link and Markdown emphasis/pipes (no "/" in a file name).
HOSTILE_NAME = f"{IMG} {JS_LINK} *x* | y.txt"
# What the renderer itself may emit; anything else came from the document.
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
                "em", "strong", "code", "a"}  # fmt: skip
EVIL_NAME = "evil\nerror[encrypted] forged.txt"


def _contract(party: str = "Acme Corp.", law: str = "New York", extra: str = "") -> bytes:
    return contract(party_a=party, law=law, extra=extra)


def _hostile_contract() -> bytes:
    extra = f"""
5. Assignment. Neither party may assign this Agreement without consent {SCRIPT} and see {JS_LINK}
or {IMG} | pipe | **bold** `code` _under_ ~~strike~~ &amp; \\* backslash.
# Injected heading
| a | b |
|---|---|
| x | y |
> quoted <b onmouseover=alert(1)>bold</b>

6. Other Law. This Agreement shall be governed by the laws of the State of Delaware.
"""
    return _contract(party=f"Acme {SCRIPT} Corp.", law=f"New York {IMG}", extra=extra)


def _env(tmp: Path) -> dict[str, str]:
    # Nothing from the machine's LONGDOC_* (no Redis, no server): local folder storage only.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "PYTHONPATH": str(REPO),
            "PYTHONIOENCODING": "utf-8", "LONGDOC_STORAGE_DIR": str(tmp / "store")}  # fmt: skip


def _longdoc(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                          cwd=tmp, env=_env(tmp), timeout=300)  # fmt: skip


def _render(markdown: str) -> str:
    mdit = pytest.importorskip("markdown_it")
    # CommonMark with raw HTML on (its default) plus GFM tables and strikethrough: a permissive viewer.
    return str(mdit.MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown))


def _assert_inert(rendered: str) -> None:
    assert "<script" not in rendered.lower()
    tags = {t.lower() for t in re.findall(r"<\s*([A-Za-z][A-Za-z0-9]*)", rendered)}
    assert tags <= ALLOWED_TAGS, f"document text became HTML/Markdown structure: {tags - ALLOWED_TAGS}"
    for tag in re.findall(r"<[A-Za-z][^>]*>", rendered):  # real tags only, not escaped text
        assert "javascript:" not in tag.lower(), tag
        for url in re.findall(r"""(?:href|src)\s*=\s*["']?([^"'\s>]*)""", tag, flags=re.I):
            assert re.match(r"https?:", url), tag


def _text(rendered: str) -> str:
    """What a reader sees: tags dropped, entities decoded, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def _flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hostile-md")
    doc = tmp / HOSTILE_NAME
    doc.write_bytes(_hostile_contract())
    proc = _longdoc(tmp, "analyze", str(doc), "--out", str(tmp / "out"), "--json")
    assert proc.returncode == 0, proc.stderr
    [result] = json.loads(proc.stdout)
    md = Path(result["report_md"]).read_text(encoding="utf-8")
    return md, json.loads(Path(result["report_json"]).read_text(encoding="utf-8"))


def test_markdown_report_keeps_document_text_as_text(hostile_report: tuple[str, dict[str, Any]]) -> None:
    md, report = hostile_report
    rendered = _render(md)
    _assert_inert(rendered)
    assert rendered.count("<h1>") == 1
    seen = _text(rendered)
    # Still readable: the reader sees the document's own characters, not escapes.
    assert report["document"]["name"] == HOSTILE_NAME and HOSTILE_NAME in seen
    quotes = [f["quote"] for f in report["findings"]] + [k["quote"] for k in report["key_terms"]]
    assert (
        any(SCRIPT in q for q in quotes)
        and any(JS_LINK in q for q in quotes)
        and any(IMG in q for q in quotes)
    )
    for q in quotes:
        if len(_flat(q)) <= MAX_QUOTE:
            assert _flat(q) in seen, q
    for k in report["key_terms"]:
        assert _flat(k["value"]) in seen


def _poison_all(value: Any) -> Any:
    """Every string gets block-starting Markdown before it and hostile HTML/links/breaks after it."""
    if isinstance(value, str):
        return f"1. > - # {value}\n# Forged\n{SCRIPT} {JS_LINK} {IMG} | `c` *e* ~~s~~ &amp;\n\n- item"
    if isinstance(value, list):
        return [_poison_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison_all(v) for k, v in value.items()}
    return value


def _at(tree: Any, loc: tuple[int | str, ...]) -> tuple[Any, int | str] | None:
    """The container and key at a pydantic error location (union member names skipped)."""
    node, parts = tree, [p for p in loc]
    while len(parts) > 1:
        p = parts.pop(0)
        if isinstance(node, dict) and p in node or isinstance(node, list) and isinstance(p, int):
            node = node[p]
    last = parts[0] if parts else None
    if isinstance(node, dict) and last in node or isinstance(node, list) and isinstance(last, int):
        return node, last  # type: ignore[return-value]
    return None


def _poisoned_report(report: dict[str, Any]) -> Report:
    base = json.loads(json.dumps(report))
    span = {k: base["findings"][0][k] for k in ("quote", "start", "end", "page", "section", "segment")}
    # Every part of the Markdown present: warnings, a paid route, a term issue, a conflict, a failed segment.
    base["warnings"] = [{"code": "ocr", "message": "a warning"}]
    base["routes"] = [{"segment": 0, "model": "gpt-x", "reasons": ["fits"], "estimated_usd": 0.01,
                       "fallback": ["rules"]}]  # fmt: skip
    base["term_issues"] = [{"term": "Fees", "issue": "unused", "detail": "never used", "spans": [span]}]
    kt = base["key_terms"][0]
    base["conflicts"] = [
        {"name": "governing_law", "values": ["Delaware", "New York"], "occurrences": [kt, kt]}
    ]
    base["segments"][0]["first_section"] = "1. Services"
    base["segments"][0]["error"] = {"code": "timeout", "message": "slow"}
    poisoned = _poison_all(base)
    for _ in range(100):  # put back the originals wherever the schema wants a literal, a date…
        try:
            return Report.model_validate(poisoned)
        except ValidationError as exc:
            for err in exc.errors():
                hit, orig = _at(poisoned, err["loc"]), _at(base, err["loc"])
                assert hit is not None and orig is not None, err
                hit[0][hit[1]] = orig[0][orig[1]]
    raise AssertionError("could not build a poisoned report")


def test_markdown_every_quoted_field_is_escaped(hostile_report: tuple[str, dict[str, Any]]) -> None:
    """Not just quotes: names, values, terms, sections, warnings, models and reasons, all poisoned."""
    report = _poisoned_report(hostile_report[1])
    rendered = _render(render_markdown(report))
    _assert_inert(rendered)
    assert rendered.count("<h1>") == 1
    assert set(re.findall(r"<h2>([^<]*)</h2>", rendered)) == {
        "Review", "Executive summary", "Warnings", "Key terms", "Findings by category", "Cross-references",
        "Defined terms", "Conflicts", "Routing", "Segments",
    }  # fmt: skip
    seen = _text(rendered)
    shown = [report.document.name, report.term_issues[0].term, report.term_issues[0].detail,
             *report.conflicts[0].values, report.warnings[0].message, report.routes[0].model]  # fmt: skip
    shown += [t.term for t in report.defined_terms if t.style != "as_defined_in"][:3]
    shown += [k.value for k in report.key_terms] + [f.category for f in report.findings]
    for s in shown:
        assert _flat(s) in seen, s


def test_same_file_name_in_two_folders_gets_two_reports(tmp_path: Path) -> None:
    for folder, party in (("a", "Alpha Corp."), ("b", "Bravo Corp.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "contract.txt").write_bytes(_contract(party=party))
    (tmp_path / "solo.txt").write_bytes(_contract(party="Solo Corp."))
    args = ["analyze", "a/contract.txt", "b/contract.txt", "solo.txt", "--out", "out", "--json"]
    proc = _longdoc(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    paths = [r["report_json"] for r in results]
    assert len(set(paths)) == 3 and len({r["report_md"] for r in results}) == 3
    assert [Path(p).name for p in paths] == [
        "a__contract.report.json", "b__contract.report.json", "solo.report.json",  # an unshared name is kept
    ]  # fmt: skip
    for r, party in zip(results, ("Alpha Corp.", "Bravo Corp.", "Solo Corp."), strict=True):
        report = json.loads(Path(tmp_path / r["report_json"]).read_text(encoding="utf-8"))
        assert any(party in f["quote"] for f in report["findings"])
    again = json.loads(_longdoc(tmp_path, *args).stdout)  # a re-run writes the same names
    assert [r["report_json"] for r in again] == paths
    assert len(list((tmp_path / "out").iterdir())) == 6


def test_batch_rows_name_the_folder_and_reruns_still_skip(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for folder, party in (("a", "Alpha Corp."), ("b", "Bravo Corp.")):
        (docs / folder).mkdir(parents=True)
        (docs / folder / "contract.txt").write_bytes(_contract(party=party))
    (docs / "top.txt").write_bytes(_contract(party="Top Corp."))
    proc = _longdoc(tmp_path, "batch", "docs", "--out", "out")
    assert proc.returncode == 0, proc.stderr
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "out" / "docs.table.csv").read_text(encoding="utf-8-sig")))
    )
    assert [r["file"] for r in rows] == ["a/contract.txt", "b/contract.txt", "top.txt"]
    assert ["Alpha" in rows[0]["parties"], "Bravo" in rows[1]["parties"]] == [True, True]
    sheet = list(
        load_workbook(tmp_path / "out" / "docs.table.xlsx", read_only=True).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in sheet[1:]] == ["a/contract.txt", "b/contract.txt", "top.txt"]
    jobs = sorted((tmp_path / "store" / "default" / "job-index").iterdir())
    assert len(jobs) == 3

    again = _longdoc(tmp_path, "batch", "docs", "--out", "out")
    assert again.returncode == 0, again.stderr
    assert "(3 reused from an earlier run)" in again.stdout  # the skip logic still finds them
    assert sorted((tmp_path / "store" / "default" / "job-index").iterdir()) == jobs


def test_printable_escapes_control_characters() -> None:
    assert printable("evil\nerror[x] y.txt") == "evil\\nerror[x] y.txt"
    assert printable("a\r\tb\x00\x1b[31mc\x7f\x85\u2028\u2029\u202ed") == (
        "a\\r\\tb\\x00\\x1b[31mc\\x7f\\x85\\u2028\\u2029\\u202ed"
    )
    assert printable("ordinary name – ü 契約.pdf") == "ordinary name – ü 契約.pdf"


def _error_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "error[" in ln]


def test_newline_in_file_name_forges_no_cli_line(tmp_path: Path) -> None:
    (tmp_path / EVIL_NAME).write_bytes(b"")  # empty: a real error, reported once
    good = "good\nerror[unreadable] also forged.txt"
    (tmp_path / good).write_bytes(_contract())
    shown = printable(EVIL_NAME)
    assert "\n" not in shown

    for cmd in ("analyze", "plan", "estimate"):
        extra = ["--out", "out"] if cmd == "analyze" else []
        proc = _longdoc(tmp_path, cmd, EVIL_NAME, good, *extra)
        assert proc.returncode == 1, (cmd, proc.stderr)
        assert _error_lines(proc.stderr) == [
            f"{shown}: error[empty_document] {_error_message(proc.stderr)}"
        ], cmd
        assert not any(ln.startswith("error[") for ln in (proc.stdout + proc.stderr).splitlines()), cmd
        assert printable(good) in proc.stdout, cmd


def _error_message(stderr: str) -> str:
    [line] = _error_lines(stderr)
    return line.split("error[empty_document] ", 1)[1]


def test_newline_in_file_name_forges_no_table_row(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / EVIL_NAME).write_bytes(b"")
    (docs / "ok\r\nfine.txt").write_bytes(_contract())
    (docs / "=1+2.txt").write_bytes(_contract(party="Formula Corp."))
    proc = _longdoc(tmp_path, "batch", "docs", "--out", "out")
    assert proc.returncode == 1
    assert _error_lines(proc.stderr) == [f"  {printable(EVIL_NAME)}: error[empty_document]"]
    assert not any(ln.startswith("error[") for ln in (proc.stdout + proc.stderr).splitlines())

    raw = (tmp_path / "out" / "docs.table.csv").read_text(encoding="utf-8-sig")
    names = ["'=1+2.txt", printable(EVIL_NAME), "ok\\r\\nfine.txt"]  # sorted by file name; formula defused
    assert [ln.split(",", 1)[0] for ln in raw.splitlines()] == ["file", *names]  # one line per row
    rows = list(csv.reader(io.StringIO(raw)))
    assert [r[0] for r in rows[1:]] == names and [r[2] for r in rows[1:]] == ["", "empty_document", ""]

    wb = load_workbook(tmp_path / "out" / "docs.table.xlsx")
    cells = [row[0] for row in wb.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == names
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
