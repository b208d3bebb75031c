"""Key terms of a contract: parties, dates, governing law, renewal, notice periods, caps."""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.analyze.patterns import (
    DATE,
    DURATION,
    MONTHS,
    NUMBER,
    UNIT,
    date_value,
    duration_value,
    sentence_bounds,
    trim,
)

_ENTITY_SUFFIX = (
    r"(?:Inc\.?|Incorporated|LLC|L\.L\.C\.|Ltd\.?|Limited|Corporation|Corp\.?|Company|Co\.|L\.P\.|LP|LLP|"
    r"GmbH|AG|S\.A\.|SA|plc|PLC|N\.V\.|B\.V\.|Trust|Bank|Partners|Holdings|"
    # Elsewhere: Denmark, Italy, Australia, Singapore, Malaysia, Japan, Sweden, Finland, US banks.
    r"A/S|S\.p\.A\.|SpA|S\.r\.l\.|Pty|Pte|Sdn\.?\s+Bhd\.?|Bhd\.?|K\.K\.|AB|Oyj?|N\.A\.|FSB|"
    r"INC\.?|INCORPORATED|LTD\.?|LIMITED|CORPORATION|CORP\.?|COMPANY|CO\.|GMBH|TRUST|BANK|PARTNERS|HOLDINGS)"
)
PARTY = re.compile(
    # Letters beyond ASCII too: "Eurofarma Laboratórios S.A.", "VÄRDE PARTNERS, INC."
    rf"(?<![\w./])(?P<name>(?:[A-ZÀ-ÖØ-Þ]|\d+[A-Z])[\w&.'/\-]*(?:[ \t]+(?:[A-ZÀ-ÖØ-Þ0-9&][\w&.'/\-]*|of|de))*?,?[ \t]+{_ENTITY_SUFFIX}"
    # A second suffix: "Co., Ltd.", "Pty Ltd", "Holdings, Inc.".
    r"(?:,?[ \t]+(?:Ltd\.?|Limited|LLC|Inc\.?|L\.P\.|LTD\.?|LIMITED|INC\.?)(?![A-Za-z]))?)(?![^\W\d_])"
)
RENEWAL = re.compile(
    r"(?:automatically|shall\s+be)\s+(?:be\s+)?(?:renew(?:ed)?|extended)[^.;]{0,80}?(?:successive|additional|further|consecutive)?\s*(?:periods?\s+of\s+)?",
    re.IGNORECASE,
)
# "renewed for successive one (1) year periods", "extend for an additional 12-month term".
RENEWAL_FOR = re.compile(
    r"\b(?:renew(?:s|ed|al)?|extend(?:s|ed)?|extension|continue[sd]?)\b[^.;]{0,80}?\bfor\s+(?:an?\s+|one\s+)?"
    r"(?:successive|additional|further|consecutive|subsequent|another|renewal)\s+(?:terms?\s+of\s+|periods?\s+of\s+)?",
    re.I,
)
_NOT_RENEWAL = re.compile(r"\bcure\b|\bremed|\bpayment|\bwarrant", re.I)
# "shall continue on a year to year basis", "renewed for successive annual periods".
RENEWAL_EVERY = re.compile(
    r"\b(?:renew\w*|extend\w*|continu\w*)\b[^.;]{0,60}?\b(?:on\s+a\s+|for\s+successive\s+)?"
    r"(?P<unit>year|month)(?:[\s-]+to[\s-]+(?:year|month)|ly)?\s+basis|"
    r"\b(?:renew\w*|continu\w*)\b[^.;]{0,40}?\bsuccessive\s+(?P<unit2>annual)\s+(?:periods?|terms?)",
    re.I,
)
NOTICE_BEFORE_END = re.compile(
    NUMBER
    + r"\s*-?\s*"
    + UNIT
    + r"(?:'s|’s|’|')?\s+(?:(?:prior\s+)?(?:written\s+)?notice\s+(?:[^.;]{0,40}?\s)?)?"
    r"(?:prior\s+to|before|preceding|in\s+advance\s+of)\s+(?:the\s+)?(?:end|expiration|expiry|conclusion|"
    r"anniversary|termination\s+date|renewal\s+date|last\s+day)",
    re.I,
)
_STOPS = re.compile(
    r"\b(?:terminat\w*|non-?renew\w*|not\s+(?:to\s+)?(?:renew|extend)|cancel\w*|unless)\b", re.I
)
_OPTION = re.compile(
    r"\b(?:option|elect(?:s|ion)?\s+to\s+(?:renew|extend)|right\s+to\s+(?:renew|extend))\b", re.I
)
_NOTICE = re.compile(r"\bnotif(?:y|ies|ied|ication)|\bnotice\b", re.I)
_RENEWS = re.compile(r"\b(?:renew\w*|extend\w*|extension|successive|non-?renewal)\b", re.I)
RENEWAL_NOTICE = re.compile(
    r"unless\s+(?:either|one|a)\s+party\s+(?:gives|provides|delivers|notifies)[^.;]{0,120}?(?:notice|notify)[^.;]{0,80}?",
    re.IGNORECASE,
)
TERMINATION_NOTICE = re.compile(
    r"terminat\w*[^.;]{0,140}?(?:upon|with|by\s+giving|on|after)\s+(?:at\s+least\s+)?", re.IGNORECASE
)
CAP = re.compile(
    r"(?:aggregate\s+liability|total\s+liability|liability\s+of\s+(?:either|each|any)\s+party|shall\s+not\s+exceed|in\s+no\s+event\s+shall)"
    r"[^.]{0,200}?(?:exceed|greater\s+than|more\s+than|limited\s+to|in\s+excess\s+of)\s+(?P<what>[^.;]{3,160})",
    re.IGNORECASE,
)
MONEY = re.compile(
    r"(?:US\s?\$|USD\s?|\$|€|EUR\s?|£|GBP\s?)\s?(?P<amount>\d{1,3}(?:,\d{3})+|\d+)(?:\.\d\d)?(?:\s*(?P<scale>million|billion))?",
    re.I,
)
AGREEMENT_DATE = re.compile(
    r"(?:dated|entered\s+into|made|executed)(?:\s+and\s+(?:entered\s+into|effective))?\s+(?:as\s+of\s+|on\s+)?(?:this\s+|the\s+)?",
    re.I,
)
EFFECTIVE_DATE = re.compile(
    r"(?:effective\s+(?:as\s+of|on|from)\s+(?:the\s+)?|[\"“]Effective\s+Date[\"”]\s+(?:means|shall\s+mean)\s+)",
    re.I,
)
DATED_EFFECTIVE = re.compile(r"\s*,?\s*\((?:the\s+)?[\"“]Effective\s+Date[\"”]\)")
EXPIRATION = re.compile(
    r"(?:expire|terminate|continue(?:\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect)?|remain\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect)[^.;]{0,40}?\s+(?:on|until|through)\s+",
    re.I,
)


# ---- jurisdictions ------------------------------------------------------------------------

