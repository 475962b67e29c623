"""Providers are data: every one speaks the OpenAI chat-completions API. Adding one is an entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    label: str
    base_url: str | None
    key_env: str | None  # environment variable holding the key; None for local servers
    default_model: str


PROVIDERS: dict[str, ProviderSpec] = {p.name: p for p in [
    ProviderSpec("openai", "OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini"),
    ProviderSpec("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "deepseek-chat"),
    ProviderSpec("qwen", "通义千问（DashScope 兼容模式）", "https://dashscope.aliyuncs.com/compatible-mode/v1",
                 "DASHSCOPE_API_KEY", "qwen-plus"),
    ProviderSpec("zhipu", "智谱 GLM", "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", "glm-4-flash"),
    ProviderSpec("moonshot", "Moonshot Kimi", "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", "moonshot-v1-8k"),
    ProviderSpec("vllm", "本地 vLLM", "http://127.0.0.1:8000/v1", None, "Qwen2.5-7B-Instruct"),
    ProviderSpec("ollama", "本地 Ollama", "http://127.0.0.1:11434/v1", None, "qwen2.5:7b"),
    ProviderSpec("llamacpp", "本地 llama.cpp", "http://127.0.0.1:8080/v1", None, "local"),
    ProviderSpec("custom", "自定义 OpenAI 兼容服务", None, None, "default"),
]}
