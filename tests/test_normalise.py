"""Values normalised on import: phone numbers and languages."""

import pytest

from indexer.hsds import _languages, _phone_number


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
    assert _phone_number(raw) == expected


def test_languages_by_code_name_or_alias():
    codes, unknown = _languages(
        {
            "languages": [
                {"code": "ES"},
                {"name": "Polish"},
                {"name": "Farsi"},
                {"code": "spa"},
                {"name": "Klingon"},
            ]
        }
    )
    assert codes == ["es", "pl", "fa"] and unknown == ["klingon"]
