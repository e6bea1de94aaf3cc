"""The Ohana API CSV export reader: the real San Mateo export, its parsers, and broken copies."""

import csv
import shutil

import pytest

from indexer.formats.ohana import read
from indexer.hsds import Converter
from indexer.records import ReadError
from linkage.taxonomy import load_taxonomy
from tests.conftest import SHARED, requires_shared

OHANA = SHARED / "datasets" / "ohana-san-mateo"


def _by_taxonomy(record: dict, taxonomy: str) -> list[dict]:
    return [a for a in record.get("attributes", ()) if a["taxonomy_term"]["taxonomy"] == taxonomy]


def oe(record: dict) -> list[dict]:
    """The record's Open Eligibility terms (from taxonomy_ids)."""
    return _by_taxonomy(record, "open-eligibility")


def fees(record: dict) -> list[dict]:
    return _by_taxonomy(record, "linkage-fees")


def keywords(record: dict) -> list[str]:
    return [a["taxonomy_term"]["name"] for a in _by_taxonomy(record, "ohana-keywords")]


# --- the real export ------------------------------------------------------------------------


def _records(folder):
    return {r.record["id"]: r.record for r in read(folder) if r.record is not None}


def _services_csv(folder):
    with (folder / "services.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@requires_shared
def test_reads_every_service():
    expected = _services_csv(OHANA)
    rows = list(read(OHANA))
    assert len(rows) == len(expected) == 23
    assert [r.problems for r in rows if r.record is None] == []
    assert [r.record["id"] for r in rows] == [s["id"] for s in expected]
    assert [r.row for r in rows] == [f"row {n}" for n in range(1, 24)]
    assert all(r.file == "services.csv" for r in rows)
    # a clean export: no warnings at all
    assert [p for r in rows for p in r.problems] == []


@requires_shared
def test_passport_photos():
    record = _records(OHANA)["22"]
    assert record["name"] == "Passport Photos"
    assert record["alternate_name"] == "Fotos para pasaportes"
    assert record["status"] == "active"
    assert record["url"] == "http://www.example.com"
    assert record["email"] == "passports@example.org"
    assert record["organization"]["id"] == "8"
    assert record["organization"]["name"] == "Example Agency"
    assert record["organization"]["url"] == "http://example.org"
    assert record["organization"]["year_incorporated"] == 1970
    assert record["languages"] == [{"name": "Spanish"}]  # read by the converter
    assert [(p["number"], p.get("extension"), p["type"]) for p in record["phones"]] == [
        ("123-456-7890", 123, "voice"),
        ("789-456-1230", None, "fax"),
        ("650-222-5555", None, "text"),
    ]
    assert [a.get("extent") for a in record["service_areas"]] == [
        "county:CA:Alameda",
        "county:CA:San Mateo",
    ]
    terms = {a["taxonomy_term"]["code"]: a["taxonomy_term"] for a in oe(record)}
    assert {code: t["name"] for code, t in terms.items()} == {
        "105": "Transit",
        "108": "Care",
        "108-05": "Navigating the System",
        "108-05-01": "Help Fill out Forms",
        "111": "Legal",
        "111-05": "Translation & Interpretation",
    }
    assert all(t["taxonomy"] == "open-eligibility" for t in terms.values())
    assert terms["108-05-01"]["parent_name"] == "Navigating the System"
    assert terms["105"]["parent_name"] is None
    assert oe(record)[0]["id"] == "22-tax-105"
    assert terms["105"]["id"] == "ohana-105"
    # "None, except for permits and photocopying" is not free
    assert "linkage-fees" not in {t["taxonomy"] for t in terms.values()}

    (sal,) = record["service_at_locations"]
    assert sal["id"] == "22@22"
    location = sal["location"]
    assert location["id"] == "22"
    assert location["name"] == "Example Location"
    assert location["location_type"] == "physical"
    assert (location["latitude"], location["longitude"]) == (37.7726402, -122.4099154)
    (address,) = location["addresses"]  # the mail address (ZIP 90210) is not used
    assert address == {
        "id": "address-21",
        "address_1": "2013 Avenue of the fellows",
        "address_2": "Suite 100",
        "city": "San Francisco",
        "state_province": "CA",
        "postal_code": "94103",
        "country": "US",
        "address_type": "physical",
    }
    assert [(p["number"], p.get("extension"), p["type"]) for p in location["phones"]] == [
        ("650 372-6200", 123, "voice"),
        ("650 627-8244", None, "fax"),
        ("800 372-6200", None, "voice"),
        ("650 372-6200", 202, "textphone"),
    ]
    assert [lang["name"] for lang in location["languages"]] == [
        "Cantonese",
        "Russian",
        "Spanish",
        "Tagalog",
        "Taiwanese",
    ]
    # the service's own hours, not its location's; "4:00 PM" and "3pm" read
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in sal["schedules"]] == [
        ("MO", "08:00", "12:00"),
        ("MO", "14:00", "16:00"),
        ("WE", "10:00", "15:00"),
    ]
    assert all(s["freq"] == "WEEKLY" for s in sal["schedules"])


