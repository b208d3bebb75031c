"""What the LLM simulator answers, and how its answers go wrong.

``answer`` builds the reply a perfect model would give: for a segment, an ``LLMSegmentOutput``
from the offline analyzers run on the segment's real text (so every quote is verbatim); for a
synthesis, a short deterministic ``LLMSynthesis``. The fault helpers then spoil it on purpose.

Every random draw comes from a ``random.Random`` seeded by (config seed, request hash,
attempt), so a given request on its n-th attempt always meets the same fate: runs are
reproducible, yet a retry of a failed request is a fresh draw and can succeed.
"""

from __future__ import annotations

import json
import math
import random
import re
from functools import lru_cache
from typing import Any, Literal, get_args

from chunking.tokenizer import count_tokens, encode, encoding
from pipeline.analyze.clauses import CATEGORIES, find_clauses
from pipeline.analyze.digest import passage_digest
from pipeline.analyze.injection import locate_segment
from pipeline.analyze.keyterms import find_key_terms
from pipeline.analyze.llm_schema import (
    MAX_DEFINED_TERMS,
    MAX_FINDINGS_PER_CATEGORY,
    MAX_KEY_TERMS,
    MAX_PAPER_ITEMS,
    MAX_REFERENCES,
    MAX_VERDICT_QUOTES,
    PAPER_PROMPT_MARK,
    PAPER_SCHEMA_NAME,
    PLAYBOOK_HEADER,
    SEGMENT_CLOSE,
    SEGMENT_OPEN,
    LLMDefinedTerm,
    LLMFinding,
    LLMKeyTerm,
    LLMPaperDigest,
    LLMPaperItem,
    LLMPaperOutput,
    LLMPaperResult,
    LLMReference,
    LLMSegmentOutput,
    LLMSynthesis,
    LLMVerdict,
)
from pipeline.analyze.playbook import Playbook, Rule
from pipeline.analyze.references import find_references
from pipeline.analyze.terms import find_defined_terms
from pipeline.consolidate.review import review_items
from pipeline.types import Finding, KeyTerm, KeyTermName

FaultKind = Literal["429", "500", "timeout", "invalid_json", "truncated", "invented_quote"]
ALL_FAULTS: tuple[FaultKind, ...] = ("429", "500", "timeout", "invalid_json", "truncated", "invented_quote")

# z of the 95th percentile of a standard normal: sigma = ln(p95 / p50) / Z95.
Z95 = 1.6448536269514722

# Text a model might make up: absurd enough never to occur in a real segment.
_INVENTED = (
    "Notwithstanding anything to the contrary, the Supplier shall indemnify the Customer for all "
    "losses arising from operations conducted on the far side of the Moon."
)


def request_rng(seed: int, request_hash: str, attempt: int) -> random.Random:
    # A str seed is hashed with SHA-512 by ``random``: stable across processes and PYTHONHASHSEED.
    return random.Random(f"{seed}:{request_hash}:{attempt}")


def choose_fault(rng: random.Random, rate: float, kinds: tuple[FaultKind, ...]) -> FaultKind | None:
    """The fault for one attempt, or None. Always consumes two draws so latency draws that
    follow do not depend on whether a fault was picked."""
    hit, pick = rng.random(), rng.random()
    if not kinds or hit >= rate:
        return None
    return kinds[min(int(pick * len(kinds)), len(kinds) - 1)]


def sample_latency(rng: random.Random, p50: float, p95: float) -> float:
    """A lognormal draw with the given median and 95th percentile (seconds, unscaled)."""
    if p50 <= 0:
        return 0.0
    sigma = math.log(max(p95, p50) / p50) / Z95
    return p50 * math.exp(sigma * rng.gauss(0.0, 1.0))


