"""Hostile plain text: encodings without a byte order mark, garbage, binary and 50 MB lines.

A contract saved as UTF-16 or Windows-1252 must be analyzed exactly like the same contract in
UTF-8; bytes that are not text must be refused with a coded error, not "succeed" as mojibake;
and one enormous line must be tokenized in bounded time and memory, with every token still
mapped to the right character.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from chunking.tokenizer import encode, encoding, tokenize
from pipeline.config import LimitsConfig, Settings, StorageConfig
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest.text import extract_text
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from storage.local import LocalStore
from tests.hostile import gen_text
from workers.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[2]
LIMITS = LimitsConfig.model_validate({})  # the defaults, whatever the environment


def code_of(data: bytes) -> str:
    with pytest.raises(LongdocError) as info:
        ingest(data, name="f.txt", limits=LIMITS)
    return info.value.code


# --- the same contract in other encodings --------------------------------------------------


class Runner:
    """The real job (ingest → plan → the offline ``rules`` model → report), in process."""

    def __init__(self, root: Path) -> None:
        self.ctx = StageContext(settings=Settings(storage=StorageConfig(dir=root)), store=LocalStore(root))
        self.executor = LocalExecutor(self.ctx, workers=1)

    def analyze(self, data: bytes, name: str = "contract.txt") -> Report:
        job = JobStore(self.ctx.store, "t").create(data, name, ext="txt")
        record, report = self.executor.run("t", job.job_id)
        assert report is not None, record.error
        return report


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    r = Runner(tmp_path_factory.mktemp("text-hostile"))
    yield r
    r.executor.close()


def what_a_user_sees(report: Report) -> dict[str, object]:
    """Everything a reviewer reads: findings (category, verbatim quote, offsets, page,
    section), key terms, defined terms, references and the document's size."""
    return {
        "findings": [f.model_dump() for f in report.findings],
        "key_terms": [k.model_dump() for k in report.key_terms],
        "defined_terms": [d.model_dump() for d in report.defined_terms],
        "references": [r.model_dump() for r in report.references],
        "chars": report.document.chars,
        "tokens": report.document.tokens,
    }


@pytest.fixture(scope="module")
def utf8_reports(runner: Runner) -> dict[bool, dict[str, object]]:
    """The UTF-8 originals' analyses, with and without accented characters."""
    out: dict[bool, dict[str, object]] = {}
    for accents in (False, True):
        seen = what_a_user_sees(runner.analyze(gen_text.contract_text(accents=accents).encode("utf-8")))
        assert len(seen["findings"]) >= 5  # type: ignore[arg-type]  # there is something to compare
        out[accents] = seen
    return out


@pytest.mark.parametrize(
    ("encoding", "accents"),
    [
        # Curly quotes and en dashes only: these UTF-16 bytes are also valid UTF-8 (with a NUL
        # after every ASCII letter), which the old decoder took for UTF-8 and "analyzed".
        ("utf-16-le", False),
        ("utf-16-be", False),
        ("utf-16-le", True),
        ("utf-16-be", True),
        ("cp1252", True),
    ],
)
def test_other_encodings_give_the_same_findings_as_utf8(
    runner: Runner, utf8_reports: dict[bool, dict[str, object]], encoding: str, accents: bool
) -> None:
    text = gen_text.contract_text(accents=accents)
    data = gen_text.encoded(text, encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))  # no byte order mark to go by
    extracted = ingest(data, name="contract.txt", limits=LIMITS)
    assert extracted.text == text
    assert extracted.backend == f"text/{encoding}"
    legacy = [w for w in extracted.warnings if w.code == "legacy_encoding"]
    assert bool(legacy) == (encoding == "cp1252")  # UTF-16 is Unicode, not a legacy code page
    assert not [w for w in extracted.warnings if w.code == "replaced_bytes"]
    assert what_a_user_sees(runner.analyze(data)) == utf8_reports[accents]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_bom_or_nul_bytes_is_read(encoding: str) -> None:
    text = gen_text.chinese_text()
    data = gen_text.encoded(text, encoding)
    assert b"\x00" not in data
    assert ingest(data, name="合同.txt", limits=LIMITS).text == text


