"""FHIR R4 in and out: QuestionnaireResponse → answers; needs → SDOHCC Observations."""

from __future__ import annotations

import re
from datetime import datetime

from linkage.screening.needs import AnswerError, Instrument, Need, loinc_code

SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
LOINC = "http://loinc.org"
_PANEL_IN_URL = re.compile(r"(\d{4,7}-\d)")


def instrument_for(
    response: dict, instruments: dict[str, Instrument], named: str | None
) -> Instrument:
    """The instrument a QuestionnaireResponse answers: named, or found by panel code in its URL."""
    if named:
        return instruments[named]
    for code in _PANEL_IN_URL.findall(str(response.get("questionnaire") or "")):
        for instrument in instruments.values():
            if code in instrument.panels:
                return instrument
    raise AnswerError(
        "questionnaire",
        "cannot tell which instrument this QuestionnaireResponse answers: "
        "give `instrument`, or a `questionnaire` URL with the LOINC panel code",
    )


def _item_code(item: dict) -> str | None:
    for coding in item.get("code") or ():
        if coding.get("system", LOINC) == LOINC and loinc_code(coding.get("code")):
            return coding["code"]
    return loinc_code(item.get("linkId"))


def _walk(items: list[dict]):
    for item in items or ():
        yield item
        yield from _walk(item.get("item") or [])
        for answer in item.get("answer") or ():
            yield from _walk(answer.get("item") or [])


def answers_from_questionnaire_response(response: dict, instrument: Instrument) -> dict:
    """Answers keyed by LOINC question code, as the needs engine takes them."""
    if response.get("resourceType") != "QuestionnaireResponse":
        raise AnswerError("resourceType", "expected a FHIR QuestionnaireResponse")
    answers: dict = {}
    for item in _walk(response.get("item") or []):
        code = _item_code(item)
        if code is None or code not in instrument.items or not item.get("answer"):
            continue
        values = []
        for answer in item["answer"]:
            if "valueCoding" in answer:
                values.append(answer["valueCoding"].get("code"))
            elif "valueInteger" in answer:
                values.append(answer["valueInteger"])
            elif "valueDecimal" in answer:
                values.append(answer["valueDecimal"])
            elif "valueBoolean" in answer:
                values.append(answer["valueBoolean"])
        if not values:
            continue
        kind = instrument.items[code].type
        answers[code] = values if kind == "multi-choice" else values[0]
    return answers


def observation(need: Need, issued: datetime, derived_from: list[dict] | None = None) -> dict:
    """A need as an SDOHCC screening-response Observation (interpretation POS)."""
    display = need.display or need.label
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]},
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "sdoh", "display": "SDOH"}]},
            {"coding": [{"system": SDOHCC_CODES, "code": need.code, "display": display}]},
        ],
        "code": {
            "coding": [{"system": SDOHCC_CODES, "code": need.code, "display": display}],
            "text": need.text or need.label,
        },
        "effectiveDateTime": issued.isoformat(timespec="seconds"),
        "valueBoolean": True,
        "interpretation": [
            {"coding": [{"system": INTERPRETATION, "code": "POS", "display": "Positive"}]}
        ],
    }
    if derived_from:
        obs["derivedFrom"] = derived_from
    return obs