@requires_shared
def test_fair_oaks_adult_activity_center():
    record = _records(OHANA)["1"]
    assert record["name"] == "Fair Oaks Adult Activity Center"
    assert record["organization"]["name"] == "Peninsula Family Service"
    assert record["minimum_age"] == 55
    assert "maximum_age" not in record
    assert record["eligibility_description"] == (
        "Age 55 or over for most programs, age 60 or over for lunch program. "
        "Audience: Older adults age 55 or over, ethnic minorities and low-income persons"
    )
    assert record["service_areas"] == [{"id": "1-area-1", "name": "Colma"}]  # a city: no extent
    assert "phones" not in record
    assert not oe(record) and not fees(
        record
    )  # no taxonomy ids; "$2.50 suggested donation" is no fee kind
    assert "Group Support" in keywords(record)
    location = record["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "2600 Middlefield Road"
    assert location["addresses"][0]["postal_code"] == "94063"
    assert (location["latitude"], location["longitude"]) == (37.477227, -122.213221)
    assert [(p["number"], p["type"]) for p in location["phones"]] == [
        ("650 780-7525", "voice"),
        ("650 701-0856", "fax"),
    ]
    assert location["languages"] == [{"name": "Spanish"}, {"name": "Tagalog"}]
    assert location["accessibility"][0]["description"] == "Disabled parking"
    # the location's hours (the service has none): "9am" to "03:00" as given
    assert [
        (s["byday"], s["opens_at"], s["closes_at"])
        for s in record["service_at_locations"][0]["schedules"]
    ] == [("MO", "09:00", "03:00")]


@requires_shared
def test_other_services():
    records = _records(OHANA)
    # a second service at location 22 gets that location's seven days
    days = [s["byday"] for s in records["23"]["service_at_locations"][0]["schedules"]]
    assert days == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    assert "schedules" not in records["2"]["service_at_locations"][0]
    # virtual, no coordinates, only a mail address
    location = records["20"]["service_at_locations"][0]["location"]
    assert location["location_type"] == "virtual"
    assert "latitude" not in location and "longitude" not in location
    assert [(a["address_type"], a["postal_code"]) for a in location["addresses"]] == [
        ("postal", "22031")
    ]
    assert records["20"]["status"] == "defunct"
    assert records["21"]["status"] == "inactive"
    assert records["15"]["minimum_age"] == 21 and records["15"]["maximum_age"] == 60
    assert records["8"]["minimum_age"] == 18 and "maximum_age" not in records["8"]
    kinds = {sid: [a["taxonomy_term"]["code"] for a in fees(r)] for sid, r in records.items()}
    assert kinds["3"] == ["free"]
    assert kinds["4"] == ["sliding-scale"]
    assert kinds["5"] == []  # "$60 application fee"
    location_2 = records["2"]["service_at_locations"][0]["location"]
    assert [lang["name"] for lang in location_2["languages"]] == [
        "Chinese (Mandarin)",
        "Tagalog",
        "Italian",
        "Spanish",
    ]


@requires_shared
def test_taxonomy_names_resolve():
    with (OHANA / "taxonomy.csv").open(encoding="utf-8", newline="") as fh:
        names = {row["taxonomy_id"]: row["name"] for row in csv.DictReader(fh)}
    used = 0
    for record in _records(OHANA).values():
        for attribute in oe(record):
            term = attribute["taxonomy_term"]
            if term["taxonomy"] == "open-eligibility":
                assert term["name"] == names[term["code"]]
                used += 1
    assert used == 6


@requires_shared
def test_every_record_converts():
    converter = Converter("ohana", load_taxonomy(), "America/Los_Angeles")
    documents = 0
    for row in read(OHANA):
        converted = converter.convert(row)
        assert converted.rejections == [], (row.row, converted.rejections)
        documents += len(converted.documents)
    assert documents == 23


# --- broken copies --------------------------------------------------------------------------


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "ohana"
    shutil.copytree(OHANA, folder)
    return folder


def _rewrite(path, change, encoding="utf-8"):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0])
    fields, rows = change(fields, rows)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@requires_shared
def test_truncated_services_file(export):
    path = export / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[10].startswith("10,10,")
    path.write_text("".join(lines[:10]) + lines[10][:40], encoding="utf-8")
    rows = list(read(export))
    assert [r.record["id"] for r in rows if r.record] == [str(n) for n in range(1, 10)]
    (bad,) = [r for r in rows if r.record is None]
    assert bad.row == "row 10"
    (problem,) = bad.problems
    assert problem.row == "row 10" and problem.file == "services.csv"
    assert "truncated" in problem.reason