def test_utf8_stays_utf8_even_with_a_stray_nul() -> None:
    text = "Clause 1. The Supplier shall deliver the Goods \u2013 “promptly”.\n" * 200
    text = text[:500] + "\x00" + text[500:]  # in the first KB, where the type is sniffed
    extracted = ingest(text.encode("utf-8"), name="a.txt", limits=LIMITS)
    assert extracted.backend == "text/utf-8"
    assert extracted.text == text


# --- what is not text ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_is_still_refused(seed: int) -> None:
    assert code_of(gen_text.random_binary(seed=seed)) == "unsupported_media_type"


def test_binary_full_of_nul_bytes_is_refused() -> None:
    # A table of little-endian integers: half its bytes are NUL, like UTF-16 of ASCII.
    data = np.arange(20_000, dtype="<u4").tobytes()
    assert code_of(data) == "unsupported_media_type"


@pytest.mark.parametrize("seed", range(5))
def test_high_byte_garbage_is_unreadable_not_mojibake(seed: int) -> None:
    with pytest.raises(LongdocError) as info:
        ingest(gen_text.high_byte_garbage(seed=seed), name="garbage.txt", limits=LIMITS)
    assert info.value.code == "unreadable"
    assert "encoding" in info.value.message


# --- the text limit ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "cp1252"])
def test_text_over_max_chars_is_too_large(encoding: str) -> None:
    text = "Caf\u00e9 \u201cquoted\u201d clause.\n" * 50
    data = gen_text.encoded(text, encoding)
    assert extract_text(data, max_chars=len(text)).text == text
    with pytest.raises(LongdocError) as info:
        extract_text(data, max_chars=len(text) - 1)
    assert info.value.code == "too_large"


def test_text_limit_refuses_before_decoding_when_the_bytes_already_say_so() -> None:
    # No encoding needs more than 4 bytes a character: 4n+4 bytes are more than n characters.
    with pytest.raises(LongdocError) as info:
        extract_text(b"\xff" * 404, max_chars=100)
    assert info.value.code == "too_large"


# --- 50 MB on one line ---------------------------------------------------------------------

HEADROOM_MB = 400  # address space allowed above the warmed-up interpreter's own
MAX_RSS_MB = 500
MAX_SECONDS = 60  # the target is 10 s on a quiet machine; this only catches the old minutes

_CHILD = textwrap.dedent(
    """
    import json, random, resource, sys, time
    import numpy as np
    from chunking.tokenizer import encoding, tokenize
    from pipeline.ingest import ingest
    from pipeline.config import LimitsConfig

    enc = encoding()  # what a worker loads at start-up
    # Ingest refuses such a line as "not prose" (max_run_chars); lifted here so the tokenizer
    # itself is measured on it.
    limits = LimitsConfig(max_run_chars=10**9)
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    base = int(status["VmSize"].split()[0]) * 1024
    limit = base + int(sys.argv[2]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    # CPU time of this (single-threaded) child, not the wall clock: the tokenizer's own cost,
    # whatever else the machine or the other test worker runs meanwhile.
    t0 = time.process_time()
    with open(sys.argv[1], "rb") as f:
        text = ingest(f.read(), name="line.txt", limits=limits).text
    tt = tokenize(text)
    seconds = time.process_time() - t0
    # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) peak across exec into ru_maxrss.
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    maxrss_mb = int(hwm.split()[1]) / 1024  # before the checks' own arrays

    cs = tt.char_starts
    n = tt.count
    assert n > 0 and cs[0] == 0 and cs[-1] == len(text), (cs[0], cs[-1], len(text))
    assert bool((cs[1:] >= cs[:-1]).all())
    rnd = random.Random(0)
    for k in [0, 1, n // 2, n - 1, *rnd.sample(range(n), 300)]:
        token = enc.decode_single_token_bytes(int(tt.tokens[k]))
        c = int(cs[k])
        here = text[c : c + len(token) + 1].encode("utf-8")
        width = len(text[c].encode("utf-8"))
        # The token's bytes sit in the text at character c: at its first byte, or inside it
        # when the token starts in the middle of a multi-byte character.
        assert any(here[j:].startswith(token) for j in range(width)), (k, c, token)
    print(json.dumps({
        "seconds": seconds,
        "tokens": n,
        "chars": len(text),
        "maxrss_mb": maxrss_mb,
        "base_vm_mb": base / 2**20,
    }))
    """
)


