"""Prompt-injection defence for segment prompts: an unforgeable frame, and a cited flag.

Two halves, both offline and independent of the model that analyzes a segment:

* ``frame_segment`` wraps the segment between markers carrying a boundary token that
  provably occurs nowhere in the segment or in the text before it (the outline), so no text in
  a document can close the frame early. The token is derived from the text (not drawn at
  random) so a request is reproducible — the simulator seeds its faults by request hash, and a
  provider's prompt cache sees the same prefix — and it is safe because it is *checked*: a
  collision picks the next candidate. ``locate_segment`` is the inverse the simulator uses.
* ``find_injections`` lists the places where a document talks to the model instead of to its
  reader (forged segment markers, chat-template role tokens, "ignore previous instructions",
  "you are now…", ``system:`` role lines, requests to reveal the prompt); each becomes a
  ``prompt_injection_suspected`` finding citing the verbatim text, whichever model ran.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pipeline.analyze.base import SegmentTask
from pipeline.types import Finding, SegmentAnalysis

INJECTION_CATEGORY = "prompt_injection_suspected"
# The name in a finding's ``model`` field: the offline guard, not the analyzing model.
GUARD_MODEL = "injection-guard"

# Part of the LLM cache key: answers to prompts framed an older way are not reused.
FRAME_VERSION = "frame-2"
_OPEN = "<<<SEGMENT-{}>>>"
_CLOSE = "<<<END SEGMENT-{}>>>"
_TOKEN_HEX = 16  # 64 bits
_CLOSE_RE = re.compile(rf"<<<END SEGMENT-([0-9a-f]{{{_TOKEN_HEX}}})>>>")


@dataclass(frozen=True)
class Frame:
    token: str

    @property
    def open(self) -> str:
        return _OPEN.format(self.token)

    @property
    def close(self) -> str:
        return _CLOSE.format(self.token)


def boundary_for(text: str, *context: str) -> Frame:
    """A boundary token absent from ``text`` and from every ``context`` string."""
    seed = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    counter = 0
    while True:
        token = hashlib.sha256(seed + counter.to_bytes(8, "big")).hexdigest()[:_TOKEN_HEX]
        # Absent token ⇒ neither marker can occur: each contains it.
        if token not in text and all(token not in c for c in context):
            return Frame(token)
        counter += 1  # pragma: no cover - a 64-bit collision (or a document built to hit one)


def frame_segment(text: str, *, before: str = "") -> tuple[Frame, str]:
    """(frame, framed text): ``text`` between markers no part of ``text`` or ``before`` holds."""
    frame = boundary_for(text, before)
    return frame, f"{frame.open}\n{text}\n{frame.close}"


def locate_segment(prompt: str) -> str | None:
    """The segment framed by ``frame_segment`` in ``prompt`` (framing newlines removed), or None.

    The frame is found from its *last* close marker, whose token names the one matching open
    marker: text inside the segment cannot hold either (see ``boundary_for``).
    """
    closes = list(_CLOSE_RE.finditer(prompt))
    if not closes:
        return None
    close = closes[-1]
    start = prompt.rfind(_OPEN.format(close.group(1)), 0, close.start())
    if start < 0:
        return None
    seg = prompt[start + len(_OPEN.format(close.group(1))) : close.start()]
    seg = seg[1:] if seg.startswith("\n") else seg
    return seg[:-1] if seg.endswith("\n") else seg


# ---- detection -------------------------------------------------------------------------------

_PREVIOUS = r"(?:all\s+|any\s+)?(?:the\s+|your\s+|of\s+the\s+)?(?:previous|prior|above|earlier|preceding|former|foregoing\s+system)"
_ORDERS = r"(?:instructions?|prompts?|directions?|directives?|rules|guidelines|messages|context)"
# Each pattern is something a contract or paper has no reason to say to its reader. Beside it,
# the literals every match holds, lower-cased: at least one of each tuple (see ``_may_match``).
Needs = tuple[tuple[str, ...], ...]
_PATTERNS: tuple[tuple[str, re.Pattern[str], Needs], ...] = (
    # Anything that looks like our own frame, or any chat template's role/turn tokens.
    ("forged segment marker", re.compile(r"<<<\s*(?:END\s*)?SEGMENT\b[^<>\n]{0,80}>>>", re.I), (("<<<",),)),
    (
        "chat-template token",
        re.compile(
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[/?INST\]|<</?SYS>>",
            re.I,
        ),
        (("<|", "inst]", "sys>>"),),
    ),
    (
        "instruction override",
        re.compile(rf"\b(?:ignore|disregard|forget|override|bypass)\s+{_PREVIOUS}\s+{_ORDERS}", re.I),
        (("ignore", "disregard", "forget", "override", "bypass"),),
    ),
    (
        "instruction override",
        re.compile(
            rf"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:your|the\s+system(?:'s)?)\s+{_ORDERS}",
            re.I,
        ),
        (("ignore", "disregard", "forget"),),
    ),
    (
        "new instructions",
        re.compile(r"\bnew\s+(?:system\s+)?instructions\s*:", re.I),
        (("new",), ("instructions",)),
    ),
    (
        "role reassignment",
        re.compile(r"\byou\s+are\s+now\s+(?:a|an|the|in|my|acting|no\s+longer|free|DAN)\b", re.I),
        (("you",), ("are",), ("now",)),
    ),
    (
        "role line",
        re.compile(
            # A party label ("DEVELOPER:", "System: SAP") is no role line: it must speak to a model.
            r"^[ \t>#*]*(?:system|assistant|developer|user)[ \t]*(?:prompt|message)?[ \t]*:[ \t]*"
            r"(?:you\b|ignore|disregard|forget|from\s+now\s+on|new\s+instructions|respond|reply|answer|"
            r"output|print|reveal|do\s+not|don't|always|never|report|return)",
            re.I | re.M,
        ),
        (("system", "assistant", "developer", "user"), (":",)),
    ),
    (
        "prompt disclosure",
        re.compile(
            # "your prompt" or "the system prompt", never "the prompt payment discount".
            r"\b(?:reveal|print|repeat|output|disclose|show|display|leak)\s+(?:me\s+)?(?:"
            r"your\s+(?:full\s+|entire\s+|original\s+|hidden\s+|initial\s+)?(?:system\s+)?(?:prompt|instructions)"
            r"|the\s+(?:full\s+|entire\s+|original\s+|hidden\s+|initial\s+)?system\s+(?:prompt|message))\b",
            re.I,
        ),
        (
            ("reveal", "print", "repeat", "output", "disclose", "show", "display", "leak"),
            ("your", "system"),
            ("prompt", "instructions", "message"),
        ),
    ),
    (
        "address to the model",
        re.compile(
            r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?"
            r"(?:AI|LLM|language\s+model|assistant|chatbot|model)s?\b",
            re.I,
        ),
        (("note", "message", "instruction"), ("ai", "llm", "model", "assistant", "chatbot")),
    ),
)

# The characters re.IGNORECASE matches to an ASCII letter that str.lower() does not lower to it
# (every code point checked): folded first, so the literal check never misses a match.
_FOLDED = "\u0130\u0131\u017f"
_FOLD = str.maketrans(_FOLDED, "iis")


def _may_match(folded: str, needs: Needs) -> bool:
    """Whether ``folded`` (the lower-cased text) holds one literal of each of ``needs``.

    A pattern whose literals are absent cannot match, and ``in`` runs at memchr speed where the
    patterns, each starting with ``\\b`` under re.IGNORECASE, are tried at every position: most
    texts skip most patterns (9 ms instead of 16 ms for a CUAD contract, median of 3 runs).
    """
    return all(any(s in folded for s in group) for group in needs)


@dataclass(frozen=True)
class InjectionHit:
    start: int  # offsets into the text searched
    end: int
    kind: str


_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s")
_REACH = 400  # at most this many characters of context either side of a match


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line, if shorter) around ``text[start:end]``."""
    lo = max(text.rfind("\n", 0, start) + 1, start - _REACH)
    for m in _SENTENCE_END.finditer(text, lo, start):
        lo = m.end()
    hi = text.find("\n", end)
    hi = min(len(text) if hi < 0 else hi, end + _REACH)
    stop = _SENTENCE_END.search(text, end, hi)
    return lo, (stop.start() + 1 if stop else hi)


