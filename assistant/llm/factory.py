"""Build the chat model for the configured provider (langchain-openai's ChatOpenAI for all of them)."""

from __future__ import annotations

import os

from assistant.errors import ConfigError
from assistant.llm.providers import PROVIDERS, ProviderSpec
from assistant.settings import LLMSettings


def resolve(llm: LLMSettings) -> tuple[ProviderSpec, str, str | None, str]:
    """(spec, base_url, api_key, model) for the settings, or a ConfigError naming what to set."""
    spec = PROVIDERS.get(llm.provider)
    if spec is None:
        raise ConfigError(f"未知的大模型服务 {llm.provider!r}：KECHUANG_LLM__PROVIDER 可选 none、"
                          + "、".join(PROVIDERS) + "。")
    base_url = llm.base_url or spec.base_url
    if not base_url:
        raise ConfigError(f"服务 {spec.name} 需要设置 KECHUANG_LLM__BASE_URL（兼容 OpenAI 的地址，如 http://127.0.0.1:8000/v1）。")
    key = llm.api_key.get_secret_value() if llm.api_key else (os.environ.get(spec.key_env) if spec.key_env else None)
    if spec.key_env and not key:
        raise ConfigError(f"使用 {spec.label} 需要 API 密钥：请设置环境变量 {spec.key_env} 或 KECHUANG_LLM__API_KEY。")
    return spec, base_url, key, llm.model or spec.default_model


def llm_enabled(llm: LLMSettings) -> bool:
    return llm.provider not in ("", "none", None)


def make_chat_model(llm: LLMSettings):
    from langchain_openai import ChatOpenAI

    spec, base_url, key, model = resolve(llm)
    return ChatOpenAI(
        model=model, base_url=base_url, api_key=key or "not-needed", temperature=llm.temperature,
        timeout=llm.timeout_s, max_retries=llm.max_retries, max_tokens=llm.max_answer_tokens,
        stream_usage=True,  # ChatOpenAI(streaming=False) would turn .stream() into one chunk
    )


def describe(llm: LLMSettings, injected: bool = False) -> str:
    """Mode shown to users: offline extractive, or which LLM (``injected``: a model passed in by the caller)."""
    if not llm_enabled(llm):
        return "自带的对话模型" if injected else "离线摘录模式（未配置大模型）"
    spec = PROVIDERS.get(llm.provider)
    return f"{spec.label if spec else llm.provider} · {llm.model or (spec.default_model if spec else '')}"
