"""Retrieved passages made from small documents written in a test: one passage per document, the whole text."""

from assistant.types import Context


def passages(docs: dict[str, str]) -> list[Context]:
    """One passage per (title, text), in order: chunk ``c{n}`` of ``doc{n}.md``, headed by its title."""
    return [Context(chunk_id=f"c{n}", source=f"doc{n}.md", title=title, heading=title, text=text, start=0,
                    end=len(text), score=1.0)
            for n, (title, text) in enumerate(docs.items())]
