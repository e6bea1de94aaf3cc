"""The embedding path (linkage.search.semantic.embed) against the model's own embed(): the
same vectors, on real directories' texts, so a faster path never changes what search finds."""

from __future__ import annotations

import csv

import numpy as np

from linkage.search import hybrid, semantic
from linkage.taxonomy import load_taxonomy
from tests.conftest import SHARED, requires_shared

# Each directory's services file, and its name and description columns.
DIRECTORIES = {
    "baltimore-211": ("name", "description"),
    "ohana-san-mateo": ("name", "description"),
    "florida-legal-aid": ("service_name", "service_description"),
}


def _model_vectors(texts: list[str]) -> np.ndarray:
    """What WordLlama itself makes of `texts` (its embed, unit length)."""
    return semantic._model().embed(texts, norm=True)


def _directory_texts() -> list[str]:
    """Names, name + description as a document's vector is made from, and whole descriptions
    (some run to thousands of characters), from every row of the real directories."""
    texts = []
    for folder, (name, description) in DIRECTORIES.items():
        with (SHARED / "datasets" / folder / "services.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                doc = {"service_name": row[name], "description": row[description]}
                texts += [row[name], hybrid.document_text(doc), row[description]]
    return [t for t in texts if t]


@requires_shared
def test_vectors_equal_the_models_own_on_real_directories():
    texts = _directory_texts()
    assert len(texts) > 6000  # every row of all three, not a sample
    # In the loader's order (lengths mixed, as a batch of documents comes): the model's own
    # embed pads each of its batches, ours pads nothing; the vectors must not care.
    ours, theirs = semantic.embed(texts), _model_vectors(texts)
    assert ours.shape == theirs.shape == (len(texts), semantic.DIMENSIONS)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    # The search that matters: each text's nearest neighbour among a slice is the same one.
    head_ours, head_theirs = ours[:2000], theirs[:2000]
    np.fill_diagonal(sims_ours := head_ours @ head_ours.T, -1)
    np.fill_diagonal(sims_theirs := head_theirs @ head_theirs.T, -1)
    assert (sims_ours.argmax(axis=1) == sims_theirs.argmax(axis=1)).mean() > 0.999


def test_no_token_reaches_across_a_space_after_a_word():
    """What tokenising a text's words apart rests on (semantic._pieces): besides runs of
    spaces, no token has a word-start mark anywhere but first."""
    vocabulary = semantic._tokenizer().get_vocab()
    across = [t for t in vocabulary if "\u2581" in t.lstrip("\u2581")]
    assert across == []
    assert [t for t in vocabulary if "\u2581" in t[1:]]  # the runs of spaces are there


def test_vectors_equal_the_models_own_on_the_taxonomy_and_odd_texts(monkeypatch):
    taxonomy = load_taxonomy()
    texts = [hybrid.category_text(taxonomy, code) for code in taxonomy.categories]
    texts += [
        " ",  # an empty document's text
        "Comida gratis para familias: despensa de alimentos, año 2024 — ¡sin cita!",
        "日本語のサービス",
        "Food\tpantry\n\nopen Mon–Fri 9:00–17:00 🍎",
        "x" * 5000,
        "ends in a space ",  # stays whole
        "  starts and   ends with   runs of spaces   ",
        "a space run at the end  ",
    ]
    monkeypatch.setattr(semantic, "PIECES_KEPT", 10)  # the kept pieces dropped and made again
    np.testing.assert_allclose(semantic.embed(texts), _model_vectors(texts), rtol=0, atol=1e-6)
    # One text alone comes out as it does among others (nothing leaks across a batch).
    n = texts.index("日本語のサービス")
    np.testing.assert_allclose(semantic.embed([texts[n]])[0], semantic.embed(texts)[n])
    assert semantic.embed([]).shape == (0, semantic.DIMENSIONS)
