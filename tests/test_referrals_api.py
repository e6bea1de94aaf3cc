"""POST /v1/needs, GET /v1/instruments and POST /v1/match against the real node and sample data."""

import json
import logging

import pytest

from tests.conftest import codes
from tests.test_search_api import RECORDS, active

SPANISH_VETERAN = {
    "near": "60623",
    "age": 67,
    "veteran": True,
    "languages": ["es"],
    "household_size": 1,
    # about 120% of the poverty guideline for one person
}

AHC_FOOD_AND_UTILITIES = {
    "instrument": "ahc-hrsn",
    "answers": {
        "71802-3": "LA31993-1",  # steady place to live
        "88122-7": "LA28397-0",  # often worried food would run out
        "88123-5": "LA6729-3",  # sometimes food didn't last
        "93030-5": "LA32-8",  # no transportation problem
        "96779-4": "LA33-6",  # utility shut-off threatened
    },
}


def income_at(percent, client, app):
    from linkage.screening.income import guideline_for

    rt = app.extensions["linkage"]
    line = guideline_for(rt.clock().date(), rt.settings.data_dir)["regions"]["contiguous"]
    people = client.get("household_size", 1)
    return round((line["first_person"] + line["each_additional"] * (people - 1)) * percent / 100)


def test_instruments_describe_every_item_and_answer(client):
    instruments = {i["id"]: i for i in client.get("/v1/instruments").json}
    assert set(instruments) == {"ahc-hrsn", "hunger-vital-sign", "prapare"}
    ahc = {item["code"]: item for item in instruments["ahc-hrsn"]["items"]}
    assert {"71802-3", "96778-6", "88122-7", "88123-5", "93030-5", "96779-4"} <= set(ahc)
    assert [a["code"] for a in ahc["71802-3"]["answers"]] == ["LA31993-1", "LA31994-9", "LA31995-6"]
    # In Spanish too, beside the English, for the form in the page's language.
    assert ahc["88122-7"]["text_es"].startswith("En los últimos 12 meses, ¿le preocupó")
    assert [a["label_es"] for a in ahc["88122-7"]["answers"]] == [
        "A menudo es cierto",
        "A veces es cierto",
        "Nunca es cierto",
    ]


def test_needs_with_evidence(client):
    body = client.post("/v1/needs", json={"assessment": AHC_FOOD_AND_UTILITIES}).json
    needs = {n["code"]: n for n in body["needs"]}
    assert set(needs) == {"food-insecurity", "utility-insecurity"}
    assert {e["item"] for e in needs["food-insecurity"]["evidence"]} == {"88122-7", "88123-5"}
    assert body["message"] is None


def test_an_assessment_with_no_need_says_so(client):
    calm = {"instrument": "ahc-hrsn", "answers": {"71802-3": "LA31993-1", "88122-7": "LA28398-8"}}
    response = client.post("/v1/needs", json={"assessment": calm})
    assert response.status_code == 200
    assert response.json["needs"] == [] and "no social need" in response.json["message"]
    assert response.json["not_assessed"]


def questionnaire_response(answers: dict) -> dict:
    """The same answers as a FHIR R4 QuestionnaireResponse (LOINC codes in linkId)."""
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "qr-1",
        "status": "completed",
        "questionnaire": "http://loinc.org/q/96777-8",
        "item": [
            {
                "linkId": "/96777-8",
                "item": [
                    {
                        "linkId": code,
                        "answer": [{"valueCoding": {"system": "http://loinc.org", "code": value}}],
                    }
                    for code, value in answers.items()
                ],
            }
        ],
    }


def test_fhir_questionnaire_response_gives_the_same_needs(client):
    simple = client.post("/v1/needs", json={"assessment": AHC_FOOD_AND_UTILITIES}).json
    qr = questionnaire_response(AHC_FOOD_AND_UTILITIES["answers"])
    fhir = client.post("/v1/needs", json={"assessment": qr}).json
    assert [n["code"] for n in fhir["needs"]] == [n["code"] for n in simple["needs"]]
    both = client.post("/v1/needs", json={"assessment": [AHC_FOOD_AND_UTILITIES, qr]}).json
    assert [n["code"] for n in both["needs"]] == [n["code"] for n in simple["needs"]]


