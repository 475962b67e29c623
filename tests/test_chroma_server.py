"""The same code path against a real Chroma server started with ``chroma run`` on 127.0.0.1."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters
from tests._net import free_port, wait_for_port


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_for_port(proc, port, "chroma run")
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_ingest_and_search_through_a_chroma_server(chroma_server, fake_settings, tmp_path):
    settings = fake_settings.model_copy(update={"store": fake_settings.store.model_copy(
        update={"host": "127.0.0.1", "port": chroma_server})})
    kb = KnowledgeBase(settings)
    assert "server" in kb.stats()["store"]
    p = tmp_path / "needs.json"
    p.write_text(json.dumps([
        {"id": "need-s1", "name": "棉花异性纤维清除", "region": "巴州", "field": "纺织服装", "description": "清除棉花中的异性纤维"},
        {"id": "need-s2", "name": "玻璃纤维拉丝工艺", "region": "泰安市", "field": "新材料", "description": "提高玻纤拉丝良率"},
    ], ensure_ascii=False), encoding="utf-8")
    report = kb.ingest([p])
    assert report.files[0].status == "added"
    assert kb.stats()["vectors"] == 2
    searcher = kb
    assert searcher.search("棉花纤维", k=1, mode="dense")[0].source == "need-s1"
    assert [c.source for c in searcher.search("工艺", filters=SearchFilters(regions=["泰安市"]), mode="dense")] == ["need-s2"]
    assert kb.ingest([p]).files[0].status == "unchanged"
    kb.remove("needs.json")
    assert kb.stats()["vectors"] == 0


def test_unreachable_server_gives_a_clear_error(fake_settings):
    from assistant.errors import StoreError

    settings = fake_settings.model_copy(update={"store": fake_settings.store.model_copy(
        update={"host": "127.0.0.1", "port": free_port()})})
    with pytest.raises(StoreError, match="KECHUANG_STORE__HOST"):
        KnowledgeBase(settings)