def format_seconds(seconds: float) -> str:
    """``Retry-After`` value the openai SDK parses as float seconds ("1", "0.05")."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:.3f}".rstrip("0")


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope, which the SDK turns into ``APIStatusError.body``."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def invalid_json(content: str, rng: random.Random) -> str:
    """Chatty prose around a JSON object that breaks off: not parseable as JSON."""
    cut = max(1, int(len(content) * (0.2 + 0.5 * rng.random())))
    return "Sure! Here is the analysis you asked for:\n```json\n" + content[:cut]


def truncate(content: str, rng: random.Random) -> str:
    """The content cut mid-JSON, as when a model runs out of output tokens."""
    if len(content) < 2:
        return "{"
    cut = 1 + int((len(content) - 2) * (0.3 + 0.6 * rng.random()))
    return content[:cut]


def truncate_to_tokens(content: str, max_tokens: int) -> str:
    """The longest prefix of ``content`` made of its first ``max_tokens`` o200k tokens."""
    tokens = encode(content)
    if len(tokens) <= max_tokens:
        return content
    # A token may end inside a multi-byte character: drop the broken tail, as an API would.
    return encoding().decode_bytes(tokens[: max(max_tokens, 0)].tolist()).decode("utf-8", "ignore")


def invent_quote(content: str, segment: str, rng: random.Random) -> str:
    """A schema-valid segment answer in which one finding quotes text absent from the segment."""
    data = json.loads(content)
    invented = _INVENTED
    while invented in segment:  # pragma: no cover - only for a segment that contains the decoy
        invented += " (as amended)"
    findings: list[dict[str, Any]] = data["findings"]
    if findings:
        findings[rng.randrange(len(findings))]["quote"] = invented
    else:
        findings.append({"category": "Uncapped Liability", "quote": invented, "confidence": 0.9})
    return json.dumps(data, ensure_ascii=False)


def analyse_segment(segment: str) -> LLMSegmentOutput:
    """What a perfect model would answer for ``segment``: the offline analyzers' hits, quoted."""
    try:
        clauses = find_clauses(segment)
    except (OSError, ValueError, KeyError):
        clauses = []  # the trained clause artifact is optional: no findings without it
    return LLMSegmentOutput(
        findings=[
            LLMFinding(category=h.category, quote=segment[h.start : h.end], confidence=round(h.confidence, 3))
            for h in clauses
            if h.end > h.start
        ],
        key_terms=[
            LLMKeyTerm(name=k.name, value=k.value, quote=segment[k.start : k.end])
            for k in find_key_terms(segment)
            if k.end > k.start
        ],
        defined_terms=[
            LLMDefinedTerm(term=t.term, quote=segment[t.start : t.end])
            for t in find_defined_terms(segment)
            if t.end > t.start
        ],
        references=[
            LLMReference(label=r.label, quote=segment[r.start : r.end])
            for r in find_references(segment)
            if r.end > r.start
        ],
    )


def _rules_in(prompt: str) -> str:
    """The playbook rules a segment request carries (``PLAYBOOK_HEADER`` + one JSON line), or ""."""
    at = prompt.rfind(PLAYBOOK_HEADER)
    return "" if at < 0 else prompt[at + len(PLAYBOOK_HEADER) :].strip().split("\n", 1)[0]


def _verdicts(segment: str, out: LLMSegmentOutput, rules: str) -> list[LLMVerdict]:
    """A careful model's verdicts: the offline review of this segment alone, where a clause the
    segment does not show is ``missing`` (here) and every other verdict quotes its evidence."""
    try:
        raw = json.loads(rules)
        playbook = Playbook(name="prompt", rules=[Rule.model_validate({**r, "severity": "low"}) for r in raw])
    except (ValueError, TypeError):
        return []

    def span(quote: str) -> dict[str, Any] | None:
        at = segment.find(quote)
        return (
            None if at < 0 else {"quote": quote, "start": at, "end": at + len(quote), "page": 1, "segment": 0}
        )

    findings = [Finding(category=f.category, confidence=f.confidence, model="sim", **sp)
                for f in out.findings if (sp := span(f.quote))]  # fmt: skip
    terms = [KeyTerm(name=k.name, value=k.value, **sp) for k in out.key_terms
             if k.name in get_args(KeyTermName) and (sp := span(k.quote))]  # fmt: skip
    review = review_items(segment, playbook, findings, terms, None)
    return [
        LLMVerdict(
            rule=i.rule,
            status="missing" if not i.evidence else i.status,
            answer=i.answer or "",
            quotes=[e.quote for e in i.evidence[:MAX_VERDICT_QUOTES]],
            reason=i.reason if i.evidence else "this segment has no such clause",
        )
        for i in review.items
    ]


