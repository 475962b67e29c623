"""A question is embedded while an ingest embeds thousands of passages (issue 15, item 2: "the embedding model's
lock was held for the whole ingest; 10 questions waited about 521 s"). A model instance is used by one call at a
time (its C engine has one scratch buffer); questions have their own instance. Real e5 model; the check is on
order, not on time: the question returns while the passages are still being embedded, and neither is changed by
running side by side."""

from __future__ import annotations

import threading

import numpy as np

from assistant.embeddings import E5Embeddings


def test_a_question_is_embedded_while_an_ingest_embeds_passages():
    e5 = E5Embeddings(batch_size=32)
    passages = [f"第{i}条 科技型中小企业评价工作由省级科技管理部门组织实施，每年评价一次。" for i in range(960)]
    question = "科技型中小企业评价由谁组织？"
    alone_q = e5.embed_query(question)  # loads the model
    alone_p = e5.embed_documents(passages[:64])

    out: list = []
    started = threading.Event()

    def ingest():
        started.set()
        out.append(e5.embed_documents(passages))

    worker = threading.Thread(target=ingest)
    worker.start()
    started.wait()
    while not e5._lock.locked():  # the first batch is under way
        pass
    q = e5.embed_query(question)
    still_embedding = worker.is_alive()
    worker.join()
    assert still_embedding, "the question waited for the whole ingest"
    assert np.allclose(q, alone_q, atol=1e-6)
    assert len(out[0]) == 960 and np.allclose(out[0][:64], alone_p, atol=1e-6)


def test_questions_during_an_ingest_do_not_wait_for_bm25_rebuilds(tmp_path, embed_cache):
    """Every document an ingest commits changes the index's version; a question asked meanwhile used to rebuild
    the BM25 matrix first (4 s per question at 800 new records). Now, while another thread writes, a question reads
    the snapshot it has and the rebuild runs in the background; once the ingest is done the next question sees
    everything."""
    import time

    from assistant.knowledge_base import KnowledgeBase
    from tests.conftest import make_settings

    kb = KnowledgeBase(make_settings(tmp_path / "data", embed_cache))
    (tmp_path / "in").mkdir()
    (tmp_path / "first.txt").write_text("科普活动周安排在五月第三周。", encoding="utf-8")
    kb.ingest([tmp_path / "first.txt"])
    for i in range(120):
        (tmp_path / "in" / f"n{i:03d}.txt").write_text(f"第{i}号通知：编号甲{i:03d}乙的科普讲座在第{i % 9 + 1}报告厅举行。",
                                                     encoding="utf-8")
    kb.search("科普活动周", k=1)  # up to date before the ingest
    built_by: list[str] = []  # which thread rebuilt the matrix, recorded around the real build
    build = kb._bm25._build
    kb._bm25._build = lambda *a: (built_by.append(threading.current_thread().name), build(*a))[1]
    done = threading.Event()
    writer = threading.Thread(target=lambda: (kb.ingest([tmp_path / "in"]), done.set()))
    writer.start()
    while kb._write_lock._owner is None and not done.is_set():  # the ingest holds the index
        time.sleep(0.001)
    questions = 0
    try:
        while not done.is_set():
            assert kb.search("科普活动周", k=1)[0].source == "first.txt"
            questions += 1
            time.sleep(0.05)
    finally:
        writer.join()
    assert questions > 5 and "MainThread" not in built_by and "bm25-refresh" in built_by, (questions, built_by)
    hit = kb.search("编号甲119乙", k=1, mode="bm25")  # the last file, at once after the ingest
    assert hit and hit[0].source == "n119.txt"
    kb.close()