_US_STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "Wisconsin", "Wyoming"] + [
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "District of Columbia", "Puerto Rico",
]  # fmt: skip
_CA_PROVINCES = [
    "Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan", "Nova Scotia",
    "New Brunswick", "Newfoundland and Labrador", "Prince Edward Island",
]  # fmt: skip
_AU_STATES = [
    "New South Wales", "Queensland", "Western Australia", "South Australia", "Tasmania", "Victoria",
    "Australian Capital Territory", "Northern Territory",
]  # fmt: skip
# Spelling in a contract -> the jurisdiction a lawyer would write.
_COUNTRIES = {
    "England and Wales": "England and Wales, UK", "England & Wales": "England and Wales, UK",
    "England": "England and Wales, UK", "English": "England and Wales, UK", "Scotland": "Scotland, UK",
    "Scottish": "Scotland, UK", "Northern Ireland": "Northern Ireland, UK", "United Kingdom": "United Kingdom",
    "United States of America": "United States", "United States": "United States",
    "Hong Kong": "Hong Kong, CN", "Hong Kong SAR": "Hong Kong, CN",
    "People's Republic of China": "China", "People’s Republic of China": "China", "PRC": "China",
    "P.R.C.": "China", "China": "China", "Chinese": "China", "Canada": "Canada",
    "Singapore": "Singapore", "Israel": "Israel", "Israeli": "Israel", "India": "India", "Japan": "Japan",
    "Japanese": "Japan", "Germany": "Germany", "German": "Germany", "Federal Republic of Germany": "Germany",
    "France": "France", "French": "France", "Switzerland": "Switzerland", "Swiss": "Switzerland",
    "the Netherlands": "Netherlands", "Netherlands": "Netherlands", "Dutch": "Netherlands",
    "Ireland": "Ireland", "Republic of Ireland": "Ireland", "Irish": "Ireland", "Sweden": "Sweden",
    "Swedish": "Sweden", "Norway": "Norway", "Denmark": "Denmark", "Finland": "Finland", "Italy": "Italy",
    "Italian": "Italy", "Spain": "Spain", "Spanish": "Spain", "Belgium": "Belgium", "Austria": "Austria",
    "Luxembourg": "Luxembourg", "Australia": "Australia", "New Zealand": "New Zealand",
    "Korea": "South Korea", "Republic of Korea": "South Korea", "South Korea": "South Korea",
    "Taiwan": "Taiwan", "Mexico": "Mexico", "Brazil": "Brazil", "Bermuda": "Bermuda",
    "Cayman Islands": "Cayman Islands", "British Virgin Islands": "British Virgin Islands",
    "Cyprus": "Cyprus", "Malaysia": "Malaysia", "Thailand": "Thailand", "Philippines": "Philippines",
    "South Africa": "South Africa", "Russia": "Russia", "Russian Federation": "Russia",
    "Macau": "Macau, CN", "Macao": "Macau, CN", "Vietnam": "Vietnam", "Indonesia": "Indonesia",
    "Turkey": "Turkey", "Poland": "Poland", "Czech Republic": "Czech Republic", "Greece": "Greece",
    "Portugal": "Portugal", "Hungary": "Hungary", "United Arab Emirates": "United Arab Emirates",
    "Saudi Arabia": "Saudi Arabia", "Argentina": "Argentina", "Chile": "Chile", "Colombia": "Colombia",
    "Isle of Man": "Isle of Man", "Guernsey": "Guernsey", "Malta": "Malta", "Bahamas": "Bahamas",
    "Barbados": "Barbados", "Panama": "Panama", "U.S. Virgin Islands": "U.S. Virgin Islands",
    # Adjectives as in "governed by Indian law" (those above: English, Swiss, German, ...).
    "Indian": "India", "Australian": "Australia", "Korean": "South Korea", "Singaporean": "Singapore",
    "Belgian": "Belgium", "Austrian": "Austria", "Danish": "Denmark", "Norwegian": "Norway",
    "Finnish": "Finland", "Mexican": "Mexico", "Brazilian": "Brazil", "Russian": "Russia",
    "Luxembourgish": "Luxembourg", "Portuguese": "Portugal", "Polish": "Poland", "Greek": "Greece",
    # Abbreviations and the rest of the world's contract law choices.
    "U.K.": "United Kingdom", "UK": "United Kingdom", "U.S.A.": "United States", "USA": "United States",
    "U.S.": "United States", "Romania": "Romania", "Bulgaria": "Bulgaria", "Croatia": "Croatia",
    "Serbia": "Serbia", "Slovenia": "Slovenia", "Slovakia": "Slovakia", "Slovak Republic": "Slovakia",
    "Estonia": "Estonia", "Latvia": "Latvia", "Lithuania": "Lithuania", "Ukraine": "Ukraine",
    "Iceland": "Iceland", "Liechtenstein": "Liechtenstein", "Monaco": "Monaco", "Gibraltar": "Gibraltar",
    "Jersey": "Jersey", "Mauritius": "Mauritius", "Seychelles": "Seychelles", "Kenya": "Kenya",
    "Nigeria": "Nigeria", "Egypt": "Egypt", "Morocco": "Morocco", "Ghana": "Ghana", "Peru": "Peru",
    "Venezuela": "Venezuela", "Uruguay": "Uruguay", "Costa Rica": "Costa Rica", "Ecuador": "Ecuador",
    "Dominican Republic": "Dominican Republic", "Jamaica": "Jamaica", "Trinidad and Tobago": "Trinidad and Tobago",
    "Qatar": "Qatar", "Kuwait": "Kuwait", "Bahrain": "Bahrain", "Oman": "Oman", "Jordan": "Jordan",
    "Lebanon": "Lebanon", "Pakistan": "Pakistan", "Bangladesh": "Bangladesh", "Sri Lanka": "Sri Lanka",
    "Nepal": "Nepal", "Kazakhstan": "Kazakhstan", "Mongolia": "Mongolia", "Marshall Islands": "Marshall Islands",
    "Liberia": "Liberia", "Curaçao": "Curaçao", "Curacao": "Curaçao", "Netherlands Antilles": "Netherlands Antilles",
    "Anguilla": "Anguilla", "Guam": "Guam", "Yukon": "Yukon, CA", "Northwest Territories": "Northwest Territories, CA",
    "Nunavut": "Nunavut, CA", "Scots": "Scotland, UK",
}  # fmt: skip
JURISDICTIONS: dict[str, str] = {
    **{s.casefold(): f"{s}, US" for s in _US_STATES},
    **{p.casefold(): f"{p}, CA" for p in _CA_PROVINCES},
    **{s.casefold(): f"{s}, AU" for s in _AU_STATES},
    **{k.casefold(): v for k, v in _COUNTRIES.items()},
}
_PLACE_NAMES = "|".join(
    re.escape(k).replace(r"\ ", r"\s+") for k in sorted(JURISDICTIONS, key=len, reverse=True)
)
_PLACE = re.compile(rf"(?P<place>{_PLACE_NAMES})(?![\w’'])", re.I)
_LAWS_OF = re.compile(
    r"\blaws?"
    # "the laws and judicial decisions of", "the laws, other than choice of law rules, of"
    r"(?:\s+and\s+(?:judicial\s+|court\s+)?decisions|,\s+(?:other\s+than|excluding|exclusive\s+of|without\s+regard\s+to)\s[^,;.]{1,60},)?"
    r"\s+(?:(?:in\s+force|in\s+effect|prevailing|applicable)\s+in\s+|of\s+|in\s+|(?=(?:the\s+)?(?:State|Commonwealth)\s+of\s))"
    # the lookahead: "the internal laws State of New York", a slip that still names the place
    r"(?:the\s+)?(?:(?:State|Commonwealth|Province|Republic|Kingdom|Canton)\s+of\s+(?:the\s+)?)?",
    re.I,
)
_LAWS_THEREOF = re.compile(
    r"laws?\s+(?:thereof|of\s+(?:such|said|that)\s+(?:state|commonwealth|province|jurisdiction|country))\b",
    re.I,
)
_NAMED_PLACE = re.compile(
    rf"\b(?:State|Commonwealth|Province|Republic|Kingdom)\s+of\s+(?:the\s+)?(?P<place>{_PLACE_NAMES})(?![\w’'])",
    re.I,
)
_X_LAW = re.compile(
    rf"\b(?:by|with|under|to)\s+(?:the\s+)?(?P<place>{_PLACE_NAMES})\s+(?:State\s+|state\s+)?law\b", re.I
)
# "Delaware law shall govern this Agreement": the place before "law", the verb after it.
_X_LAW_GOVERNS = re.compile(
    rf"\b(?P<place>{_PLACE_NAMES})\s+law(?=s?\s+(?:shall\s+|will\s+|must\s+|is\s+to\s+)?govern)", re.I
)
_GOVERNING = re.compile(r"\bgoverning\s+(?=law)", re.I)
# A cover page's or term sheet's field: "Governing Law: Delaware", "Governing law - State of New York".
_LAW_FIELD = re.compile(
    r"law\s*[:：\-–]\s*(?:the\s+)?(?:laws\s+of\s+(?:the\s+)?)?(?:(?:State|Commonwealth|Province)\s+of\s+)?",
    re.I,
)
# The sentence must say the laws govern the agreement: "governed by", "construed in
# accordance with", "The laws of X govern"; not "organized under the laws of Delaware".
_GOVERNS = re.compile(
    r"\b(?:govern(?:s|ed)?|constru(?:e|ed)|interpreted|controlled\s+by\s+(?:the\s+)?laws|enforced|"
    r"shall\s+apply|(?:will|must)\s+apply\s+to\b|appl(?:y|ies)\s+to\s+this|governing\s+law|regulated\s+by|"
    # "the law of the Federal Republic of Germany applies."
    r"laws?\s+of\s+[^.;]{1,60}\bappl(?:y|ies)(?=\s*[.;])|"
    r"subject\s+to\s+(?:the\s+)?(?:\w+\s+)?laws?|construction|interpretation|validity|"
    # "determined in accordance with the laws of", "settled under the law of"
    r"(?:determined|decided|resolved|adjudicated|settled)\s+(?:by|under|in\s+accordance\s+with|according\s+to|"
    r"pursuant\s+to)\s+(?:the\s+)?(?:\w+\s+){0,2}laws?|laws?\s+applicable\s+to\s+this)\b|"
    r"\b(?:applicable|choice\s+of)\s+laws?\s*[.:]",
    re.I,
)
# A clause boundary that paragraph breaks do not make: PDFs put "\n\n" mid-sentence.
_CLAUSE_END = re.compile(r"[.;](?=\s+[A-Z(\"“])")
# "the patent laws of the United States" names a body of law, not the contract's law.
_FIELD_OF_LAW = re.compile(
    r"\b(?:patent|tax|securities|export|import|customs|bankruptcy|insolvency|employment|labou?r|environmental|"
    r"antitrust|competition|privacy|data\s+protection|immigration|trademark|copyright|anti-?corruption|sanctions)\s+$",
    re.I,
)
_ORGANIZED = re.compile(
    r"(?:organi[sz]ed|incorporated|existing|formed|chartered|registered|established|operating)\b[^.;]{0,30}$",
    re.I,
)


# The learned party scorer's weights as JSON (pipeline/data/party_model.json).
PartyModel = dict[str, Any]


@dataclass(frozen=True)
class KeyTermHit:
    name: str
    value: str
    start: int  # span quoted: the sentence stating the term
    end: int


