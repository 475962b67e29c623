"""科创助手 (kechuang-assistant): retrieval and drafting for the 科创中国 ecosystem."""

import os

# NumPy's OpenBLAS starts a thread per core for a matrix product. Next to the e5 engine's OpenMP threads, which
# spin for a while after each embedding, the two fought over the two cores: an exact dense search over 10,000
# vectors went from 0.1 ms to several, and dense search p50 from 21 to 55 ms (bench/RESULTS.md, 10k row). Our
# products are small (one query against at most 50,000 vectors); one BLAS thread is faster. Set before NumPy is
# imported (it is read once, when OpenBLAS loads); an explicit setting is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
