"""Prompts are files in ``prompts/`` rendered by name with a strict, sandboxed Jinja environment: a missing
variable is an error, templates cannot reach Python internals. Sentinel phrases the code depends on are
constants here and passed into every template."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

# The one phrase both modes answer with when the documents do not cover a question.
NOT_FOUND = "根据现有资料无法回答这个问题。"

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=4)
def _env(directory: str) -> SandboxedEnvironment:
    # jinja2 is imported here, by the model's path only: an offline answer renders no prompt (and a cold
    # ``kechuang ask`` saves the import)
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=FileSystemLoader(directory, encoding="utf-8"), undefined=StrictUndefined,
                                autoescape=False, keep_trailing_newline=True)


def prompt_names(directory: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.md"))


def source(name: str, directory: Path = PROMPTS_DIR) -> str:
    path = directory / f"{name}.md"
    if not path.exists():
        raise ConfigError(f"找不到提示词模板 {path}。")
    return path.read_text(encoding="utf-8")


def prompt_hash(name: str, directory: Path = PROMPTS_DIR) -> str:
    return hashlib.sha256(source(name, directory).encode("utf-8")).hexdigest()[:12]


def render(name: str, directory: Path = PROMPTS_DIR, **variables) -> str:
    from jinja2 import TemplateNotFound

    try:
        template = _env(str(directory)).get_template(f"{name}.md")
    except TemplateNotFound as exc:
        raise ConfigError(f"找不到提示词模板 {directory / (name + '.md')}。") from exc
    return template.render(not_found=NOT_FOUND, **variables).strip()
