"""Screening interop through the API: QuestionnaireResponses as LHC-Forms, the HL7 SDOHCC
examples and an EHR export write them (tests/fixtures/fhir, invented patients), what is not
understood, the needs' FHIR Observations, and what match says when no service will take her."""

import json
import logging
from pathlib import Path

import pytest
from fhir.resources.R4B.observation import Observation
from hypothesis import given
from hypothesis import strategies as st

from linkage.screening import questionnaire_responses as qr
from linkage.screening.fhir import ASSESSMENT_PROFILE
from linkage.screening.needs import AnswerError, load_instruments

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
INSTRUMENTS = load_instruments()


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def needs(client, assessment, **body) -> dict:
    response = client.post("/v1/needs", json={"assessment": assessment, **body})
    assert response.status_code == 200, response.json
    return response.json


def food_screen(link_id: str) -> dict:
    """A positive Hunger Vital Sign answer, no item.code: only the linkId says which question."""
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {
                "linkId": link_id,
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA28397-0"}}],
            }
        ],
    }


@pytest.mark.parametrize("link_id", ["88122-7", "/88122-7", "/96777-8/88122-7"])
def test_a_positive_food_screen_is_found_whatever_form_its_linkid_takes(client, link_id):
    body = needs(client, food_screen(link_id))
    assert [n["code"] for n in body["needs"]] == ["food-insecurity"]
    assert body["not_understood"] == []


@pytest.mark.parametrize(
    "name, need_codes, not_understood",
    [
        ("lhc-forms-ahc-hrsn", {"food-insecurity"}, {"/96777-8-comment"}),
        ("sdohcc-hunger-vital-sign", {"food-insecurity"}, set()),
        ("ehr-export-ahc-hrsn", {"food-insecurity", "utility-insecurity"}, {"4"}),
    ],
)
def test_published_shapes_give_their_needs_and_name_what_was_not_understood(
    client, name, need_codes, not_understood
):
    body = needs(client, fixture(name))
    assert {n["code"] for n in body["needs"]} == need_codes
    assert {m["link_id"] for m in body["not_understood"]} == not_understood
    assert all(
        m["where"].startswith("assessment.item[") and m["reason"] for m in body["not_understood"]
    )


def test_ehr_answers_are_read_by_their_text_and_by_a_codings_display(client):
    """The EHR export answers in words ("never TRUE.") and in its own code system ("Yes")."""
    body = needs(client, fixture("ehr-export-ahc-hrsn"))
    food = next(n for n in body["needs"] if n["code"] == "food-insecurity")
    assert {e["item"]: e["answer"] for e in food["evidence"]} == {"88122-7": ["LA28397-0"]}
    utility = next(n for n in body["needs"] if n["code"] == "utility-insecurity")
    assert [e["answer"] for e in utility["evidence"]] == [["LA33-6"]]


def test_a_questionnaire_given_beside_the_response_defines_its_linkids(client):
    response = fixture("ehr-export-ahc-hrsn")
    questionnaire = response.pop("contained")[0]
    response.pop("questionnaire")
    alone = client.post("/v1/needs", json={"assessment": response})
    assert alone.status_code == 422  # its own linkIds mean nothing without the Questionnaire
    body = needs(client, {"questionnaire_response": response, "questionnaire": questionnaire})
    assert {n["code"] for n in body["needs"]} == {"food-insecurity", "utility-insecurity"}


def test_an_answer_not_understood_is_listed_and_the_rest_still_count(client):
    response = fixture("sdohcc-hunger-vital-sign")
    response["item"][1]["answer"] = [{"valueString": "hard to say"}]
    body = needs(client, response)
    assert [n["code"] for n in body["needs"]] == ["food-insecurity"]
    assert body["not_understood"] == [
        {
            "where": "assessment.item[1].answer[0]",
            "link_id": "/88123-5",
            "reason": "answer text is not one of the answers' texts",
        }
    ]


def test_a_response_with_nothing_understood_is_a_422_saying_why(client):
    response = food_screen("q1")
    response["item"].append({"linkId": "q2", "answer": [{"valueString": "sometimes"}]})
    wrapped = {"instrument": "ahc-hrsn", "questionnaire_response": response}
    got = client.post("/v1/needs", json={"assessment": wrapped})
    assert got.status_code == 422
    message = got.json["errors"]["json"]["assessment.questionnaire_response"][0]
    assert "none of the 2 answered items" in message and "2 × no LOINC question code" in message
    empty = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": []}
    got = client.post(
        "/v1/needs",
        json={"assessment": {"instrument": "ahc-hrsn", "questionnaire_response": empty}},
    )
    assert got.status_code == 422 and "no answered items" in got.json["message"]


