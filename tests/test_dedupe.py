"""Duplicates against the real node: what is the same service, and which listing is kept.

Records are small HSDS JSON services loaded through indexer.load.rebuild, as an import does.
"""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from indexer.hsds import Converter, dedupe_key, document_id
from indexer.load import rebuild
from tests.test_indexer import rows, service

ALIAS = "linkage-test-dedupe-rules"  # its own: not the LINKAGE_TEST_ALIAS of a run


@pytest.fixture
def converter(taxonomy, settings):
    return Converter("test", taxonomy, settings.default_timezone)


@pytest.fixture
def clean(es):
    yield
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def listing(sid, name="Case Management", organization=None, place=(41.85, -87.71), **extra):
    """A service of `organization` ({"id", "name"}) at `place` (None: no location at all)."""
    record = service(sid, name=name, **extra)
    if organization is not None:
        record["organization"] = organization
    if place is None:
        del record["service_at_locations"]
    else:
        lat, lon = place
        record["service_at_locations"][0]["location"].update(latitude=lat, longitude=lon)
    return record


def duplicates(report) -> dict[str, str]:
    """Reported duplicate record id → the reason (which names the listing kept)."""
    return {r.record_id: r.reason for r in report.rejections if "duplicate of" in r.reason}


# -- distinct organisations ------------------------------------------------------------------


def test_programmes_of_two_nameless_organisations_are_both_kept(es, converter, clean):
    """An export whose organisation ids do not resolve: the names are empty, the ids differ."""
    placed = [
        listing("a", organization={"id": "org-1"}),
        listing("b", organization={"id": "org-2"}),
    ]
    unplaced = [
        listing("c", organization={"id": "org-1", "name": ""}, place=None),
        listing("d", organization={"id": "org-2", "name": ""}, place=None),
    ]
    report = rebuild(es, ALIAS, rows(*placed, *unplaced), converter)
    assert (report.indexed, report.duplicates) == (4, 0)
    assert es.count(index=ALIAS)["count"] == 4


def test_one_nameless_organisation_listing_a_programme_twice_is_a_duplicate(es, converter, clean):
    report = rebuild(
        es,
        ALIAS,
        rows(
            listing("a", organization={"id": "org-1"}), listing("b", organization={"id": "org-1"})
        ),
        converter,
    )
    assert (report.indexed, report.duplicates) == (1, 1)
    assert "test service a " in duplicates(report)["b"]


def test_two_organisations_of_one_name_in_one_source_are_distinct(es, converter, clean):
    """One source, two organisation ids: two organisations, however alike their names."""
    report = rebuild(
        es,
        ALIAS,
        rows(
            listing("a", organization={"id": "org-1", "name": "Harbor Aid"}),
            listing("b", organization={"id": "org-2", "name": "Harbor Aid, Inc."}),
        ),
        converter,
    )
    assert (report.indexed, report.duplicates) == (2, 0)


def test_across_sources_organisations_are_matched_by_name_not_id(es, taxonomy, settings, clean):
    county = Converter("county", taxonomy, settings.default_timezone)
    state = Converter("state", taxonomy, settings.default_timezone)
    rebuild(
        es,
        ALIAS,
        rows(
            listing("x1", organization={"id": "1", "name": "Harbor Aid"}),
            listing("x2", organization={"id": "7"}, name="Rent Help"),
        ),
        county,
    )
    report = rebuild(
        es,
        ALIAS,
        rows(
            listing("y1", organization={"id": "99", "name": "HARBOR AID INC"}),  # same name
            listing("y2", organization={"id": "7"}, name="Rent Help"),  # an id of another source
        ),
        state,
    )
    assert (report.indexed, report.duplicates) == (1, 1)
    assert "county service x1 " in duplicates(report)["y1"]


# -- which listing is kept --------------------------------------------------------------------


def test_the_active_listing_is_kept_over_an_inactive_one_read_first(es, converter, clean):
    report = rebuild(
        es,
        ALIAS,
        rows(listing("old", status="inactive"), listing("new", status="active")),
        converter,
    )
    assert (report.indexed, report.duplicates) == (1, 1)
    assert "test service new " in duplicates(report)["old"]
    kept = es.get(index=ALIAS, id=document_id("test", "new", "new-loc"))["_source"]
    assert kept["status"] == "active"


def test_an_inactive_listing_without_an_address_does_not_hide_the_active_one(es, converter, clean):
    """The same phone, one listing with no place (inactive), the other placed (active)."""
    phone = [{"id": "p", "number": "410-555-0100"}]
    report = rebuild(
        es,
        ALIAS,
        rows(
            listing("old", status="inactive", place=None, phones=phone),
            listing("new", phones=phone),
        ),
        converter,
    )
    assert (report.indexed, report.duplicates) == (1, 1)
    assert "test service new " in duplicates(report)["old"]


def test_an_active_listing_is_loaded_over_an_inactive_live_one(es, taxonomy, settings, clean):
    """The live listing of another source is kept only if it is as active as the new one."""
    county = Converter("county", taxonomy, settings.default_timezone)
    state = Converter("state", taxonomy, settings.default_timezone)
    rebuild(
        es, ALIAS, rows(listing("x1", status="inactive"), listing("x2", name="Rent Help")), county
    )
    report = rebuild(es, ALIAS, rows(listing("y1"), listing("y2", name="Rent Help")), state)
    assert (report.indexed, report.duplicates) == (1, 1)
    assert set(duplicates(report)) == {"y2"}  # y1 stays: the county's x1 is inactive


# -- place and phone --------------------------------------------------------------------------


def test_a_shared_central_line_does_not_merge_services_at_different_addresses(es, converter, clean):
    line = [{"id": "p", "number": "410-555-0100"}]
    report = rebuild(
        es,
        ALIAS,
        rows(
            listing("north", place=(41.95, -87.65), phones=line),  # ~8 miles apart
            listing("south", place=(41.85, -87.71), phones=line),
            listing("next-door", place=(41.8501, -87.7101), phones=line),
            listing("unplaced", place=None, phones=line),
        ),
        converter,
    )
    # Next door is the same place; the one with no place is matched by its phone.
    assert (report.indexed, report.duplicates) == (2, 2)
    assert set(duplicates(report)) == {"next-door", "unplaced"}


# -- the key, on its own ----------------------------------------------------------------------


WORDS = st.from_regex(r"[A-Za-z]{1,12}( [A-Za-z]{1,12}){0,3}", fullmatch=True)


@given(WORDS, WORDS, st.text(max_size=10))
def test_a_named_organisation_is_keyed_by_its_name_whatever_its_id_or_source(org, name, oid):
    assume(not dedupe_key(org, name).startswith("|"))  # a name left once 'Inc.', 'The' go
    key = dedupe_key(f"The {org}, Inc.", name, "county", oid)
    assert key == dedupe_key(org.upper(), f"{name.lower()}.", "state", "another id")


@given(st.text(min_size=1, max_size=10).filter(str.strip), st.text(max_size=10).filter(str.strip))
def test_a_nameless_organisation_is_keyed_by_its_id_within_its_source(first, second):
    assert dedupe_key("", "Case Management", "a", first) != dedupe_key(
        None, "Case Management", "b", first
    )
    if first.strip() != second.strip():
        assert dedupe_key("", "Case Management", "a", first) != dedupe_key(
            "", "Case Management", "a", second
        )
    # No name and no id: only the service name says who it is.
    assert dedupe_key(None, "Case Management", "a") == dedupe_key("", "case management", "b")
