"""Mapped CSV: any CSV through a YAML mapping → HSDS 3.0 service records. Pure: no Elasticsearch.

The Florida legal aid directory (../shared) is read through data/mappings/florida-legal-aid.yaml;
its values below were looked up in services.csv by hand.
"""

from __future__ import annotations

import csv
import io
import shutil
import textwrap
from pathlib import Path

import pytest

from indexer.formats import mapped_csv
from indexer.formats.mapped_csv import Mapping
from indexer.hsds import Converter
from indexer.records import ReadError, SourceRow
from linkage.taxonomy import load_taxonomy
from tests.conftest import ROOT, SHARED, codes, requires_shared

FLORIDA = SHARED / "datasets" / "florida-legal-aid"
FLORIDA_MAPPING = ROOT / "data" / "mappings" / "florida-legal-aid.yaml"

AI_JUSTICE_IMMIGRATION = "5bc27d12-1b1c-40b5-a798-76cbd0502002"
BAY_PINES_VA = "5b96834b-d6e8-4c41-bc9d-b2b5ac1e02dd"
SENIOR_HELPLINE = "5b4f6833-d16c-4792-808b-47d6ac1e02dd"
VETERANS_HELPLINE = "5bc648cc-e854-4e22-b4df-481bac1e02dd"
YOUNG_ADULTS = "5bb644d4-bc5c-4df8-b1dc-7e12d0502006"
CHILD_SUPPORT_INCARCERATED = "5b845892-bdc8-4bcd-8fbc-345ed0502007"
EXPUNGEMENT = "5bb7606b-d3d0-4df0-b99d-11a3d0502007"
BROWARD_IMMIGRATION = "5bc761b0-e6e0-4d87-b815-0158d0502004"
RYAN_WHITE = "5b4f8c07-5664-4d04-abcf-0889d0502004"
ORANGE_IMMIGRATION = "5b576543-f2dc-4cc1-b0ea-1ac8d0502004"
TENANTS_RIGHTS = "5bd091c4-e84c-4002-b673-1fdad0502007"
PALM_BEACH_FAIR_HOUSING = "5bb51b55-24ac-41c7-afaa-0a0ed0502006"


def income(record: dict) -> str | None:
    return next(
        (
            a["value"]
            for a in record.get("attributes", [])
            if a["taxonomy_term"]["code"] == "income-max-fpl"
        ),
        None,
    )


def areas(record: dict) -> list[str]:
    return [a["extent"] for a in record.get("service_areas", [])]


def csv_data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return sum(1 for r in rows[1:] if any(f.strip() for f in r))


@pytest.fixture(scope="module")
def florida() -> list[SourceRow]:
    return list(mapped_csv.read(FLORIDA_MAPPING, FLORIDA))


@pytest.fixture(scope="module")
def florida_by_id(florida) -> dict[str, dict]:
    return {r.record["id"]: r.record for r in florida if r.record is not None}


# --- the Florida dataset -------------------------------------------------------------------


@requires_shared
def test_florida_every_row_is_produced_or_rejected(florida):
    produced = [r for r in florida if r.record is not None]
    rejected = [r for r in florida if r.record is None]
    assert len(florida) == csv_data_rows(FLORIDA / "services.csv") == 135
    assert len(florida) == len(produced) + len(rejected)
    assert len(produced) == 134
    # Row 64 (Gulfcoast's Birth Certificate Program) has a description broken over several
    # fields: 21 fields for a 19-column header, everything after it shifted. CsvFile reports
    # it and the row is rejected rather than indexed with a URL for a minimum age.
    assert [r.row for r in rejected] == ["row 64"]
    (problem,) = rejected[0].problems
    assert "21 fields" in problem.reason
    assert problem.record_id == "5b5743ff-e9d4-411e-b0a6-4d1fd0502003"
    # Every category value in the file is in the mapping: no warnings at all.
    assert [p for r in produced for p in r.problems] == []


