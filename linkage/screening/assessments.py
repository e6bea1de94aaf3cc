"""Assessments as they arrive in a request → (instrument, answers) pairs for the needs engine.

An assessment is `{"instrument", "answers"}`, a FHIR QuestionnaireResponse (optionally wrapped
as `{"instrument", "questionnaire_response"}`), or a list of these (several instruments at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from linkage.screening import fhir, income
from linkage.screening.needs import AnswerError, Assessment, Instrument, NeedsConfig, evaluate


@dataclass(frozen=True)
class Answered:
    instrument: Instrument
    answers: dict
    where: str  # JSON path of these answers in the request, for errors
    source: dict | None = None  # a FHIR reference to what the answers came from


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
            if not isinstance(response, dict):
                raise AnswerError(path, "questionnaire_response must be a JSON object")
            instrument = fhir.instrument_for(response, instruments, named)
            answers = fhir.answers_from_questionnaire_response(response, instrument)
            source = (
                {"reference": f"QuestionnaireResponse/{response['id']}"}
                if response.get("id")
                else None
            )
            out.append(Answered(instrument, answers, path, source))
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
