"""Generate longdoc's bundled long example: ``pipeline/examples/master-services-agreement.txt``.

The document is ORIGINAL text written for the longdoc project and released under CC0-1.0.
All parties, people, addresses and facts are fictional. Nothing is copied from third-party
contracts. The output is deterministic: no randomness (variant wording is chosen by hashing fixed
keys with sha256) and no clock, so every run writes a byte-identical file
(tests/test_example_reproducible.py pins its sha256).

The prose lives in ``bench/example_data/``: ``msa.txt`` is the document (Articles I-XX, Exhibits,
Schedules, Appendix) with ``{slots}`` for the tables built from the Statements of Work, ``sow.txt``
is one Statement of Work, and ``msa.toml`` holds the 22 engagements, the variant wording, the row
shapes and the parameters. This script only fills the templates. Standard library only; with the
repository's ``chunking.tokenizer`` importable (project venv), the o200k_base token count is
printed and checked as well.

    python bench/make_example.py            # writes the file, prints tokens/chars/bytes/sha256
    python bench/make_example.py --check    # writes nothing; fails if the file on disk differs

PLANTED FEATURES (tests may rely on these exact strings; the constants below hold them):

  Dangling cross-references -- exactly two; each string occurs exactly once and its target
  exists nowhere in the document (DANGLING_REFERENCES):
    1. "Section 21.4"  -- Section 16.7 (Transition Services), clause (e): "... described in the
                          exit plan in accordance with Section 21.4." The Agreement has
                          Articles I-XX only and no Exhibit/Schedule has a Section 21.x.
    2. "Exhibit K"     -- Schedule 3 (Security Requirements), paragraph 7.3: "... rules of
                          engagement set out in Exhibit K." The exhibits are A, B and C only.
    Every other Section/Article/clause/Exhibit/Schedule/Appendix reference resolves; the
    generator proves this itself (_check_references) and refuses to write otherwise.

  Conflict -- exactly one, beyond the first 150,000 tokens (CONFLICT_TEXT, checked at run time):
    Statement of Work No. 22 (the last one: cross-border trade compliance analytics, entered into
    by the Mexican Customer Affiliate), Section 12.3 "Governing Law", says the SOW "shall be
    governed by the laws of the State of Delaware" "Notwithstanding Section 18.1 of the
    Agreement", which chooses New York (venue in Section 18.2). Every other governing-law
    statement names New York. The SOW does not meet the variation formalities of Section 1.3, so
    the order of precedence arguably defeats it -- which is what makes it worth flagging.

  Defined but never used (UNUSED_DEFINED_TERM): "Reference Site", defined in Section 1.1 and
    appearing nowhere else, in any letter case.

  Used as a defined term but never defined (UNDEFINED_TERM): "Transition Assistance Period",
    used in Sections 16.7 and 16.8, Section 12.2 of many Statements of Work and Schedule 1
    paragraph 6.1, never defined. All other defined terms are used outside their definition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import string
import sys
import tomllib
from collections import ChainMap, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "example_data"
OUT = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"

DANGLING_REFERENCES = ("Section 21.4", "Exhibit K")
CONFLICT_TEXT = "governed by the laws of the State of Delaware"
UNUSED_DEFINED_TERM = "Reference Site"
UNDEFINED_TERM = "Transition Assistance Period"
CONFLICT_MIN_TOKEN_OFFSET = 150_000
MAX_BYTES = 1_200_000

# ---- deterministic helpers -------------------------------------------------------------


def _h(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def pick(key: str, options: Sequence[Any]) -> Any:
    """One of ``options``, chosen by hashing ``key`` (stable across Python versions)."""
    return options[_h(key) % len(options)]


def money(amount: float) -> str:
    return f"${amount:,.2f}" if not float(amount).is_integer() else f"${int(amount):,}"


def rate(r: float) -> str:
    """A variable-fee rate: three decimals below ten cents, cents below $100 if not whole."""
    return f"${r:,.3f}" if r < 0.1 else (f"${r:,.2f}" if r < 100 and not float(r).is_integer() else money(r))


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def wn(n: int) -> str:
    """'twelve (12)' -- contract style, for 0 <= n < 100."""
    word = _ONES[n] if n < 20 else _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    return f"{word} ({n})"


def fmt_date(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(d.day, last))


def sub_list(items: Sequence[str]) -> str:
    """'(a) item;' paragraphs, the penultimate ending '; and', the last '.'."""
    last = len(items) - 1
    ends = [";"] * (last - 1) + ["; and", "."] if last else ["."]
    return paras(
        f"({chr(97 + i)}) {item}{end}" for i, (item, end) in enumerate(zip(items, ends, strict=True))
    )


def paras(items: Iterable[str]) -> str:
    return "\n\n".join(items)


class _Fields(string.Formatter):
    """str.format where a field's value may itself be a template (filled with the same fields) and
    a field written {singular|plural} picks the form agreeing with the row's ``plural`` flag."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and "|" in key:
            return key.split("|")[1 if kwargs["plural"] else 0]
        value = kwargs[key]  # type: ignore[index]
        return self.vformat(value, (), kwargs) if isinstance(value, str) and "{" in value else value


