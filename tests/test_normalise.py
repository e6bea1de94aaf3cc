"""Values normalised on import: phone numbers and languages."""

import pytest

from indexer.formats.values import phone_number
from indexer.hsds import _languages


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("650 780-7525", "(650) 780-7525"),
        ("+1 312.555.0148", "(312) 555-0148"),
        ("1-800-273-8255", "(800) 273-8255"),
        ("312-555-0100 x12", "(312) 555-0100 ext. 12"),
        ("+44 1234 234567", "+44 1234 234567"),
        ("311", "311"),  # not a full number: kept as given
    ],
)
def test_phone_numbers(raw, expected):
    assert phone_number(raw) == expected


def test_languages_by_code_name_or_alias():
    spoken = _languages(
        {
            "languages": [
                {"code": "ES"},
                {"name": "Polish"},
                {"name": "Farsi"},
                {"code": "spa"},
                {"name": "Klingon"},  # ISO 639-3 has it
                {"code": "qqq"},
                {"name": "Accommodations possible."},  # not a language: kept as text
            ]
        }
    )
    assert spoken.codes == ["es", "pl", "fa", "tlh"] and spoken.unknown == ["qqq"]
    assert "Accommodations possible." in spoken.texts and not spoken.interpretation


def test_language_codes_of_every_iso_639_part_and_bcp_47_tags_read_as_the_api_reads_them():
    codes = ["ger", "fre", "chi", "es-MX", "en_US", "dan", "hu", "yue"]
    spoken = _languages({"languages": [{"code": code} for code in codes]})
    # "dan" is Danish and "hu" Hungarian, not the languages named "Dan" and "Hu".
    assert spoken.codes == ["de", "fr", "zh", "es", "en", "da", "hu", "yue"] and not spoken.unknown


def test_a_place_without_a_zip_gets_the_time_zone_of_its_coordinates(taxonomy):
    """Open-now must not be an hour off for a New York service listed without a ZIP code."""
    from indexer.hsds import Converter
    from indexer.records import SourceRow

    record = {
        "id": "ny",
        "name": "Harlem Food Pantry",
        "service_at_locations": [
            {"id": "s", "location": {"id": "l", "latitude": 40.81, "longitude": -73.95,
                                     "addresses": [{"address_1": "1 W 125th St", "city": "New York"}]}}
        ],
    }  # fmt: skip
    converter = Converter("t", taxonomy, "America/Chicago")
    doc = converter.convert(SourceRow("f", "#1", record)).documents[0]
    assert doc["timezone"] == "America/New_York"


def test_an_address_that_cannot_be_placed_is_reported(taxonomy):
    from indexer.hsds import Converter
    from indexer.records import SourceRow

    record = {
        "id": "x",
        "name": "Somewhere Pantry",
        "service_at_locations": [
            {"id": "s", "location": {"id": "l", "addresses": [{"address_1": "1 Main St", "city": "Springfield"}]}}
        ],
    }  # fmt: skip
    out = Converter("t", taxonomy, "America/Chicago").convert(SourceRow("f", "#1", record))
    assert out.documents and out.documents[0]["location"] is None
    assert [w.field for w in out.warnings] == ["location.addresses"]


def test_swapped_coordinates_are_put_right_and_reported(taxonomy):
    from indexer.hsds import Converter
    from indexer.records import SourceRow

    def at(lat, lon):
        return {
            "id": "x",
            "name": "Pilsen Pantry",
            "service_at_locations": [{"id": "s", "location": {"id": "l", "latitude": lat, "longitude": lon,
                                      "addresses": [{"address_1": "1 Main St", "city": "Chicago", "postal_code": "60608"}]}}],
        }  # fmt: skip

    converter = Converter("t", taxonomy, "America/Chicago")
    swapped = converter.convert(SourceRow("f", "#1", at(-87.66, 41.85)))
    assert swapped.documents[0]["location"] == {"lat": 41.85, "lon": -87.66}
    assert "swapped" in swapped.warnings[0].reason
    fine = converter.convert(SourceRow("f", "#2", at(41.85, -87.66)))
    assert fine.documents[0]["location"] == {"lat": 41.85, "lon": -87.66} and not fine.warnings
