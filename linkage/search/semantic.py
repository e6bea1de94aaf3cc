"""Text embeddings: the one place that loads the embedding model and embeds texts.

The model is WordLlama's `l2_supercat` at 256 dimensions (MIT licence), shipped inside the
`wordllama` wheel: nothing is downloaded, ever (these machines reach no model hub). It is a
bag of token vectors, average-pooled, so it runs on a CPU at tens of thousands of texts a
second. Loaded once per process, on first use: a process forked before that loads its own,
one forked after shares the parent's arrays.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np

MODEL = "wordllama l2_supercat"
DIMENSIONS = 256
# Where a 211 description runs on, its first part says what the service is; the rest is
# intake detail that blurs the meaning (the model averages over every word), and tokenising
# it is most of the cost of a vector.
DESCRIPTION_CHARS = 600
BATCH = 32  # texts a model call pads to one length (sorted by length first)


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


def load() -> None:
    """Load the model now (it is otherwise loaded on first use)."""
    _model()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length vectors for `texts`, one row each (float32, DIMENSIONS wide): a dot
    product of two rows is their cosine similarity."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    # Texts of like length embedded together: the model pads each batch to its longest text,
    # and on a mix of short names and long descriptions the padding was half the work.
    order = np.argsort([len(t) for t in texts], kind="stable")
    vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    vectors[order] = _model().embed([texts[i] for i in order], norm=True, batch_size=BATCH)
    return vectors
