"""A language in any of its forms (ISO 639-1, 639-2/3, English name) over real HTTP: search and
match read `spa`, `Spanish` and `es` as one language; an unknown one is a 422 naming the forms."""

import pytest
import requests

from tests.servers import TEST_KEY

FORMS = ("ISO 639-1", "639-2", "639-3", "English name")


@pytest.fixture
def http():
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TEST_KEY}"
    return session


def search(live_server, http, **params):
    return http.get(f"{live_server}/v1/search", params=params, timeout=15)


def found(live_server, http, language):
    response = search(live_server, http, category="food", near="60623", radius=25, per_page=100,
                      language=language)  # fmt: skip
    assert response.status_code == 200, response.text[:300]
    return [(x["id"], x["why"]) for x in response.json()["results"]]


@pytest.mark.parametrize(
    "code, forms",
    [("es", ["spa", "Spanish", "SPANISH", "es-MX"]), ("zh", ["chi", "zho", "Chinese"]),
     ("pl", ["pol", "Polish"])],
)  # fmt: skip
def test_search_reads_every_form_of_a_language_as_its_code(live_server, http, code, forms):
    expected = found(live_server, http, code)
    assert expected, f"the sample has food services speaking {code} near 60623"
    for form in forms:
        assert found(live_server, http, form) == expected, form


def test_search_refuses_an_unknown_language_naming_the_forms_it_takes(live_server, http):
    response = search(live_server, http, q="food", language="klingonish")
    assert response.status_code == 422
    [message] = response.json()["errors"]["query"]["language"]
    assert "klingonish" in message and all(form in message for form in FORMS)


def match(live_server, http, languages):
    body = {"needs": ["food-insecurity"], "client": {"near": "60623", "languages": languages}}
    return http.post(f"{live_server}/v1/match", json=body, timeout=15)


def test_match_reads_every_form_of_a_client_language(live_server, http):
    answers = [match(live_server, http, forms) for forms in (["es"], ["spa"], ["Spanish"])]
    assert [a.status_code for a in answers] == [200] * 3
    bodies = [a.json() for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert "speaks Spanish" in str(bodies[0])
    # Two forms of one language are one language.
    assert match(live_server, http, ["es", "Spanish"]).json() == bodies[0]


def test_match_refuses_an_unknown_client_language_naming_the_forms(live_server, http):
    response = match(live_server, http, ["es", "klingonish"])
    assert response.status_code == 422
    errors = response.json()["errors"]["json"]["client"]["languages"]
    assert list(errors) == ["1"]
    assert all(form in errors["1"][0] for form in FORMS)


def test_the_openapi_document_says_which_forms_a_language_takes(live_server):
    spec = requests.get(f"{live_server}/openapi.json", timeout=10).json()
    [language] = [p for p in spec["paths"]["/v1/search"]["get"]["parameters"]
                  if p["name"] == "language"]  # fmt: skip
    assert all(form in language["description"] for form in FORMS)