def find_injections(text: str) -> list[InjectionHit]:
    """Suspected injections in ``text``: each hit spans the sentence (or line) that holds the
    match — the quote a reader needs — overlapping ones merged, in text order."""
    hits: list[InjectionHit] = []
    # str.translate looks every character up in a dict: only for the rare text that needs it.
    special = not text.isascii() and any(c in text for c in _FOLDED)
    folded = (text.translate(_FOLD) if special else text).lower()
    for kind, pattern, needs in _PATTERNS:
        if not _may_match(folded, needs):
            continue
        for m in pattern.finditer(text):
            start, end = _sentence(text, m.start(), m.end())
            # Trim the line to its visible text so the quote starts and ends on characters.
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                hits.append(InjectionHit(start, end, kind))
    hits.sort(key=lambda h: (h.start, h.end))
    merged: list[InjectionHit] = []
    for h in hits:
        if merged and h.start < merged[-1].end:
            last = merged[-1]
            kinds = last.kind if h.kind in last.kind.split(", ") else f"{last.kind}, {h.kind}"
            merged[-1] = InjectionHit(last.start, max(last.end, h.end), kinds)
        else:
            merged.append(h)
    return merged


def injection_findings(task: SegmentTask) -> list[Finding]:
    """One cited ``prompt_injection_suspected`` finding per suspect line of the segment."""
    out: list[Finding] = []
    for h in find_injections(task.text):
        s, e = task.base_offset + h.start, task.base_offset + h.end
        out.append(
            Finding(category=INJECTION_CATEGORY, confidence=0.9, model=GUARD_MODEL,
                    quote=task.text[h.start : h.end], start=s, end=e, page=task.locator.page(s),
                    section=task.locator.section(s), segment=task.segment)
        )  # fmt: skip
    return out


def with_injection_flags(task: SegmentTask, analysis: SegmentAnalysis) -> SegmentAnalysis:
    """``analysis`` plus the guard's findings for ``task`` (none added twice)."""
    have = {(f.start, f.end) for f in analysis.findings if f.category == INJECTION_CATEGORY}
    extra = [f for f in injection_findings(task) if (f.start, f.end) not in have]
    if not extra:
        return analysis
    return analysis.model_copy(update={"findings": [*analysis.findings, *extra]})
