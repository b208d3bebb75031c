"""Hostile plain-text inputs for the hostile suite, generated at test time (never committed).

* the same contract text in UTF-8, UTF-16LE/BE without a BOM and Windows-1252;
* 50 MB single lines: one repeated character, punctuation, a multi-byte letter, random letters;
* random binary, and "text" of random high bytes that no encoding reads as language.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "examples" / "master-services-agreement.txt"
FIFTY_MB = 50_000_000  # bytes; equal to the default max_text_chars, so an ASCII line is just inside it
_SMART = str.maketrans({"'": "\u2019"})


def contract_text(chars: int = 30_000, *, accents: bool = True) -> str:
    """The first ``chars`` characters of the bundled contract (cut at a paragraph), typeset.

    Straight quotes and apostrophes become curly ones and one heading gets an en dash; with
    ``accents`` a sentence names the euro sign and two names are accented. Every character is
    in Windows-1252, so the same text can be written in all the encodings the tests compare.
    Without ``accents`` every character is ASCII or U+2013/U+2019/U+201C/U+201D, whose UTF-16
    bytes are all below 0x80: UTF-16 of that text is also valid UTF-8, which is what fooled
    the old decoder.
    """
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text[: text.rindex("\n\n", 0, chars) + 1]
    text = re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", text).translate(_SMART)
    text = text.replace("4.1 Fees. ", "4.1 Fees \u2013 ")
    if accents:
        text = text.replace("4.1 Fees \u2013 ", "4.1 Fees \u2013 All amounts are in euro (\u20ac). ")
        text = text.replace("Cambridge", "Cl\u00e9ry-Saint-Andr\u00e9")
        text = text.replace("Greyhaven Harbor", "Greyhaven H\u00e2vre")
    return text


def encoded(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; "utf-16-le"/"utf-16-be" write no byte order mark."""
    return text.encode(encoding)


def chinese_text(chars: int = 4_000) -> str:
    """Chinese contract-like prose with CJK punctuation, no ASCII and no line break.

    None of its characters has a zero byte in UTF-16, so neither "every other byte is zero"
    nor a count of control bytes can tell it is text: only decoding it can.
    """
    sentences = [
        "本协议由供应商与客户于二〇二五年三月三日签订。",
        "供应商应当按照本协议的条款提供服务，客户应当按期支付费用。",
        "任何缔约方违反本协议的，应当赔偿对方因此遭受的全部损失。",
        "本协议受中华人民共和国法律管辖。",
    ]
    rnd = random.Random(3)
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(rnd.choice(sentences))
    return "".join(parts)[:chars]


def _mapped(n: int, alphabet: bytes, seed: int) -> bytes:
    """``n`` random bytes drawn from ``alphabet`` (fast: one translate over random bytes)."""
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(n).translate(table)


def repeated(char: str, size: int = FIFTY_MB) -> bytes:
    """One line of ``char`` repeated, ``size`` bytes of UTF-8 (a multi-byte char may end short)."""
    unit = char.encode("utf-8")
    return unit * (size // len(unit))


def punctuation(size: int = FIFTY_MB) -> bytes:
    """One line of random ASCII punctuation (one o200k pre-token as long as the line)."""
    return _mapped(size, string.punctuation.encode(), seed=5)


def random_letters(size: int = FIFTY_MB) -> bytes:
    """One line of random lower-case letters and no spaces (again one pre-token)."""
    return _mapped(size, string.ascii_lowercase.encode(), seed=7)


def ordinary(size: int = FIFTY_MB) -> bytes:
    """Ordinary contract text of the same size: the bundled example repeated."""
    unit = EXAMPLE.read_bytes()
    return (unit * (size // len(unit) + 1))[:size]


# The single-line variants by name, each made at a given size (the tests and bench use
# FIFTY_MB); the baseline "ordinary" is not one of them.
SINGLE_LINES: dict[str, Callable[[int], bytes]] = {
    "repeated-a": lambda size: repeated("a", size),
    "punctuation": punctuation,
    "repeated-e-acute": lambda size: repeated("\u00e9", size),
    "repeated-zhong": lambda size: repeated("\u4e2d", size),
    "random-letters": random_letters,
}


def random_binary(size: int = 64 * 1024, seed: int = 11) -> bytes:
    return random.Random(seed).randbytes(size)


def high_byte_garbage(size: int = 64 * 1024, seed: int = 13) -> bytes:
    """Random bytes 0x20-0xFF: no NUL and no control byte, so it passes for text, but it is
    not UTF-8 and no 8-bit code page makes language of it."""
    return _mapped(size, bytes(range(0x20, 0x100)), seed)
