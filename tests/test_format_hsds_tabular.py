"""HSDS tabular data packages (3.0 and 2.x names) → HSDS 3.0 full service records. Pure: no node."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from indexer.formats.hsds_tabular import read
from indexer.hsds import Converter
from indexer.records import ReadError, SourceRow
from linkage.taxonomy import load_taxonomy
from tests.conftest import SHARED, requires_shared

EXAMPLES = SHARED / "reference" / "hsds-3.0" / "examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def write(folder: Path, name: str, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture(scope="module")
def converter():
    return Converter("test", load_taxonomy(), "America/Chicago")


def assert_converts(rows: list[SourceRow], converter) -> list:
    """Every record read converts without rejection (warnings are allowed)."""
    results = []
    for row in rows:
        if row.record is None:
            continue
        converted = converter.convert(row)
        assert converted.rejections == [], (row.row, converted.rejections)
        assert converted.documents
        results.append(converted)
    return results


# -- the HSDS 3.0 example package ------------------------------------------------------------


@requires_shared
def test_hsds_30_example_package(converter):
    rows = list(read(EXAMPLES / "csv"))
    assert [(r.file, r.row) for r in rows] == [("services.csv", "row 1")]
    record = rows[0].record
    full = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))

    for key in ("id", "name", "alternate_name", "url", "email", "status", "fees_description",
                "eligibility_description", "application_process", "assured_date",
                "minimum_age", "maximum_age"):  # fmt: skip
        assert record[key] == full[key], key
    assert record["description"] == full["description"].strip()
    for key in ("id", "name", "description", "website"):
        assert record["organization"][key] == full["organization"][key], key
    assert [(lang["code"], lang["name"]) for lang in record["languages"]] == [("ur", "Urdu")]

    [sal] = record["service_at_locations"]
    [full_sal] = full["service_at_locations"]
    assert sal["id"] == full_sal["id"]
    location = sal["location"]
    for key in ("id", "name", "location_type", "latitude", "longitude"):
        assert location[key] == full_sal["location"][key], key
    assert isinstance(location["latitude"], float)  # (100, 101): the converter rejects them
    [address] = location["addresses"]
    for key, value in full_sal["location"]["addresses"][0].items():
        assert address[key] == value, key
    [phone] = sal["phones"]
    full_phone = full_sal["phones"][0]
    assert (phone["id"], phone["number"], phone["type"]) == (
        full_phone["id"], full_phone["number"], full_phone["type"]
    )  # fmt: skip
    assert phone["extension"] == str(full_phone["extension"])
    assert phone["languages"][0]["code"] == "ur"
    [schedule] = sal["schedules"]
    for key in ("id", "freq", "byday", "opens_at", "closes_at", "description"):
        assert schedule[key] == full_sal["schedules"][0][key], key
    [area] = record["service_areas"]
    for key in ("name", "extent", "extent_type"):
        assert area[key] == full["service_areas"][0][key], key
    # The example attribute links to f28dd44b-... (the schema's placeholder), not the service.
    assert record["attributes"] == []
    # The example's datapackage.json is the real descriptor: its resources name every table
    # read above, so nothing is warned about (a descriptor it could not follow would be).
    assert rows[0].problems == []

    [converted] = assert_converts(rows, converter)
    [doc] = converted.documents
    assert doc["organization_name"] == "Example Organization Inc."
    assert doc["location"] is None  # latitude 100 is not a coordinate
    assert any("invalid coordinates" in w.reason for w in converted.warnings)
    assert {(p["day"], p["opens"], p["closes"]) for p in doc["schedule"]} == {
        ("TH", "10:00", "18:00"), ("FR", "10:00", "18:00")
    }  # fmt: skip
    assert doc["languages"] == ["ur"]
    assert doc["phones"][0]["number"].endswith("1234 234567")


@requires_shared
def test_hsds_30_attributes_taxonomy_terms_and_free_cost(tmp_path, converter):
    """The example package with its attribute linked to the service and a free cost option."""
    for path in (EXAMPLES / "csv").glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    full = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    term = full["attributes"][0]["taxonomy_term"]
    write(tmp_path, "attributes.csv", [
        ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
        ["attr-1", SERVICE_ID, term["id"], "", "service", ""],
        ["attr-2", "another-service", term["id"], "", "service", ""],
        ["attr-3", SERVICE_ID, "no-such-term", "", "service", ""],
    ])  # fmt: skip
    with (tmp_path / "taxonomy_terms.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(
            [term["parent_id"], "p", "Parent term", "", "", "taxonomy", "", "", ""]
        )
    write(tmp_path, "cost_options.csv", [
        ["id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"],
        ["c1", SERVICE_ID, "", "", "Everyone", "usd", "0", ""],
    ])  # fmt: skip

    [row] = list(read(tmp_path))
    attributes = row.record["attributes"]
    assert attributes[0]["taxonomy_term"] == {
        "id": term["id"],
        "code": term["code"],
        "name": term["name"],
        "description": term["description"],
        "taxonomy": term["taxonomy"],
        "parent_name": "Parent term",
    }
    assert attributes[1]["taxonomy_term"] == {
        "taxonomy": "linkage-fees",
        "code": "free",
        "name": "Free",
    }
    assert len(attributes) == 2
    assert row.record["cost_options"][0]["amount"] == 0.0
    [missing] = [p for p in row.problems if p.field == "taxonomy_term_id"]
    assert (missing.file, missing.row, missing.record_id) == ("attributes.csv", "row 3", SERVICE_ID)

    [converted] = assert_converts([row], converter)
    assert converted.documents[0]["fees"] == "free"


# -- a 2.x-style package ---------------------------------------------------------------------


def write_2x_package(folder: Path) -> Path:
    write(folder, "organizations.csv", [
        ["id", "name", "alternate_name", "description", "email", "url"],
        ["o1", "Southside Food Bank", "", "Groceries for the South Side", "", "https://food.example.org"],
        ["o2", "Westside Health", "", "A community clinic", "", "https://health.example.org"],
    ])  # fmt: skip
    write(folder, "locations.csv", [
        ["id", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude"],
        ["l1", "o1", "Pilsen Pantry", "", "", "", "41.8525", "-87.6610"],
        ["l2", "o2", "Austin Clinic", "", "", "", "forty-one", "-87.7650"],
    ])  # fmt: skip
    write(folder, "physical_addresses.csv", [
        ["id", "location_id", "attention", "address_1", "address_2", "address_3", "address_4", "city", "region", "state_province", "postal_code", "country"],
        ["a1", "l1", "", "1800 S Blue Island Ave", "Suite 4", "", "", "Chicago", "", "IL", "60608", "US"],
        ["a2", "l2", "", "5500 W Madison St", "", "", "", "Chicago", "", "IL", "60644", "US"],
    ])  # fmt: skip
    write(folder, "services.csv", [
        ["id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "wait_time", "fees", "accreditations", "licenses"],
        ["s1", "o1", "", "Weekly Groceries", "", "A week of groceries per household", "", "", "active", "", "Walk in with ID", "", "No charge", "", ""],
        ["s2", "o2", "", "Primary Care", "", "Checkups and sick visits", "", "", "active", "", "Call for an appointment", "", "Sliding scale", "", ""],
        ["s3", "o1", "", "Benefits Hotline", "", "Help applying for SNAP by phone", "", "", "active", "", "", "", "", "", ""],
    ])  # fmt: skip
    write(folder, "services_at_location.csv", [
        ["id", "service_id", "location_id", "description"],
        ["sal1", "s1", "l1", "Groceries at the pantry"],
        ["sal2", "s2", "l2", ""],
        ["sal3", "s2", "closed-site", ""],
    ])  # fmt: skip
    write(folder, "regular_schedules.csv", [
        ["id", "service_id", "location_id", "service_at_location_id", "weekday", "opens_at", "closes_at"],
        ["r1", "s1", "l1", "", "Monday", "09:00", "17:00"],
        ["r2", "s1", "l1", "", "3", "9:00 AM", "5:30 PM"],
        ["r3", "", "", "sal2", "Tue", "08:30", "12:00"],
        ["r4", "s3", "", "", "7", "10:00", "14:00"],
        ["r5", "", "l1", "", "Funday", "10:00", "14:00"],
    ])  # fmt: skip
    write(folder, "phones.csv", [
        ["id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "language", "description"],
        ["p1", "l1", "", "", "", "", "312-555-0100", "", "voice", "", ""],
        ["p2", "", "s3", "", "", "", "800-555-0199", "", "voice", "", "Hotline"],
        ["p3", "", "", "o2", "", "", "773-555-0123", "12", "voice", "", ""],
    ])  # fmt: skip
    write(folder, "languages.csv", [
        ["id", "service_id", "location_id", "language"],
        ["g1", "s1", "", "Spanish"],
        ["g2", "s2", "", "pl"],
    ])  # fmt: skip
    write(folder, "service_taxonomy.csv", [
        ["id", "service_id", "taxonomy_id", "taxonomy_detail"],
        ["st1", "s1", "t2", ""],
        ["st2", "s2", "t3", ""],
    ])  # fmt: skip
    write(folder, "taxonomy.csv", [
        ["id", "name", "parent_id", "parent_name", "vocabulary"],
        ["t1", "Food", "", "", "Open Eligibility"],
        ["t2", "Food Pantry", "t1", "", "Open Eligibility"],
        ["t3", "Primary Care", "", "Health", "Open Eligibility"],
    ])  # fmt: skip
    return folder


def test_hsds_2x_package(tmp_path, converter):
    rows = list(read(write_2x_package(tmp_path)))
    assert [(r.file, r.row) for r in rows] == [("services.csv", f"row {n}") for n in (1, 2, 3)]
    s1, s2, s3 = (r.record for r in rows)

    assert s1["organization"] == {
        "id": "o1",
        "name": "Southside Food Bank",
        "description": "Groceries for the South Side",
        "website": "https://food.example.org",
        "phones": [],
    }
    assert s1["fees_description"] == "No charge"  # 2.x fees
    assert s1["languages"] == [{"id": "g1", "name": "Spanish"}]
    assert s2["languages"] == [{"id": "g2", "code": "pl"}]
    [sal] = s1["service_at_locations"]
    assert sal["id"] == "sal1"
    assert sal["description"] == "Groceries at the pantry"
    location = sal["location"]
    assert (location["id"], location["name"], location["location_type"]) == (
        "l1",
        "Pilsen Pantry",
        "physical",
    )
    assert (location["latitude"], location["longitude"]) == (41.8525, -87.661)
    assert location["addresses"] == [{
        "id": "a1", "address_1": "1800 S Blue Island Ave", "address_2": "Suite 4", "city": "Chicago",
        "state_province": "IL", "postal_code": "60608", "country": "US", "address_type": "physical",
    }]  # fmt: skip
    assert [p["number"] for p in location["phones"]] == ["312-555-0100"]
    # weekday name / ISO number, 12-hour times; a service+location row belongs to that location
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in sal["schedules"]] == [
        ("WEEKLY", "MO", "09:00", "17:00"),
        ("WEEKLY", "WE", "09:00", "17:30"),
    ]
    assert s1["schedules"] == []
    assert location["schedules"] == [{"id": "r5", "opens_at": "10:00", "closes_at": "14:00"}]
    assert s1["attributes"] == [{
        "id": "st1", "link_id": "s1", "link_entity": "service",
        "taxonomy_term": {"id": "t2", "name": "Food Pantry", "taxonomy": "Open Eligibility", "parent_name": "Food"},
    }]  # fmt: skip
    assert s2["attributes"][0]["taxonomy_term"]["parent_name"] == "Health"  # from parent_name
    assert [p["number"] for p in s2["organization"]["phones"]] == ["773-555-0123"]

    [sal2] = s2["service_at_locations"]  # sal3 points at a location that does not exist
    assert "latitude" not in sal2["location"]
    assert sal2["location"]["longitude"] == -87.765
    assert [(s["byday"], s["opens_at"]) for s in sal2["schedules"]] == [("TU", "08:30")]
    problems = {(p.file, p.row, p.field): p for p in rows[1].problems}
    assert problems[("locations.csv", "row 2", "latitude")].record_id == "s2"
    assert "not found" in problems[("services_at_location.csv", "row 3", "location_id")].reason

    assert s3["service_at_locations"] == []  # phone-only
    assert [(p["number"], p["description"]) for p in s3["phones"]] == [("800-555-0199", "Hotline")]
    assert [(s["byday"], s["opens_at"]) for s in s3["schedules"]] == [("SU", "10:00")]

    # The unreadable weekday is a file-level warning, on the first record.
    assert any(p.field == "weekday" and p.file == "regular_schedules.csv" for p in rows[0].problems)
    assert not any(p.field == "weekday" for r in rows[1:] for p in r.problems)

    c1, c2, c3 = assert_converts(rows, converter)
    doc1 = c1.documents[0]
    assert doc1["location"] == {"lat": 41.8525, "lon": -87.661}
    assert doc1["organization_name"] == "Southside Food Bank"
    assert doc1["address"]["postal_code"] == "60608"
    assert "in_person" in doc1["delivery"]
    assert {p["day"] for p in doc1["schedule"]} == {"MO", "WE"}
    assert len(c2.documents) == 1
    assert c3.documents[0]["location"] is None and c3.documents[0]["delivery"] == ["phone"]


def test_1x_services_naming_their_location(tmp_path, converter):
    write(
        tmp_path,
        "locations.csv",
        [["id", "name", "lat", "long"], ["l1", "Office", "41.88", "-87.63"]],
    )
    write(tmp_path, "services.csv", [["id", "location_id", "name"], ["s1", "l1", "Counseling"]])
    write(tmp_path, "regular_schedules.csv", [
        ["id", "service_id", "location_id", "weekday", "opens_at", "closes_at"],
        ["r1", "s1", "l1", "Friday", "09:00", "12:00"],
    ])  # fmt: skip
    [row] = list(read(tmp_path))
    [sal] = row.record["service_at_locations"]
    assert sal["location"]["id"] == "l1"
    assert (sal["location"]["latitude"], sal["location"]["longitude"]) == (41.88, -87.63)
    assert [s["byday"] for s in sal["schedules"]] == ["FR"]
    assert row.record["schedules"] == []
    assert_converts([row], converter)


def test_datapackage_resource_paths_are_trusted(tmp_path, converter):
    data = tmp_path / "tables"
    write(data, "svc.csv", [["id", "name", "organization_id"], ["s1", "Shelter", "o1"]])
    write(data, "orgs.csv", [["id", "name"], ["o1", "From the datapackage"]])
    write(tmp_path, "organizations.csv", [["id", "name"], ["o1", "Not this one"]])
    write(tmp_path, "services.csv", [["id", "name"], ["x", "Not this one either"]])
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "service", "path": "tables/svc.csv"},
        {"name": "organization", "path": "tables/orgs.csv"},
        {"name": "phone", "path": "../phones.csv"},
        {"name": "contact", "path": "tables/contacts.csv"},
    ]}))  # fmt: skip
    [row] = list(read(tmp_path))
    assert (row.file, row.record["id"]) == ("svc.csv", "s1")
    assert row.record["organization"]["name"] == "From the datapackage"
    assert [(p.file, p.field) for p in row.problems] == [("datapackage.json", "path")]
    assert "outside the package" in row.problems[0].reason
    assert_converts([row], converter)


# -- malformed input -------------------------------------------------------------------------


def test_truncated_service_row_is_rejected_others_kept(tmp_path, converter):
    path = write(tmp_path, "services.csv", [
        ["id", "name", "description", "status"],
        ["s1", "Food Pantry", "Groceries", "active"],
        ["s3", "Clinic", "Checkups", "active"],
    ])  # fmt: skip
    # A file cut off in the middle of a row, then a later row: row 2 is short.
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0], lines[1], "s2,Shelter", lines[2]]) + "\n", encoding="utf-8"
    )
    rows = list(read(tmp_path))
    assert [r.row for r in rows] == ["row 1", "row 2", "row 3"]
    assert rows[1].record is None
    [problem] = rows[1].problems
    assert (problem.file, problem.row) == ("services.csv", "row 2")
    assert "truncated" in problem.reason
    assert [r.record["id"] for r in (rows[0], rows[2])] == ["s1", "s3"]
    assert_converts(rows, converter)


def test_missing_id_or_name_value_rejects_the_row(tmp_path):
    write(tmp_path, "services.csv", [["id", "name"], ["", "No id"], ["s2", ""], ["s3", "Fine"]])
    rows = list(read(tmp_path))
    assert [r.record is None for r in rows] == [True, True, False]
    assert [(r.problems[0].row, r.problems[0].field) for r in rows[:2]] == [
        ("row 1", "id"),
        ("row 2", "name"),
    ]
    assert rows[1].problems[0].record_id == "s2"


def test_latin1_services_file(tmp_path, converter):
    write(tmp_path, "services.csv", [
        ["id", "name", "description"],
        ["s1", "Café Comunitário", "Señoras y niños"],
    ], encoding="latin-1")  # fmt: skip
    [row] = list(read(tmp_path))
    assert row.record["name"] == "Café Comunitário"
    assert row.record["description"] == "Señoras y niños"
    [warning] = row.problems
    assert warning.file == "services.csv" and "not UTF-8" in warning.reason
    assert_converts([row], converter)


def test_services_without_name_column_is_a_read_error(tmp_path):
    write(tmp_path, "services.csv", [["id", "title"], ["s1", "Food"]])
    with pytest.raises(ReadError, match=r"services\.csv.*name"):
        list(read(tmp_path))


def test_no_services_file_is_a_read_error(tmp_path):
    write(tmp_path, "organizations.csv", [["id", "name"], ["o1", "Org"]])
    with pytest.raises(ReadError, match=r"services\.csv"):
        list(read(tmp_path))


def test_unusable_secondary_table_is_ignored_with_a_warning(tmp_path, converter):
    write(tmp_path, "services.csv", [["id", "name"], ["s1", "Food"]])
    write(tmp_path, "services_at_location.csv", [["id", "service"], ["x", "s1"]])
    write(
        tmp_path,
        "phones.csv",
        [["id", "service_id", "number"], ["p1", "s1"], ["p2", "s1", "312-555-0100"]],
    )
    [row] = list(read(tmp_path))
    assert row.record["service_at_locations"] == []
    assert [p["id"] for p in row.record["phones"]] == ["p2"]
    reasons = {(p.file, p.row): p.reason for p in row.problems}
    assert "file ignored" in reasons[("services_at_location.csv", "-")]
    assert "row skipped" in reasons[("phones.csv", "row 1")]
    assert_converts([row], converter)
