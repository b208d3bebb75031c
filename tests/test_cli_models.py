"""`longdoc models | cat`: every catalog id whole, no line over 100 columns; `--json` lists them all.

Through a pipe rich used to fit its table to 80 columns and cut ids ("gpt-5.1-…").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.llm import WIDTH, format_table

ROOT = Path(__file__).resolve().parents[1]
IDS = [m["id"] for m in json.loads((ROOT / "pipeline" / "data" / "models.json").read_text())["models"]]


def longdoc(args: list[str], tmp_path: Path, columns: str | None) -> subprocess.CompletedProcess[str]:
    """The command with stdout a pipe (as under `| cat`), COLUMNS unset or set."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES") and not k.startswith("LONGDOC_")
    }
    env["LONGDOC_STORAGE_DIR"] = str(tmp_path / "store")
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)  # fmt: skip


def whole(model_id: str, text: str) -> bool:
    """``model_id`` appears as a word of its own (``kimi-k2-thinking`` is not found in ``…-turbo``)."""
    return re.search(rf"(?<!\S){re.escape(model_id)}(?!\S)", text) is not None


@pytest.mark.parametrize("columns", [None, "80"])
def test_piped_table_prints_every_id_whole_within_100_columns(tmp_path: Path, columns: str | None) -> None:
    proc = longdoc(["models"], tmp_path, columns)
    assert proc.returncode == 0, proc.stderr
    assert [i for i in IDS if not whole(i, proc.stdout)] == []
    assert "…" not in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= WIDTH


def test_json_lists_every_id(tmp_path: Path) -> None:
    proc = longdoc(["models", "--json"], tmp_path, "80")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows] == IDS
    assert all(isinstance(r["available"], bool) for r in rows)


def test_estimate_table_prints_every_id_whole(tmp_path: Path) -> None:
    doc = tmp_path / "short.txt"
    doc.write_text("SERVICES AGREEMENT\n\n1. Term. This Agreement lasts one year.\n", encoding="utf-8")
    proc = longdoc(["estimate", str(doc)], tmp_path, "80")
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.splitlines()[1:]  # the first line names the file
    assert [i for i in IDS if not whole(i, "\n".join(table))] == []
    assert max(len(line) for line in table) <= WIDTH


def test_a_row_too_wide_is_stacked_and_the_id_still_whole() -> None:
    long_id = "x" * 130
    lines = format_table(("id", "note"), [[long_id, "n " * 80], ["short", "ok"]], details=["d " * 70, ""])
    assert long_id in lines  # alone on its line, never cut
    assert "short" in lines
    assert all(len(line) <= WIDTH for line in lines if line != long_id)


def test_a_table_that_fits_keeps_one_line_per_row() -> None:
    lines = format_table(("id", "n"), [["a", "1"], ["bb", "22"]], right=(1,))
    assert lines == ["id   n", "a    1", "bb  22"]


def test_version_and_help_defaults() -> None:
    from importlib.metadata import version

    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == f"longdoc {version('longdoc')}"
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "analyze", "--help"], capture_output=True, text=True
    )
    assert run.returncode == 0 and "(default: batch)" in " ".join(run.stdout.split())


def test_analyze_memo_writes_the_word_memo_beside_the_reports(tmp_path: Path) -> None:
    from docx import Document

    from tests.api_helpers import contract

    doc = tmp_path / "northwind.txt"
    doc.write_bytes(contract(law="Delaware"))
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "analyze", str(doc), "--out", str(tmp_path / "out"),
                          "--memo", "--json"], capture_output=True, text=True,
                         env={**os.environ, "LONGDOC_STORAGE_DIR": str(tmp_path / "store")})  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    [result] = json.loads(run.stdout)
    memo = Path(result["report_docx"])
    assert memo == tmp_path / "out" / "northwind.report.docx"
    text = "\n".join(p.text for p in Document(str(memo)).paragraphs)
    assert "Memorandum" in text and "northwind.txt" in text