@requires_shared
def test_florida_veterans_clinic(florida_by_id):
    r = florida_by_id[BAY_PINES_VA]
    assert r["name"] == "Bay Pines VA Medical Legal Partnership Clinic"
    assert r["alternate_name"] == "VA-MLP"
    assert r["organization"]["name"] == "Bay Area Legal Services, Inc."
    assert r["organization"]["website"] == "www.bals.org"
    # 0 and 200 are this export's "no limit": no ages at all.
    assert "minimum_age" not in r and "maximum_age" not in r
    assert income(r) == "125"
    assert codes(r, "linkage-eligibility") == ["income-max-fpl", "veterans"]
    assert areas(r) == ["county:FL:Pinellas"]
    # 66 problem codes, from Domestic Violence to Other Landlord/Tenant and Expungement.
    assert set(codes(r, "linkage")) == {
        "legal",
        "tenant-legal-aid",
        "protective-orders",
        "reentry-legal",
    }


@requires_shared
def test_florida_ages_income_and_tags(florida_by_id):
    senior = florida_by_id[SENIOR_HELPLINE]
    assert senior["minimum_age"] == 60 and "maximum_age" not in senior
    assert income(senior) == "300"
    assert "seniors" in codes(senior, "linkage-eligibility")
    assert len(areas(senior)) == 67  # every Florida county
    for county in ("county:FL:Miami-Dade", "county:FL:St. Lucie", "county:FL:DeSoto"):
        assert county in areas(senior)

    vets = florida_by_id[VETERANS_HELPLINE]
    assert "minimum_age" not in vets and vets["maximum_age"] == 59
    assert codes(vets, "linkage-eligibility") == ["income-max-fpl", "veterans"]
    assert areas(vets) == ["county:FL:Hillsborough", "county:FL:Pasco"]

    young = florida_by_id[YOUNG_ADULTS]
    assert young["organization"]["name"] == "Community Law Program"
    assert young["maximum_age"] == 23 and income(young) == "185"
    assert codes(young, "linkage-eligibility") == ["income-max-fpl"]


@requires_shared
def test_florida_immigration_and_incarceration_columns(florida_by_id):
    aij = florida_by_id[AI_JUSTICE_IMMIGRATION]
    assert aij["organization"]["name"] == "Americans for Immigrant Justice"
    assert codes(aij, "linkage") == ["immigration-legal"]
    assert codes(aij, "linkage-eligibility") == ["income-max-fpl", "immigrants"]
    assert income(aij) == "200"
    assert areas(aij) == [
        "county:FL:Broward",
        "county:FL:Collier",
        "county:FL:Lee",
        "county:FL:Miami-Dade",
        "county:FL:Monroe",
        "county:FL:Palm Beach",
    ]
    assert "immigrants" in codes(florida_by_id[ORANGE_IMMIGRATION], "linkage-eligibility")
    # Ryan White lists only "Lawful Permanent Resident (LPR)": not read as immigrants-only.
    ryan_white = florida_by_id[RYAN_WHITE]
    assert codes(ryan_white, "linkage-eligibility") == ["income-max-fpl"]
    assert income(ryan_white) == "300"
    # Only "Incarcerated - serving sentence in Jail/Other": for people in custody.
    child_support = florida_by_id[CHILD_SUPPORT_INCARCERATED]
    assert codes(child_support, "linkage-eligibility") == ["people-with-records"]
    assert areas(child_support) == ["county:FL:Orange"]
    # Most services accept everyone ("United States Citizen", "Not in custody"): no tag.
    tagged = {
        tag: sorted(
            sid for sid, r in florida_by_id.items() if tag in codes(r, "linkage-eligibility")
        )
        for tag in ("immigrants", "people-with-records", "veterans")
    }
    assert len(tagged["immigrants"]) == 3
    assert len(tagged["people-with-records"]) == 2
    assert len(tagged["veterans"]) == 7


