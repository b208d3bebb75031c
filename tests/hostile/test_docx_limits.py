"""Issue 12 finding 1 (numbering bomb) and the hard limits checked while extracting.

The bombs run in one child process under a 1 GB address-space limit, so a regression ends in a
failed assertion instead of eating the machine. Every bomb must end in ``too_large`` or in text
whose labels are the ones Word shows with values clamped to 32767, quickly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import LimitsConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest import pdf as pdf_module
from pipeline.ingest.pdf import Backend
from tests.hostile.gen_docx import BOMBS, level, numbered, numbering, package, plain
from tests.test_ingest_pdf import make_pdf, text_ops

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = LimitsConfig.model_validate({})  # defaults only: no LONGDOC_* environment
MEMORY_LIMIT = 1024**3
SECONDS = 10.0  # per bomb; a fixed build takes well under one
R32767 = "M" * 32 + "DCCLXVII"  # the largest value Word keeps (0x7FFF) as a Roman numeral

# Runs in the child: one JSON line per file, flushed, so a crash or timeout still reports the rest.
_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.config import LimitsConfig
limits = LimitsConfig.model_validate({})
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    started = time.perf_counter()
    try:
        text = ingest(data, name=path, limits=limits).text
        out = {"code": None, "head": text[:4000], "chars": len(text),
               "longest_line": max(len(line) for line in text.splitlines())}
    except LongdocError as exc:
        out = {"code": exc.code, "message": exc.message}
    out["seconds"] = time.perf_counter() - started
    print(json.dumps({"file": path, **out}), flush=True)
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for name, make in BOMBS.items():
        paths[name] = folder / f"{name}.docx"
        paths[name].write_bytes(make())
    env = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    cmd = [sys.executable, "-c", _CHILD, str(MEMORY_LIMIT), *map(str, paths.values())]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=SECONDS * len(paths)
        )
        stdout = done.stdout
    except subprocess.TimeoutExpired as exc:  # keep what finished; the rest fail below
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
    by_path = {r["file"]: r for r in map(json.loads, stdout.splitlines())}
    return {name: by_path[str(path)] for name, path in paths.items() if str(path) in by_path}


# The first paragraph as Word shows it once every counter is clamped to 32767.
EXPECTED_START = {
    "roman": R32767 * 8 + "\tClause 0.",
    "letter": "32767" * 8 + "\tClause 0.",  # 1,261 g's have no place in a label: digits instead
    "start_override": R32767.lower() * 8 + "\tClause 0.",
    "level_override": "32767" * 8 + "\tClause 0.",
    "restart": "1.\tClause 0.\n\n1." + R32767 * 7 + "\tClause 1.",
    "deep_level": "32767" * 4 + "\tClause 0.",  # w:ilvl 1,000,000 reads as the deepest level (index 8)
    "long_level_text": "MMMDCCCLXXXVIII" * 9 + "\tClause 0.",  # Word substitutes at most 9 placeholders
    "footnotes": "Clause 1.[" + R32767.lower() + "]",
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_numbering_bomb_is_clamped_fast_and_small(bombs: dict[str, dict[str, Any]], name: str) -> None:
    result = bombs.get(name)
    assert result is not None, "no result: the extraction crashed the child or ran past the time limit"
    assert result["seconds"] < SECONDS, result
    assert result["code"] is None, result  # a legitimate (if odd) file: clamped, not refused
    assert result["head"].startswith(EXPECTED_START[name])
    # Word caps a level text at 31 characters and 9 placeholders: no label comes near 1,000 characters.
    assert result["longest_line"] < 1_000
    assert result["chars"] < 2_000_000


def code_and_calls(data: bytes, limits: LimitsConfig) -> tuple[str, int]:
    calls = 0

    def check() -> None:
        nonlocal calls
        calls += 1

    with pytest.raises(LongdocError) as info:
        ingest(data, name="x.docx", limits=limits, check=check)
    return info.value.code, calls


def test_text_limit_is_checked_while_extracting() -> None:
    data = plain(5000)  # ~330,000 characters
    code, calls = code_and_calls(data, DEFAULTS.model_copy(update={"max_text_chars": 10_000}))
    assert code == "too_large"
    # It stopped near paragraph 150, long before the 25 checks a full pass would make.
    assert calls <= 1
    assert len(ingest(data, limits=DEFAULTS.model_copy(update={"max_text_chars": 400_000})).text) > 300_000


def test_numbering_labels_count_against_the_text_limit() -> None:
    xml = numbering(level(0, "upperRoman", "%1" * 9, start=3888))  # ~90-135-character labels
    data = package(numbered(400), {"numbering.xml": xml})  # 5,000 characters of clause text
    code, _ = code_and_calls(data, DEFAULTS.model_copy(update={"max_text_chars": 20_000}))
    assert code == "too_large"


def test_paragraph_limit() -> None:
    limited = DEFAULTS.model_copy(update={"docx_max_paragraphs": 1000})
    assert ingest(plain(1000), limits=limited).text.count("\n\n") == 999
    with pytest.raises(LongdocError) as info:
        ingest(plain(1001), limits=limited)
    assert info.value.code == "too_large" and "1,000 paragraphs" in info.value.message


def test_numbering_value_and_depth_settings_are_honoured() -> None:
    levels = level(0, "decimal", "%1.", start=45) + level(1, "lowerLetter", "(%2)", start=3)
    xml = numbering(levels + level(5, "upperRoman", "[%6]"))
    data = package(numbered(8) + numbered(2, lambda i: 5), {"numbering.xml": xml})
    limits = DEFAULTS.model_copy(update={"docx_max_numbering_value": 50, "docx_max_list_depth": 2})
    labels = [p.split("\t")[0] for p in ingest(data, limits=limits).text.split("\n\n")]
    # Counting stops at the maximum; w:ilvl 5 reads as the deepest allowed level (1).
    assert labels == ["45.", "46.", "47.", "48.", "49.", "50.", "50.", "50.", "(c)", "(d)"]


class Canceled(LongdocError):
    code = "canceled"


class Stop(Exception):
    pass


def aborting_check(after: int, exc: BaseException) -> tuple[Callable[[], None], list[int]]:
    calls = [0]

    def check() -> None:
        calls[0] += 1
        if calls[0] >= after:
            raise exc

    return check, calls


@pytest.mark.parametrize("exc", [Canceled("job canceled"), Stop("stop")])
def test_check_aborts_a_docx_early_and_its_exception_propagates_unchanged(exc: Exception) -> None:
    check, calls = aborting_check(3, exc)
    with pytest.raises(type(exc)) as info:
        ingest(plain(5000), name="x.docx", limits=DEFAULTS, check=check)
    assert info.value is exc and calls == [3]  # every ~200 paragraphs: 25 calls for the whole file
    assert getattr(info.value, "document", None) is None  # not turned into a document error


def many_pages(n: int = 12) -> bytes:
    return make_pdf(*(text_ops(f"Page {i} of the agreement.") for i in range(n)))


@pytest.mark.parametrize("backend", ["pypdfium2", "pypdf"])
def test_check_aborts_a_pdf_early(backend: Backend) -> None:
    exc = Canceled("job canceled")
    check, calls = aborting_check(3, exc)
    limits = DEFAULTS.model_copy(update={"pdf_backend": backend})
    with pytest.raises(Canceled) as info:
        ingest(many_pages(), name="x.pdf", limits=limits, check=check)
    assert info.value is exc and calls == [3]  # once per page
    # PDFium is serialised by a lock: the aborted extraction must have let go of it.
    assert pdf_module._PDFIUM_LOCK.acquire(timeout=5)
    pdf_module._PDFIUM_LOCK.release()
    ok, calls = aborting_check(100, exc)
    assert "Page 11" in ingest(many_pages(), limits=limits, check=ok).text and calls == [12]


@pytest.mark.parametrize("backend", ["pypdfium2", "pypdf"])
def test_pdf_text_limit_is_checked_per_page(backend: Backend) -> None:
    limits = DEFAULTS.model_copy(update={"pdf_backend": backend, "max_text_chars": 70})
    code, calls = code_and_calls(many_pages(), limits)  # 28 characters a page
    assert code == "too_large" and calls == 3