def fill(template: str, fields: dict[str, Any], /, **more: Any) -> str:
    """``template`` with its fields taken from ``more``, then ``fields``."""
    return _Fields().vformat(template, (), ChainMap(more, fields))


# ---- the generator ---------------------------------------------------------------------


class Example:
    def __init__(self, data: dict[str, Any], document: str, sow: str) -> None:
        self.d, self.document_template, self.sow_template = data, document, sow
        self.used_names: set[str] = set()
        self.sows: list[dict[str, Any]] = []  # the fields of each Statement of Work, for the Schedules

    def person(self, key: str) -> str:
        """A fictional name, unique within the document (so the order of calls matters)."""
        first, last = self.d["people"]["first"], self.d["people"]["last"]
        i = 0
        while True:
            h = _h(f"{key}/{i}")
            name = f"{first[h % len(first)]} {last[(h // 97) % len(last)]}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
            i += 1

    def sow(self, n: int, s: dict[str, Any], dated: dt.date, *, conflict: bool) -> str:
        """Statement of Work No. ``n``; its fields are kept in self.sows for the Schedules."""
        P, S, R = self.d["parties"], self.d["sow"], self.d["sow"]["rows"]
        k = f"sow{n}"

        def vary(name: str, i: int) -> Any:  # per-row wording
            return pick(f"{k}{name}{i}", S["pick_each"][name])

        aff = self.d["affiliates"].get(s.get("party", ""))
        party, party_desc = (aff["name"], aff["desc"]) if aff else (P["customer"], P["customer_desc"])
        start = add_months(dated.replace(day=1), 1)
        end = add_months(start, s["months"]) - dt.timedelta(days=1)
        offsets = S["milestone_months"] if s["months"] >= 24 else S["milestone_months_short"]
        miles = [add_months(start, m) + dt.timedelta(days=14) for m in offsets]
        go_live, impl, monthly, tasks, feeds = miles[4], s["impl"], s["monthly"], s["tasks"], s["feeds"]
        flags = {"affiliate": aff is not None, "monthly": monthly > 0, "conflict": conflict}
        flags["revshare"] = s.get("revshare", False)

        c: dict[str, Any] = {name: pick(k + name, options) for name, options in S["pick"].items()}
        c |= {name: v["yes" if flags[v["when"]] else "no"] for name, v in S["variant"].items()}
        for key in ("objectives", "tasks", "out_of_scope", "deps", "sites", "assumptions"):
            c[key] = sub_list(s[key])
        c["tier1"], c["tier2"], c["tier3"] = map(rate, s["unit_rates"])
        c |= dict(n=n, s=s, title=s["title"], service=s["name"], dated=fmt_date(dated), provider=P["provider"],
                  customer=P["customer"], party_name=party, party_desc=party_desc, party_upper=party.upper(),
                  sys_term=s["system"], system_desc=s["system_desc"], background=s["background"],
                  start=fmt_date(start), end=fmt_date(end), impl=money(impl), monthly=money(monthly),
                  unit=s["unit"], sessions=wn(c["train"]), personal_data=self.d["personal_data"][s["personal"]]["sow"],
                  dates=dict(dated=dated, start=start, end=end, go_live=go_live))  # fmt: skip

        c["feed_rows"] = paras(fill(R["feed"], c, i=i, feed=f, freq=q) for i, (f, q) in enumerate(feeds, 1))
        rows = []
        for i, (phase, task_numbers, exit_criteria) in enumerate(S["phases"]):
            begins = fmt_date(start if i == 0 else miles[i - 1] + dt.timedelta(days=1))
            acts = "; ".join(tasks[j] for j in task_numbers)
            row = dict(i=i + 1, phase=phase, begins=begins, ends=fmt_date(miles[i]), activities=acts)
            rows.append(fill(R["phase"], c, **row, exit=exit_criteria))
        c["phase_rows"] = paras(rows)

        deliverables, tests = [], []
        for i, (name, desc, acc) in enumerate(s["deliverables"], 1):
            m = S["deliverable_milestones"][i - 1]
            row = dict(i=i, name=name, description=desc[0].upper() + desc[1:], acc=acc, m=m + 1)
            deliverables.append(row | {"due": fmt_date(miles[m])})
            words = name.split()
            plural = words[-1].endswith("s") and words[-1] not in S["tests"]["not_plural"]
            kinds = S["tests"]["kind"]  # the last kind has no words: it catches the rest
            kind = next(t for t in kinds if not t["words"] or any(w in name.lower() for w in t["words"]))
            tests.append(fill(R["test"], c, **row, t2=kind["t2"], t3=kind["t3"], plural=plural))
        c["deliverable_rows"] = paras(fill(R["deliverable"], c, **row) for row in deliverables)
        c["acceptance_rows"] = paras(fill(R["acceptance"], c, **row) for row in deliverables)
        c["test_rows"] = paras(tests)

        pcts = c["pct"]
        rows = []
        for i, (desc, date, pct) in enumerate(zip(S["milestones"], miles, pcts, strict=True), 1):
            rows.append(fill(R["milestone"], c, i=i, description=desc, date=fmt_date(date), pct=pct))
        c["milestone_rows"] = paras(rows)
        payments = [money(round(impl * pct / 100)) for pct in pcts]
        c["payment_rows"] = paras(
            fill(R["payment"], c, i=i, pct=p, amount=a)
            for i, (p, a) in enumerate(zip(pcts, payments, strict=True), 1)
        )
        rows = []
        for j in range(12):  # the first twelve months from go-live (Milestone M5)
            month_end = add_months(go_live.replace(day=1), j + 1) - dt.timedelta(days=1)
            if not monthly:
                items = [R["invoice_transactions"]]
            elif j == 0:  # pro rata from the go-live day
                amount = round(monthly * ((month_end.day - go_live.day + 1) / month_end.day))
                items = [fill(R["invoice_pro_rata"], c, amount=money(amount))]
            else:
                items = [fill(R["invoice_recurring"], c, amount=money(monthly))]
            if month_end - dt.timedelta(days=month_end.day) < miles[5] <= month_end:
                items.append(fill(R["invoice_m6"], c, amount=payments[5]))
            rows.append(fill(R["invoice"], c, month_end=fmt_date(month_end), items="; ".join(items)))
        c["invoice_rows"] = paras(rows)

        M, c["sls"] = S["measurement"], []
        # "variance" tests the LAST Service Level's target, as the generator always has (it reused a
        # loop variable); testing each row's own target would change three rows of the example.
        variance = "%" in s["slas"][-1][1] and "not more than" in s["slas"][-1][1]
        for i, (metric, target, measurement, critical, credit) in enumerate(s["slas"], 1):
            low = metric.lower()
            if "availability" in low:
                calc = M["availability"]
            elif any(w in low for w in M["timed_words"]):
                calc = M["timed"]
            else:
                calc = M["variance" if variance else "formula"]
            yes_no, note = ("Yes", R["critical_yes"]) if critical else ("No", R["critical_no"])
            row = dict(i=i, metric=metric, target=target, measurement=measurement, credit=credit, calc=calc)
            row |= dict(critical=yes_no, critical_note=note, excl=vary("excl", i))
            c["sls"].append(row | {"source": feeds[(i - 1) % len(feeds)][0]})
        c["sla_rows"] = paras(fill(R["sla"], c, **row) for row in c["sls"])
        c["measurement_rows"] = paras(fill(R["measurement"], c, **row) for row in c["sls"])

        alloc = S["key_personnel_allocation"]  # later roles: 50%
        c["key_personnel"] = [
            dict(role=role, name=self.person(f"{k}/{role}"), alloc=alloc[i] if i < len(alloc) else 50)
            for i, role in enumerate(s["roles"])
        ]
        c["key_personnel_rows"] = paras(fill(R["key_personnel"], c, **row) for row in c["key_personnel"])
        c["pm_role"] = self.d["people"]["reports_to"].get(s["key"], c["cc"])
        c["pm_name"] = self.person(f"{k}/customer-pm")
        rows = []
        for i, task in enumerate(tasks):  # this key counts from 0, the others from 1
            p, cu = vary("raci", i)
            rows.append(fill(R["raci"], c, letter=chr(97 + i), task=task, provider_raci=p, customer_raci=cu))
        c["raci_rows"] = paras(rows)
        c["retention_rows"] = paras(
            fill(R["retention"], c, i=i, feed=f, ret=vary("ret", i)) for i, (f, _) in enumerate(feeds, 1)
        )
        c["risk_rows"] = paras(
            fill(R["risk"], c, i=i, dep=dep, imp=vary("imp", i), mit=vary("mit", i))
            for i, dep in enumerate(s["deps"], 1)
        )
        c["provider_signatory"] = self.person(f"{k}/provider-signatory")
        c["customer_signatory"] = self.person(f"{k}/customer-signatory")
        self.sows.append(c)
        return fill(self.sow_template, c)

    def build(self) -> str:
        P, R = self.d["parties"], self.d["document"]["rows"]
        eff, services = P["effective_date"], self.d["service"]
        sows = []
        for i, s in enumerate(services):
            dated = eff + dt.timedelta(days=P["sow_spacing_days"] * i)
            sows.append(self.sow(i + 1, s, dated, conflict=i == len(services) - 1))
        t: dict[str, list[str]] = defaultdict(list)  # a {slot} of msa.txt -> its paragraphs
        for c in self.sows:
            s = c["s"]
            title = s["title"].title().replace("And", "and").replace("For", "for")
            # .rstrip: a name ending "Inc." takes no second full stop
            t["sow_index"].append(fill(R["sow_index"], c, title=title, party=c["party_name"].rstrip(".")))
            t["sl_register"] += (fill(R["sl_register"], c, **row) for row in c["sls"])
            t["pd_rows"].append(fill(R["pd_rows"], c, **self.d["personal_data"][s["personal"]]))
            monthly = c["monthly"] if s["monthly"] else R["fee_summary_no_monthly"]
            t["fee_summary"].append(fill(R["fee_summary"], c, monthly=monthly))
            # Tier 1 covers half the volume the unit's description includes (10 at least; 5,000 if none).
            m = re.search(r"(\d[\d,]*)", s["unit"])
            base = int(m.group(1).replace(",", "")) if m else 0
            band = max(base // 2, 10) if base else 5_000
            t["fee_bands"].append(fill(R["fee_bands"], c, band1=band, band2=2 * band, band3=3 * band))
            # Termination cap: 25% of the monthly fee (6% of the implementation fee if none) over the term.
            cap = round((s["monthly"] or round(s["impl"] * 0.06)) * s["months"] * 0.25 / 1000) * 1000
            t["fee_caps"].append(fill(R["fee_caps"], c, cap=money(cap)))
            t["kp_register"] += (fill(R["kp_register"], c, **row) for row in c["key_personnel"])
            t["pm_rows"].append(fill(R["pm_rows"], c))
        for cy in range(1, 4):
            begins, ends = add_months(eff, 12 * (cy - 1)), add_months(eff, 12 * cy) - dt.timedelta(days=1)
            total = 0
            for c in self.sows:  # whole months of recurring fees from go-live to the end of the SOW
                a, b = max(begins, c["dates"]["go_live"]), min(ends, c["dates"]["end"])
                if c["s"]["monthly"] and a <= b:
                    total += ((b.year - a.year) * 12 + b.month - a.month + 1) * c["s"]["monthly"]
            row = dict(cy=cy, begins=fmt_date(begins), ends=fmt_date(ends), total=money(total))
            t["cy_estimates"].append(fill(R["cy_estimates"], row))
        for role, alloc in self.d["people"]["account_team"]:  # after the SOWs: person() is order-dependent
            t["account_team"].append(
                fill(R["account_team"], {}, role=role, alloc=alloc, name=self.person(f"account/{role}"))
            )
        out = fill(self.document_template, {"sows": paras(sows)} | {slot: paras(v) for slot, v in t.items()})
        out = re.sub(r"[ \t]+\n", "\n", out)
        return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"  # empty variants leave empty paragraphs


def build_document(data_dir: Path = DATA) -> str:
    data = tomllib.loads((data_dir / "msa.toml").read_text(encoding="utf-8"))
    doc, sow = ((data_dir / f).read_text(encoding="utf-8").rstrip("\n") for f in ("msa.txt", "sow.txt"))
    return Example(data, doc, sow).build()


# ---- self-checks -------------------------------------------------------------------------------------
# A stdlib copy of the contract reference grammar of longdoc's references analyzer, used to prove
# that every reference except the two planted ones points at something that exists.

_NUM = r"\d{1,3}(?:\.\d{1,3}){0,4}[a-z]?(?:\s?\([a-zA-Z0-9]{1,5}\)){0,3}"
_LIST_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|through|to)\s+)"
_REFS = re.compile(
    rf"\b(?P<kw>Sections?|SECTIONS?|Sec\.|§§?|[Cc]lauses?|CLAUSES?|[Pp]aragraphs?|PARAGRAPHS?)\s*(?P<nums>{_NUM}(?:{_LIST_SEP}{_NUM})*)"
    r"|\b(?P<akw>Articles?|ARTICLES?)\s+(?P<anum>[IVXLC]{1,7}\b|\d{1,3}\b)"
    r"|\b(?P<xkw>Exhibits?|EXHIBITS?|Schedules?|SCHEDULES?|Annex(?:es)?|ANNEX(?:ES)?|Appendix|Appendices|APPENDIX|Attachments?|ATTACHMENTS?)\s+(?P<xnum>[A-Z]{1,2}(?:-\d{1,2})?\b|\d{1,3}(?:\.\d{1,2})?\b)"
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_to_int(s: str) -> int:
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def _targets(text: str) -> set[str]:
    keys: set[str] = set()
    current: str | None = None
    for line in text.split("\n"):
        if m := re.match(r"^ARTICLE ([IVXL]+)$", line):
            n = _roman_to_int(m.group(1))
            keys |= {f"article:{n}", f"section:{n}"}
            current = None
            continue
        if m := re.match(r"^(EXHIBIT|SCHEDULE|APPENDIX) ([A-Z0-9]+) –", line):
            keys.add(f"{m.group(1).lower()}:{m.group(2)}")
            current = None
            continue
        if (m := re.match(r"^(\d{1,2}\.\d{1,2}) ", line)) or (m := re.match(r"^(\d{1,2})\. \S", line)):
            current = m.group(1)
        elif not line.strip() or line.startswith("STATEMENT OF WORK NO."):
            if line.startswith("STATEMENT OF WORK NO."):
                current = None
            continue
        if current is None:
            continue
        keys.add(f"section:{current}")
        for sub in re.finditer(r"\(([a-z]{1,4})\)", line):
            keys.add(f"section:{current}({sub.group(1)})")
    return keys


def _find_refs(text: str) -> Iterator[tuple[str, int, str]]:
    for m in _REFS.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip():
            continue  # a heading, not a reference
        if m.group("nums"):
            for n in re.finditer(_NUM, m.group("nums")):
                num = re.sub(r"\s+", "", n.group()).rstrip(".")
                yield f"section:{num}", m.start(), text[m.start() : m.start("nums") + n.end()]
        elif m.group("akw"):
            raw = m.group("anum")
            yield f"article:{int(raw) if raw.isdigit() else _roman_to_int(raw)}", m.start(), m.group()
        else:
            kw = m.group("xkw").lower().rstrip("s")
            kind = (
                "appendix"
                if kw.startswith("append")
                else "exhibit"
                if kw.startswith("exhibit")
                else "schedule"
            )
            yield f"{kind}:{m.group('xnum').upper()}", m.start(), m.group()


def _check_references(text: str) -> list[str]:
    keys = _targets(text)
    return [label for target, _pos, label in _find_refs(text) if target not in keys]


def _defined_terms(text: str) -> set[str]:
    terms = set(
        re.findall(
            r"\"([A-Z][A-Za-z0-9\-' ]{1,60})\"\s*,?\s*(?:means|shall have the meaning|has the meaning)", text
        )
    )
    for body in re.findall(r"\(([^()\n]{0,200})\)", text):
        if re.match(r"^\s*(?:the|a|an|each|as amended, the|and together)?[^\"]{0,40}\"[A-Z]", body):
            terms |= set(re.findall(r"\"([A-Z][A-Za-z0-9\-' ]{1,60})\"", body))
    return terms


def self_check(text: str) -> dict[str, int]:
    problems: list[str] = []
    dangling = _check_references(text)
    if sorted(dangling) != sorted(DANGLING_REFERENCES):
        problems.append(f"dangling references {dangling!r} != planted {DANGLING_REFERENCES!r}")
    for planted in DANGLING_REFERENCES:
        if text.count(planted) != 1:
            problems.append(f"{planted!r} occurs {text.count(planted)} times")
    if text.count(CONFLICT_TEXT) != 1:
        problems.append("conflict text must occur exactly once")
    laws = re.findall(
        r"governed by(?: and construed in accordance with)? the laws of the State of ([A-Z][a-z]+(?: [A-Z][a-z]+)?)",
        text,
    )
    if sorted(set(laws)) != ["Delaware", "New York"] or laws.count("Delaware") != 1:
        problems.append(f"governing-law statements: {laws!r}")
    if text.lower().count(UNUSED_DEFINED_TERM.lower()) != 1:
        problems.append(f"{UNUSED_DEFINED_TERM!r} must appear once (its definition)")
    if f'"{UNDEFINED_TERM}"' in text or text.count(UNDEFINED_TERM) < 3:
        problems.append(f"{UNDEFINED_TERM!r} must be used at least 3 times and never defined")
    terms = _defined_terms(text)
    # used = occurs somewhere other than in quotes (its definition)
    unused = [
        t
        for t in sorted(terms)
        if len(re.findall(rf"(?<![A-Za-z]){re.escape(t)}(?![a-z])", text)) <= text.count(f'"{t}"')
    ]
    if unused != [UNUSED_DEFINED_TERM]:
        problems.append(f"defined but unused terms: {unused!r}")
    if problems:
        raise SystemExit("self-check failed:\n  " + "\n  ".join(problems))
    return {"defined_terms": len(terms), "references": sum(1 for _ in _find_refs(text))}


def _token_counter() -> Callable[[str], int] | None:
    sys.path.insert(0, str(ROOT))
    try:
        from chunking.tokenizer import count_tokens
    except Exception:  # noqa: BLE001 - optional: the generator itself is stdlib-only
        return None
    return count_tokens


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--check", action="store_true", help="write nothing; fail if the file on disk differs")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    text = build_document()
    stats = self_check(text)
    data = text.encode("utf-8")
    if len(data) >= MAX_BYTES:
        raise SystemExit(f"output is {len(data):,} bytes, limit {MAX_BYTES:,}")
    count = _token_counter()
    tokens = conflict_at = None
    if count is not None:
        tokens, conflict_at = count(text), count(text[: text.index(CONFLICT_TEXT)])
        if conflict_at < CONFLICT_MIN_TOKEN_OFFSET:
            raise SystemExit(
                f"conflict starts at token {conflict_at:,}, must be beyond {CONFLICT_MIN_TOKEN_OFFSET:,}"
            )
        if not 170_000 <= tokens <= 220_000:
            raise SystemExit(f"{tokens:,} tokens, outside 170,000-220,000")
    if args.check:
        if not args.out.exists() or args.out.read_bytes() != data:
            print(f"{args.out} is out of date; run python bench/make_example.py", file=sys.stderr)
            return 1
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
    print(f"file: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(
        f"tokens (o200k_base): {tokens:,}"
        if tokens is not None
        else "tokens (o200k_base): n/a (chunking.tokenizer not importable)"
    )
    if conflict_at is not None:
        print(f"conflict at token: {conflict_at:,}")
    print(f"characters: {len(text):,}")
    print(f"bytes: {len(data):,}")
    print(f"sha256: {hashlib.sha256(data).hexdigest()}")
    print(
        f"statements of work: {text.count('STATEMENT OF WORK NO.')}; defined terms: {stats['defined_terms']}; "
        f"references: {stats['references']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