def run_child(data: bytes, tmp_path: Path) -> dict[str, float]:
    path = tmp_path / "line.txt"
    path.write_bytes(data)
    del data
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(HEADROOM_MB)],
        capture_output=True, text=True, cwd=ROOT, timeout=10 * MAX_SECONDS,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(gen_text.SINGLE_LINES))
def test_a_50mb_line_is_tokenized_in_bounded_memory_and_time(variant: str, tmp_path: Path) -> None:
    make: Callable[[int], bytes] = gen_text.SINGLE_LINES[variant]
    result = run_child(make(gen_text.FIFTY_MB), tmp_path)
    print(variant, result)  # the figures, for the record (-s)
    assert result["maxrss_mb"] < MAX_RSS_MB, result
    assert result["seconds"] < MAX_SECONDS, result


# --- only pathological runs are cut --------------------------------------------------------


def test_ordinary_text_is_exactly_encode_ordinary() -> None:
    text = gen_text.contract_text() + gen_text.chinese_text(20_000) + " " * 4_000 + "-" * 4_000
    assert encode(text).tolist() == encoding().encode_ordinary(text)


def test_a_long_run_changes_no_token_outside_itself() -> None:
    # Digits on both sides: no o200k pre-token joins digits to letters, punctuation or spaces,
    # so the text around the run tokenizes alone exactly as it does beside the run.
    before = "The Supplier shall deliver the Goods by 2025"
    after = "2026 and after the run, \u201cquoted\u201d text \u2013 and more.\n"
    enc = encoding()
    head, tail = enc.encode_ordinary(before), enc.encode_ordinary(after)
    for run in ("a" * 100_000, "!" * 100_000, "\u4e2d" * 100_000, "\n" * 100_000, "e\u0301" * 50_000):
        tokens = encode(before + run + after).tolist()
        assert tokens[: len(head)] == head
        assert tokens[-len(tail) :] == tail
        assert enc.decode(tokens) == before + run + after


def test_offsets_stay_exact_across_cut_runs() -> None:
    text = "Start é " + "\u00e9" * 9_000 + " mid 中 " + "\u4e2d" * 9_000 + " x" + "🙂" * 5_000 + " end"
    tt = tokenize(text)
    enc = encoding()
    assert enc.decode(tt.tokens.tolist()) == text
    assert tt.char_starts[0] == 0 and tt.char_starts[-1] == len(text)
    # Wherever the tokens so far end on a whole character, the next offset is their length.
    decoder = codecs.getincrementaldecoder("utf-8")()
    chars = 0
    for k in range(tt.count):
        if decoder.getstate()[0] == b"":
            assert tt.char_of_token(k) == chars
        chars += len(decoder.decode(enc.decode_single_token_bytes(int(tt.tokens[k]))))
    assert chars == len(text)


@pytest.mark.parametrize("variant", sorted(gen_text.SINGLE_LINES))
def test_a_50mb_single_line_is_refused_as_not_prose(variant: str) -> None:
    # Nothing in it to analyze: a quick coded error, not 63 segments of 0 findings.
    data = gen_text.SINGLE_LINES[variant](gen_text.FIFTY_MB)
    with pytest.raises(LongdocError) as info:
        ingest(data, name="line.txt", limits=LIMITS)
    assert info.value.code == "unreadable"
    assert "not prose" in info.value.message


def test_runs_just_under_the_limit_pass_in_linear_time() -> None:
    # Many runs one window short of the limit: a naive `\S{N,}` search would be quadratic here.
    limits = LimitsConfig(max_run_chars=200_000)
    text = (("x" * 199_000 + " ") * 60).encode()
    assert len(ingest(text, name="runs.txt", limits=limits).text) == len(text)
    with pytest.raises(LongdocError, match="not prose"):
        ingest(b"x" * 300_000 + b" end", name="run.txt", limits=limits)