def find_key_terms(
    text: str,
    *,
    preamble_chars: int = 5000,
    is_document_start: bool = True,
    party_model: PartyModel | None | bool = True,
) -> list[KeyTermHit]:
    """``party_model``: True for the shipped model, False for the hand rules alone, or weights
    in memory (bench/train_parties.py cross-validates that way)."""
    hits: list[KeyTermHit] = []
    low = lowered(text)
    if is_document_start:
        model = _party_model_arg(party_model)
        hits += _parties(text[:preamble_chars], text, low, model)
        for m in AGREEMENT_DATE.finditer(text, 0, preamble_chars):
            d = DATE.match(text, m.end()) or DATE.search(text, m.end(), m.end() + 60)
            if d and _about_this(text, d.start()):
                hits.append(KeyTermHit("agreement_date", date_value(d), d.start(), d.end()))
                break

    def scan(pattern: re.Pattern[str], anchors: tuple[str, ...], back: int, fwd: int) -> list[re.Match[str]]:
        return _scan(pattern, text, low, anchors, back, fwd)

    for m in scan(EFFECTIVE_DATE, ("effective",), 5, 80):
        d = DATE.search(text, m.end(), m.end() + 60)
        # The date must follow the phrase: in "effective as of the Effective Date and shall
        # expire on December 31, 2006" the date found is the expiry's.
        if d and re.search(
            r"\b(?:and|or|until|through|to|expire\w*|terminat\w*)\b", text[m.end() : d.start()]
        ):
            d = None
        if d and (m.group().lower().startswith(('"', "“")) or _about_this(text, d.start(), need_doc=True)):
            hits.append(_sentence_hit(text, "effective_date", date_value(d), d.start()))
    for d in scan(DATE, ("effective date",), 60, 0):
        if DATED_EFFECTIVE.match(text, d.end()):
            hits.append(_sentence_hit(text, "effective_date", date_value(d), d.start()))
    for m in scan(EXPIRATION, ("expire", "terminate", "continue", "remain"), 5, 120):
        d = DATE.match(text, m.end()) or DATE.match(text, m.end() + 4)
        if d:
            hits.append(_sentence_hit(text, "expiration_date", date_value(d), d.start()))
    hits += _governing_law(text, low)
    for m in scan(RENEWAL, ("renew", "extended"), 40, 160):
        d = DURATION.match(text, m.end()) or DURATION.search(text, m.end(), m.end() + 40)
        if d:
            hits.append(_sentence_hit(text, "renewal_term", duration_value(d), m.start()))
    for m in scan(RENEWAL_FOR, ("renew", "extend", "extension", "continue"), 5, 160):
        d = DURATION.match(text, m.end())
        if d and not _NOT_RENEWAL.search(text, m.start(), d.end()):
            hits.append(_sentence_hit(text, "renewal_term", duration_value(d), m.start()))
    for m in scan(
        RENEWAL_EVERY, ("year to year", "year-to-year", "month to month", "month-to-month", "annual"), 80, 40
    ):
        unit = "1 month" if (m.group("unit") or "").lower().startswith("month") else "1 year"
        hits.append(_sentence_hit(text, "renewal_term", unit, m.start()))
    for m in scan(RENEWAL_NOTICE, ("unless",), 5, 300):
        d = DURATION.search(text, m.start(), m.end() + 60)
        if d and d.group("unit").lower().startswith(("day", "business", "calendar", "month")):
            hits.append(_sentence_hit(text, "renewal_notice", duration_value(d), m.start()))
    # "at least sixty (60) days prior to the end of the then-current term": notice that stops a
    # renewal, not notice that exercises an option to renew.
    for m in _notice_before_end(text, low):
        start, end = _clause(text, m.start(), m.end())
        if (
            m.group("unit").lower().startswith(("day", "business", "calendar", "month"))
            and _RENEWS.search(text, start, end)
            and _STOPS.search(text, start, end)
            and _NOTICE.search(text, start, end)
            and not _OPTION.search(text, start, end)
        ):
            hits.append(KeyTermHit("renewal_notice", duration_value(m), start, end))
    for m in TERMINATION_NOTICE.finditer(text):
        d = DURATION.match(text, m.end())
        if d and re.match(
            r"\s*(?:'s|’s|’|')?\s*(?:prior\s+)?(?:advance\s+)?(?:written\s+)?notice",
            text[d.end() : d.end() + 40],
            re.I,
        ):
            hits.append(_sentence_hit(text, "termination_notice", duration_value(d), m.start()))
    for m in scan(CAP, ("exceed", "limited to", "greater than", "more than", "in excess of"), 260, 200):
        value = _cap_value(m.group("what"))
        if value:
            hits.append(_sentence_hit(text, "liability_cap", value, m.start()))
    return _dedupe(hits)


_DOC_WORD = re.compile(
    r"\b(?:agreement|amendment|contract|letter|lease|licen[cs]e|memorandum|order|note)s?\b", re.I
)
_DETERMINER = re.compile(
    r"\b(?:this|these|that\s+certain|the|a|an|such|said|each|any|other|its|their|prior|existing|original)\b",
    re.I,
)


def _about_this(text: str, pos: int, *, need_doc: bool = False) -> bool:
    """Whether "dated"/"effective as of" at ``pos`` speaks of this agreement: "This Agreement
    is dated", "the Agreement"; not "that certain License Agreement dated", "a letter dated"."""
    lo = max(0, pos - 250)
    cut = [m.end() for m in _CLAUSE_END.finditer(text, lo, pos)]
    lo = cut[-1] if cut else lo
    if re.search(r"\bWHEREAS\b|[”\"]\s+(?:means|shall\s+mean)\b", text[lo:pos]):
        return False  # a recital or a definition speaks of other documents
    # A word in quotes defines a name ('(the "Agreement")'): the determiner sits before it.
    docs = [d for d in _DOC_WORD.finditer(text, lo, pos) if text[d.start() - 1 : d.start()] not in '"“']
    if not docs:
        # "Agreement made this 19th day": the title opens the sentence. "Effective on" needs its
        # subject named: "the price increase is effective on May 1" is not the agreement's date.
        return not need_doc  # "Agreement made this 19th day": the title word opens the sentence
    d = docs[-1]
    window = text[max(lo, d.start() - 45) : d.start()]
    dets = list(_DETERMINER.finditer(window))
    if not dets or re.search(r"[.;]", window[dets[-1].end() :]):
        return d.group()[0].isupper()  # a title ("Agreement made this"), not "by letter dated"
    det = dets[-1].group().lower()
    return det in ("this", "these") or (det == "the" and not window[dets[-1].end() :].strip())


def _notice_before_end(text: str, low: str | None) -> list[re.Match[str]]:
    """NOTICE_BEFORE_END near a renewal word only: "prior to"/"before" are everywhere, and the
    pattern (a number first) is slow to try at every position."""
    renewals = sorted(_find_all(text, low, ("renew", "extend", "extension", "successive")))
    out: dict[int, re.Match[str]] = {}
    for pos in _find_all(text, low, ("prior to", "before", "preceding", "in advance")):
        # The clause that must name the renewal reaches at most 300 characters either side.
        i = bisect_left(renewals, pos - 700)
        if i < len(renewals) and renewals[i] < pos + 700:
            for m in NOTICE_BEFORE_END.finditer(text, max(0, pos - 60), pos + 60):
                out.setdefault(m.start(), m)
    return [out[k] for k in sorted(out)]


def lowered(text: str) -> str | None:
    """``text.lower()`` with the text's offsets, for str.find: lower() maps every character to
    one but "İ" (U+0130), which it lowers to two ("i̇"); that one is lowered to "i" here. None
    should another character ever lower to more than one (the callers then search case-blind)."""
    low = text.replace("\u0130", "i").lower()
    return low if len(low) == len(text) else None


def _find_all(text: str, low: str | None, words: tuple[str, ...]) -> list[int]:
    """Where each lowercase word occurs in ``text``, any case: str.find on ``low`` (``text``
    lowered) when there is one; else a case-blind regex, as a lowered text of another length
    ("İ" lowers to two characters) has other offsets."""
    found: list[int] = []
    for w in words:
        if low is None:
            found += [m.start() for m in re.finditer(re.escape(w), text, re.IGNORECASE)]
            continue
        pos = low.find(w)
        while pos != -1:
            found.append(pos)
            pos = low.find(w, pos + 1)
    return found


def _scan(
    pattern: re.Pattern[str], text: str, low: str | None, anchors: tuple[str, ...], back: int, fwd: int
) -> list[re.Match[str]]:
    """``pattern.finditer`` limited to windows around cheap anchor words.

    Case-insensitive patterns with leading alternations have no literal prefix for the
    regex engine to jump to; finding the anchors with str.find first makes the scan ~10x
    faster on long contracts. Windows are wide enough to hold every match the pattern allows.
    A text whose lowercase has another length gets the same windows (its anchors found by
    ``_find_all``'s case-blind regex), so it gets the same terms.
    """
    spans = [
        (max(0, pos - back), min(len(text), pos + len(anchor) + fwd))
        for anchor in anchors
        for pos in _find_all(text, low, (anchor,))
    ]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    seen: set[int] = set()
    out: list[re.Match[str]] = []
    for a, b in merged:
        for m in pattern.finditer(text, a, b):
            if m.start() not in seen:
                seen.add(m.start())
                out.append(m)
    return out


def _sentence_hit(text: str, name: str, value: str, pos: int) -> KeyTermHit:
    start, end = sentence_bounds(text, pos, limit=600)
    return KeyTermHit(name, value, start, end)


# ---- parties ------------------------------------------------------------------------------