@requires_shared
def test_florida_categories_from_names(florida_by_id):
    # Coded "Other Civil Rights" only; the name says what it is.
    assert codes(florida_by_id[EXPUNGEMENT], "linkage") == ["legal", "reentry-legal"]
    tenants = florida_by_id[TENANTS_RIGHTS]  # no problem codes at all, and no counties
    assert tenants["organization"]["name"] == "Legal Services of North Florida, Inc."
    assert codes(tenants, "linkage") == ["tenant-legal-aid"]
    assert "service_areas" not in tenants


@requires_shared
def test_florida_locations(florida_by_id):
    # Broward Legal Aid lists 45 locations, 13 of them at 491 N. State Road 7: the one named
    # like the service is kept, with its own phone.
    (sal,) = florida_by_id[BROWARD_IMMIGRATION]["service_at_locations"]
    location = sal["location"]
    assert location["name"] == "Immigration"
    assert location["addresses"] == [
        {
            "address_1": "491 N. State Road 7",
            "city": "Plantation",
            "state_province": "FL",
            "postal_code": "33317",
            "country": "US",
            "address_type": "physical",
        }
    ]
    assert location["phones"] == [
        {"number": "954-358-5647", "type": "voice", "description": "main"}
    ]
    # Americans for Immigrant Justice: 43 locations, mostly jails and "State: FL"; the ones
    # with a street address and ZIP are kept.
    names = [
        s["location"]["name"] for s in florida_by_id[AI_JUSTICE_IMMIGRATION]["service_at_locations"]
    ]
    assert "Boystown/Children's Village" in names and "Baker County Jail" not in names
    assert len(names) == 9
    # Bay Area Legal Services' Dade City office: three labelled numbers.
    bals = florida_by_id[BAY_PINES_VA]["service_at_locations"]
    dade_city = next(s["location"] for s in bals if s["location"]["name"] == "Dade City")
    assert dade_city["phones"] == [
        {"number": "800-955-8771", "type": "textphone", "description": "tdd"},
        {"number": "352-567-9044", "type": "voice", "description": "main"},
        {"number": "800-625-2257", "type": "voice", "description": "tollfree"},
    ]


@requires_shared
def test_florida_records_all_convert(florida):
    converter = Converter("florida", load_taxonomy(), "America/New_York")
    documents = {}
    for row in florida:
        if row.record is None:
            continue
        out = converter.convert(row)
        assert out.rejections == [], (row.row, out.rejections)
        assert out.documents
        for doc in out.documents:
            documents.setdefault(doc["source_ids"]["service"], []).append(doc)
    assert len(documents) == 134
    (doc,) = documents[BROWARD_IMMIGRATION]
    assert doc["organization_name"] == "Legal Aid Service of Broward County, Inc."
    assert doc["location_precision"] == "zip"
    assert doc["address"]["county"] == "Broward"
    assert set(doc["delivery"]) == {"in_person", "phone"}
    assert doc["categories"] == ["immigration-legal"]
    bay_pines = documents[BAY_PINES_VA][0]
    assert bay_pines["eligibility"]["tags"] == ["veterans"]
    assert bay_pines["eligibility"]["income_max_fpl"] == 125
    assert bay_pines["service_areas"] == ["county:FL:Pinellas"]
    # No location with an address (Palm Beach lists four, none with a street): one document
    # without a place, found through its county.
    (fair_housing,) = documents[PALM_BEACH_FAIR_HOUSING]
    assert fair_housing["location"] is None and fair_housing["address"] is None
    assert fair_housing["service_areas"] == ["county:FL:Palm Beach"]
    assert fair_housing["categories"] == ["legal", "tenant-legal-aid"]


# --- malformed mappings --------------------------------------------------------------------