def test_needs_as_fhir_observations(client):
    qr = questionnaire_response(AHC_FOOD_AND_UTILITIES["answers"])
    body = client.post("/v1/needs", json={"assessment": qr, "fhir": True}).json
    observations = body["observations"]
    assert len(observations) == len(body["needs"])
    obs = observations[0]
    categories = [c["coding"][0]["code"] for c in obs["category"]]
    assert categories[:2] == ["survey", "sdoh"] and categories[2] == body["needs"][0]["code"]
    assert obs["interpretation"][0]["coding"][0]["code"] == "POS"
    assert obs["derivedFrom"] == [{"reference": "QuestionnaireResponse/qr-1"}]


@pytest.mark.parametrize(
    "assessment, where",
    [
        ({"instrument": "nope", "answers": {}}, "assessment.instrument"),
        ({"instrument": "ahc-hrsn", "answers": {"88122-7": "LA33-6"}}, "assessment.answers.88122-7"),
        ({"instrument": "ahc-hrsn", "answers": {"99999-9": "LA33-6"}}, "assessment.answers.99999-9"),
        ([{"instrument": "ahc-hrsn", "answers": {}}, {"instrument": "prapare", "answers": {"93030-5": "LA1-1x"}}],
         "assessment[1].answers.93030-5"),
        ({"resourceType": "QuestionnaireResponse", "item": []}, "questionnaire"),
    ],
)  # fmt: skip
def test_invalid_codes_point_at_the_exact_item(client, assessment, where):
    response = client.post("/v1/needs", json={"assessment": assessment})
    assert response.status_code == 422
    assert where in response.json["errors"]["json"], response.json


def match(http, **body):
    response = http.post("/v1/match", json=body)
    assert response.status_code == 200, response.json
    return response.json


def test_realistic_client_gets_eligible_food_and_utility_help_in_spanish_first(client, app):
    person = {**SPANISH_VETERAN, "income": income_at(120, SPANISH_VETERAN, app)}
    body = match(client, assessment=AHC_FOOD_AND_UTILITIES, client=person)
    assert body["poverty_percent"] == 120
    by_need = {r["need"]: r for r in body["referrals"]}
    assert set(by_need) == {"food-insecurity", "utility-insecurity"}
    youth_only = {r["name"] for r in RECORDS if (r.get("maximum_age") or 999) < 30}
    for referral in by_need.values():
        resources = referral["resources"]
        assert 0 < len(resources) <= 5
        assert all(r["eligible"] and not r["excluded_because"] for r in resources)
        assert not {r["service_name"] for r in resources} & youth_only
        speaks = [("es" in r["languages"]) for r in resources]
        assert speaks == sorted(speaks, reverse=True), "Spanish-speaking services first"
        for r in resources:
            limit = r["eligibility"].get("income_max_fpl")
            assert limit is None or limit >= 120
            assert r["why"][0].startswith(referral["label"])


def test_a_thirty_year_old_gets_no_senior_only_meal_program(client):
    seniors_only = {
        r["name"]
        for r in RECORDS
        if active(r)
        and ("seniors" in codes(r, "linkage-eligibility") or (r.get("minimum_age") or 0) >= 60)
    }
    body = match(
        client,
        needs=["food-insecurity"],
        client={"near": "60623", "age": 30},
        per_need=20,
        radius=25,
    )
    names = {r["service_name"] for r in body["referrals"][0]["resources"]}
    assert names and not names & seniors_only
    older = match(
        client,
        needs=["food-insecurity"],
        client={"near": "60623", "age": 67},
        per_need=20,
        radius=25,
    )
    assert {r["service_name"] for r in older["referrals"][0]["resources"]} & seniors_only


def test_include_ineligible_shows_the_excluded_with_the_reason(client):
    body = match(
        client,
        needs=["food-insecurity"],
        client={"near": "60623", "age": 30},
        include_ineligible=True,
        radius=25,
    )
    excluded = body["referrals"][0]["excluded"]
    assert excluded and all(r["excluded_because"] for r in excluded)
    assert any(
        "minimum age" in reason or "seniors" in reason
        for r in excluded
        for reason in r["excluded_because"]
    )


def test_eligibility_filter_and_judgement_agree_on_every_service(es, settings, taxonomy):
    """What Elasticsearch excludes is exactly what the reasons call ineligible."""
    from linkage.search.eligibility import Client, filters, judge

    tag_names = {k: v["name"] for k, v in taxonomy.eligibility_tags.items()}
    docs = [h["_source"] for h in es.search(index=settings.index_alias, size=1000)["hits"]["hits"]]
    for client in [
        Client(age=30),
        Client(age=67, veteran=False, poverty_percent=250),
        Client(age=19, poverty_percent=90, veteran=True),
        Client(),
    ]:
        kept = {
            h["_id"]
            for h in es.search(
                index=settings.index_alias, size=1000, query={"bool": {"filter": filters(client)}}
            )["hits"]["hits"]
        }
        judged = {d["id"] for d in docs if judge(d, client, tag_names).eligible}
        assert kept == judged, client