_INTRO = re.compile(r"\b(?:by\s+and\s+(?:between|among)|between|among)\b\s*:?\s*(?:\(1\)\s*)?", re.I)
_INTRO_LOW = re.compile(r"\b(?:by\s+and\s+(?:between|among)|between|among)\b\s*:?\s*(?:\(1\)\s*)?")
_WINDOW_END = re.compile(
    r"\b(?:WHEREAS|Whereas|RECITALS|Recitals|WITNESSETH|Witnesseth|BACKGROUND|Background|PRELIMINARY\s+STATEMENT|"
    r"NOW,?\s+THEREFORE|agree\s+as\s+follows|IN\s+CONSIDERATION|In\s+consideration)\b"
)
# A name at the head of a party's clause: capitalised words up to a comma, "(" or "of".
_HEAD = re.compile(
    r"(?P<name>(?:Dr\.|Mr\.|Ms\.|Mrs\.)?\s*(?:[A-Z0-9]|[a-z][A-Z])[\w.&'’\-]*(?:[ \t]+(?:[A-Z0-9&][\w.&'’\-]*|of|de|du|la|von|van))*)"
    r"(?=\s*(?:,|\(|\bof\b|\bhaving\b|\bwith\b|\blocated\b|\bwhose\b|\bhereinafter\b|\(?herein|\band\b|$))"
)
_QUOTED = re.compile(r"[\"“]\s*(?P<term>[^\"“”\n]{1,60}?)\s*[,.]?[\"”]")
# Short names in single quotes ("hereinafter referred to as 'MIL'"), common in Indian and UK
# drafting: a capitalised term, the quotes not part of a word (never "party's").
_SINGLE_QUOTED = re.compile(r"(?<![\w’'])[‘'](?P<term>[A-Z][^'‘’\n]{0,58}?)[’'](?![\w’'])")
# A trade name: "Hall of Fame, Inc., doing business as Pro Football Hall of Fame".
_DBA = re.compile(
    r"\b(?:doing\s+business\s+as|d/b/a)\s+[\"“]?(?P<name>[A-Z][\w&'’.\-]*(?:[ \t]+(?:[A-Z][\w&'’.\-]*|of|the|and|&))*)"
)
_NOT_A_SHORT_NAME = re.compile(
    r"agreement|\bdate\b|\bpart(?:y|ies)\b(?!\s+[A-Z]$)|\bterm\b|\beffective\b|^(?:we|us|our|you|your)$", re.I
)
_SEPARATOR = re.compile(r"(?:^|[,;]\s*|\s)(?:and|AND|And|&)\s+(?:\(\d\)\s*)?$|^\s*\(\d\)\s*$|^\s*$")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")
_AGREE = re.compile(r"\bagrees?\b", re.I)
_CAPS_TITLE = re.compile(r"(?:[A-Z][A-Z&\-]+\s+)*")
_LABELLED_PARTY = re.compile(
    r"\bParty\s+(?P<label>[A-Z])\b(?:\s*\((?P<role>[^()\n]{1,30})\))?\s*[:：][ \t]*(?P<name>)"
)
_SIGNATURES = re.compile(r"IN\s+WITNESS\s+WHEREOF", re.I)
_LINE_OR_SENTENCE = re.compile(r"\n|\.[ \t]+")
_SIGNATURE_NAME = re.compile(
    # A line naming a signatory entity, maybe after a role label ("MASTER FRANCHISEE:") and
    # before its "By:"; never a "By: X, its General Partner" line.
    r"[ \t]*(?:[A-Z][A-Z ]{2,30}:[ \t]*)?"
    rf"(?P<name>[A-Z][\w&.'’\-]*(?:[ \t]+[A-Z0-9&][\w&.'’\-]*)*,?[ \t]+(?i:{_ENTITY_SUFFIX}))"
    r"[ \t]*[,:]?[ \t]*(?:By:.*)?$",
    re.M,
)


@dataclass
class Party:
    name: str
    start: int
    end: int
    shorts: list[str]


def _party_key(name: str) -> str:
    s = re.sub(rf"\b{_ENTITY_SUFFIX}(?![A-Za-z])", " ", name, flags=re.I)
    return " ".join(re.sub(r"[^a-z0-9& ]", " ", s.lower()).split())


def _clean_name(raw: str) -> str:
    name = " ".join(raw.split()).strip(" ,;:")
    return re.sub(r"^(?:and|AND|And)\s+", "", name)


def _good_name(name: str) -> bool:
    words = name.split()
    if not name:
        return False
    if not words or len(name) < 2 or len(words) > 12:
        return False
    if words[0].lower() in {"the", "this", "a", "an", "each", "such", "said", "party", "parties"}:
        return bool(PARTY.fullmatch(name)) and len(words) > 2  # "The ARC Group, Inc."
    if words[0].lower() in _STOP_WORDS or name.casefold() in JURISDICTIONS or words[0] in MONTHS.split("|"):
        return False
    return not _NOT_A_SHORT_NAME.search(name)


def _last_signature_block(full: str, low: str | None) -> re.Match[str] | None:
    """The last "IN WITNESS WHEREOF"; found from the back with str.rfind on the lowered text,
    which is ~20x faster than a case-blind regex over a whole contract."""
    if low is None:
        blocks = list(_SIGNATURES.finditer(full))
        return blocks[-1] if blocks else None
    pos = low.rfind("witness")
    while pos != -1:
        m = _SIGNATURES.search(full, max(0, pos - 12), pos + 40)
        if m:
            return m
        pos = low.rfind("witness", 0, pos)
    return None


def _parties(
    head: str, full: str | None = None, low: str | None = None, model: PartyModel | None = None
) -> list[KeyTermHit]:
    return party_hits(rule_parties(head, full, low, model), full if full is not None else head)


_SALUTATION = re.compile(
    r"^[ \t]*(?:Ladies\s+and\s+Gentlemen|Dear\s+Sirs(?:\s+and\s+Mesdames)?|Gentlemen)\s*[:,][ \t]*$", re.M
)


def _intros(head: str, low: str | None) -> list[re.Match[str]]:
    # On the lowered text when there is one: a case-sensitive scan is ~40% faster.
    return list(_INTRO_LOW.finditer(low, 0, len(head)) if low is not None else _INTRO.finditer(head))[:3]


def rule_parties(
    head: str, full: str | None = None, low: str | None = None, model: PartyModel | None = None
) -> list[Party]:
    """The hand rules' parties, then (with ``model``) the candidates the model keeps."""
    found: list[Party] = []
    # A letter agreement (underwriting, agency): "Ladies and Gentlemen: X (the "Company") and Y
    # ... hereby confirm their agreement with Z ("Agent")". Its first paragraph is the preamble;
    # a later "between" is the body's ("to be entered into between the Company and Agent").
    salutation = _SALUTATION.search(head)
    if salutation:
        para = _PARAGRAPH.search(head, salutation.end())
        if para:
            _window_parties(head, para.start(), min(para.end(), para.start() + 1500), found)
    intros = [] if len(found) >= 2 else _intros(head, low)
    for i, intro in enumerate(intros):
        # A later "between" is the body's ("between the Parties"), unless the first was a
        # title page's ("by and between X and Y" without the short names the preamble gives).
        if len(found) >= 2 and all(p.shorts for p in found):
            break
        stop = _WINDOW_END.search(head, intro.end(), intro.end() + 1500)
        end = stop.start() if stop else min(len(head), intro.end() + 1500)
        if i + 1 < len(intros):
            end = min(end, intros[i + 1].start())
        _window_parties(head, intro.end(), end, found)
    if not found:
        # No "between": 'Aduro Biotech, Inc. ("Aduro") and IREYA B.V ("Consultant") agree to
        # ...': the first paragraph that defines a short name and agrees, past a capitals title.
        for para in _PARAGRAPH.finditer(head):
            if _AGREE.search(para.group()) and _QUOTED.search(para.group()):
                title = _CAPS_TITLE.match(para.group())
                _window_parties(head, para.start() + (title.end() if title else 0), para.end(), found)
                break
    for m in _LABELLED_PARTY.finditer(head):  # "Party A (Shipper): ZTO Express Co., Ltd."
        name = PARTY.match(head, m.start("name"))
        if name:
            shorts = [f"Party {m.group('label')}", *([m.group("role").strip()] if m.group("role") else [])]
            _add(found, Party(_clean_name(name.group("name")), m.start(), name.end("name"), shorts))
    if full is not None:
        w = _last_signature_block(full, low)
        if w is not None:
            # A name opens a line or follows the IN WITNESS sentence on its line; matching only
            # there is ~5x faster than letting the regex try every position.
            block_end = min(len(full), w.end() + 6000)
            for s in _LINE_OR_SENTENCE.finditer(full, w.end(), block_end):
                sm = _SIGNATURE_NAME.match(full, s.end(), block_end)
                if sm:
                    _add(found, Party(_clean_name(sm.group("name")), sm.start("name"), sm.end("name"), []))
        _signatory_entities(full, low, found, w)
    if full is not None and model is not None:
        merge_candidates(found, kept_candidates(full, len(head), model, low))
    return found


