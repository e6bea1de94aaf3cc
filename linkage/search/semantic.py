"""Text embeddings: the one place that loads the embedding model and embeds texts.

The model is WordLlama's `l2_supercat` at 256 dimensions (MIT licence), shipped inside the
`wordllama` wheel: nothing is downloaded, ever (these machines reach no model hub). It is a
bag of token vectors, average-pooled, so it runs on a CPU at tens of thousands of texts a
second. Loaded once per process, on first use: a process forked before that loads its own,
one forked after shares the parent's arrays.
"""

from __future__ import annotations

import copy
import os
import re
from functools import cache
from pathlib import Path

import numpy as np

MODEL = "wordllama l2_supercat"
DIMENSIONS = 256
# Where a 211 description runs on, its first part says what the service is; the rest is
# intake detail that blurs the meaning (the model averages over every word), and tokenising
# it is most of the cost of a vector.
DESCRIPTION_CHARS = 600
CHUNK = 1024  # pieces tokenised at once (their encodings are all held until read)
# Where a text splits into pieces tokenised apart: a space after a word. The vocabulary has
# no token reaching across one (only runs of spaces are tokens, and those never follow a
# word), so each piece's tokens are the text's own there (tests/test_semantic.py checks it).
_PIECE_START = re.compile(r"(?<=[^ ]) ")
PIECES_KEPT = 100_000  # pieces' token ids kept (words mostly: they repeat from record to record)
_piece_ids: dict[str, list[int]] = {}


@cache
def _model():
    # The tokenizers library's thread pool does not survive a fork (the indexer converts in a
    # forked process); one thread per call is fast enough for texts this short.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Imported here, not at the top: it takes 0.4 s, which processes that never embed
    # (the CLI's --help, the worker between jobs) should not pay.
    import wordllama  # noqa: PLC0415
    from wordllama import WordLlama  # noqa: PLC0415

    # Its own lookup of the packaged tokenizer misses the package's `tokenizers/` folder;
    # pointing the cache at the package finds both files there, and downloads stay off.
    return WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, dim=DIMENSIONS, disable_download=True
    )


@cache
def _tokenizer():
    """The model's tokenizer, copied without its padding (the model's own embed() pads each
    batch to its longest text, then masks the padding out again)."""
    tokenizer = copy.deepcopy(_model().tokenizer)
    tokenizer.no_padding()
    return tokenizer


def _pieces(text: str) -> list[str]:
    """`text` cut before each space that follows a word; the tokenizer puts a word-start mark
    before the first piece as before every later one, so joining their tokens gives the
    text's. Not for a text ending in one space after a word: its last piece would be empty,
    and the empty text has no tokens at all, so such a text stays whole."""
    pieces = _PIECE_START.split(text)
    return pieces if pieces[-1] else [text]


def _token_ids(texts: list[str]) -> list[list[int]]:
    """Each text's token ids, as the tokenizer gives them for the whole text, from its
    pieces' (tokenising is most of a vector's cost, and the words of a directory repeat)."""
    split = [_pieces(t) for t in texts]
    # Read into a dict of this call's own, so another thread emptying the kept ones midway
    # (the API embeds queries in several) changes nothing here.
    found = {p: _piece_ids.get(p) for pieces in split for p in pieces}
    new = [p for p, ids in found.items() if ids is None]
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        encodings = _tokenizer().encode_batch_fast(chunk, add_special_tokens=False)
        found.update(zip(chunk, (e.ids for e in encodings), strict=True))
    if len(_piece_ids) + len(new) > PIECES_KEPT:
        _piece_ids.clear()  # memory stays bounded; the next batches fill it again
    _piece_ids.update((p, found[p]) for p in new)
    return [[i for p in pieces for i in found[p]] for pieces in split]


def load() -> None:
    """Load the model now (it is otherwise loaded on first use)."""
    _tokenizer()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length vectors for `texts`, one row each (float32, DIMENSIONS wide): a dot
    product of two rows is their cosine similarity.

    What the model's own embed(texts, norm=True) computes (the mean of the texts' token
    vectors, made unit length), at a fraction of its cost: tokenising is most of it, so
    words met before are not tokenised again (_token_ids), and encode_batch_fast leaves
    out the character offsets the model never reads; each text is pooled over its own
    tokens, so there is no padding to make and mask."""
    # A row per token id; the tokenizer has as many ids (32,000), so the model's clipping of
    # out-of-range ids never applies.
    table = _model().embedding
    vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for row, ids in enumerate(_token_ids(texts)):
        vectors[row] = table[ids].mean(axis=0) if ids else 0.0  # no tokens: NaN, as before
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors
