"""Street addresses through geopy's Nominatim geocoder, served by a local Nominatim stand-in.

The stand-in answers Nominatim's /search protocol on loopback (the machine has no internet);
everything on Linkage's side, geopy included, runs for real.
"""

from dataclasses import replace

import pytest

from linkage.app import create_app
from tests.conftest import api_client
from tests.servers import NominatimStandIn, free_port

KNOWN = {
    "1 N State St, Chicago, IL": (41.8826, -87.6278),
    "1 N State St, Chicago, IL, 60602": (41.8826, -87.6278),  # as an import writes it
}


@pytest.fixture
def nominatim():
    stand_in = NominatimStandIn(KNOWN)
    yield stand_in.domain
    stand_in.close()


def geocoding_client(settings, domain):
    configured = replace(
        settings,
        geocoder="nominatim",
        geocoder_domain=domain,
        geocoder_scheme="http",
        geocoder_timeout=2.0,
    )
    return api_client(create_app({"SETTINGS": configured}))


def test_an_address_is_geocoded_and_searched_around(settings, sample_index, nominatim):
    client = geocoding_client(settings, nominatim)
    body = client.get(
        "/v1/search", query_string={"near": "1 N State St, Chicago, IL", "category": "food"}
    ).json
    assert body["place"]["precision"] == "address" and body["place"]["county"] == "Cook"
    assert body["total"] > 0 and body["results"][0]["distance"]["miles"] < 10


def test_an_address_that_cannot_be_found_is_a_400(settings, sample_index, nominatim):
    client = geocoding_client(settings, nominatim)
    response = client.get("/v1/search", query_string={"near": "99 Nowhere Lane, Atlantis"})
    assert response.status_code == 400 and "could not be found" in response.json["message"]


def test_a_geocoder_that_does_not_answer_is_a_503(settings, sample_index):
    port = free_port()  # nothing listens there
    client = geocoding_client(settings, f"127.0.0.1:{port}")
    response = client.get("/v1/search", query_string={"near": "1 N State St, Chicago, IL"})
    assert response.status_code == 503 and "ZIP code" in response.json["message"]
    # A ZIP code never needs the geocoder.
    assert client.get("/v1/search", query_string={"near": "60623"}).status_code == 200


def address_only(sid, street):
    """A service whose location has an address but no coordinates."""
    return {
        "id": sid,
        "name": f"Service {sid}",
        "service_at_locations": [
            {"id": f"{sid}-sal", "location": {"id": f"{sid}-loc", "location_type": "physical", "addresses": [
                {"address_1": street, "city": "Chicago", "state_province": "IL", "postal_code": "60602"}]}}
        ],
    }  # fmt: skip


def import_converter(taxonomy, domain, cache, delay=0.0):
    from geopy.geocoders import Nominatim

    from indexer.geocoding import AddressGeocoder
    from indexer.hsds import Converter

    geocoder = AddressGeocoder(
        Nominatim(user_agent="linkage-test", domain=domain, scheme="http", timeout=2), cache, delay
    )
    return Converter("geo", taxonomy, "America/Chicago", geocoder=geocoder), geocoder


def test_import_geocodes_once_and_a_reimport_asks_nothing(taxonomy, tmp_path, nominatim):
    from indexer.records import SourceRow

    stand_in_asked = []
    records = [address_only("a", "1 N State St"), address_only("b", "99 Unknown Ave")]
    for _attempt in range(2):
        converter, geocoder = import_converter(taxonomy, nominatim, tmp_path / "cache.sqlite")
        docs = [
            converter.convert(SourceRow("f", f"#{i}", r)).documents[0]
            for i, r in enumerate(records)
        ]
        stand_in_asked.append(geocoder.asked)
        assert (
            docs[0]["location_precision"] == "address"
            and abs(docs[0]["location"]["lat"] - 41.8826) < 1e-6
        )
        assert docs[1]["location_precision"] == "zip"  # not found: the ZIP centroid, said so
        geocoder.close()
    assert stand_in_asked == [2, 0]


def test_an_unreachable_geocoder_never_fails_the_import(taxonomy, tmp_path):
    from indexer.records import SourceRow

    port = free_port()  # nothing listens there
    converter, geocoder = import_converter(taxonomy, f"127.0.0.1:{port}", tmp_path / "cache.sqlite")
    records = [address_only(str(n), f"{n} Main St") for n in range(6)]
    docs = [
        converter.convert(SourceRow("f", f"#{n}", r)).documents[0] for n, r in enumerate(records)
    ]
    assert all(d["location_precision"] == "zip" for d in docs)
    assert geocoder.asked == 3  # gave up after three failures in a row


def test_a_whole_import_geocodes_in_its_converting_process_and_caches_on_disk(
    taxonomy, tmp_path, es
):
    """Conversion runs in a forked process: the cache it writes must outlive it."""
    from indexer.load import rebuild
    from indexer.records import SourceRow

    alias = "linkage-test-geocoded"
    stand_in = NominatimStandIn(KNOWN)
    try:
        for _attempt in range(2):
            converter, _ = import_converter(taxonomy, stand_in.domain, tmp_path / "cache.sqlite")
            rows = [SourceRow("f", "#1", address_only("a", "1 N State St"))]
            report = rebuild(es, alias, rows, converter)
            doc = es.search(index=alias)["hits"]["hits"][0]["_source"]
            assert report.indexed == 1 and doc["location_precision"] == "address"
        assert len(stand_in.asked) == 1  # the second import found it in the cache
    finally:
        stand_in.close()
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