# "For and on behalf of Dacom Corporation": the signatory line of Commonwealth and Asian
# drafting, where there is often no "IN WITNESS WHEREOF" and no "By:" above a name.
_ON_BEHALF = re.compile(
    r"^[ \t]*(?:Signed\b[^\n]{0,80}?\b)?[Ff]or\s+and\s+on\s+behalf\s+of[ \t]*:?[ \t]*(?P<name>[A-Z][^\n]{1,100}?)[ \t,.:]*$",
    re.M,
)
# A signature block flattened onto one line (EDGAR exhibits): "YAII GP, LP By: Yorkville Advisors
# GP, LLC Its: General Partner By: /s/ ...": an entity right before "By:" (not one signing for
# it as "its General Partner": CUAD lists those as parties in some contracts, not in others).
_SIGNS_NEXT = re.compile(r"[ \t]*,?[ \t]*By\s*:")
# A match that starts mid-name ("Capital Partners III L.P.", "VÄRDE PARTNERS G.P., LLC"): a
# capitalised word (or a letter outside ASCII) right before it.
_NAME_GOES_ON = re.compile(r"(?:\b[A-Z][\w&.'’\-]*|[^\x00-\x7f])[ \t]+$")
# A signer's title run into the entity's name on a flattened line: "... Chief Compliance Officer D-Beta One EQ, Ltd."
_TITLE_WORD = re.compile(
    r".*\b(?:Officer|President|Director|Secretary|Treasurer|Counsel|Chairman|Esq\.?|Member|Partner|CEO|CFO|COO|Manager)\s+"
)


_IN_EVIDENCE = "in evidence whereof"  # the execution sentence's other wording ("IN EVIDENCE WHEREOF")


def _signatory_entities(
    full: str, low: str | None, found: list[Party], witness: re.Match[str] | None
) -> None:
    """Parties named where a contract is signed: "For and on behalf of X" lines anywhere, and
    suffixed entity names followed by "By:" after the execution sentence (``witness``: the last
    IN WITNESS, ``_last_signature_block``'s)."""
    # The phrase found first, then the line's anchored match: a multi-line regex over the whole
    # contract costs ~10x more.
    for pos in _find_all(full, low, ("on behalf of",)):
        m = _ON_BEHALF.match(full, full.rfind("\n", 0, pos) + 1)
        if m and m.start("name") > pos:
            name = _clean_name(m.group("name"))
            if _good_name(name) and len(name.split()) <= 10:
                _add(found, Party(name, m.start("name"), m.start("name") + len(m.group("name")), []))
    evidence = max(_find_all(full, low, (_IN_EVIDENCE,)), default=-1)  # the last
    executed = max(witness.end() if witness else -1, evidence + len(_IN_EVIDENCE) if evidence != -1 else -1)
    # No execution sentence (a joint filing agreement ends "Dated: ... X, Ltd. By: /s/ ..."): the end.
    begin = executed if executed != -1 else max(0, len(full) - 6000)
    before: re.Match[str] | None = None
    for m in PARTY.finditer(full, begin, min(len(full), begin + 6000)):
        # "Capital Partners III L.P.": the first suffix ended one match, the name goes on in the next
        joined = before is not None and not full[before.end() : m.start()].strip()
        first, before = (before if joined and before is not None else m), m
        if not _SIGNS_NEXT.match(full, m.end()) or (
            not joined and _NAME_GOES_ON.search(full, max(0, m.start() - 80), m.start())
        ):
            continue
        start = first.start("name")
        cut = _TITLE_WORD.match(full, start, m.end("name"))
        if cut:
            start = cut.end()
        name = _clean_name(full[start : m.end("name")])
        if _good_name(name) and PARTY.fullmatch(name):
            _add(found, Party(name, start, m.end("name"), []))


def party_hits(found: list[Party], text: str) -> list[KeyTermHit]:
    """One hit per party, its value the name with its short names; the evidence span reaches
    every short name it states (one named past the span is looked for in the next 600
    characters, and dropped from the value when absent): each value is quoted verbatim."""
    out = []
    for p in found[:48]:  # a consortium's agreement lists dozens of signatories
        end, shorts = p.end, []
        for short in p.shorts:
            if " ".join(short.split()) in " ".join(text[p.start : end].split()):
                shorts.append(short)
                continue
            m = re.search(r"\s+".join(map(re.escape, short.split())), text[end : p.start + 600])
            if m:
                end += m.end()
                shorts.append(short)
        value = p.name + (" (" + ", ".join(f'"{s}"' for s in shorts) + ")" if shorts else "")
        out.append(KeyTermHit("party", value, p.start, end))
    return out


# ---- learned party scorer -------------------------------------------------------------------
# Generous rules propose candidate names and short names; a logistic regression trained on
# CUAD's even-indexed contracts (bench/train_parties.py) keeps the likely parties. The
# candidates the hand rules above already give stay; the model adds the ones they miss.

_MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "party_model.json"
# Role nouns contracts define as short names ("the Company", "Licensee"): drafting vocabulary.
_ROLES = frozenset({"administrator", "adviser", "advisor", "affiliate", "agent", "artist", "assignee", "assignor", "author", "bank", "borrower", "buyer", "carrier", "client", "collaborator", "company", "consultant", "contractee", "contractor", "customer", "dealer", "developer", "distributor", "employee", "employer", "endorser", "executive", "franchisee", "franchisor", "fund", "grantee", "grantor", "guarantor", "holder", "hospital", "host", "institution", "investor", "issuer", "joint venturer", "landlord", "lender", "lessee", "lessor", "licensee", "licensor", "manager", "manufacturer", "marketer", "member", "operator", "owner", "partner", "principal", "producer", "promoter", "provider", "publisher", "purchaser", "recipient", "representative", "reseller", "retailer", "seller", "servicer", "shareholder", "shipper", "sponsor", "stockholder", "sub-adviser", "subcontractor", "sublicensee", "supplier", "talent", "tenant", "transferee", "transferor", "trustee", "university", "vendor", "wholesaler"})  # fmt: skip
_SIG_SKIP = re.compile(
    r"(?:By|Name|Title|Date|Its|Address|Signature|Signed|Witness|Attest|Print|Tel|Telephone|Fax|E-?mail|"
    r"Phone|Attention|Attn|Per|Authorized|Dated|Page|Exhibit|Schedule|Source|IN WITNESS|/s/)\b",
    re.I,
)
_BY_LINE = re.compile(r"^[ \t]*(?:By|BY|Signature|Signed|Per)\b[ \t]*[:_.]?", re.M)
_ROLE_LINE = re.compile(
    r"^[ \t]*(?P<label>[A-Z][A-Za-z\- ]{2,30})[ \t]*:[ \t]*(?P<name>[^\n:]{2,90}?)[ \t]*$", re.M
)
_TITLE_NAME = re.compile(r"\b(?:Mr|Ms|Mrs|Dr)\.?[ \t]+[A-Z][\w.'’\-]*(?:[ \t]+[A-Z][\w.'’\-]*){0,3}")
# "Acme Corp., a Delaware corporation": found from the comma (a literal the regex engine can
# jump to), the name then read backwards; a leading name regex tried at every position is ~10x slower.
_APPOSITIVE = re.compile(
    r",[ \t]*\(?(?:an?|the)\s+(?:[\w.\-]+\s+){0,5}?(?:corporation|company|partnership|limited|LLC|trust|bank|"
    r"association|entity|individual|resident|societ|GmbH|organi[sz]ed|incorporated|existing)\b"
)
_SUFFIX_AFTER = re.compile(rf",?[ \t]+{_ENTITY_SUFFIX}(?![A-Za-z])")
_SUFFIX_ONLY = re.compile(rf"{_ENTITY_SUFFIX},?")
_NAME_TAIL = re.compile(r"[A-Z0-9][\w&.'’\-]*(?:[ \t]+(?:[A-Z0-9&][\w&.'’\-]*|of|de|and|&|the|for))*[ \t]*$")
# A name followed by the parenthetical defining its short name: ', a Delaware corporation ("FCE")'.
_THEN_DEFINES = re.compile(
    r"[\s,]*[^()\"“;]{0,100}?\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?(?:the\s+)?)?[\"“‘']"
)
_THEN_APPOSITIVE = re.compile(
    r"[\s,]*\(?(?:an?|the)\s+(?:[\w.\-]+\s+){0,5}?(?:corporation|company|partnership|limited|LLC|trust|"
    r"organi[sz]ed|incorporated)",
    re.I,
)
_ABBREVIATION_END = re.compile(r"\b[A-Za-z]{1,4}$")
_LEADING_JOINER = re.compile(r"^(?:and|AND|And|between|BETWEEN|Between)\s+")
_SENTENCE_BREAK = re.compile(r"(?:[a-z]{2}|\d{4}|^[A-Z])\.\s+(?=[A-Z])")
# A table of contents' line: dot leaders, blanks or a page number at its end.
_TOC_END = re.compile(r"\s\d{1,3}$")
_NUMBERED_LINE = re.compile(
    r"\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.|\([a-z0-9]+\)|ARTICLE|Article|Section|SECTION)\s"
)
_EDGAR_SOURCE = re.compile(r"Source:\s*$")
_EDGAR_TAIL = re.compile(r",\s*[\w/-]*\d[\w/-]*,\s*\d{1,2}/\d{1,2}/\d{4}$")
_LETTER = re.compile(r"[A-Za-z]")
_LINE = re.compile(r"[^\n]+")
_ROLE_LABEL = re.compile(r"([A-Z][A-Za-z\- ]{2,30}):\s*(?=\S)")
_SIG_COLUMN = re.compile(r"\s{3,}|\bBy\s*:")
_NOT_LOWER = re.compile(r"[^a-z]")
_CLOSES_PARENS = re.compile(r"[\"”’']?\s*\)")
COUNT_CHARS = 30_000
_INTRO_WORD = re.compile(r"\b(?:between|among|and|by|AND|BETWEEN|AMONG)\s*:?\s*(?:\(\d\)\s*)?$")
_FEATURES = (
    "bias", "short", "suffix", "src_suffix", "src_head", "src_appos", "src_quoted", "src_sig", "src_role",
    "src_title", "in_parens", "called", "after_intro", "intro_window", "then_defines", "then_appos",
    "then_paren", "first_rel", "early", "count", "words", "allcaps", "role_word", "role_ending", "bad_word",
    "place", "above_by", "sig_allcaps", "quote_first", "defined_here", "lower_start", "digit",
    "sources", "near_name", "from_name", "in_sig", "head_and_sig", "the_before", "quoted_rank", "first_window",
    "parens_role", "parens_count", "parens_from_name", "parens_window", "after_recitals", "toc_line",
    "numbered_line", "first_after_name", "defines_derived",
)  # fmt: skip


