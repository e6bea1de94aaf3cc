"""FHIR R4 out: needs → SDOHCC Observations (QuestionnaireResponses in: questionnaire_responses)."""

from __future__ import annotations

from datetime import datetime

from linkage.screening.needs import Need

SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# The profile's canonical URL as SDOHCC STU 2.1 and later publish it (its category, subject 1..1 and
# code rules are what observation() fills). Not the screening-response profile: that one is a
# LOINC question and its answer, and a need is a judgement derived from several answers.
ASSESSMENT_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ObservationAssessment"
)
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def _concept(system: str, code: str, display: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def observation(
    need: Need,
    issued: datetime,
    derived_from: list[dict] | None = None,
    *,
    subject: str | None = None,
    effective: str | None = None,
) -> dict:
    """A need as an SDOH assessment Observation (interpretation POS), derived from the
    responses it was found in. It claims the SDOHCC Observation Assessment profile only with a
    `subject` (1..1 there); `effective` is when the screening was answered, else `issued`."""
    display = need.display or need.label
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            _concept(OBSERVATION_CATEGORY, "survey", "Survey"),
            _concept(OBSERVATION_CATEGORY, "sdoh", "SDOH"),
            _concept(SDOHCC_CODES, need.code, display),
            _concept(OBSERVATION_CATEGORY, "social-history", "Social History"),  # profile's 1..1
        ],
        "code": {
            "coding": [{"system": SDOHCC_CODES, "code": need.code, "display": display}],
            "text": need.text or need.label,
        },
        "effectiveDateTime": effective or issued.isoformat(timespec="seconds"),
        "issued": issued.isoformat(timespec="seconds"),
        "valueBoolean": True,
        "interpretation": [
            {"coding": [{"system": INTERPRETATION, "code": "POS", "display": "Positive"}]}
        ],
    }
    if subject:
        obs["meta"] = {"profile": [ASSESSMENT_PROFILE]}
        obs["subject"] = {"reference": subject}
    if derived_from:
        obs["derivedFrom"] = derived_from
    return obs
