"""Retrieved passages made from small documents written in a test (one passage per document, the whole text), and
the vocabulary an index of them would have."""

from assistant._text import search_key, tokenize
from assistant.types import Context


def passages(docs: dict[str, str]) -> list[Context]:
    """One passage per (title, text), in order: chunk ``c{n}`` of ``doc{n}.md``, headed by its title."""
    return [Context(chunk_id=f"c{n}", source=f"doc{n}.md", title=title, heading=title, text=text, start=0,
                    end=len(text), score=1.0)
            for n, (title, text) in enumerate(docs.items())]


def vocabulary(docs: dict[str, str]) -> set[str]:
    """The index's vocabulary over these documents, as the knowledge base gives it to the answerer."""
    return {t for title, text in docs.items() for t in tokenize(search_key(f"{title}\n{text}"))}