@dataclass
class PartyCandidate:
    """A span that may name a party, with the features the model scores it on."""

    text: str
    start: int
    end: int
    short: bool
    feats: dict[str, float]


def _key(c: str) -> str:
    return " ".join(re.sub(r"[^\w&]+", " ", c.casefold()).split())


def party_candidates(text: str, head_chars: int = 5000, low: str | None = None) -> list[PartyCandidate]:
    """Every span a generous rule reads as a party name or short name, one per distinct
    spelling (its first mention), with features aggregated over its mentions. ``low``:
    ``text.lower()`` when the caller has it and it keeps the length."""
    head_end = min(len(text), head_chars)
    n = max(1, len(text))
    intro_windows = [
        (m.end(), min(head_end, m.end() + 1500)) for m in list(_INTRO.finditer(text, 0, head_end))[:3]
    ]
    by: dict[str, PartyCandidate] = {}

    def add(start: int, end: int, src: str, short: bool, **flags: float) -> None:
        if _EDGAR_SOURCE.search(text, max(0, start - 12), start):  # a filing's page footer
            return
        raw = " ".join(text[start:end].split()).strip(" ,;:.")
        # keep a trailing abbreviation's period ("Inc.") that strip took away
        if text[start:end].rstrip(" ,;:").endswith(".") and _ABBREVIATION_END.search(raw):
            raw += "."
        raw = _LEADING_JOINER.sub("", raw)
        if not short:
            # A name regex may run back over a sentence end ("Acceptance. Company", "C. The
            # Company") or on into an EDGAR footer's form and date ("ACME INC., 10-K, 1/29/2020").
            cut = list(_SENTENCE_BREAK.finditer(raw))
            if cut and not PARTY.fullmatch(raw):
                lead = text.find(raw[cut[-1].end() : cut[-1].end() + 8], start)
                start = lead if lead != -1 else start
                raw = raw[cut[-1].end() :]
            raw = _EDGAR_TAIL.sub("", raw)
        if len(raw) < 2 or len(raw) > 90 or not _LETTER.search(raw):
            return
        k = _key(raw) + ("\x00s" if short else "")
        c = by.get(k)
        if c is None:
            c = by[k] = PartyCandidate(raw, start, start + len(text[start:end].rstrip(" ,;:")), short, {})
            c.feats.update(_static_features(text, raw, start, end, short, intro_windows, n))
        c.feats[src] = 1.0
        for f, v in flags.items():
            c.feats[f] = max(c.feats.get(f, 0.0), v)

    for m in PARTY.finditer(text, 0, head_end):
        add(m.start("name"), m.end("name"), "src_suffix", False)
    for a, b in intro_windows:
        end = _sentence_end(text, a, b)
        for h in [a] + [m.end() for m in _NEXT_PARTY.finditer(text, a, end)]:
            hm = _HEAD.match(text, h, end)
            if hm and hm.group("name").strip():
                # "FuelCell Energy, Inc.": the head stops at the comma before the suffix
                tail = _SUFFIX_AFTER.match(text, hm.end("name"))
                add(hm.start("name"), tail.end() if tail else hm.end("name"), "src_head", False)
    for m in _APPOSITIVE.finditer(text, 0, head_end):
        tail = _NAME_TAIL.search(text, max(0, m.start() - 120), m.start())
        if tail and _SUFFIX_ONLY.fullmatch(tail.group().strip()):
            # "Inc." of "FuelCell Energy, Inc., a Delaware corporation": the whole suffixed name
            whole = [
                p for p in PARTY.finditer(text, max(0, m.start() - 120), m.start()) if p.end() == m.start()
            ]
            tail = whole[-1] if whole else None
        if tail:
            add(tail.start(), tail.end(), "src_appos", False)
    for m in _TITLE_NAME.finditer(text, 0, head_end):
        add(m.start(), m.end(), "src_title", False)
    quotes = sorted(
        [*_QUOTED.finditer(text, 0, head_end), *_SINGLE_QUOTED.finditer(text, 0, head_end)],
        key=lambda q: q.start(),
    )
    rank = 0
    for q in quotes:
        # A party's short name is a capitalised word or few; "as is", "Confidential Information
        # of the Disclosing Party" are not.
        if not q.group("term")[:1].isupper() and not q.group("term")[:1].isdigit():
            continue
        if q.group("term").count(" ") > 5:
            continue
        before = text[max(0, q.start() - 200) : q.start()]
        in_parens = before.rfind("(") > before.rfind(")")
        in_window = any(a <= q.start() < b for a, b in intro_windows[:1])
        rank += in_window
        add(
            q.start("term"), q.end("term"), "src_quoted", True,
            in_parens=float(in_parens), called=float(_called(before)),
            quoted_rank=1.0 / rank if in_window else 0.0,
        )  # fmt: skip
    for m in _ROLE_LINE.finditer(text, 0, head_end):
        if _SIG_SKIP.match(m.group("label")):
            continue
        add(m.start("name"), m.end("name"), "src_role", False)
        add(m.start("label"), m.end("label"), "src_role", True)
    # Signature blocks: the lines above a "By:" line, and every line after IN WITNESS.
    if low is None:
        low = lowered(text)
    w = _last_signature_block(text, low)
    sig_lines: dict[int, float] = {}
    if w is not None:
        for sig_line in _LINE.finditer(text, w.end(), min(len(text), w.end() + 6000)):
            sig_lines.setdefault(sig_line.start(), 0.0)
    for by_line in _BY_LINE.finditer(text, max(0, len(text) - 40000)):
        back = text.rfind("\n", 0, by_line.start())
        for _ in range(3):
            if back <= 0:
                break
            prev = text.rfind("\n", 0, back)
            if text[prev + 1 : back].strip():
                sig_lines[prev + 1] = 1.0
            back = prev
    for at, above in sig_lines.items():
        line_end = text.find("\n", at)
        line_end = len(text) if line_end == -1 else line_end
        line = text[at:line_end]
        stripped = line.strip()
        if (
            not stripped
            or not stripped[0].isupper()
            or len(stripped.split()) > 10
            or _SIG_SKIP.match(stripped)
        ):
            continue
        lead = len(line) - len(line.lstrip())
        role = _ROLE_LABEL.match(stripped)
        if role:
            add(at + lead, at + lead + len(role.group(1)), "src_sig", True, above_by=above)
            lead += role.end()
            stripped = stripped[role.end() :]
        entity = _SIG_COLUMN.split(stripped, maxsplit=1)[0]
        add(
            at + lead,
            at + lead + len(entity),
            "src_sig",
            False,
            above_by=above,
            sig_allcaps=float(entity.isupper()),
        )
    cands = list(by.values())
    # Past the recitals' or the body's first words, a name is more often a third party's.
    body = _WINDOW_END.search(text, intro_windows[0][0] if intro_windows else 0, head_end)
    for c in cands:
        c.feats["after_recitals"] = float(body is not None and c.start > body.start() and c.start < head_end)
        # The line around the candidate, at most 200 characters either side (a PDF's text may
        # have no line breaks for pages).
        lo = max(0, c.start - 200)
        line_start = text.rfind("\n", lo, c.start) + 1 or lo
        line_end = text.find("\n", c.end, c.end + 200)
        line = text[line_start : line_end if line_end != -1 else c.end + 200]
        c.feats["toc_line"] = float(
            "...." in line or "____" in line or bool(_TOC_END.search(line.rstrip()[-4:]))
        )
        c.feats["numbered_line"] = float(bool(_NUMBERED_LINE.match(line)))
    name_cands = sorted((c for c in cands if not c.short), key=lambda c: c.start)
    sig_keys = {_party_key(c.text) for c in name_cands if c.feats.get("src_sig")}
    shorts = [c for c in cands if c.short and c.feats.get("src_quoted")]
    for c in cands:
        srcs = sum(v for f, v in c.feats.items() if f.startswith("src_"))
        c.feats["sources"] = min(srcs, 4.0) / 4.0
        if c.short:
            # A short name drawn from the name it follows: "Acme" of "Acme Corp.", "FCE" of
            # "FuelCell Energy".
            earlier = [p for p in name_cands if p.start < c.start and c.start - p.start < 400]
            c.feats["near_name"] = float(bool(earlier))
            c.feats["from_name"] = float(bool(earlier) and _derived(c.text, earlier[-1].text))
            c.feats["in_sig"] = float(_key(c.text) in sig_keys)
            # A short name is defined once, in the parenthetical after its party's name.
            paren = c.feats.get("in_parens", 0.0)
            c.feats["parens_role"] = paren * c.feats["role_word"]
            c.feats["parens_count"] = paren * c.feats["count"]
            c.feats["parens_from_name"] = paren * c.feats["from_name"]
            c.feats["parens_window"] = paren * c.feats["first_window"]
            # The first short name after that name: its party's, not a later defined term.
            c.feats["first_after_name"] = float(
                bool(earlier) and not any(earlier[-1].start < q.start < c.start for q in shorts)
            )
        else:
            # A name whose parenthetical defines a short name drawn from it: ("FCE").
            c.feats["defines_derived"] = float(
                any(c.end <= q.start <= c.end + 250 and _derived(q.text, c.text) for q in shorts)
            )
            c.feats["head_and_sig"] = float(bool(c.feats.get("src_sig")) and c.start < head_end)
            c.feats["in_sig"] = float(_party_key(c.text) in sig_keys)
    return cands


