"""The needs engine: screening answers → social needs, each with its evidence. Pure functions.

Instruments (items, answer codes, rules) are data: data/instruments/*.json. Unanswered and
declined items never produce a need; they are reported as not assessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from linkage.config import DATA_DIR
from linkage.screening.income import poverty_percent

_LOINC = re.compile(r"^\d{1,7}-\d$")
YES, NO = "LA33-6", "LA32-8"  # LOINC's generic yes / no answers


class AnswerError(ValueError):
    """An answer that does not fit its question; `where` points at the exact item."""

    def __init__(self, where: str, message: str):
        super().__init__(message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Evidence:
    instrument: str
    item: str
    question: str
    answer: str | int | bool | list
    answer_label: str | None = None

    def as_dict(self) -> dict:
        return {
            "instrument": self.instrument,
            "item": self.item,
            "question": self.question,
            "answer": self.answer,
            "answer_label": self.answer_label,
        }


@dataclass
class Need:
    code: str
    label: str
    urgency: int
    text: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    display: str | None = None  # the code system's own display text (for FHIR)

    @property
    def key(self) -> str:
        """Need identity: the code, plus the text for the 'unspecified' code (safety, ...)."""
        return f"{self.code}:{self.text}" if self.text else self.code

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "text": self.text,
            "urgency": self.urgency,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class NotAssessed:
    instrument: str
    rule: str
    need: str
    items: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict:
        return {
            "instrument": self.instrument,
            "rule": self.rule,
            "need": self.need,
            "items": list(self.items),
            "reason": self.reason,
        }


@dataclass
class Assessment:
    needs: list[Need] = field(default_factory=list)
    not_assessed: list[NotAssessed] = field(default_factory=list)

    def merge(self, other: Assessment) -> None:
        by_key = {n.key: n for n in self.needs}
        for need in other.needs:
            if need.key in by_key:
                by_key[need.key].evidence.extend(need.evidence)
            else:
                self.needs.append(need)
                by_key[need.key] = need
        self.not_assessed.extend(other.not_assessed)

    def sort(self) -> None:
        """Most urgent first (safety and homelessness), then in the order found."""
        order = {n.key: i for i, n in enumerate(self.needs)}
        self.needs.sort(key=lambda n: (n.urgency, order[n.key]))


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    type: str
    answers: dict[str, dict]
    answers_complete: bool
    section: str | None = None


class Instrument:
    """An instrument's items, answers and rules, with the vocabulary (labels, urgency) of the
    needs its rules name, from the same data directory."""

    def __init__(self, raw: dict, vocabulary: dict[str, dict]):
        self.raw = raw
        self.vocabulary = vocabulary
        self.id: str = raw["id"]
        self.name: str = raw["name"]
        self.panel: str | None = raw.get("panel")
        self.panels = {p for p in (raw.get("panel"), raw.get("supplemental_panel")) if p}
        self.declined = set(raw.get("declined_answers") or ())
        self.items = {
            i["code"]: Item(
                code=i["code"],
                text=i["text"],
                type=i["type"],
                answers={a["code"]: a for a in i.get("answers") or ()},
                answers_complete=i.get("answers_complete", True),
                section=i.get("section"),
            )
            for i in raw["items"]
        }
        self.rules: list[dict] = raw["rules"]
        self.computed: list[dict] = raw.get("computed") or []
        for c in self.computed:  # a computed item can also be answered directly
            self.items.setdefault(
                c["code"],
                Item(c["code"], c.get("text", c["code"]), "choice",
                     {c["positive"]: {"code": c["positive"]}, c["negative"]: {"code": c["negative"]}}, True),
            )  # fmt: skip


@dataclass(frozen=True)
class NeedsConfig:
    """Deployer choices for rules the sources leave uncertain."""

    disabled_rules: frozenset[str] = frozenset()  # "instrument:rule-id"
    income_percent: float | None = None  # overrides each income rule's % of the guideline

    @classmethod
    def from_settings(cls, settings) -> NeedsConfig:
        disabled = frozenset(r.strip() for r in settings.disabled_rules.split(",") if r.strip())
        return cls(disabled, settings.income_rule_percent or None)


@cache
def load_instruments(data_dir: Path = DATA_DIR) -> dict[str, Instrument]:
    instruments = {}
    vocabulary = need_vocabulary(data_dir)
    for path in sorted((data_dir / "instruments").glob("*.json")):
        instrument = Instrument(json.loads(path.read_text(encoding="utf-8")), vocabulary)
        instruments[instrument.id] = instrument
    return instruments


@cache
def need_vocabulary(data_dir: Path = DATA_DIR) -> dict[str, dict]:
    raw = json.loads((data_dir / "needs.json").read_text(encoding="utf-8"))
    return {n["code"]: n for n in raw["needs"]}


def normalise_answers(instrument: Instrument, answers: dict, where: str) -> dict:
    """Check every answer against its question; returns item → value (declined → None)."""
    out: dict = {}
    for code, value in answers.items():
        path = f"{where}.{code}"
        item = instrument.items.get(code)
        if item is None:
            raise AnswerError(path, f"{code} is not a question of {instrument.name}")
        if (
            value is None
            or value == []
            or (isinstance(value, str) and value in instrument.declined)
        ):
            out[code] = None
            continue
        if isinstance(value, bool) and {YES, NO} <= set(item.answers):
            value = YES if value else NO  # FHIR valueBoolean on a yes/no question
        if item.type in ("choice", "multi-choice"):
            codes = value if isinstance(value, list) else [value]
            if item.type == "choice" and len(codes) != 1:
                raise AnswerError(path, f"{code} ({item.text}) takes one answer")
            for c in codes:
                if not isinstance(c, str):
                    raise AnswerError(path, f"{code} ({item.text}) takes LOINC answer codes")
                if c in instrument.declined:
                    continue
                known = c in item.answers or (
                    not item.answers_complete and re.match(r"^LA\d+-\d$", c)
                )
                if not known:
                    raise AnswerError(path, f"{c!r} is not an answer to {code} ({item.text})")
            kept = [c for c in codes if c not in instrument.declined]
            out[code] = kept or None
        elif item.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise AnswerError(path, f"{code} ({item.text}) takes a whole number of 0 or more")
            out[code] = value
        elif item.type == "boolean":
            if not isinstance(value, bool):
                raise AnswerError(path, f"{code} ({item.text}) takes true or false")
            out[code] = value
    return out


def _label(instrument: Instrument, item: str, value) -> str | None:
    if isinstance(value, list):
        labels = [instrument.items[item].answers.get(v, {}).get("label") or v for v in value]
        return "; ".join(labels)
    return None


def _evidence(instrument: Instrument, item: str, value) -> Evidence:
    return Evidence(
        instrument.id, item, instrument.items[item].text, value, _label(instrument, item, value)
    )


def _compute(instrument: Instrument, answers: dict) -> None:
    """Fill computed items (the Hunger Vital Sign's 88124-3) from their source items."""
    for c in instrument.computed:
        if c["code"] in answers:
            continue
        given = [answers.get(i) for i in c["from_items"] if answers.get(i)]
        if not given:
            continue
        positive = any(set(v) & set(c["positive_answers"]) for v in given)
        answers[c["code"]] = [c["positive"] if positive else c["negative"]]


def evaluate(
    instrument: Instrument,
    answers: dict,
    config: NeedsConfig,
    guideline: dict | None = None,
    where: str = "answers",
    region: str = "contiguous",
) -> Assessment:
    """The needs these answers show, with evidence; rules that cannot be decided are not assessed."""
    values = normalise_answers(instrument, answers, where)
    _compute(instrument, values)
    result = Assessment()
    for rule in instrument.rules:
        if f"{instrument.id}:{rule['id']}" in config.disabled_rules:
            continue
        items = tuple(rule.get("items") or (rule.get("income_item"), rule.get("household_item")))
        answered = {i: values[i] for i in items if values.get(i) is not None}
        declined = [i for i in items if i in values and values[i] is None]

        def not_assessed(reason: str, items=items, rule=rule) -> None:
            result.not_assessed.append(
                NotAssessed(instrument.id, rule["id"], rule["need"], items, reason)
            )

        kind = rule["type"]
        evidence: list[Evidence] = []
        if kind == "answer":
            if not answered:
                not_assessed("declined" if declined else "not answered")
                continue
            wanted = set(rule["answers"])
            evidence = [_evidence(instrument, i, v) for i, v in answered.items() if set(v) & wanted]
        elif kind == "any-answer-except":
            if not answered:
                not_assessed("declined" if declined else "not answered")
                continue
            ignore = set(rule["except"])
            evidence = [_evidence(instrument, i, v) for i, v in answered.items() if set(v) - ignore]
        elif kind == "score-at-least":
            if len(answered) < len(items) and rule.get("require_all", True):
                not_assessed(f"incomplete: all {len(items)} items are needed to score")
                continue
            total = sum(instrument.items[i].answers[v[0]]["score"] for i, v in answered.items())
            if total >= rule["threshold"]:
                evidence = [_evidence(instrument, i, v) for i, v in answered.items()]
                evidence.append(
                    Evidence(
                        instrument.id, rule.get("total_code", rule["id"]), "total score", total
                    )
                )
        elif kind == "income-below-poverty":
            income, household = values.get(rule["income_item"]), values.get(rule["household_item"])
            if income is None or household is None or guideline is None:
                not_assessed("needs both income and household size")
                continue
            percent = config.income_percent or rule["percent_of_guideline"]
            share = poverty_percent(income, max(household, 1), guideline, region)
            if share < percent:
                evidence = [
                    Evidence(instrument.id, rule["income_item"], "income, % of poverty guideline",
                             round(share), f"below {percent:g}% of the {guideline['year']} guideline"),
                ]  # fmt: skip
        else:
            raise ValueError(f"{instrument.id}: unknown rule type {kind!r}")
        if evidence:
            info = instrument.vocabulary.get(rule["need"], {})
            result.needs.append(
                Need(
                    code=rule["need"],
                    label=rule.get("need_text", "").capitalize() or info.get("label", rule["need"]),
                    urgency=info.get("urgency", 3) if not rule.get("urgent") else 1,
                    text=rule.get("need_text"),
                    evidence=evidence,
                    display=info.get("display"),
                )
            )
    # Several rules can show the same need: one need, all their evidence.
    merged = Assessment(not_assessed=result.not_assessed)
    merged.merge(Assessment(needs=result.needs))
    return merged


def loinc_code(value: str | None) -> str | None:
    return value if value and _LOINC.match(value) else None