def florida_mapping_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = FLORIDA_MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "florida.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@requires_shared
def test_unknown_key_names_it(tmp_path):
    path = florida_mapping_copy(tmp_path, "  eligibility:\n", "  eligibilty:\n")
    with pytest.raises(ReadError, match=r"services: unknown key 'eligibilty'"):
        mapped_csv.read(path, FLORIDA)
    path = florida_mapping_copy(tmp_path, "truthy: true", "truthy: true\n        colour: blue")
    with pytest.raises(
        ReadError, match=r"services\.eligibility\.tags\.veterans: unknown key 'colour'"
    ):
        mapped_csv.read(path, FLORIDA)


@requires_shared
def test_column_not_in_csv_names_key_and_column(tmp_path):
    path = florida_mapping_copy(tmp_path, "column: service_max_age", "column: service_maximum_age")
    with pytest.raises(ReadError) as info:
        mapped_csv.read(path, FLORIDA)
    message = str(info.value)
    assert "services.eligibility.max_age" in message
    assert "'service_maximum_age' is not in services.csv" in message
    # A joined file's column, checked against that file's header.
    path = florida_mapping_copy(tmp_path, "name: location_name", "name: location_title")
    with pytest.raises(
        ReadError,
        match=r"locations\.fields\.name: column 'location_title' is not in locations\.csv",
    ):
        mapped_csv.read(path, FLORIDA)


@requires_shared
def test_unknown_category_or_tag_code_is_a_mapping_error(tmp_path):
    path = florida_mapping_copy(
        tmp_path, '"Immigration": immigration-legal', '"Immigration": immigration-law'
    )
    with pytest.raises(
        ReadError,
        match=r"services\.categories\.map\.immigration: unknown category 'immigration-law'",
    ):
        mapped_csv.read(path, FLORIDA)
    path = florida_mapping_copy(tmp_path, "      veterans:\n", "      veteran:\n")
    with pytest.raises(ReadError, match=r"unknown eligibility tag 'veteran'"):
        mapped_csv.read(path, FLORIDA)


def test_yaml_booleans_do_not_eat_keys(tmp_path):
    """YAML 1.1 reads `on:` and `yes:` as booleans; the mapping loader does not."""
    write(tmp_path / "s.csv", "id,name,org,vet\n1,Clinic,o1,Yes\n")
    write(tmp_path / "o.csv", "org,org_name\no1,Legal Aid\n")
    mapping = write(
        tmp_path / "m.yaml",
        """
        services:
          file: s.csv
          id: id
          fields: {name: name}
          eligibility:
            tags:
              veterans: {column: vet, map: {yes: "true", no: "false"}, truthy: true}
        organization:
          file: o.csv
          key: org
          on: org
          fields: {name: org_name}
        """,
    )
    (row,) = mapped_csv.read(mapping)
    assert row.record["organization"] == {"name": "Legal Aid"}
    assert codes(row.record, "linkage-eligibility") == ["veterans"]


# --- malformed rows ------------------------------------------------------------------------


@requires_shared
def test_truncated_csv_rejects_that_row_only(tmp_path):
    with (FLORIDA / "services.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    with (tmp_path / "services.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerows(rows[:11])  # header and rows 1-10
        cut = io.StringIO()
        csv.writer(cut, lineterminator="").writerow(rows[11][:4])
        fh.write(cut.getvalue())  # row 11 cut after its name, no newline
    for name in ("organizations.csv", "locations.csv"):
        shutil.copy(FLORIDA / name, tmp_path / name)
    out = list(mapped_csv.read(FLORIDA_MAPPING, tmp_path))
    assert len(out) == 11
    assert all(r.record is not None for r in out[:10])
    assert out[10].record is None and out[10].row == "row 11"
    (problem,) = out[10].problems
    assert "4 of 19 fields" in problem.reason
    assert problem.record_id == "5b50b06c-46a4-4739-8774-5d01d0502007"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding=encoding)
    return path