@requires_shared
def test_short_row_in_the_middle(export):
    path = export / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = ",".join(lines[5].split(",")[:3]) + "\n"  # row 5: id, location_id, program_id
    path.write_text("".join(lines), encoding="utf-8")
    rows = list(read(export))
    assert len(rows) == 23
    rejected = [(r.row, r.problems[0].record_id) for r in rows if r.record is None]
    assert rejected == [("row 5", "5")]


@requires_shared
def test_latin1_services_file(export):
    def rename(fields, rows):
        rows[21]["name"] = "Fotos de pasaporte Peñasco, Café"
        return fields, rows

    _rewrite(export / "services.csv", rename, encoding="latin-1")
    assert "ñ".encode("latin-1") in (export / "services.csv").read_bytes()
    rows = list(read(export))
    assert all(r.record for r in rows)
    warnings = [p for r in rows for p in r.problems]
    assert [(p.file, p.reason) for p in warnings] == [
        ("services.csv", "not UTF-8: read as Windows-1252 (Latin-1)")
    ]
    assert rows[21].record["name"] == "Fotos de pasaporte Peñasco, Café"


@requires_shared
def test_locations_without_name_column(export):
    _rewrite(export / "locations.csv", lambda f, rows: ([c for c in f if c != "name"], rows))
    with pytest.raises(ReadError, match=r"locations\.csv.*name"):
        read(export)


@requires_shared
def test_missing_required_file(export):
    (export / "organizations.csv").unlink()
    with pytest.raises(ReadError, match=r"organizations\.csv"):
        read(export)


@requires_shared
def test_missing_optional_files(export):
    for name in ("phones.csv", "regular_schedules.csv", "taxonomy.csv", "addresses.csv"):
        (export / name).unlink()
    rows = list(read(export))
    assert len(rows) == 23 and all(r.record for r in rows)
    record = rows[21].record
    assert "phones" not in record and not oe(record)
    # without addresses.csv the mail address stands in
    assert record["service_at_locations"][0]["location"]["addresses"][0]["address_type"] == "postal"


@requires_shared
def test_service_at_missing_location(export):
    def move(fields, rows):
        rows[4]["location_id"] = "999"
        return fields, rows

    _rewrite(export / "services.csv", move)
    rows = list(read(export))
    rejected = [r for r in rows if r.record is None]
    assert [r.row for r in rejected] == ["row 5"]
    (problem,) = rejected[0].problems
    assert problem.field == "location_id" and "999" in problem.reason
    assert len([r for r in rows if r.record]) == 22


@requires_shared
def test_service_without_name(export):
    def blank(fields, rows):
        rows[2]["name"] = ""
        return fields, rows

    _rewrite(export / "services.csv", blank)
    (rejected,) = [r for r in read(export) if r.record is None]
    assert (rejected.row, rejected.problems[0].field) == ("row 3", "name")


@requires_shared
def test_bad_optional_values_are_warnings(export):
    def taxonomy(fields, rows):
        rows[21]["taxonomy_ids"] = "105, 999-99"
        return fields, rows

    _rewrite(export / "services.csv", taxonomy)

    def schedules(fields, rows):
        rows.append({"id": "99", "location_id": "", "service_id": "22", "weekday": "Funday",
                     "opens_at": "09:00", "closes_at": "17:00"})  # fmt: skip
        rows.append({"id": "98", "location_id": "22", "service_id": "", "weekday": "Tuesday",
                     "opens_at": "soon", "closes_at": "17:00"})  # fmt: skip
        return fields, rows

    _rewrite(export / "regular_schedules.csv", schedules)

    def coordinates(fields, rows):
        rows[0]["latitude"] = "north"
        return fields, rows

    _rewrite(export / "locations.csv", coordinates)
    rows = list(read(export))
    assert all(r.record for r in rows)
    by_id = {r.record["id"]: r for r in rows}

    passport = by_id["22"]
    assert [a["taxonomy_term"]["code"] for a in oe(passport.record)] == ["105"]
    reasons = {(p.file, p.field): p.reason for p in passport.problems}
    assert "999-99" in reasons[("services.csv", "taxonomy_ids")]
    assert "Funday" in reasons[("regular_schedules.csv", "weekday")]
    assert "soon" in reasons[("regular_schedules.csv", "opens_at")]
    assert len(passport.record["service_at_locations"][0]["schedules"]) == 3
    # a warning about location 22 is given once, not again for service 23 there
    assert by_id["23"].problems == []
    assert len(by_id["23"].record["service_at_locations"][0]["schedules"]) == 7

    fair_oaks = by_id["1"]
    assert [(p.file, p.row, p.field) for p in fair_oaks.problems] == [
        ("locations.csv", "row 1", "latitude/longitude")
    ]
    assert "latitude" not in fair_oaks.record["service_at_locations"][0]["location"]