def _segment_answer(segment: str, rules: str = "") -> str:
    out = LLMSegmentOutput.model_validate_json(_bounded_answer(segment))
    if rules:
        out = out.model_copy(update={"verdicts": _verdicts(segment, out, rules)})
    return out.model_dump_json()


@lru_cache(maxsize=32)
def _bounded_answer(segment: str) -> str:
    # Retries and benches resend the same segments: analyse each once. Answers honour the
    # limits the prompt states, as a model asked for bounded output would.
    out = analyse_segment(segment)
    per_cat: dict[str, int] = {}
    findings = []
    for f in out.findings:
        per_cat[f.category] = per_cat.get(f.category, 0) + 1
        if per_cat[f.category] <= MAX_FINDINGS_PER_CATEGORY:
            findings.append(f)
    bounded = out.model_copy(update={
        "findings": findings, "key_terms": out.key_terms[:MAX_KEY_TERMS],
        "defined_terms": out.defined_terms[:MAX_DEFINED_TERMS], "references": out.references[:MAX_REFERENCES],
    })  # fmt: skip
    return bounded.model_dump_json()


_METHOD = re.compile(
    r"\b(?:[Ww]e (?:use|train|fine-tune|apply|adopt|model|compute|encode)\w*|[Oo]ur (?:method|model|approach|system)|"
    r"is trained|algorithm|architecture)\b"
)
_LINE_SENTENCE = re.compile(r"(?:^|(?<=[.!?] ))[A-Z][^.!?\n]{20,300}[.!?](?= |$)", re.M)
_OPEN = re.compile(
    r"\b(?:future work|we leave|open question|remains? (?:open|unclear)|further research)\b", re.I
)


@lru_cache(maxsize=32)
def _paper_answer(segment: str) -> str:
    """A careful model's paper answer: the segment's references and defined terms, and as its
    digest the offline digest of the segment (every quote verbatim), within the prompt's limits."""
    base = LLMSegmentOutput.model_validate_json(_bounded_answer(segment))
    d = passage_digest(segment)

    def item(quote: str) -> LLMPaperItem:
        return LLMPaperItem(text=" ".join(quote.split()[:16]), quotes=[quote])

    n = MAX_PAPER_ITEMS
    digest = LLMPaperDigest(
        contributions=[item(x.quote) for x in d.contributions[:n]],
        methods=[
            item(m.group().strip()) for m in _LINE_SENTENCE.finditer(segment) if _METHOD.search(m.group())
        ][:n],
        datasets=[item(x.quote) for x in d.datasets[:n]],
        results=[
            LLMPaperResult(
                metric=r.metric or "",
                value=r.value or "",
                dataset=r.dataset or "",
                baseline=r.compared or "",
                delta="",
                quotes=[r.quote],
            )  # fmt: skip
            for r in d.results[:n]
        ],
        limitations=[item(x.quote) for x in d.limitations if not _OPEN.search(x.quote)][:n],
        open_questions=[item(x.quote) for x in d.limitations if _OPEN.search(x.quote)][:n],
    )
    # Findings, key terms and verdicts are for contracts: the paper prompt asks for none.
    out = LLMPaperOutput(findings=[], key_terms=[], defined_terms=base.defined_terms,
                         references=base.references, digest=digest)  # fmt: skip
    return out.model_dump_json()