SMALL_MAPPING = """
    services:
      file: services.csv
      id: id
      fields:
        name: title
        description: {join: [about, notes], separator: " / "}
        status: {column: state, map: {open: active, closed: inactive}, default: active}
        url: {column: links, split: " ", pattern: '^(?P<value>https?://\\S+)$'}
      languages: {column: langs, split: "|"}
      categories:
        column: topics
        split: ","
        map: {food: food-pantry, meals: free-meals, misc: null}
        default: food
      eligibility:
        min_age: min
        max_age: max
        income_max_fpl: income
      fees: {constant: free}
      service_areas: {column: area, split: ";", area: zip, state: IL, statewide: [Illinois]}
    locations:
      address:
        fields: {address_1: street, city: city, state_province: {constant: IL}, postal_code: zip}
      phones: {column: phone, split: ";"}
"""
SMALL_CSV = """
    id,title,about,notes,state,links,langs,topics,min,max,income,area,street,city,zip,phone
    p1,Pantry,Groceries,Bring ID,open,see https://p.example,en|es,"food, meals, misc",,,200,60623;60608-1234,1 Main St,Chicago,60623,312-555-0100
    p2,Kitchen,,,closed,,,"meals, soup",ten,65,,Illinois,,,,
    p1,Pantry again,,,,,,,,,,,,,,
    ,No id,,,,,,,,,,,,,,
    p3,,,,,,,,,,,,,,,
    p4,Old,,,,,,,30,18,lots,606,,,,
"""


def test_transforms_and_row_problems(tmp_path):
    write(tmp_path / "services.csv", SMALL_CSV)
    mapping = Mapping.load(write(tmp_path / "m.yaml", SMALL_MAPPING))
    rows = list(mapping.read())
    assert [r.row for r in rows] == [f"row {n}" for n in range(1, 7)]

    p1 = rows[0].record
    assert p1["description"] == "Groceries / Bring ID"
    assert p1["status"] == "active"
    assert p1["url"] == "https://p.example"
    assert p1["languages"] == [{"code": "en"}, {"code": "es"}]
    assert codes(p1, "linkage") == ["food-pantry", "free-meals"]
    assert codes(p1, "linkage-fees") == ["free"]
    assert income(p1) == "200"
    assert areas(p1) == ["zip:60623", "zip:60608"]
    (sal,) = p1["service_at_locations"]  # columns of the main file: one location
    assert sal["location"]["addresses"][0]["address_1"] == "1 Main St"
    assert sal["location"]["phones"] == [{"number": "312-555-0100", "type": "voice"}]
    assert rows[0].problems == []

    p2 = rows[1]
    assert p2.record["status"] == "inactive"
    assert areas(p2.record) == ["state:IL"]
    assert "service_at_locations" not in p2.record
    # "soup" is not in the map: the default, and a warning naming the value.
    assert codes(p2.record, "linkage") == ["free-meals", "food"]
    assert "minimum_age" not in p2.record and p2.record["maximum_age"] == 65
    assert {(p.field, p.reason) for p in p2.problems} == {
        ("categories", "unknown category value 'soup': counted as 'food'"),
        ("minimum_age", "not a whole number: 'ten'; dropped"),
    }
    assert p2.unmapped == [("services.csv column 'topics'", "soup")]

    assert rows[2].record is None
    assert rows[2].problems[0].reason == "duplicate id 'p1': first seen in row 1"
    assert rows[3].record is None and rows[3].problems[0].field == "id"
    assert rows[4].record is None and rows[4].problems[0].field == "name"
    assert "column 'title'" in rows[4].problems[0].reason

    p4 = rows[5]
    assert "minimum_age" not in p4.record and "maximum_age" not in p4.record
    assert "attributes" not in p4.record or income(p4.record) is None
    assert {p.field for p in p4.problems} == {"minimum_age", "income_max_fpl", "service_areas"}

    converter = Converter("small", load_taxonomy(), "America/Chicago")
    for row in rows:
        if row.record is not None:
            assert converter.convert(row).rejections == []


