"""Word automatic numbering: ``numbering.xml`` + paragraph styles → the labels Word would show.

Word never stores "1.2" or "(a)" in the text; it computes them from list definitions and
counters at display time, so a plain-text extractor must replay that computation.

Hostile definitions (issue 12: a list starting at 2,000,000,000 in Roman numerals, a level text
repeating the label) must not make labels long, so values, levels and level texts are bounded
the way Word bounds them:

* values: Word keeps every list start and start override in 0..32767. The binary format it
  still reads and writes says so ([MS-DOC] 2.9.150 LVLF and 2.9.133 LFOLVL, iStartAt "MUST be
  less than or equal to 0x7FFF and MUST be greater than or equal to zero",
  https://docs.microsoft.com/en-us/openspecs/office_file_formats/ms-doc/500d1b05-cd15-46af-bc8f-03bc290d1bdd),
  and LibreOffice's DOCX import hands w:start to Writer as a 16-bit StartWith
  (writerfilter/source/dmapper/NumberingManager.cxx). ECMA-376's ST_DecimalNumber sets no bound.
  We clamp starts, overrides and running counters to ``Settings.limits.docx_max_numbering_value``
  (default 32767): a counter that reaches it stays there.
* levels: nine (w:ilvl 0..8, LFOLVL.iLvl "MUST be less than or equal to 0x08"); a deeper
  w:ilvl reads as the deepest level (``Settings.limits.docx_max_list_depth``).
* level text: at most 9 placeholders and 31 characters once they are converted ([MS-OI29500]
  2.1.283, https://learn.microsoft.com/en-us/openspecs/office_standards/ms-oi29500/74f54646-dbe0-40ea-90c9-5ec70107e91d).
  We keep the first ``MAX_LEVEL_TEXT`` characters (room for 9 two-character placeholders) and
  substitute only the first 9 placeholders.
* one number: at most ``MAX_NUMBER_CHARS`` characters whatever the caller passes: past 32767,
  and where the repeated-letter forms ("aaaa…", "****…") would be longer, it is written in digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

Element = Any  # lxml ``_Element``; lxml ships no type stubs we can rely on here
# Bullet glyphs are font-specific private-use characters (U+F0B7 in Symbol); every bullet reads as "\u2022".
BULLET = "\u2022"
_MAX_LEVELS = 9
_PLACEHOLDER = re.compile(r"%([1-9])")
WORD_MAX_VALUE = 0x7FFF  # the largest list value Word keeps (see the module docstring)
# The longest number Word can show as Roman numerals or words up to 32767 ("Twenty-three
# thousand three hundred seventy-seventh"); repeated-letter forms longer than this become digits.
MAX_NUMBER_CHARS = 51
MAX_PLACEHOLDERS = 9
MAX_LEVEL_TEXT = 31 + MAX_PLACEHOLDERS  # so no label passes 40 + 9 * 51 characters


def attr(el: Element | None, name: str = "val") -> str | None:
    """A ``w:``-namespaced attribute, or ``None``."""
    if el is None:
        return None
    value: str | None = el.get(W + name)
    return value


def child_val(el: Element | None, tag: str) -> str | None:
    """``w:val`` of the direct child ``w:<tag>``."""
    return None if el is None else attr(el.find(W + tag))


def is_on(el: Element | None) -> bool:
    """An OOXML on/off property: present and not explicitly switched off."""
    return el is not None and (attr(el) or "1").lower() not in ("0", "false", "off", "none")


def flag(el: Element, name: str) -> bool:
    """An on/off *attribute* such as w:default="1" or w:null="true"."""
    return (attr(el, name) or "").lower() in ("1", "true", "on")


def to_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------- number formats

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORD_WORDS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
              "nine": "ninth", "twelve": "twelfth"}  # fmt: skip


def roman(n: int) -> str:
    if not 0 < n <= WORD_MAX_VALUE:  # the numeral grows by one "M" per thousand: never past 43 characters
        return str(n)
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letters(n: int) -> str:
    # Word goes a … z, aa … zz, aaa …: the letter repeats, it does not carry like base 26.
    return _repeated("abcdefghijklmnopqrstuvwxyz", n)


def _repeated(symbols: str, n: int) -> str:
    """``n`` as one symbol repeated (a … z, aa … zz …); digits once that would pass ``MAX_NUMBER_CHARS``."""
    times = (n - 1) // len(symbols) + 1
    if n <= 0 or times > MAX_NUMBER_CHARS:  # decided before the string is built
        return str(n)
    return symbols[(n - 1) % len(symbols)] * times


def cardinal_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[rest]}" if rest else "")
    for size, word in ((1_000_000, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{cardinal_words(head)} {word}" + (f" {cardinal_words(rest)}" if rest else "")
    return str(n)  # unreachable


def ordinal_words(n: int) -> str:
    words = cardinal_words(n)
    stem, sep, last = words.rpartition("-" if "-" in words.split(" ")[-1] else " ")
    if last in _ORD_WORDS:
        last = _ORD_WORDS[last]
    else:
        last = last[:-1] + "ieth" if last.endswith("y") else last + "th"
    return stem + sep + last


def ordinal_suffix(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_number(n: int, fmt: str, custom: str | None = None) -> str:
    """``n`` in OOXML number format ``fmt`` (ST_NumberFormat); unknown formats fall back to decimal."""
    if fmt == "none":
        return ""
    if n <= 0 and fmt not in ("decimal", "decimalZero"):
        return str(n)  # letters, Roman numerals and words have no zero
    if n > WORD_MAX_VALUE:  # past anything Word counts to: digits, whatever the format
        return str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        return letters(n) if fmt[0] == "l" else letters(n).upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return roman(n) if fmt[0] == "l" else roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        return ordinal_suffix(n)
    if fmt in ("cardinalText", "ordinalText"):
        words = cardinal_words(n) if fmt == "cardinalText" else ordinal_words(n)
        return words[:1].upper() + words[1:]
    if fmt == "chicago":
        return _repeated("*\u2020\u2021\u00a7", n)
    if fmt == "custom" and custom and custom[:1] == "0":
        # Word 2010 custom formats such as "001, 002, 003, ...": zero-padded decimals.
        return str(n).zfill(min(len(custom.split(",")[0].strip()), MAX_NUMBER_CHARS))
    return str(n)


def clamp(value: int, top: int) -> int:
    return min(max(value, 0), top)


def note_formats(doc_settings: Element | None, max_value: int = WORD_MAX_VALUE) -> dict[str, tuple[str, int]]:
    """(numFmt, numStart) per note kind from settings.xml; Word numbers footnotes 1, 2 … and endnotes i, ii …"""
    out = {"footnote": ("decimal", 1), "endnote": ("lowerRoman", 1)}
    for kind, (default, _) in list(out.items()):
        pr = None if doc_settings is None else doc_settings.find(f"{W}{kind}Pr")
        start = clamp(to_int(child_val(pr, "numStart")) or 1, max_value)  # bounded like list starts
        out[kind] = (child_val(pr, "numFmt") or default, start)
    if out["footnote"][0] == out["endnote"][0]:  # same style: keep endnotes apart as [e1], [e2] …
        out["endnote"] = ("e:" + out["endnote"][0], out["endnote"][1])
    return out


def note_label(fmt: str, n: int) -> str:
    prefix, fmt = ("e", fmt[2:]) if fmt.startswith("e:") else ("", fmt)
    return f"[{prefix}{format_number(n, fmt)}]"


# ---------------------------------------------------------------- definitions


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    custom: str | None = None
    text: str = ""
    restart: int | None = None  # w:lvlRestart: 0 = never, n = after a level ≤ n (1-based)
    legal: bool = False  # w:isLgl: the other levels shown as decimals ("Article I" → "1.01")
    suffix: str = "\t"
    style: str | None = None  # w:pStyle: the paragraph style bound to this level
    hidden: bool = False


def _num_fmt(lvl: Element) -> tuple[str, str | None]:
    el = lvl.find(W + "numFmt")
    if el is None:  # Word 2010 wraps custom formats in mc:AlternateContent (Choice, then Fallback)
        for branch in lvl.iterfind(f"{MC}AlternateContent/*"):
            el = branch.find(W + "numFmt")
            if el is not None:
                break
    return (attr(el) or "decimal", attr(el, "format")) if el is not None else ("decimal", None)


def parse_level(lvl: Element) -> Level:
    fmt, custom = _num_fmt(lvl)
    text_el = lvl.find(W + "lvlText")
    rpr = lvl.find(W + "rPr")
    start = to_int(child_val(lvl, "start"))
    text = "" if text_el is None or flag(text_el, "null") else attr(text_el) or ""
    return Level(
        start=1 if start is None else start,
        fmt=fmt,
        custom=custom,
        text=text[:MAX_LEVEL_TEXT],  # Word's own limit is shorter (module docstring)
        restart=to_int(child_val(lvl, "lvlRestart")),
        legal=is_on(lvl.find(W + "isLgl")),
        suffix={"space": " ", "nothing": ""}.get(child_val(lvl, "suff") or "tab", "\t"),
        style=child_val(lvl, "pStyle"),
        hidden=rpr is not None and is_on(rpr.find(W + "vanish")),
    )


@dataclass
class Num:
    abstract: str
    overrides: dict[int, Level] = field(default_factory=dict)  # whole-level replacements
    starts: dict[int, int] = field(default_factory=dict)  # w:startOverride per level


_NO_NUM: tuple[str | None, int | None, str | None] = (None, None, None)


@dataclass
class Definitions:
    """What ``numbering.xml`` and ``styles.xml`` say; no counters."""

    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    abstract_links: dict[str, str] = field(default_factory=dict)  # abstractNum → w:numStyleLink style
    nums: dict[str, Num] = field(default_factory=dict)
    # paragraph style → (basedOn, numId, ilvl) as written on that style
    styles: dict[str, tuple[str | None, str | None, int | None]] = field(default_factory=dict)
    default_style: str | None = None
    _inherited: dict[str, tuple[str | None, int | None, str | None]] = field(default_factory=dict, repr=False)
    _resolved: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(
        cls, numbering: Element | None, styles: Element | None, max_depth: int = _MAX_LEVELS
    ) -> Definitions:
        """Levels past ``max_depth`` are dropped: no paragraph can reach them (``Numbering`` clamps w:ilvl)."""
        defs = cls()
        if styles is not None:
            for st in styles.iterfind(W + "style"):
                sid = attr(st, "styleId")
                if sid is None:
                    continue
                numpr = st.find(f"{W}pPr/{W}numPr")
                ilvl = to_int(child_val(numpr, "ilvl"))
                defs.styles[sid] = (child_val(st, "basedOn"), child_val(numpr, "numId"), ilvl)
                if attr(st, "type") == "paragraph" and flag(st, "default"):
                    defs.default_style = sid
        if numbering is None:
            return defs
        for an in numbering.iterfind(W + "abstractNum"):
            aid = attr(an, "abstractNumId") or ""
            levels = {to_int(attr(lv, "ilvl")) or 0: lv for lv in an.iterfind(W + "lvl")}
            defs.abstracts[aid] = {i: parse_level(lv) for i, lv in levels.items() if 0 <= i < max_depth}
            link = child_val(an, "numStyleLink")
            if link:
                defs.abstract_links[aid] = link
        for num in numbering.iterfind(W + "num"):
            entry = Num(abstract=child_val(num, "abstractNumId") or "")
            for ov in num.iterfind(W + "lvlOverride"):
                ilvl = to_int(attr(ov, "ilvl")) or 0
                if not 0 <= ilvl < max_depth:
                    continue
                start = to_int(child_val(ov, "startOverride"))
                if start is not None:
                    entry.starts[ilvl] = start
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    entry.overrides[ilvl] = parse_level(lvl)
            defs.nums[attr(num, "numId") or ""] = entry
        return defs

    def resolve_abstract(self, abstract: str) -> str:
        """Follow w:numStyleLink (a list defined through a numbering style) to the real definition.

        Remembered for every definition on the way, like ``style_numbering``.
        """
        path, seen = [abstract], {abstract}
        while abstract in self.abstract_links and abstract not in self._resolved:
            style = self.styles.get(self.abstract_links[abstract])
            num = self.nums.get(style[1] or "") if style else None
            if num is None or num.abstract in seen:
                break
            abstract = num.abstract
            path.append(abstract)
            seen.add(abstract)
        target = self._resolved.get(abstract, abstract)
        self._resolved.update(dict.fromkeys(path, target))
        return target

    def style_numbering(self, style: str | None) -> tuple[str | None, int | None, str | None]:
        """(numId, ilvl, style that set numId) inherited along the basedOn chain.

        Every paragraph asks, so answers are remembered for each style on the walked chain: a
        long basedOn chain is walked once, not once per paragraph.
        """
        path: list[str] = []
        seen: set[str] = set()
        cur = style
        while cur is not None and cur not in seen and cur in self.styles and cur not in self._inherited:
            seen.add(cur)
            path.append(cur)
            cur = self.styles[cur][0]
        num_id, ilvl, owner = _NO_NUM if cur is None or cur in seen else self._inherited.get(cur, _NO_NUM)
        for name in reversed(path):  # from the base style down: the nearest setting wins
            _, s_num, s_ilvl = self.styles[name]
            if s_num is not None:
                num_id, owner = s_num, name
            if s_ilvl is not None:
                ilvl = s_ilvl
            self._inherited[name] = (num_id, ilvl, owner)
        return self._inherited.get(style, _NO_NUM) if style is not None else _NO_NUM


# ---------------------------------------------------------------- counters


@dataclass
class _Instance:
    levels: dict[int, Level]
    starts: dict[int, int]
    depth: int
    max_value: int
    counters: list[int | None] = field(init=False)

    def __post_init__(self) -> None:
        self.counters = [None] * self.depth

    def start(self, ilvl: int) -> int:
        lvl = self.levels.get(ilvl)
        return clamp(self.starts.get(ilvl, lvl.start if lvl else 1), self.max_value)


class Numbering:
    """Replays Word's counters over one story (body, a header, the notes) in reading order.

    Values stay in 0..``max_value`` and levels below ``max_depth`` (see the module docstring).
    """

    def __init__(
        self, defs: Definitions, *, max_value: int = WORD_MAX_VALUE, max_depth: int = _MAX_LEVELS
    ) -> None:
        self.defs = defs
        self.max_value = max_value
        self.max_depth = max_depth
        self._instances: dict[tuple[str, str], _Instance] = {}

    def label(self, ppr: Element | None) -> str:
        """The label plus its suffix (tab, space or nothing) for a paragraph; "" when unnumbered."""
        numpr = None if ppr is None else ppr.find(W + "numPr")
        style = child_val(ppr, "pStyle") or self.defs.default_style
        s_num, s_ilvl, owner = self.defs.style_numbering(style)
        p_num = child_val(numpr, "numId")
        num_id = p_num if p_num is not None else s_num
        if num_id is None or num_id == "0" or num_id not in self.defs.nums:
            return ""  # numId 0 explicitly removes numbering inherited from the style
        num = self.defs.nums[num_id]
        abstract = self.defs.resolve_abstract(num.abstract)
        levels = {**self.defs.abstracts.get(abstract, {}), **num.overrides}
        ilvl = to_int(child_val(numpr, "ilvl"))
        if ilvl is None:
            ilvl = s_ilvl
        if ilvl is None:  # a style bound to a level by w:lvl/w:pStyle
            ilvl = next((i for i, lv in levels.items() if lv.style is not None and lv.style == owner), 0)
        ilvl = min(max(ilvl, 0), self.max_depth - 1)
        if ilvl not in levels:
            return ""
        # Word continues a list across every w:num sharing an abstractNum; a w:num that
        # overrides levels (the "restart numbering" command writes startOverride) gets its own.
        key = ("num", num_id) if num.overrides or num.starts else ("abstract", abstract)
        inst = self._instances.get(key)
        if inst is None:
            inst = self._instances[key] = _Instance(levels, num.starts, self.max_depth, self.max_value)
        self._advance(inst, ilvl)
        lvl = levels[ilvl]
        if lvl.hidden:
            return ""
        text = BULLET if lvl.fmt == "bullet" else self._render(inst, ilvl, lvl)
        return text + lvl.suffix if text else ""

    @staticmethod
    def _advance(inst: _Instance, ilvl: int) -> None:
        current = inst.counters[ilvl]
        inst.counters[ilvl] = inst.start(ilvl) if current is None else min(current + 1, inst.max_value)
        for deeper in range(ilvl + 1, inst.depth):
            lvl = inst.levels.get(deeper)
            restart = lvl.restart if lvl else None
            if restart is None or (restart != 0 and ilvl < restart):
                inst.counters[deeper] = None

    @staticmethod
    def _render(inst: _Instance, ilvl: int, lvl: Level) -> str:
        seen = 0

        def sub(match: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            k = int(match.group(1)) - 1
            if seen > MAX_PLACEHOLDERS or k >= inst.depth:  # Word shows at most nine numbers
                return ""
            ref = inst.levels.get(k)
            value = inst.counters[k]
            value = inst.start(k) if value is None else value
            if ref is None:
                return str(value)
            if lvl.legal and k != ilvl and ref.fmt != "none":
                return str(value)
            return format_number(value, ref.fmt, ref.custom)

        return _PLACEHOLDER.sub(sub, lvl.text)