def _called(before: str) -> bool:
    """_CALLED at the end of ``before``; its words looked for first (the regex is slow to try
    at every position)."""
    low = before.lower()
    return any(w in low for w in ("referred", "hereinafter", "called", "known")) and bool(
        _CALLED.search(before)
    )


def _derived(short: str, name: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", name) if not _SUFFIXED.fullmatch(w)]
    s = re.sub(r"[^a-z0-9]", "", short.casefold())
    if not s or not words:
        return False
    initials = "".join(w[0] for w in words).casefold()
    caps = "".join(ch for ch in name if ch.isupper()).casefold()
    joined = "".join(words).casefold()
    return s in joined or s == initials or (len(s) > 1 and s in caps) or initials.startswith(s)


def _static_features(
    text: str, raw: str, start: int, end: int, short: bool, intro_windows: list[tuple[int, int]], n: int
) -> dict[str, float]:
    words = raw.split()
    after = text[end : end + 140]
    before = text[max(0, start - 40) : start]
    # Mentions in the first COUNT_CHARS only: counting in a 300-page contract costs more than
    # the count tells.
    count = text.count(raw if len(raw) > 2 else f" {raw} ", 0, COUNT_CHARS)
    first = text.find(raw, 0, start)
    last_word = _NOT_LOWER.sub("", words[-1].lower())
    return {
        "bias": 1.0,
        "short": float(short),
        "suffix": float(bool(_SUFFIXED.search(raw, max(0, len(raw) - 16)))),
        "after_intro": float(bool(_INTRO_WORD.search(before))),
        "intro_window": float(any(a - 30 <= start < b for a, b in intro_windows)),
        "first_window": float(any(a - 30 <= start < b for a, b in intro_windows[:1])),
        "then_defines": float(bool(_THEN_DEFINES.match(after))),
        "then_appos": float(bool(_THEN_APPOSITIVE.match(after))),
        "then_paren": float(after.lstrip(" ,").startswith("(")),
        "first_rel": (first if first >= 0 else start) / n,
        "early": float(start < 2500),
        "count": min(math.log1p(count), 4.0) / 4.0,
        "words": min(len(words), 10) / 10.0,
        "allcaps": float(raw.isupper()),
        "role_word": float(" ".join(w.lower() for w in words[-2:]).strip() in _ROLES or last_word in _ROLES),
        "role_ending": float(last_word.endswith(("or", "ee", "er", "ant", "ent", "ist"))),
        "bad_word": float(
            bool(_NOT_A_SHORT_NAME.search(raw))
            or words[0].lower() in _STOP_WORDS
            or words[0] in MONTHS.split("|")
        ),  # fmt: skip
        "place": float(raw.casefold() in JURISDICTIONS),
        "quote_first": float(text[max(0, start - 1) : start] in "\"“‘'" and start > 0),
        "defined_here": float(bool(_CLOSES_PARENS.match(text, end, end + 4))),
        "lower_start": float(raw[0].islower()),
        "the_before": float(before.rstrip("\"“‘' \t\n").lower().endswith("the")),
        "digit": float(any(ch.isdigit() for ch in raw)),
    }


def _party_model_arg(arg: PartyModel | None | bool) -> PartyModel | None:
    if arg is True:
        return party_model()
    return None if arg is False or arg is None else arg


def feature_vector(c: PartyCandidate) -> list[float]:
    return [c.feats.get(f, 0.0) for f in _FEATURES]


@cache
def party_model() -> PartyModel | None:
    """The shipped weights (pipeline/data/party_model.json); None when the file is absent."""
    try:
        model: PartyModel = json.loads(_MODEL_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return model


def party_probability(c: PartyCandidate, model: PartyModel) -> float:
    weights = model["short" if c.short else "name"]["weights"]
    z = sum(w * c.feats[f] for f, w in zip(model["features"], weights, strict=True) if f in c.feats)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def kept_candidates(
    text: str, head_chars: int, model: PartyModel, low: str | None = None
) -> list[PartyCandidate]:
    cands = party_candidates(text, head_chars, low)
    return keep(cands, [party_probability(c, model) for c in cands], model)


def keep(cands: list[PartyCandidate], probs: list[float], model: PartyModel) -> list[PartyCandidate]:
    """A name is kept at the name threshold, or at the lower ``top2`` one when it is one of the
    document's two likeliest names (most contracts have two parties); a short name at its
    threshold, or at the lower ``attached`` one when it sits in the parenthetical after a kept name."""
    name, short = model["name"], model["short"]
    ranked = sorted((p for c, p in zip(cands, probs, strict=True) if not c.short), reverse=True)
    second = ranked[1] if len(ranked) > 1 else (ranked[0] if ranked else 1.0)
    names = [
        c
        for c, p in zip(cands, probs, strict=True)
        if not c.short and (p >= name["threshold"] or (p >= second and p >= name["top2"]))
    ]
    ends = sorted(c.end for c in names)
    out = list(names)
    for c, p in zip(cands, probs, strict=True):
        if not c.short:
            continue
        i = bisect_left(ends, c.start + 1) - 1
        attached = i >= 0 and c.start - ends[i] <= 300 and bool(c.feats.get("in_parens"))
        if p >= short["threshold"] or (attached and p >= short["attached"]):
            out.append(c)
    return out


def merge_candidates(found: list[Party], kept: list[PartyCandidate]) -> None:
    """Adds the candidates the model keeps to the rules' parties: a name as a new party (unless
    the rules have it), a short name to the party it follows (or on its own)."""
    for c in sorted(kept, key=lambda c: c.start):
        if not c.short:
            _add(found, Party(c.text, c.start, c.end, []))
            continue
        folded = c.text.casefold()
        if any(folded == p.name.casefold() or folded in (s.casefold() for s in p.shorts) for p in found):
            continue
        owner = max((p for p in found if p.end <= c.start), key=lambda p: p.end, default=None)
        if owner is not None and c.start - owner.end <= 300 and len(owner.shorts) < 3:
            owner.shorts.append(c.text)
            owner.end = max(owner.end, c.end)
        else:
            found.append(Party(c.text, c.start, c.end, []))


_SUFFIXED = re.compile(rf"(?i:{_ENTITY_SUFFIX})\W*$")


def _add(found: list[Party], new: Party) -> Party | None:
    key = _party_key(new.name)
    if not key:
        return None
    for p in found:
        k = _party_key(p.name)
        # "Inktomi" is "Inktomi Corporation"; "Uniform InvestCo LP" is not "Uniform InvestCo GP LLC".
        bare = not (_SUFFIXED.search(new.name) and _SUFFIXED.search(p.name))
        if k == key or (bare and ((len(key) > 3 and key in k.split(" ")) or (len(k) > 3 and k in key))):
            if not p.shorts:  # the later mention (the preamble's, not the cover's) gets the short names
                p.name, p.start, p.end, p.shorts = new.name, new.start, new.end, new.shorts
            return p
    found.append(new)
    return new


_CALLED = re.compile(
    r"(?:referred\s+to\s+(?:herein\s+|hereinafter\s+)?(?:as|by)|hereinafter(?:\s+\w+){0,3}|called(?:\s+as)?|known\s+as)"
    r"\s+(?:the\s+)?$",
    re.I,
)
_NEXT_PARTY = re.compile(r"(?:\band\b|\bAND\b|;|\(\d\))\s*(?:between\s+)?")
_STOP_WORDS = {
    "wales",
    "whereas",
    "now",
    "recitals",
    "witnesseth",
    "background",
    "in",
    "source",
    "exhibit",
    "section",
}
_PERIOD = re.compile(r"\.\s+(?=[A-Z(])")


def _sentence_end(text: str, start: int, end: int) -> int:
    """Where the preamble sentence ends: a period not closing "Inc.", "St." or "N.V."; a
    sentence that starts "AND:" continues it (the "BETWEEN: X. AND: Y" layout)."""
    for m in _PERIOD.finditer(text, start, end):
        word = re.search(r"[\w.]*$", text[max(start, m.start() - 12) : m.start()])
        w = word.group() if word else ""
        if w and not w[-1].isdigit() and (len(w) <= 4 and w[0].isupper() or "." in w or PARTY.fullmatch(w)):
            continue
        if re.match(r"(?:AND|And)\b", text[m.end() : m.end() + 4]):
            continue
        return m.start()
    return end


def _window_parties(text: str, start: int, end: int, found: list[Party]) -> None:
    """Names and their quoted short names between "by and between" and the sentence's end."""
    end = _sentence_end(text, start, end)
    names: list[tuple[int, int, str]] = []
    # A suffixed name may sit anywhere; another name opens the window or follows a party's
    # "and"/";"/"(2)" ("Inktomi and Microsoft"; not "Securities and Exchange Commission").
    for m in PARTY.finditer(text, start, end):
        if not re.search(r"Source:\s*$", text[max(0, m.start() - 10) : m.start()]):  # EDGAR page footers
            names.append((m.start("name"), m.end("name"), m.group("name")))
    heads = [(start, start)] + [(m.start(), m.end()) for m in _NEXT_PARTY.finditer(text, start, end)]
    for sep, h in heads:
        head = _HEAD.match(text, h, end)
        if (
            not head
            or not head.group("name").strip()
            or any(a <= head.start("name") < b for a, b, _ in names)
        ):
            continue
        last = max((b for _, b, _ in names if b <= sep), default=start)
        # Right after a name, or after the previous party's clause gave its short name.
        after_party = sep == start or sep - last <= 3 or bool(re.search(r"[\"”]\s*\)", text[last:sep]))
        if after_party or re.search(r"[),;:]\s*$", text[max(start, sep - 3) : sep]) or text[sep] in ";(":
            names.append((head.start("name"), head.end("name"), head.group("name")))
    names.sort()
    events = sorted(
        [(a, "n", b, s) for a, b, s in names]
        + [(q.start(), "q", q.end(), q.group("term")) for q in _QUOTED.finditer(text, start, end)]
        + [(q.start(), "q", q.end(), q.group("term")) for q in _SINGLE_QUOTED.finditer(text, start, end)]
        + [(q.start("name"), "d", q.end("name"), q.group("name")) for q in _DBA.finditer(text, start, end)]
    )
    current: Party | None = None
    closed = False  # the party's short names are given once, in one parenthetical or phrase
    for at, kind, stop, s in events:
        if kind == "n":
            name = _clean_name(s)
            if re.search(r"\b(?:a|an)\s+$", text[max(0, at - 4) : at]):  # "a Delaware Corporation"
                name = ""
            current = (
                _add(found, Party(name, at, at + len(s.rstrip(" ,;:")), [])) if _good_name(name) else None
            )
            closed = False
            continue
        if kind == "d":  # a trade name belongs to the party just named, like a short name
            dba = " ".join(s.split()).rstrip(" ,.")
            near = current is not None and stop - current.end <= 400
            if near and current and dba not in current.shorts and len(current.shorts) < 3 and _good_name(dba):
                current.shorts.append(dba)
            continue
        if current is None or closed or stop - current.end > 400 or _NOT_A_SHORT_NAME.search(s):
            continue
        before = text[max(start, at - 200) : at]
        in_parens = before.rfind("(") > before.rfind(")")
        if not in_parens and not _CALLED.search(before):
            continue
        short = " ".join(s.split())
        if re.search(r"[.;:]\s", short):  # an unclosed quote ran into the next sentence
            continue
        if short not in current.shorts and len(current.shorts) < 3:
            current.shorts.append(short)
            close = text.find(")", stop, stop + 120) if in_parens else -1
            current.end = max(current.end, close + 1 if close != -1 else stop)
            # Past the parenthetical, later quotes are the document's defined terms.
            closed = not in_parens or ")" in text[stop : stop + 3]


def jurisdiction(place: str) -> str | None:
    """ "State of New York" spelled any way -> "New York, US"; None when not in the table."""
    return JURISDICTIONS.get(" ".join(place.split()).casefold())


def _clause(text: str, pos: int, end: int, reach: int = 300) -> tuple[int, int]:
    """The clause around ``text[pos:end]``, at most ``reach`` characters either side."""
    lo = max(0, pos - reach)
    starts = [m.end() for m in _CLAUSE_END.finditer(text, lo, pos)]
    stop = _CLAUSE_END.search(text, end, min(len(text), end + reach))
    return trim(text, starts[-1] if starts else lo, stop.end() if stop else min(len(text), end + reach))


def _governing_law(text: str, low: str | None) -> list[KeyTermHit]:
    # str.find("law") on the lowered text, then anchored matches there: a case-blind regex
    # scanning the whole contract costs several times more.
    fields: list[tuple[int, re.Match[str]]] = []
    if low is None:
        laws_of = list(_LAWS_OF.finditer(text))
        x_law = list(_X_LAW.finditer(text)) + list(_X_LAW_GOVERNS.finditer(text))
        thereof = list(_LAWS_THEREOF.finditer(text))
        for g in _GOVERNING.finditer(text):
            if (fm := _LAW_FIELD.match(text, g.end())) and (pm := _PLACE.match(text, fm.end())):
                fields.append((g.end(), pm))
    else:
        laws_of, x_law, thereof = [], [], []
        pos = low.find("law")
        while pos != -1:
            if pos == 0 or not low[pos - 1].isalnum():
                # "laws of that State" is a back-reference, not "laws of" a place: tried first
                if t := _LAWS_THEREOF.match(text, pos):
                    thereof.append(t)
                elif m := _LAWS_OF.match(text, pos):
                    laws_of.append(m)
                # "by English law": the place is one to three capitalised words before "law".
                elif (
                    low[max(0, pos - 10) : pos].rstrip().endswith("governing")
                    and (fm := _LAW_FIELD.match(text, pos))
                    and (pm := _PLACE.match(text, fm.end()))
                ):
                    fields.append((pos, pm))
                elif (
                    text[pos - 1 : pos].isspace()
                    and text[pos - 2 : pos - 1].isalpha()
                    and (
                        ((x := _X_LAW.search(text, max(0, pos - 45), pos + 3)) and x.end() == pos + 3)
                        or (
                            "govern" in low[pos + 3 : pos + 30]  # a cheap test before the big regex
                            and (x := _X_LAW_GOVERNS.search(text, max(0, pos - 45), pos + 30))
                            and x.end() == pos + 3
                        )
                    )
                ):
                    x_law.append(x)
            pos = low.find("law", pos + 3)
    found: list[tuple[int, int, str]] = []
    for m in laws_of:
        p = _PLACE.match(text, m.end())
        if (
            p
            and p.group()[0].isupper()
            and not _ORGANIZED.search(text, max(0, m.start() - 60), m.start())
            and not _FIELD_OF_LAW.search(text, max(0, m.start() - 30), m.start())
        ):
            found.append((m.start(), p.end(), JURISDICTIONS[" ".join(p.group().split()).casefold()]))
    for at, pm in fields:
        if pm.group()[0].isupper():
            found.append((at, pm.end(), JURISDICTIONS[" ".join(pm.group().split()).casefold()]))
    for m in x_law:
        if m.group("place")[0].isupper():
            found.append((m.start(), m.end(), JURISDICTIONS[" ".join(m.group("place").split()).casefold()]))
    for m in thereof:
        # "accepted in the State of Nevada and governed by the laws thereof": the place named
        # earlier in the clause.
        start, _ = _clause(text, m.start(), m.end())
        earlier = list(_NAMED_PLACE.finditer(text, start, m.start()))
        if earlier and earlier[-1].group("place")[0].isupper():
            place = JURISDICTIONS[" ".join(earlier[-1].group("place").split()).casefold()]
            found.append((m.start(), m.end(), place))
    by_clause: dict[tuple[int, int], list[str]] = {}
    for a, b, place in found:
        by_clause.setdefault(_clause(text, a, b, reach=500), []).append(place)
    out: list[KeyTermHit] = []
    for (start, end), places in by_clause.items():
        # The clause must say these laws govern: not "organized under the laws of Delaware".
        # A heading ("Governing Law.") just before the clause counts as saying it.
        if not _GOVERNS.search(text, max(0, start - 40), end):
            continue
        # "the laws of the State of New York and of the United States": the state is the answer.
        named = [p for p in dict.fromkeys(places) if not (p == "United States" and len(places) > 1)]
        out += [KeyTermHit("governing_law", p, start, end) for p in named[:1]]
    return out


def jurisdictions_in(text: str) -> set[str]:
    """Every jurisdiction a passage names, normalised ("laws of the PRC" -> {"China"})."""
    return {JURISDICTIONS[" ".join(m.group().split()).casefold()] for m in _PLACE.finditer(text)}


def _cap_value(what: str) -> str | None:
    money = MONEY.search(what)
    if money:
        amount = int(money.group("amount").replace(",", ""))
        scale = (money.group("scale") or "").lower()
        amount *= {"million": 1_000_000, "billion": 1_000_000_000}.get(scale, 1)
        return f"{amount:,} {_currency(money.group())}"
    if re.search(r"\b(?:fees|amounts?|charges|sums)\b[^.;]{0,60}\b(?:paid|payable)", what, re.I):
        d = DURATION.search(what)
        return f"fees paid in {duration_value(d)}" if d else "fees paid"
    return None


def _currency(s: str) -> str:
    s = s.upper()
    if "€" in s or "EUR" in s:
        return "EUR"
    if "£" in s or "GBP" in s:
        return "GBP"
    return "USD"


def _dedupe(hits: list[KeyTermHit]) -> list[KeyTermHit]:
    seen: set[tuple[str, str, int]] = set()
    out = []
    for h in sorted(hits, key=lambda h: (h.start, h.name, h.value)):
        key = (h.name, h.value, h.start)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out