def test_latin1_file_is_noted_on_the_first_row(tmp_path):
    write(tmp_path / "services.csv", "id,title\nc1,Café\nc2,Niño\n", encoding="cp1252")
    mapping = write(
        tmp_path / "m.yaml", "services: {file: services.csv, id: id, fields: {name: title}}\n"
    )
    first, second = mapped_csv.read(mapping)
    assert first.record["name"] == "Café" and second.record["name"] == "Niño"
    assert [p.reason for p in first.problems] == ["not UTF-8: read as Windows-1252 (Latin-1)"]
    assert second.problems == []


def test_missing_file_and_folder_key(tmp_path):
    (tmp_path / "data").mkdir()
    write(tmp_path / "data" / "services.csv", "id,title\na,A\n")
    mapping = write(
        tmp_path / "m.yaml",
        "folder: data\nservices: {file: services.csv, id: id, fields: {name: title}}\n",
    )
    assert [r.record["name"] for r in mapped_csv.read(mapping)] == ["A"]
    with pytest.raises(ReadError, match=r"services\.csv not found"):
        mapped_csv.read(mapping, tmp_path / "elsewhere")


def test_joined_files_one_to_many(tmp_path):
    write(tmp_path / "services.csv", "id,name,org\ns1,Food,o1\ns2,Rides,o2\ns3,Help,o3\n")
    # o2's row is cut short; o3 is not there at all.
    write(tmp_path / "orgs.csv", "org_id,org_name,site\no1,Pantry Inc,p.org\no2\n")
    write(
        tmp_path / "sites.csv",
        """
        site_id,org_id,site_name,addr,phone
        a,o1,Main,"1 Main St, Chicago, IL 60623",312-555-0100
        b,o1,Food,"2 Oak St, Chicago, IL 60608",
        c,o1,Annex,"2 Oak St, Chicago, IL 60608",
        d,o1,Mobile,"State: IL",
        e,o2,Depot,"9 Elm St, Evanston, IL 60201",
        """,
    )
    mapping = write(
        tmp_path / "m.yaml",
        """
        services: {file: services.csv, id: id, fields: {name: name}}
        organization:
          file: orgs.csv
          key: org_id
          on: org
          fields: {id: org_id, name: org_name, website: site}
        locations:
          file: sites.csv
          key: org_id
          on: org
          id: site_id
          fields: {name: site_name}
          address:
            column: addr
            pattern: '^(?P<address_1>[^,]+), (?P<city>[^,]+), (?P<state_province>\\w\\w) (?P<postal_code>\\d{5})$'
          phones: phone
          skip_unplaced: true
          distinct: [addr]
        """,
    )
    s1, s2, s3 = mapped_csv.read(mapping)
    assert s1.record["organization"] == {"id": "o1", "name": "Pantry Inc", "website": "p.org"}
    # "State: IL" has no address: skipped; b and c share an address: the first is kept.
    assert [s["location"]["id"] for s in s1.record["service_at_locations"]] == ["a", "b"]
    assert s1.record["service_at_locations"][0]["location"]["phones"] == [
        {"number": "312-555-0100", "type": "voice"}
    ]
    assert s1.problems == []
    assert "organization" not in s2.record
    assert [p.reason for p in s2.problems] == [
        "orgs.csv row 2 is malformed (row has 1 of 3 fields (truncated?)); not used"
    ]
    assert [s["location"]["name"] for s in s2.record["service_at_locations"]] == ["Depot"]
    assert [p.reason for p in s3.problems] == ["no row with org_id 'o3' in orgs.csv"]
    assert "service_at_locations" not in s3.record


