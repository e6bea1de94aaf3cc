"""Language tables read from the data directory they are given (Settings.data_dir)."""

import json

from linkage.languages import language_codes, language_name, language_names


def test_the_language_table_comes_from_the_data_directory_given(tmp_path):
    table = {"languages": {"es": "Español"}, "aliases": {"castellano": "es"}}
    (tmp_path / "languages.json").write_text(json.dumps(table), encoding="utf-8")
    assert language_names(tmp_path) == {"es": "Español"}
    assert language_name("es", tmp_path) == "Español"
    assert language_codes(tmp_path)["castellano"] == "es"
    # The packaged table is untouched by another directory's.
    assert language_name("es") == "Spanish" and "castellano" not in language_codes()
