"""A small bounded load on loopback through the app's HTTP API: no request may fail. Throughput and
latency are measured by `python -m bench.load` (figures in RELIABILITY.md), not asserted here."""

from bench.load import run


def test_concurrent_requests_through_the_http_api(tmp_path):
    result = run(requests=12, concurrency=4, embedding="fake", data_dir=tmp_path / "d", time_limit_s=240)
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] == 12
