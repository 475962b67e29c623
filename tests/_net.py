"""Loopback helpers for tests that start real servers."""

import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(proc: subprocess.Popen, port: int, name: str, timeout: float = 60) -> None:
    """Wait until ``proc`` accepts connections on 127.0.0.1:``port``; fail clearly if it exits or hangs."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited early (code {proc.returncode})")
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"{name} did not start in {timeout:.0f} s")
