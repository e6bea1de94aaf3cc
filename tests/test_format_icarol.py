"""The iCarol / AIRS flat export (`--format icarol`): the reader on its own, then loaded through
the CLI into the real node and searched, and uploaded through POST /v1/imports.

The fixtures (tests/fixtures/icarol, written by make_fixtures.py there) are invented
directories at real Maryland and Illinois ZIP codes.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer import formats
from indexer.cli import converter_for
from indexer.formats import icarol, values
from indexer.hsds import Converter
from indexer.records import ReadError
from indexer.worker import work
from linkage.app import create_app
from linkage.search.results import current_notice
from tests.conftest import ROOT, api_client, codes

FIXTURES = ROOT / "tests" / "fixtures" / "icarol"
HARBOR = FIXTURES / "harbor-211.csv"
PRAIRIE = FIXTURES / "prairie-211-cp1252.csv"
ALIAS = "linkage-test-icarol"
EASTERN = ZoneInfo("America/New_York")
THANKSGIVING_WEEK = datetime(2026, 11, 25, 15, 0, tzinfo=EASTERN)  # the notice is current
DECEMBER = datetime(2026, 12, 9, 15, 0, tzinfo=EASTERN)  # ...and has expired

# Text that is private (internal notes, private addresses and phones): never in a record,
# a document or a response.
SECRETS = (
    "STAFF ONLY",
    "intake worker is on leave",
    "4471",
    "Secret Row",
    "773-555-0999",
    "410-555-0199",
    "Hidden Court",
    "Blue door",
    '"Confidential"',  # the address line of a confidential site
    "555-0102",  # a private phone (Director cell)
    "555-0201",  # private (Shelter office)
    "555-0211",  # private (a confidential site's house phone)
    "555-0524",  # private (after hours)
    "555-0198",  # a staff contact (MainContactPhoneNumber)
    "Placeholder Term",  # TaxonomyTerms: licensed, only in a record's 211 terms, never shown
)
NOT_SEARCHABLE = (
    "Rides for Seniors",  # Active, but do not refer
    "Old Van Program",  # Inactive
    "Eviction Prevention Fund",  # ExcludeFromWebsite
    "Tenant Rights Clinic",  # ExcludeFromDirectory
    "Rent Arrears Help",  # AvailableForDirectory = No
    "Winter Overnight Shelter",  # Inactive
    "Daytime Warming Room",  # ExcludeFromWebsite
)


def records(path) -> dict[str, dict]:
    return {r.record["id"]: r.record for r in icarol.read(path) if r.record}


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


# --- the reader ---------------------------------------------------------------------------


def test_detected_from_its_header_and_counted():
    assert formats.detect(HARBOR) == formats.detect(PRAIRIE) == "icarol"
    for path in (HARBOR, PRAIRIE):
        assert formats.count_records(path, "icarol") == len(list(formats.read(path, "icarol")))


def test_a_csv_without_the_icarol_columns_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("ResourceAgencyNum,PublicName\n1,Somewhere Pantry\n")
    with pytest.raises(ReadError, match="give --format"):
        formats.detect(other)
    with pytest.raises(ReadError, match="TaxonomyLevelName"):
        icarol.read(other)  # a whole-file error, before any row


def test_every_row_is_accounted_for_by_kind():
    harbor = list(icarol.read(HARBOR))
    assert Counter(r.skipped for r in harbor if r.skipped) == {
        "agency": 5, "site": 3, "inactive": 2, "excluded": 3
    }  # fmt: skip
    assert sum(1 for r in harbor if r.record) == 9  # one of them a duplicate
    rejected = [r for r in harbor if not r.record and not r.skipped]
    assert len(rejected) == 1 and "fields" in rejected[0].problems[0].reason  # the shifted row
    prairie = list(icarol.read(PRAIRIE))
    assert Counter(r.skipped for r in prairie if r.skipped) == {
        "agency": 3, "inactive": 1, "excluded": 1
    }  # fmt: skip
    assert sum(1 for r in prairie if r.record) == 4
    names = {r.record["name"] for r in harbor + prairie if r.record}
    assert not names & set(NOT_SEARCHABLE)


def test_a_program_gets_its_agency_sites_and_labelled_phones():
    found = records(HARBOR)
    shelf = found["120"]
    assert shelf["organization"]["name"] == "Harborview Community Table"
    assert shelf["organization"]["url"] == "https://www.harborview-table.example"
    (sal,) = shelf["service_at_locations"]
    site = sal["location"]
    assert site["id"] == "110" and site["latitude"] == "39.3268"
    assert site["addresses"][0]["address_1"] == "3101 Waverly Lane"
    assert site["accessibility"][0]["description"].startswith("Wheelchair accessible")
    assert site["phones"][0] | {} == {"id": "110-phone1", "number": "410-555-0110",
                                      "extension": "12", "type": "voice",
                                      "description": "Pantry desk"}  # fmt: skip
    phones = {p["number"]: (p.get("type"), p.get("description")) for p in shelf["phones"]}
    assert phones == {"410-555-0101": ("voice", "Intake line"),
                      "410-555-0103": ("fax", "Referrals by fax")}  # fmt: skip
    # A ProgramAtSite at two sites: two locations.
    popup = found["122"]
    assert [s["location"]["id"] for s in popup["service_at_locations"]] == ["110", "111"]
    # A program with its own Physical* columns.
    rides = found["320"]
    (own,) = rides["service_at_locations"]
    assert own["location"]["addresses"][0]["postal_code"] == "21401"
    assert {(p.get("type"), p.get("description")) for p in rides["phones"]} == {
        ("textphone", "TTY"), ("fax", None), ("voice", "Toll-free")
    }  # fmt: skip
    shelter_phones = {p["number"]: p for p in found["220"]["phones"]}
    assert shelter_phones["410-555-0200"]["description"] == "Hotline: 24-hour crisis line"
    assert shelter_phones["410-555-0202"]["type"] == "textphone"
    # An agency that is not in the file: a warning, the program kept.
    orphan = next(r for r in icarol.read(HARBOR) if r.record and r.record["id"] == "900")
    assert "organization" not in orphan.record
    assert {p.field for p in orphan.problems} == {"ParentAgencyNum", "LastVerifiedOn"}


def test_private_addresses_phones_and_internal_notes_never_enter_a_record():
    found = records(HARBOR) | records(PRAIRIE)
    for record in found.values():
        for a in record.get("attributes", []):  # TaxonomyTerms name the 211 terms, nothing else
            if a["taxonomy_term"]["taxonomy"] == "211":
                a["taxonomy_term"].pop("name", None)
        assert leaks(json.dumps(record)) == [], record["id"]
    named = {t["code"]: t.get("name") for t in (a["taxonomy_term"] for a in records(HARBOR)["120"]["attributes"])}  # fmt: skip
    assert named["BD-1800.1500 * YB-8000"] == "Placeholder Term Beta * Placeholder Group One"
    for sid in ("220", "221"):  # a confidential site, a program's own private address
        record = found[sid]
        assert "confidential-address" in codes(record, "linkage-flags")
        (sal,) = record["service_at_locations"]
        assert "latitude" not in sal["location"] and "description" not in sal["location"]
        assert sal["location"]["addresses"][0].keys() >= {"city", "postal_code"}
        assert "address_1" not in sal["location"]["addresses"][0]
    assert "confidential-address" not in codes(found["120"], "linkage-flags")


def test_free_text_goes_where_the_conventions_say():
    found = records(HARBOR)
    shelf = found["120"]
    assert (
        shelf["description"] == "Groceries & fresh produce for families.\n\nChoose your own items."
    )
    assert shelf["application_process"] == "Walk in.\n\nBring your own bag."
    assert shelf["required_documents"][0]["document"] == "Photo ID and proof of address"
    assert shelf["schedules"] == [{"id": "120-hoursofoperation",
                                   "description": "9:00 am - 5:00 pm, Monday - Friday"}]  # fmt: skip
    assert shelf["languages"] == [{"name": "English, Spanish"}]
    assert shelf["service_areas"] == [{"id": "120-area-1", "name": "Baltimore City"}]
    assert shelf["eligibility_description"].startswith("Residents of Baltimore City")
    assert shelf["fees_description"] == "No fee"
    assert shelf["assured_date"] == "2026-03-14"
    assert codes(shelf, "211") == ["BD-1800.2000", "BD-1800.1500 * YB-8000"]
    assert shelf["alert"].startswith("Closed Thursday")
    dates = {a["taxonomy_term"]["code"]: a.get("value") for a in shelf["attributes"]}
    assert (dates["notice-starts"], dates["notice-ends"]) == ("2026-11-01", "2026-11-27")
    # The structured Hours column is preferred to the free text; 2-digit years; commas.
    meals = found["121"]
    assert meals["schedules"][0]["description"].startswith("Tue 10:00 AM - 2:00 PM")
    assert meals["assured_date"] == "2024-12-01"
    assert codes(found["320"], "211") == ["BT-4500.6500-500", "BT-4500.6500-600"]
    assert "\r" not in found["320"]["description"]
    assert found["523"]["service_areas"] == [{"id": "523-area-1", "name": "Howard County"}]


def test_windows_1252_headers_in_any_case_and_lost_zeros():
    rows = [r for r in icarol.read(PRAIRIE) if r.record]
    assert "Windows-1252" in rows[0].problems[0].reason  # said once, on the first record
    pantry = rows[0].record
    assert pantry["name"] == "Despensa Comunitaria – La Villita"
    assert pantry["organization"]["name"] == "Centro Señora de la Luz"
    assert pantry["phones"][0]["description"] == "Línea de la Señora"
    assert pantry["application_process"] == "Llegue sin cita.\nWalk in."
    assert codes(pantry, "211") == ["BD-1800.2000 * YB-8000"]
    line = next(r.record for r in rows if r.record["id"] == "21")
    assert line["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "02120"
    assert line["url"] == "https://peerline.example.org"


@given(
    st.lists(
        st.lists(
            st.from_regex(r"[A-Z]{2}-\d{4}(\.\d{4})?", fullmatch=True), min_size=1, max_size=3
        ),
        min_size=1,
        max_size=5,
        unique_by=tuple,
    ),
    st.lists(st.sampled_from(["; ", ";", ", ", " ; "]), min_size=5, max_size=5),
)
def test_codes_split_on_separators_but_never_inside_a_compound(parts, separators):
    compounds = [" * ".join(p) for p in parts]
    text = "".join(c + separators[i % 5] for i, c in enumerate(compounds)).rstrip("; ,")
    assert values.split_211_codes(text.replace(" * ", "*")) == list(dict.fromkeys(compounds))


def test_small_readers():
    assert values.postal_code("2120") == "02120"
    assert values.postal_code("2120-0001") == "02120-0001"
    assert values.postal_code("21218") == "21218"
    assert icarol.website("www.example.org") == "https://www.example.org"
    assert icarol.website("http://example.org") == "http://example.org"
    assert icarol.status_skip({"agencystatus": "Active, but do not refer"}) == "inactive"
    assert icarol.status_skip({"agencystatus": "Active", "availablefordirectory": "No"}) == (
        "excluded"
    )
    assert icarol.status_skip({"agencystatus": "Active", "excludefromwebsite": "No"}) is None


def test_the_converter_keeps_notice_accessibility_and_documents(taxonomy):
    converter = Converter("harbor", taxonomy, "America/New_York", inferrer=False)
    row = next(r for r in icarol.read(HARBOR) if r.record and r.record["id"] == "120")
    (doc,) = converter.convert(row).documents
    assert doc["notice"] == {"text": "Closed Thursday November 26 for the holiday.",
                             "starts": "2026-11-01", "ends": "2026-11-27"}  # fmt: skip
    assert doc["accessibility"] == ["Wheelchair accessible; ramp at the side entrance"]
    assert doc["required_documents"] == ["Photo ID and proof of address"]
    assert doc["last_verified"] == "2026-03-14"


def test_a_notice_is_current_between_its_dates_in_the_services_zone():
    notice = {"text": "Closed", "starts": "2026-11-01", "ends": "2026-11-27"}
    tz = "America/New_York"
    assert current_notice(notice, tz, THANKSGIVING_WEEK) == "Closed"
    assert current_notice(notice, tz, DECEMBER) is None
    assert current_notice(notice, tz, datetime(2026, 10, 31, 12, tzinfo=EASTERN)) is None
    # 11:30 PM on the 27th in Baltimore is already the 28th in UTC: still current there.
    late = datetime(2026, 11, 28, 4, 30, tzinfo=ZoneInfo("UTC"))
    assert current_notice(notice, tz, late) == "Closed"
    assert current_notice({"text": "Moved", "starts": None, "ends": None}, tz, DECEMBER) == "Moved"


# --- loaded into the real node --------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(es, tmp_path_factory, runner):
    """Both fixtures loaded through the CLI, no mapping and no deployer crosswalk."""
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    out = tmp_path_factory.mktemp("icarol-reports")
    mp = pytest.MonkeyPatch()
    mp.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    mp.delenv("LINKAGE_CROSSWALK_211", raising=False)
    reports = {}
    for path in (HARBOR, PRAIRIE):
        report = out / f"{path.stem}.json"
        result = runner.invoke(["load", str(path), "--quiet", "--report", str(report)])
        assert result.exit_code == 0, result.output
        assert "(icarol, full)" in result.output
        reports[path.name] = json.loads(report.read_text())
    mp.undo()
    yield reports
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def app_at(settings, when):
    return api_client(
        create_app({"SETTINGS": replace(settings, index_alias=ALIAS), "CLOCK": lambda: when})
    )


@pytest.fixture
def client(settings, loaded):
    return app_at(settings, THANKSGIVING_WEEK)


def test_the_load_reconciles_row_by_row(loaded):
    harbor, prairie = loaded["harbor-211.csv"], loaded["prairie-211-cp1252.csv"]
    skipped = ("skipped_agency", "skipped_site", "skipped_inactive", "skipped_excluded")
    assert [harbor[k] for k in skipped] == [5, 3, 2, 3]
    assert (harbor["read"], harbor["indexed"], harbor["rejected"], harbor["duplicates"]) == (
        23, 8, 1, 1
    )  # fmt: skip
    assert [prairie[k] for k in skipped] == [3, 0, 1, 1]
    assert (prairie["read"], prairie["indexed"]) == (9, 4)
    for report in (harbor, prairie):
        parts = report["indexed"] + report["rejected"] + report["duplicates"]
        assert report["read"] == parts + sum(report[k] for k in skipped)
        assert leaks(json.dumps(report)) == []


def search(client, **params) -> list[dict]:
    response = client.get("/v1/search", query_string={"per_page": 50, **params})
    assert response.status_code == 200, response.json
    assert leaks(response.get_data(as_text=True)) == []
    return response.json["results"]


def test_active_programs_are_found_near_their_zip_and_nothing_else(client):
    near_waverly = {r["service_name"] for r in search(client, near="21218", radius=2)}
    assert {"Waverly Grocery Shelf", "Weekend Produce Pop-up"} <= near_waverly
    assert "Medical Appointment Rides" not in near_waverly  # 25 miles away in Annapolis
    assert "Medical Appointment Rides" in {
        r["service_name"] for r in search(client, near="21401", radius=5)
    }
    assert "Despensa Comunitaria – La Villita" in {
        r["service_name"] for r in search(client, near="60623", radius=3)
    }
    everything = set()
    for place in ("21218", "21044", "21401", "62701", "60623", "61602"):
        everything |= {r["service_name"] for r in search(client, near=place, radius=100)}
    assert not everything & set(NOT_SEARCHABLE)
    assert "Utility Bill Help" in everything and "Peoria Diaper Bank" in everything


def test_211_codes_give_categories_without_a_deployers_crosswalk(client, loaded):
    pantries = search(client, near="21218", radius=3, category="food-pantry")
    assert "Waverly Grocery Shelf" in {r["service_name"] for r in pantries}
    shelters = search(client, near="21201", radius=5, category="emergency-shelter")
    (shelter,) = [r for r in shelters if r["service_name"] == "Emergency Family Shelter"]
    # The compound's population codes: survivors of violence, families with children.
    assert {"survivors-of-violence", "families-with-children"} <= set(
        shelter["eligibility"]["tags"]
    )
    rides = search(client, near="21401", radius=5, category="medical-rides")
    assert [r["service_name"] for r in rides] == ["Medical Appointment Rides"]


def test_free_text_hours_languages_fees_and_ages_are_searchable(client):
    # Wednesday 3 PM in Baltimore: "9:00 am - 5:00 pm, Monday - Friday" and "Open 24 hours"
    # are open, "Tuesdays and Thursdays 10am-2pm" and "Saturdays 9am-12pm" are not.
    open_now = {r["service_name"] for r in search(client, near="21218", radius=6, open_now="true")}
    assert {"Waverly Grocery Shelf", "Emergency Family Shelter"} <= open_now
    assert not open_now & {"Canton Hot Meals", "Weekend Produce Pop-up"}
    signing = {r["service_name"] for r in search(client, near="21224", radius=2, language="ase")}
    assert "Canton Hot Meals" in signing  # "Spanish and ASL."
    spanish = {r["service_name"] for r in search(client, near="21401", radius=5, language="es")}
    assert "Medical Appointment Rides" in spanish  # "English; Spanish"
    free = {r["service_name"] for r in search(client, near="21218", radius=6, free="true")}
    assert {"Waverly Grocery Shelf", "Canton Hot Meals"} <= free  # "No fee", "Free"
    teen = {r["service_name"] for r in search(client, near="21218", radius=2, age=16)}
    assert "Waverly Grocery Shelf" not in teen  # "Ages 18 and older."
    assert "Weekend Produce Pop-up" in teen


def test_private_addresses_and_phones_are_never_shown(client):
    results = {r["service_name"]: r for r in search(client, near="21201", radius=5)}
    shelter = results["Emergency Family Shelter"]
    assert shelter["address"] is None and shelter["confidential_address"] is True
    assert shelter["distance"] is None
    assert {p["number"] for p in shelter["phones"]} == {
        "(410) 555-0200", "(800) 555-0203", "(410) 555-0202"
    }  # fmt: skip
    assert results["Survivor Legal Advocacy"]["address"] is None
    for result in results.values():
        full = client.get(f"/v1/resources/{result['id']}")
        assert full.status_code == 200 and leaks(full.get_data(as_text=True)) == []
    exported = client.get("/hsds/services", query_string={"per_page": 50, "full": "true"})
    assert exported.status_code == 200 and leaks(exported.get_data(as_text=True)) == []
    assert "Emergency Family Shelter" in exported.get_data(as_text=True)


def test_a_notice_is_shown_only_while_current(client, settings):
    def cards(at):
        return {r["service_name"]: r for r in search(at, near="21218", radius=6)}

    now = cards(client)
    assert now["Waverly Grocery Shelf"]["notice"] == "Closed Thursday November 26 for the holiday."
    assert now["Canton Hot Meals"]["notice"] is None  # expired in February 2025
    later = cards(app_at(settings, DECEMBER))
    assert later["Waverly Grocery Shelf"]["notice"] is None
    shelf = now["Waverly Grocery Shelf"]
    assert shelf["required_documents"] == ["Photo ID and proof of address"]
    assert shelf["application_process"] == "Walk in.\n\nBring your own bag."
    assert shelf["accessibility"] == ["Wheelchair accessible; ramp at the side entrance"]
    assert {(p["number"], p["type"]) for p in shelf["phones"]} >= {("(410) 555-0103", "fax")}


# --- through the import API -----------------------------------------------------------------

UPLOAD_ALIAS = "linkage-test-icarol-upload"
ADMIN_KEY = "icarol-admin-key"


def test_an_icarol_export_uploaded_to_the_import_api_is_loaded(es, settings, tmp_path):
    # The job queue is the alias's own: no other test's worker takes this job, nor this one theirs.
    es.options(ignore_status=404).indices.delete(index=f"{UPLOAD_ALIAS}-*")
    (tmp_path / "drop").mkdir()
    import_settings = replace(settings, index_alias=UPLOAD_ALIAS, admin_api_key=ADMIN_KEY,
                              import_dir=str(tmp_path / "drop"),
                              upload_dir=str(tmp_path / "uploads"))  # fmt: skip
    admin = create_app({"SETTINGS": import_settings}).test_client()
    auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
    started = admin.post(
        "/v1/imports",
        data={"file": (io.BytesIO(PRAIRIE.read_bytes()), "prairie-icarol-upload.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert started.status_code == 202, started.json
    try:
        assert work(es, import_settings, converter_for, once=True) >= 1
        done = admin.get(f"/v1/imports/{started.json['id']}", headers=auth).json
        assert done["status"] == "succeeded", done
        assert done["format"] in ("auto", "icarol")
        report = done["report"]
        assert (report["read"], report["indexed"]) == (9, 4)
        assert (report["skipped_agency"], report["skipped_inactive"]) == (3, 1)
        assert report["skipped_excluded"] == 1
        assert es.count(index=UPLOAD_ALIAS)["count"] == 4
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{UPLOAD_ALIAS}-*")