def test_observations_carry_subject_profile_derived_from_and_when_answered(client):
    body = needs(client, fixture("sdohcc-hunger-vital-sign"), fhir=True, patient="Patient/p-1")
    (obs,) = body["observations"]
    assert obs["subject"] == {"reference": "Patient/p-1"}
    assert obs["meta"]["profile"] == [ASSESSMENT_PROFILE]
    assert obs["derivedFrom"] == [{"reference": "QuestionnaireResponse/hvs-example-fictional"}]
    assert obs["effectiveDateTime"] == "2026-11-20T10:15:00-06:00"
    assert "social-history" in [c["coding"][0]["code"] for c in obs["category"]]
    # Without a patient there is no subject, so the profile (subject 1..1) is not claimed.
    (anonymous,) = needs(client, fixture("sdohcc-hunger-vital-sign"), fhir=True)["observations"]
    assert "subject" not in anonymous and "meta" not in anonymous


def test_observations_validate_as_fhir_r4(client):
    """fhir.resources' R4B models (its default is R5); R4B's Observation is R4's."""
    body = needs(client, fixture("ehr-export-ahc-hrsn"), fhir=True, patient="Patient/e-1")
    for obs in body["observations"]:
        Observation.model_validate(obs)


@pytest.mark.parametrize("patient", ["123", "Patient/", "Patient/has space", "Practitioner/1"])
def test_a_patient_that_is_not_a_reference_is_a_422(client, patient):
    got = client.post("/v1/needs", json={"assessment": food_screen("/88122-7"), "patient": patient})
    assert got.status_code == 422 and "patient" in got.json["errors"]["json"]


def test_answers_in_a_response_are_never_logged(client, caplog):
    response = fixture("ehr-export-ahc-hrsn")
    response["item"][3]["answer"] = [{"valueString": "secret-words-4417"}]
    with caplog.at_level(logging.DEBUG):
        body = needs(client, response, fhir=True, patient="Patient/secret-patient-99")
    assert "secret-words-4417" not in json.dumps(body["not_understood"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("secret-words-4417", "secret-patient-99", "Often true", "LA28397-0"):
        assert secret not in logged


# Any form a linkId takes around a known question's LOINC code: with or without a leading
# slash, under any path of group codes, with LHC-Forms' repeat suffix.
KNOWN = sorted({(i.id, code) for i in INSTRUMENTS.values() for code in i.items})
GROUP_CODE = st.from_regex(r"\A[1-9]\d{3,5}-\d\Z")


@given(
    st.sampled_from(KNOWN),
    st.lists(GROUP_CODE, max_size=3),
    st.booleans(),
    st.sampled_from(["", "/1", "/2"]),
)
def test_any_linkid_form_of_a_known_loinc_item_is_understood(known, groups, slash, suffix):
    instrument_id, code = known
    instrument = INSTRUMENTS[instrument_id]
    path = "/".join([*groups, code])
    link_id = ("/" if slash or groups else "") + path + suffix
    question = instrument.items[code]
    value = (
        {"valueInteger": 3}
        if question.type == "integer"
        else {"valueBoolean": True}
        if question.type == "boolean" or not question.answers
        else {"valueCoding": {"system": "http://loinc.org", "code": next(iter(question.answers))}}
    )
    response = {
        "resourceType": "QuestionnaireResponse",
        "item": [{"linkId": link_id, "answer": [value]}],
    }
    read = qr.read(response, instrument, "assessment")
    assert code in read.answers and read.not_understood == ()


def test_nothing_understood_is_an_error_of_the_pure_reader():
    with pytest.raises(AnswerError) as caught:
        qr.read(food_screen("not-a-code"), INSTRUMENTS["hunger-vital-sign"], "assessment")
    assert (
        caught.value.where == "assessment"
        and "none of the 1 answered items" in caught.value.message
    )


def test_when_every_service_for_a_need_excludes_her_match_says_how_many_and_why(client):
    body = client.post(
        "/v1/match", json={"needs": ["senior-centers"], "client": {"age": 30}, "radius": 25}
    ).json
    (referral,) = body["referrals"]
    assert referral["resources"] == []
    reasons = referral["excluded_reasons"]
    assert reasons and all(r["services"] > 0 for r in reasons)
    assert "none the client is eligible for" in referral["message"]
    assert (
        referral["message"].split()[0].isdigit() and "in the directory" not in referral["message"]
    )
    assert any("minimum age" in r["reason"] for r in reasons)
    # Where she is eligible nothing is said about eligibility.
    older = client.post(
        "/v1/match", json={"needs": ["senior-centers"], "client": {"age": 67}, "radius": 25}
    ).json["referrals"][0]
    assert older["resources"] and older["excluded_reasons"] == [] and older["message"] is None
