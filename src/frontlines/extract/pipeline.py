"""Assemble component mentions into ACLED-style Event and Claim records.

Public surface: `Extractor.extract(doc)`, `Extractor.pipe(docs)`, `get_extractor()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from frontlines.records import Document, Record


class Extractor:
    """Turns Documents into records. Loads the spaCy pipeline once."""

    def __init__(self, nlp=None) -> None:
        from frontlines.nlp import load_nlp

        self.nlp = nlp or load_nlp()

    def extract(self, doc: Document) -> list[Record]:
        return next(self.pipe([doc]))[1]

    def pipe(
        self, docs: Iterable[Document], batch_size: int = 32, n_process: int = 1
    ) -> Iterator[tuple[Document, list[Record]]]:
        raise NotImplementedError("assembler lands with the extractor (issue 3)")


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    return Extractor()
