"""FHIR R4 QuestionnaireResponse in → answers keyed by LOINC question code. Pure functions.

What the field writes: LHC-Forms puts the LOINC code in `linkId` as a path (`/88122-7`,
`/96777-8/88122-7`), the HL7 SDOHCC examples likewise or in `item.code`, an EHR export often its
own linkIds defined by a Questionnaire (contained, or given beside the response) whose items
carry the LOINC codes. Answers come as `valueCoding` (by code, else by display), `valueString`
equal to an answer's text, numbers or `valueBoolean`. Whatever is not understood is reported
(where and why, never the answer); a response in which nothing is understood is an error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from linkage.screening.needs import AnswerError, Instrument, Item
from linkage.words import tokens

LOINC = "http://loinc.org"
# A LOINC code inside a linkId or URL, not part of a longer number ("/96777-8/88122-7").
_LOINC_IN_TEXT = re.compile(r"(?<![\d-])(\d{1,7}-\d)(?!\d)")
_LA_CODE = re.compile(r"^LA\d+-\d$")


@dataclass(frozen=True)
class NotUnderstood:
    """One answered item the needs engine could not use: where it is in the request and why."""

    where: str
    link_id: str | None
    reason: str

    def as_dict(self) -> dict:
        return {"where": self.where, "link_id": self.link_id, "reason": self.reason}


@dataclass(frozen=True)
class Read:
    """A QuestionnaireResponse as the needs engine takes it."""

    answers: dict
    not_understood: tuple[NotUnderstood, ...]
    authored: str | None  # when it was answered (FHIR dateTime), for the Observations


def codes_in(text: str | None) -> list[str]:
    """Every LOINC code written in a linkId or canonical URL, in order."""
    return _LOINC_IN_TEXT.findall(str(text or ""))


def _loinc_codings(codings) -> list[str]:
    return [
        c["code"]
        for c in codings or ()
        if isinstance(c, dict) and c.get("system", LOINC) == LOINC and codes_in(c.get("code"))
    ]


def defined_codes(questionnaire: dict | None) -> dict[str, list[str]]:
    """A Questionnaire's own linkIds → the LOINC codes its items carry."""
    out: dict[str, list[str]] = {}

    def walk(items) -> None:
        for item in items or ():
            if isinstance(item, dict):
                if item.get("linkId") and _loinc_codings(item.get("code")):
                    out[str(item["linkId"])] = _loinc_codings(item["code"])
                walk(item.get("item"))

    if isinstance(questionnaire, dict):
        walk(questionnaire.get("item"))
    return out


def questionnaire_of(response: dict, given: dict | None) -> dict | None:
    """The Questionnaire that defines the response's linkIds: given beside it, or contained."""
    if isinstance(given, dict):
        return given
    wanted = str(response.get("questionnaire") or "")
    contained = [
        r
        for r in response.get("contained") or ()
        if isinstance(r, dict) and r.get("resourceType") == "Questionnaire"
    ]
    for q in contained:
        if wanted == f"#{q.get('id')}":
            return q
    return contained[0] if len(contained) == 1 else None


def answered_items(items, where: str):
    """(JSON path, item) of every item with answers, nested items and answers' items too."""
    for n, item in enumerate(items or ()):
        if not isinstance(item, dict):
            continue
        path = f"{where}[{n}]"
        if item.get("answer"):
            yield path, item
        yield from answered_items(item.get("item"), f"{path}.item")
        for a, answer in enumerate(item.get("answer") or ()):
            if isinstance(answer, dict):
                yield from answered_items(answer.get("item"), f"{path}.answer[{a}].item")


def question_codes(item: dict, defined: dict[str, list[str]]) -> list[str]:
    """The LOINC codes an item may be: item.code, the Questionnaire's definition of its linkId,
    then the codes in the linkId, last segment first (`/96777-8/88122-7` is 88122-7)."""
    link_id = str(item.get("linkId") or "")
    return [
        *_loinc_codings(item.get("code")),
        *defined.get(link_id, ()),
        *reversed(codes_in(link_id)),
    ]