def invent_paper_quote(content: str, segment: str, rng: random.Random) -> str:
    """A schema-valid paper answer in which one digest item quotes text absent from the segment."""
    data = json.loads(content)
    invented = _INVENTED
    while invented in segment:  # pragma: no cover - only for a segment that contains the decoy
        invented += " (as amended)"
    items: list[dict[str, Any]] = data["digest"]["contributions"]
    if items:
        items[rng.randrange(len(items))]["quotes"] = [invented]
    else:
        items.append({"text": "An invented claim.", "quotes": [invented]})
    return json.dumps(data, ensure_ascii=False)


def synthesise(material: str) -> LLMSynthesis:
    """A short deterministic summary of what the request mentions, by clause category."""
    counts = {c: material.count(c) for c in CATEGORIES if c in material}
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    summary = (
        f"The material reviewed ({count_tokens(material)} tokens) mentions {len(counts)} of the "
        f"{len(CATEGORIES)} clause categories, {sum(counts.values())} times in all."
    )
    if top:
        summary += " Most frequent: " + ", ".join(c for c, _ in top[:3]) + "."
    observations = [f"{c}: mentioned {n} time{'s' * (n != 1)}." for c, n in top[:8]]
    return LLMSynthesis(
        executive_summary=summary, observations=observations or ["No clause categories were mentioned."]
    )


def text_of(content: Any) -> str:
    """A message's text: a plain string or the text parts of a content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        return "".join(t for t in parts if isinstance(t, str))
    return ""


def extract_segment(text: str) -> str | None:
    """The text between the segment markers (one framing newline each side removed), if any."""
    framed = locate_segment(text)  # the per-request boundary build_messages uses
    if framed is not None:
        return framed
    start = text.find(SEGMENT_OPEN)  # the legacy fixed markers (older clients, hand-made requests)
    if start < 0:
        return None
    start += len(SEGMENT_OPEN)
    end = text.find(SEGMENT_CLOSE, start)
    seg = text[start : end if end >= 0 else len(text)]
    seg = seg[1:] if seg.startswith("\n") else seg
    return seg[:-1] if seg.endswith("\n") else seg


def max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _schema_name(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format")
    if (
        isinstance(fmt, dict)
        and fmt.get("type") == "json_schema"
        and isinstance(fmt.get("json_schema"), dict)
    ):
        name = fmt["json_schema"].get("name")
        return name if isinstance(name, str) else None
    return None


def answer(body: dict[str, Any], fault: FaultKind | None, rng: random.Random) -> tuple[str, str, bool]:
    """(content, finish_reason, spoiled on purpose) for a request answered with 200."""
    messages: list[Any] = body["messages"]
    last_user = next(
        (
            text_of(m.get("content"))
            for m in reversed(messages)
            if isinstance(m, dict) and m.get("role") == "user"
        ),
        "",
    )
    name = _schema_name(body)
    segment = extract_segment(last_user)
    finish, spoiled = "stop", fault in ("invalid_json", "truncated")
    system = next((text_of(m.get("content")) for m in messages
                   if isinstance(m, dict) and m.get("role") == "system"), "")  # fmt: skip
    # A paper segment: its schema by name, or (JSON-mode profiles) the paper rules in the prompt.
    paper = name == PAPER_SCHEMA_NAME or (name is None and PAPER_PROMPT_MARK in system)
    if name != "synthesis" and (name in ("segment_analysis", PAPER_SCHEMA_NAME) or segment is not None):
        segment = last_user if segment is None else segment
        content = _paper_answer(segment) if paper else _segment_answer(segment, _rules_in(last_user))
        if fault == "invented_quote":
            spoil = invent_paper_quote if paper else invent_quote
            content, spoiled = spoil(content, segment, rng), True
    else:
        material = "\n".join(text_of(m.get("content")) for m in messages if isinstance(m, dict))
        content = synthesise(material).model_dump_json()
    if fault == "invalid_json":
        content = invalid_json(content, rng)
    elif fault == "truncated":
        content, finish = truncate(content, rng), "length"
    limit = max_tokens(body)
    if limit is not None:
        cut = truncate_to_tokens(content, limit)
        if cut != content:
            content, finish = cut, "length"
    return content, finish, spoiled
