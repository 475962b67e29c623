"""A question is embedded while an ingest embeds thousands of passages (issue 15, item 2: "the embedding model's
lock was held for the whole ingest; 10 questions waited about 521 s"). The model is used by one call at a time
(its C engine has one scratch buffer), so the lock is taken per batch and a waiting question goes before the next
batch. Real e5 model; the check is on order, not on time: the question returns while the passages are still being
embedded, and neither is changed by the interleaving."""

from __future__ import annotations

import threading

import numpy as np

from assistant.embeddings import E5Embeddings


def test_a_question_is_embedded_between_two_batches_of_an_ingest():
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