def test_a_stray_quote_is_reported_not_swallowing_the_rows_after_it(tmp_path):
    from indexer.csvfiles import CsvFile

    cases = {
        # A quote never closed: the rest of the file is one field (was: one "good" row);
        # the rows it swallowed are each rejected, so a load counts them (was: lost).
        'id,name,note\n1,A,"broken\n2,B,fine\n3,C,fine\n': [
            ("row 1", 'the file ends inside a quote opened on line 2 (truncated, or a stray quote?): lines 2-4 could not be read'),
            ("row 2", "after the quote opened on line 2 that is never closed: not loaded (fix the quote and load again)"),
            ("row 3", "after the quote opened on line 2 that is never closed: not loaded (fix the quote and load again)"),
        ],
        # A file cut off inside a quoted field.
        'id,name,note\n1,A,ok\n2,B,"cut off her': [
            ("row 2", "the file ends inside a quote opened on line 3 (truncated, or a stray quote?): lines 3-3 could not be read")
        ],
        # Text after a closing quote: that row only; the rows after it are read.
        'id,name,note\n1,A,"ab"c\n2,B,fine\n': [("row 1", "unreadable CSV on line 2: ',' expected after '\"'")],
    }  # fmt: skip
    for text, expected in cases.items():
        path = tmp_path / "services.csv"
        path.write_text(text, encoding="utf-8")
        rows = list(CsvFile(path))
        assert [(r.problem.row, r.problem.reason) for r in rows if r.problem] == expected, text
    assert [r.values["name"] for r in rows if not r.problem] == ["B"]


def test_unknown_category_values_are_counted_in_the_import_report(tmp_path, es, taxonomy):
    from indexer.hsds import Converter
    from indexer.load import rebuild

    write(tmp_path / "services.csv", SMALL_CSV)
    write(tmp_path / "m.yaml", SMALL_MAPPING)
    alias = "linkage-test-mapped"
    try:
        report = rebuild(
            es,
            alias,
            mapped_csv.read(tmp_path / "m.yaml"),
            Converter("m", taxonomy, "America/Chicago"),
        )
        assert report.as_dict()["unmapped_terms"] == [
            {"taxonomy": "services.csv column 'topics'", "term": "soup", "records": 1}
        ]  # fmt: skip
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


def test_a_211_spreadsheet_maps_its_codes_through_the_deployers_crosswalk(tmp_path, es, taxonomy):
    from indexer.crosswalk import Crosswalk
    from indexer.hsds import Converter
    from indexer.load import rebuild

    # BD-1800.2000 maps through the shipped crosswalk; the deployer's row for BH-1800.8500
    # replaces the shipped one (emergency-shelter).
    write(tmp_path / "crosswalk.csv", "code_prefix,category\nBH-1800.8500,shelter\n")
    write(tmp_path / "services.csv", """
        id,name,codes
        s1,Westside Pantry,BD-1800.2000
        s2,Night Shelter; Meals,BH-1800.8500;BD-1800.2000
        s3,Mystery Service,ZZ-9999
    """)  # fmt: skip
    write(tmp_path / "m.yaml", """
        services:
          file: services.csv
          id: id
          fields: {name: name}
          categories: {column: codes, split: ";", vocabulary: "211"}
    """)  # fmt: skip
    crosswalk = Crosswalk.from_file_211(taxonomy, tmp_path / "crosswalk.csv")
    alias = "linkage-test-211"
    try:
        report = rebuild(es, alias, mapped_csv.read(tmp_path / "m.yaml"),
                         Converter("county-211", taxonomy, "America/Chicago", crosswalk))  # fmt: skip
        assert report.indexed == 3
        assert report.as_dict()["unmapped_terms"] == [
            {"taxonomy": "211", "term": "ZZ-9999", "records": 1}
        ]
        found = {h["_source"]["source_ids"]["service"]: h["_source"]["categories"] for h in es.search(index=alias)["hits"]["hits"]}  # fmt: skip
        assert found == {"s1": ["food-pantry"], "s2": ["shelter", "food-pantry"], "s3": []}
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


def test_a_vocabulary_leaves_the_mapping_to_the_crosswalk(tmp_path):
    path = write(tmp_path / "m.yaml", """
        services:
          file: services.csv
          id: id
          fields: {name: name}
          categories: {column: codes, vocabulary: "211", map: {x: food}}
    """)  # fmt: skip
    with pytest.raises(ReadError, match="no map or default"):
        Mapping.load(path)
