"""Assessments as they arrive in a request → (instrument, answers) pairs for the needs engine.

An assessment is `{"instrument", "answers"}`, a FHIR QuestionnaireResponse (optionally wrapped
as `{"instrument"?, "questionnaire_response", "questionnaire"?}`, the Questionnaire defining its
linkIds), or a list of these (several instruments at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from linkage.screening import income
from linkage.screening import questionnaire_responses as qr
from linkage.screening.needs import AnswerError, Assessment, Instrument, NeedsConfig, evaluate


@dataclass(frozen=True)
class Answered:
    instrument: Instrument
    answers: dict
    where: str  # JSON path of these answers in the request, for errors
    source: dict | None = None  # a FHIR reference to what the answers came from
    not_understood: tuple[qr.NotUnderstood, ...] = ()
    authored: str | None = None  # when a QuestionnaireResponse says it was answered


def parse(raw, instruments: dict[str, Instrument], where: str = "assessment") -> list[Answered]:
    entries = raw if isinstance(raw, list) else [raw]
    if not entries:
        raise AnswerError(where, "give at least one assessment")
    out = []
    for index, entry in enumerate(entries):
        path = f"{where}[{index}]" if isinstance(raw, list) else where
        if not isinstance(entry, dict):
            raise AnswerError(path, "an assessment is a JSON object")
        named = entry.get("instrument")
        if named is not None and named not in instruments:
            known = ", ".join(sorted(instruments))
            raise AnswerError(
                f"{path}.instrument", f"unknown instrument {named!r} (known: {known})"
            )
        response = entry if entry.get("resourceType") else entry.get("questionnaire_response")
        if response is not None:
            out.append(_from_response(entry, response, instruments, named, path))
            continue
        extra = set(entry) - {"instrument", "answers"}
        if extra:
            raise AnswerError(path, f"unknown field(s): {', '.join(sorted(extra))}")
        if named is None:
            raise AnswerError(f"{path}.instrument", "name the instrument (see GET /v1/instruments)")
        answers = entry.get("answers")
        if not isinstance(answers, dict):
            raise AnswerError(
                f"{path}.answers", "answers are an object: LOINC question code → answer"
            )
        out.append(Answered(instruments[named], answers, f"{path}.answers"))
    return out


def _from_response(entry: dict, response, instruments, named: str | None, path: str) -> Answered:
    if not isinstance(response, dict):
        raise AnswerError(path, "questionnaire_response must be a JSON object")
    wrapped = response is not entry
    extra = (
        set(entry) - {"instrument", "questionnaire_response", "questionnaire"} if wrapped else ()
    )
    if extra:
        raise AnswerError(path, f"unknown field(s): {', '.join(sorted(extra))}")
    questionnaire = entry.get("questionnaire") if wrapped else None
    if questionnaire is not None and (
        not isinstance(questionnaire, dict) or questionnaire.get("resourceType") != "Questionnaire"
    ):
        raise AnswerError(f"{path}.questionnaire", "expected a FHIR Questionnaire")
    where = f"{path}.questionnaire_response" if wrapped else path
    instrument = qr.instrument_for(response, instruments, named, questionnaire)
    read = qr.read(response, instrument, where, questionnaire)
    return Answered(
        instrument, read.answers, where, _reference(response), read.not_understood, read.authored
    )


def _reference(response: dict) -> dict | None:
    """How the Observations point back at the response: its id, else its identifier."""
    if isinstance(response.get("id"), str) and response["id"]:
        return {"reference": f"QuestionnaireResponse/{response['id']}"}
    if isinstance(response.get("identifier"), dict):
        return {"type": "QuestionnaireResponse", "identifier": response["identifier"]}
    return None


def assess(
    answered: list[Answered], config: NeedsConfig, today: date, state: str | None, data_dir: Path
) -> Assessment:
    """All needs across the instruments given, merged and most urgent first (the poverty
    guideline from `data_dir`, Settings.data_dir)."""
    guideline = income.guideline_for(today, data_dir)
    region = income.region_for(state)
    total = Assessment()
    for a in answered:
        total.merge(evaluate(a.instrument, a.answers, config, guideline, a.where, region))
    total.sort()
    return total
