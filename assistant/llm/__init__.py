"""LLM providers (as data) and the chat-model factory."""