def instrument_for(
    response: dict,
    instruments: dict[str, Instrument],
    named: str | None,
    questionnaire: dict | None = None,
) -> Instrument:
    """The instrument a response answers: named; else by the LOINC panel its `questionnaire`
    URL, its Questionnaire's code or its linkIds (`/96777-8/88122-7`) name; else the one with
    most of its questions, the smaller on a tie (the SDOHCC examples' URLs name no panel)."""
    if named:
        return instruments[named]
    defining = questionnaire_of(response, questionnaire) or {}
    items = [item for _, item in answered_items(response.get("item"), "item")]
    named_codes = [
        *codes_in(response.get("questionnaire")),
        *_loinc_codings(defining.get("code")),
        *(code for item in items for code in codes_in(item.get("linkId"))),
    ]
    for code in named_codes:
        for instrument in instruments.values():
            if code in instrument.panels:
                return instrument
    defined = defined_codes(defining)
    asked = {code for item in items for code in question_codes(item, defined)}
    fits = sorted(
        ((len(asked & set(i.items)), -len(i.items), i.id) for i in instruments.values()),
        reverse=True,
    )
    if fits and fits[0][0] and (len(fits) == 1 or fits[0][:2] != fits[1][:2]):
        return instruments[fits[0][2]]
    raise AnswerError(
        "questionnaire",
        "cannot tell which instrument this QuestionnaireResponse answers: "
        "give `instrument`, or a `questionnaire` URL with the LOINC panel code",
    )


def _by_text(question: Item, text) -> str | None:
    said = tokens(str(text or ""))
    if not said:
        return None
    for code, answer in question.answers.items():
        if tokens(answer.get("label") or "") == said:
            return code
    return None


def _value(question: Item, answer: dict, declined: set[str]):
    """One FHIR answer as the engine takes it, or (None, reason)."""
    if "valueCoding" in answer:
        coding = answer["valueCoding"] if isinstance(answer["valueCoding"], dict) else {}
        code, loinc = coding.get("code"), coding.get("system", LOINC) == LOINC
        if loinc and isinstance(code, str) and (code in question.answers or code in declined):
            return code, None
        by_display = _by_text(question, coding.get("display"))
        if by_display:
            return by_display, None
        if loinc and isinstance(code, str) and _LA_CODE.match(code):
            return code, None  # the engine checks it against the question (and says where)
        return None, "answer coding is not one of the question's LOINC answers"
    if "valueString" in answer:
        if question.type == "integer" and str(answer["valueString"]).strip().isdigit():
            return int(str(answer["valueString"]).strip()), None
        found = _by_text(question, answer["valueString"])
        return (found, None) if found else (None, "answer text is not one of the answers' texts")
    number = answer.get("valueInteger", answer.get("valueDecimal"))
    if number is None and isinstance(answer.get("valueQuantity"), dict):
        number = answer["valueQuantity"].get("value")
    if isinstance(number, int | float) and not isinstance(number, bool):
        if question.type != "integer":
            return None, "a number does not answer this question"
        if number != int(number):
            return None, "the question takes a whole number"
        return int(number), None
    if isinstance(answer.get("valueBoolean"), bool):
        return answer["valueBoolean"], None
    return None, "no answer value this question takes"


def read(
    response: dict, instrument: Instrument, where: str, questionnaire: dict | None = None
) -> Read:
    """The answers a response gives, and the items it gives that could not be used."""
    if response.get("resourceType") != "QuestionnaireResponse":
        raise AnswerError(f"{where}.resourceType", "expected a FHIR QuestionnaireResponse")
    defined = defined_codes(questionnaire_of(response, questionnaire))
    answers: dict = {}
    missed: list[NotUnderstood] = []
    seen = 0
    for path, item in answered_items(response.get("item"), f"{where}.item"):
        seen += 1
        link_id = str(item["linkId"]) if item.get("linkId") is not None else None
        codes = question_codes(item, defined)
        code = next((c for c in codes if c in instrument.items), None)
        if code is None:
            reason = (
                "no LOINC question code in item.code, linkId or the Questionnaire"
                if not codes
                else f"{codes[0]} is the panel of {instrument.name}, not one of its questions"
                if codes[0] in instrument.panels
                else f"{codes[0]} is not a question of {instrument.name}"
            )
            missed.append(NotUnderstood(path, link_id, reason))
            continue
        question = instrument.items[code]
        values = []
        for a, answer in enumerate(item["answer"]):
            value, reason = _value(question, answer if isinstance(answer, dict) else {},
                                   instrument.declined)  # fmt: skip
            if reason:
                missed.append(NotUnderstood(f"{path}.answer[{a}]", link_id, reason))
            else:
                values.append(value)
        if values:
            answers[code] = values if question.type == "multi-choice" else values[0]
    if not answers:
        raise AnswerError(where, _nothing_understood(seen, missed))
    authored = response.get("authored") if isinstance(response.get("authored"), str) else None
    return Read(answers, tuple(missed), authored)


def _nothing_understood(seen: int, missed: list[NotUnderstood]) -> str:
    if not seen:
        return "this QuestionnaireResponse has no answered items"
    reasons = Counter(m.reason for m in missed)
    why = "; ".join(f"{n} × {reason}" for reason, n in reasons.most_common())
    return f"none of the {seen} answered items of this QuestionnaireResponse was understood: {why}"
