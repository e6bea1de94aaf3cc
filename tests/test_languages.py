"""Language tables read from the data directory they are given (Settings.data_dir)."""

import json
from collections import Counter

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.config import DATA_DIR
from linkage.languages import language_code, language_codes, language_name, language_names


def test_the_language_table_comes_from_the_data_directory_given(tmp_path):
    table = {"languages": {"es": "Español"}, "aliases": {"castellano": "es"}}
    (tmp_path / "languages.json").write_text(json.dumps(table), encoding="utf-8")
    assert language_names(tmp_path) == {"es": "Español"}
    assert language_name("es", tmp_path) == "Español"
    assert language_codes(tmp_path)["castellano"] == "es"
    # The packaged table is untouched by another directory's.
    assert language_name("es") == "Spanish" and "castellano" not in language_codes()


# --- reading a language a request or a record gives (language_code) -------------------------

LANGUAGES = list(pycountry.languages)
PROJECT = json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))
# Spellings the project's data gives a meaning of its own: "fil"/"Filipino" → tl, "asl" → ase.
OVERRIDDEN = set(PROJECT["aliases"]) | {n.lower() for n in PROJECT["languages"].values()}
ISO_CODES = {
    code
    for lang in LANGUAGES
    for code in (lang.alpha_3, getattr(lang, "alpha_2", None), getattr(lang, "bibliographic", None))
    if code
}
NAME_COUNTS = Counter(lang.name.lower() for lang in LANGUAGES)


def linkage_code(lang) -> str:
    return getattr(lang, "alpha_2", None) or lang.alpha_3


@given(st.sampled_from(LANGUAGES))
@settings(max_examples=500)
def test_every_iso_code_of_a_language_reads_as_its_639_1_else_639_3_code(lang):
    given_codes = (
        lang.alpha_3,
        getattr(lang, "alpha_2", None),
        getattr(lang, "bibliographic", None),
    )
    for code in filter(None, given_codes):
        if code not in OVERRIDDEN:
            assert language_code(code) == language_code(code.upper()) == linkage_code(lang), code


@given(st.sampled_from(LANGUAGES))
@settings(max_examples=500)
def test_every_iso_name_reads_as_the_same_code_as_the_language_codes(lang):
    name = lang.name
    # A name spelt like a code is read as the code ("Hu", a language of China, is "hu":
    # Hungarian); a name two languages share names neither.
    if name.lower() in ISO_CODES | OVERRIDDEN or NAME_COUNTS[name.lower()] > 1:
        return
    assert language_code(name) == language_code(f"  {name.upper()} ") == linkage_code(lang)


@pytest.mark.parametrize(
    "given_, code",
    [("spa", "es"), ("Spanish", "es"), ("es", "es"), ("ES", "es"), ("es-MX", "es"),
     ("eng", "en"), ("English", "en"), ("en_US", "en"),
     ("ger", "de"), ("deu", "de"), ("fre", "fr"), ("chi", "zh"), ("zho", "zh"), ("zh-Hant", "zh"),
     ("yue", "yue"), ("Cantonese", "yue"), ("lkt", "lkt"), ("Lakota", "lkt"),
     ("hu", "hu"), ("hun", "hu"), ("dan", "da"), ("Farsi", "fa"), ("ASL", "ase")],
)  # fmt: skip
def test_a_language_reads_by_any_of_its_forms(given_, code):
    assert language_code(given_) == code


@pytest.mark.parametrize("given_", ["klingonish", "", "x1", "xx", "es-", "Spanish speaking"])
def test_a_value_that_names_no_language_reads_as_none(given_):
    assert language_code(given_) is None


def test_language_names_also_read_three_letter_codes():
    assert language_name("spa") == "Spanish" and language_name("lkt") == "Lakota"
    assert language_name("qqq") == "qqq"
