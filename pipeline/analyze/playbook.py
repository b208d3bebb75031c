"""Playbook: the positions a reviewer checks, one rule each, read from YAML (issue 16).

A rule names a CUAD category (``pipeline.analyze.categories.CATEGORIES``), a kind and a severity:

- ``required``: the clause should be there (``meets`` when found, else ``missing``/``review``);
- ``prohibited``: the clause should not be there (``deviates`` when found);
- ``expected``: the clause should be there with a value the playbook allows, read from a key
  term (``term``): one of ``allowed`` (e.g. governing law), at least ``min_days``, or (a
  liability cap) at least ``min_fee_months`` of fees — a fixed amount cannot be compared with
  fees the document does not state, so it goes to a person (``review``).

``load_playbook`` keeps the line of every rule, and a bad file raises ``BadPlaybook`` naming the
file, the line and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import Field, ValidationError, model_validator

from pipeline.analyze.categories import CATEGORIES
from pipeline.errors import BadPlaybook
from pipeline.types import KeyTermName, Model

DEFAULT_PLAYBOOK = Path(__file__).resolve().parents[1] / "data" / "playbook.yaml"

STANDARD_POSITIONS: tuple[str, ...] = (
    "Governing Law", "Anti-Assignment", "Cap On Liability", "Termination For Convenience",
    "Audit Rights", "Insurance", "Warranty Duration", "Renewal Term", "License Grant",
    "Ip Ownership Assignment", "Non-Compete", "Exclusivity", "Change Of Control", "Uncapped Liability",
)  # fmt: skip

Severity = Literal["high", "medium", "low"]
KEY_TERMS: tuple[str, ...] = get_args(KeyTermName)


class Rule(Model):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    category: str
    kind: Literal["required", "prohibited", "expected"]
    severity: Severity
    guidance: str = Field(min_length=1)
    term: str | None = None  # key term whose value is the answer (e.g. governing_law)
    allowed: list[str] | None = None  # expected: the answer is one of these (case-insensitive)
    min_days: int | None = Field(default=None, ge=0)  # expected: a period of at least this
    min_fee_months: int | None = Field(default=None, ge=1)  # expected: a cap of at least N months' fees
    line: int = 0  # where the rule starts in its file (1-based; 0: built in code)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.category not in CATEGORIES:
            raise ValueError(f"category: {self.category!r} is not a CUAD category")
        if self.term is not None and self.term not in KEY_TERMS:
            raise ValueError(f"term: {self.term!r} is not a key term ({', '.join(KEY_TERMS)})")
        if self.kind == "expected" and (
            self.term is None
            or (self.allowed is None and self.min_days is None and self.min_fee_months is None)
        ):
            raise ValueError("term: an expected rule needs a term and allowed, min_days or min_fee_months")
        if self.min_fee_months is not None and self.term != "liability_cap":
            raise ValueError("min_fee_months: only a liability_cap term is counted in months of fees")
        return self


class Playbook(Model):
    name: str = "playbook"
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique(self) -> Playbook:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"id: duplicate rule id {r.id!r}")
            seen.add(r.id)
        return self


def _fail(source: str, line: int, field: str, msg: str) -> BadPlaybook:
    return BadPlaybook(f"{source}:{line}: field {field!r}: {msg}")


def parse_playbook(text: str, source: str = "<playbook>") -> Playbook:
    """Validate a playbook's YAML; ``BadPlaybook`` names the line and the field at fault."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise _fail(source, line, "(yaml)", str(getattr(exc, "problem", None) or exc)) from None
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise _fail(source, 1, "rules", "a playbook is a mapping with a 'rules' list")
    fields = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    rules_node = fields.get("rules")
    if not isinstance(rules_node, yaml.SequenceNode) or not isinstance(data.get("rules"), list):
        line = rules_node.start_mark.line + 1 if rules_node is not None else 1
        raise _fail(source, line, "rules", "a list of rules is required")
    rules: list[Rule] = []
    for node, raw in zip(rules_node.value, data["rules"], strict=True):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict) or not isinstance(node, yaml.MappingNode):
            raise _fail(source, line, "rules", "each rule is a mapping")
        lines = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        try:
            rules.append(Rule.model_validate({**raw, "line": line}))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [str(p) for p in err["loc"]]
            msg = str(err["msg"]).removeprefix("Value error, ")
            field = loc[0] if loc else msg.split(":", 1)[0]
            if not loc and ":" in msg:
                field, msg = (s.strip() for s in msg.split(":", 1))
            raise _fail(source, lines.get(field, line), field, msg) from None
    try:
        return Playbook(name=str(data.get("name") or Path(source).stem), rules=rules)
    except ValidationError as exc:
        msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        field, _, detail = msg.partition(": ")
        dup = detail.split("'")[1] if "'" in detail else ""
        line = next((r.line for r in reversed(rules) if r.id == dup), rules_node.start_mark.line + 1)
        raise _fail(source, line, field, detail or msg) from None


def load_playbook(path: Path) -> Playbook:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadPlaybook(f"{path}: cannot read the playbook ({exc.__class__.__name__})") from None
    return parse_playbook(text, str(path))


@lru_cache(maxsize=1)
def default_playbook() -> Playbook:
    return load_playbook(DEFAULT_PLAYBOOK)
