"""Offline evaluation: golden sets, deterministic metrics, side-by-side configurations, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[Any]:
    """The objects of a JSON Lines file (UTF-8; blank lines skipped): golden sets and test tables."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
