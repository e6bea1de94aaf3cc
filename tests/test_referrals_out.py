"""POST /v1/referrals: FHIR R4 transaction Bundles (SDOHCC ServiceRequest, Observation, Task)
and the text/plain and text/html letters, against the real node and the sample directory.

Validated with fhir.resources' R4B models: the package ships R5 (its default), R4B and STU3,
and no 4.0.1 set; R4B left every resource used here (Bundle, ServiceRequest, Task,
Observation, HealthcareService, Organization, Location) as R4 has it. The SDOHCC profiles'
required elements are asserted on top.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from fhir.resources.R4B.bundle import Bundle

from linkage.screening.needs import need_vocabulary
from linkage.screening.referral_bundle import (
    SERVICE_REQUEST_PROFILE,
    TASK_PROFILE,
    Referral,
    as_html,
    as_text,
    need_of,
    transaction_bundle,
)
from tests.servers import TEST_KEY

SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
PANTRY = "Kedzie Family Hub Food Pantry"
SHELTER = "Lantern House Safe Shelter"  # a confidential location
FHIR_JSON = "application/fhir+json"


def doc_id(app, name: str) -> str:
    found = app.extensions["linkage"].index.search(
        query={"match_phrase": {"service_name": name}}, size=5
    )
    ids = [h["_id"] for h in found["hits"]["hits"] if h["_source"]["service_name"] == name]
    assert ids, name
    return ids[0]


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def assert_valid_r4(bundle: dict) -> None:
    """Valid against the FHIR models, and every SDOHCC-required element is there."""
    Bundle.model_validate(bundle)
    assert bundle["type"] == "transaction"
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        assert entry["request"] == {"method": "POST", "url": entry["resource"]["resourceType"]}
    for request in resources(bundle, "ServiceRequest"):
        assert request["meta"]["profile"] == [SERVICE_REQUEST_PROFILE]
        assert request["status"] and request["intent"] == "order"
        assert request["code"] and request["subject"]["reference"]
        assert request["category"] and all(
            c["coding"][0]["system"] == SDOHCC_CODES for c in request["category"]
        )
        for reason in request["reasonReference"]:  # resolved inside the same Bundle
            assert urls[reason["reference"]]["resourceType"] in ("Observation", "Condition")
        contained = {r["id"]: r for r in request["contained"]}
        assert contained["service"]["resourceType"] == "HealthcareService"
        assert request["performer"] == [
            {"reference": "#service", "display": contained["service"]["name"]}
        ]
    for task in resources(bundle, "Task"):
        assert task["meta"]["profile"] == [TASK_PROFILE]
        assert task["status"] == "requested" and task["intent"] == "order"
        assert task["code"]["coding"] == [
            {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}
        ]
        assert urls[task["focus"]["reference"]]["resourceType"] == "ServiceRequest"
        assert task["for"]["reference"] and task["requester"]["reference"]
        assert task["authoredOn"]
        owner = {r["id"]: r for r in task["contained"]}[task["owner"]["reference"][1:]]
        assert owner["resourceType"] == "Organization"


# --- The builder alone -----------------------------------------------------------------------

NOON = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
RECORD = {
    "id": "abc123",
    "source": "sample",
    "source_ids": {"service": "s1", "organization": "o1"},
    "service_name": "Corner <Pantry> & Kitchen",
    "organization_name": "Corner Neighbours",
    "status": "active",
    "address": {"street": "1 Main St", "city": "Chicago", "state": "IL", "postal_code": "60623"},
    "location": {"lat": 41.85, "lon": -87.7},
    "location_name": "Main hall",
    "phones": [{"number": "(312) 555-0100", "type": "voice"}],
    "schedule": [
        {"day": "MO", "opens": "09:00", "closes": "17:00"},
        {"day": "SA", "opens": "00:00", "closes": "00:00"},
    ],
    "application_process": "Walk in.",
}


def test_bundle_of_two_referrals_shares_one_observation_per_need():
    vocabulary = need_vocabulary()
    food = need_of("food-insecurity", vocabulary)
    other = {**RECORD, "id": "def456", "service_name": "Second pantry"}
    referrals = [Referral(RECORD, (food,)), Referral(other, (food,))]
    bundle = transaction_bundle(referrals, "Patient/123", "Practitioner/9", True, NOON)
    assert_valid_r4(bundle)
    observations = resources(bundle, "Observation")
    assert len(observations) == 1 and observations[0]["subject"] == {"reference": "Patient/123"}
    requests_ = resources(bundle, "ServiceRequest")
    assert len(requests_) == 2 and len(resources(bundle, "Task")) == 2
    assert requests_[0]["reasonReference"] == requests_[1]["reasonReference"]
    service, org, location = requests_[0]["contained"]
    assert service["availableTime"] == [
        {"daysOfWeek": ["mon"], "availableStartTime": "09:00:00", "availableEndTime": "17:00:00"},
        {"daysOfWeek": ["sat"], "allDay": True},
    ]
    assert org["name"] == "Corner Neighbours" and org["identifier"] == [{"value": "sample:o1"}]
    assert location["address"]["line"] == ["1 Main St"] and "position" in location


def test_a_confidential_location_gives_neither_address_nor_position():
    record = {**RECORD, "confidential": True}
    need = need_of("intimate-partner-violence", need_vocabulary())
    bundle = transaction_bundle([Referral(record, (need,))], "Patient/1", None, False, NOON)
    assert_valid_r4(bundle)
    location = resources(bundle, "ServiceRequest")[0]["contained"][2]
    assert location == {"resourceType": "Location", "id": "location", "status": "active",
                        "name": "Main hall"}  # fmt: skip
    assert "1 Main St" not in as_text([Referral(record, (need,))], "en", need_vocabulary())


def test_html_letter_escapes_the_record():
    need = need_of("food-insecurity", need_vocabulary())
    html = as_html([Referral(RECORD, (need,))], "es", need_vocabulary())
    assert "Corner &lt;Pantry&gt; &amp; Kitchen" in html and "<Pantry>" not in html
    assert '<html lang="es">' in html and "Inseguridad alimentaria" in html


# --- Through the API -------------------------------------------------------------------------


def post(client, body, accept=FHIR_JSON):
    return client.post("/v1/referrals", json=body, headers={"Accept": accept})


def test_referral_with_task_is_a_valid_r4_transaction(app, client):
    pantry = doc_id(app, PANTRY)
    body = {
        "patient": "Patient/123",
        "requester": "Practitioner/456",
        "referrals": [{"resource": pantry, "needs": ["food-insecurity"]}],
        "task": True,
    }
    response = post(client, body)
    assert response.status_code == 200, response.json
    assert response.mimetype == FHIR_JSON
    bundle = response.get_json(force=True)
    assert_valid_r4(bundle)
    (request,) = resources(bundle, "ServiceRequest")
    (task,) = resources(bundle, "Task")
    (obs,) = resources(bundle, "Observation")
    assert request["subject"] == {"reference": "Patient/123"}
    assert request["requester"] == {"reference": "Practitioner/456"}
    assert request["category"][0]["coding"][0]["code"] == "food-insecurity"
    assert obs["code"]["coding"][0]["code"] == "food-insecurity"
    service = request["contained"][0]
    assert service["name"] == PANTRY and service["identifier"] == [{"value": pantry}]
    assert task["for"] == {"reference": "Patient/123"}
    assert task["owner"]["display"] == "Kedzie Family Hub"


def test_confidential_shelter_has_no_address_in_the_bundle(app, client):
    body = {
        "patient": "Patient/1",
        "referrals": [{"resource": doc_id(app, SHELTER), "needs": ["intimate-partner-violence"]}],
    }
    response = post(client, body)
    assert response.status_code == 200
    bundle = response.get_json(force=True)
    assert_valid_r4(bundle)
    assert resources(bundle, "Task") == []  # not asked for
    for resource in resources(bundle, "ServiceRequest")[0]["contained"]:
        assert "address" not in resource and "position" not in resource
    assert "2924" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"referrals": [{"resource": "x", "needs": ["food-insecurity"]}]}, "patient"),
        ({"patient": "Practitioner/1", "referrals": []}, "patient"),
        ({"patient": "Patient/1", "task": True,
          "referrals": [{"resource": "x", "needs": ["food-insecurity"]}]}, "requester"),
        ({"patient": "Patient/1", "referrals": [{"resource": "x", "needs": ["hunger"]}]},
         "referrals"),
    ],
)  # fmt: skip
def test_bad_bodies_are_422_naming_the_field(client, body, field):
    response = post(client, body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_unknown_resource_is_422_naming_it(app, client):
    body = {
        "patient": "Patient/1",
        "referrals": [
            {"resource": doc_id(app, PANTRY), "needs": ["food-insecurity"]},
            {"resource": "no-such-record", "needs": ["food-insecurity"]},
        ],
    }
    response = post(client, body)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "referrals.1.resource": ["no resource with id 'no-such-record'"]
    }


def test_a_key_without_the_match_scope_is_refused(app):
    response = app.test_client().post("/v1/referrals", json={"patient": "Patient/1"})
    assert response.status_code == 401


def test_openapi_documents_the_body_and_the_renderings(client):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/v1/referrals"]["post"]
    assert set(operation["responses"]["200"]["content"]) == {
        FHIR_JSON, "application/json", "text/plain", "text/html"
    }  # fmt: skip
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "patient" in body["required"] and "referrals" in body["required"]


def test_spanish_letter_over_real_http(app, live_server):
    body = {
        "patient": "Patient/123",
        "language": "Spanish",
        "referrals": [
            {"resource": doc_id(app, PANTRY), "needs": ["food-insecurity"]},
            {"resource": doc_id(app, SHELTER), "needs": ["intimate-partner-violence"]},
        ],
    }
    headers = {"Authorization": f"Bearer {TEST_KEY}", "Accept": "text/plain"}
    response = requests.post(f"{live_server}/v1/referrals", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.text
    assert text.startswith("Referencias")
    assert f"1. {PANTRY}" in text and "Para: Inseguridad alimentaria" in text
    assert "Dirección: Dirección confidencial: llame primero" in text
    assert "Teléfono:" in text and "Horario:" in text

    headers["Accept"] = "text/html"
    html = requests.post(f"{live_server}/v1/referrals", json=body, headers=headers, timeout=30)
    assert html.headers["Content-Type"].startswith("text/html")
    assert '<html lang="es">' in html.text and "Violencia de pareja" in html.text
