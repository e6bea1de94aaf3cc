"""The bundled sample is exactly what devtools/make_sample_directory.py builds from its tables."""

from devtools.make_sample_directory import build_directory, self_check, serialize
from tests.conftest import ROOT, SAMPLE


def test_the_sample_tables_rebuild_the_bundled_sample_byte_for_byte():
    services = build_directory(ROOT / "data")
    text = serialize(services)
    self_check(services, text, ROOT / "data")  # the properties the script's docstring promises
    assert text == SAMPLE.read_text(encoding="utf-8")
