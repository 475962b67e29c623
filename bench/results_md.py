"""bench/RESULTS.md is written by several commands, each owning its "## " sections: `bench.run` writes the file
and keeps the sections the others wrote; `bench.ocr`, `bench.coldstart` and `bench.load --write` replace their
own section only."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)


def sections(text: str, names: list[str]) -> list[str]:
    """The sections ``names`` found in ``text`` (each up to the next "## " heading), in that order."""
    return [m.group(0) for name in names if (m := _pattern(name).search(text))]


def write_section(name: str, section: str, out: Path = RESULTS) -> None:
    """Replace section ``name`` of ``out`` with ``section`` (which starts with its heading), or append it."""
    text = out.read_text(encoding="utf-8")
    pattern = _pattern(name)
    text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section
    out.write_text(text, encoding="utf-8")