def test_a_resource_meeting_several_needs_is_flagged(client):
    body = match(
        client, needs=["food-insecurity", "homelessness"], client={"near": "60623"}, per_need=15
    )
    food = next(ref for ref in body["referrals"] if ref["need"] == "food-insecurity")
    flagged = [r for r in food["resources"] if r["also_addresses"]]
    assert flagged, "free meals address both in the sample"
    assert all(
        "homelessness" in r["needs"] and r["also_addresses"] == ["Homelessness"] for r in flagged
    )


def test_nothing_within_the_radius_offers_the_nearest(client):
    # Youth shelters are 25 miles and more from Waukegan: within three times a 10-mile radius.
    body = match(client, needs=["youth-shelter"], client={"near": "60085"}, radius=10)
    referral = body["referrals"][0]
    assert referral["resources"] == []
    assert referral["nearest_outside_radius"] and "nearest" in referral["message"]
    miles = [r["distance"]["miles"] for r in referral["nearest_outside_radius"] if r["distance"]]
    assert miles == sorted(miles) and max(miles) <= 30
    # Within three times a 1-mile radius there is none: a wider radius is offered instead.
    body = match(client, needs=["youth-shelter"], client={"near": "60085"}, radius=1)
    referral = body["referrals"][0]
    assert referral["nearest_outside_radius"] == [] and referral["wider_radius_miles"] == 30


def test_match_errors(client):
    assert client.post("/v1/match", json={"needs": ["nope"]}).status_code == 422
    assert (
        client.post("/v1/match", json={"needs": ["food"], "client": {"near": "00000"}}).status_code
        == 400
    )
    assert (
        client.post(
            "/v1/match", json={"needs": ["food"], "client": {"tags": ["astronaut"]}}
        ).status_code
        == 422
    )
    assert (
        client.post("/v1/match", json={"needs": ["food"], "client": {"ssn": "1"}}).status_code
        == 422
    )
    empty = client.post("/v1/match", json={}).json
    assert empty["referrals"] == [] and "give an assessment" in empty["message"]


def test_oversize_body_is_413(client):
    huge = {"needs": ["food"], "client": {"near": "6" * 2_000_000}}
    response = client.post("/v1/match", data=json.dumps(huge), content_type="application/json")
    assert response.status_code == 413 and response.json["code"] == 413


def test_client_data_is_never_logged(client, app, caplog):
    """A match request's answers, age, income and location appear in no log record."""
    secret_zip, secret_income, secret_age = "60639", 23456, 71
    body = {
        "assessment": {
            **AHC_FOOD_AND_UTILITIES,
            "answers": {**AHC_FOOD_AND_UTILITIES["answers"], "88122-7": "LA28397-0"},
        },
        "client": {
            "near": secret_zip,
            "age": secret_age,
            "income": secret_income,
            "household_size": 2,
            "languages": ["pl"],
        },
    }
    with caplog.at_level(logging.DEBUG):
        assert client.post("/v1/match", json=body).status_code == 200
        assert (
            client.post(
                "/v1/needs",
                json={"assessment": {"instrument": "ahc-hrsn", "answers": {"88122-7": "LA0-0"}}},
            ).status_code
            == 422
        )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (secret_zip, str(secret_income), "LA28397-0", "LA0-0", "41.9", "-87.7"):
        assert secret not in logged


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"include_ineligible": True, "fhir": True, "open_now": True},
        {"needs": ["legal"], "radius": 1, "unit": "km"},  # nearest outside the radius
    ],
)
def test_match_responses_match_the_documented_schema(client, extra):
    # The view returns its shaped dict as is (no marshmallow dump): it must be what MatchOut
    # documents, field for field.
    from linkage.api.schemas.referrals import MatchOut, NeedReferralsOut, ReferralOut

    body = match(client, assessment=AHC_FOOD_AND_UTILITIES, client=SPANISH_VETERAN, **extra)
    assert MatchOut().validate(body) == {}
    assert body["referrals"]
    assert set(body) <= set(MatchOut().fields)
    for referral in body["referrals"]:
        assert set(referral) <= set(NeedReferralsOut().fields)
        shown = [*referral["resources"], *referral.get("excluded", ()),
                 *referral["nearest_outside_radius"]]  # fmt: skip
        for resource in shown:
            assert set(resource) == set(ReferralOut().fields)
