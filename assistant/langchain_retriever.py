"""The LangChain retriever over a knowledge base: the retrieval step of the answer chain (``chains.py``)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval import Mode, SearchFilters


class KechuangRetriever(BaseRetriever):
    """LangChain retriever over a knowledge base (``searcher`` is anything with ``search(query, k, filters,
    mode)``, normally the KnowledgeBase); each Document's metadata carries the Context."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 6
    filters: SearchFilters | None = None
    mode: Mode | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        contexts = self.searcher.search(query, k=self.k, filters=self.filters, mode=self.mode)
        return [LCDocument(page_content=c.text, id=c.chunk_id, metadata=c.model_dump(exclude={"text"}))
                for c in contexts]
