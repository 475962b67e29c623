import pytest
from jinja2 import UndefinedError

from assistant.prompts import NOT_FOUND, prompt_hash, prompt_names, render

SAMPLE_VARS = {
    "answer_user": {"contexts": [{"n": 1, "title": "t", "heading": "h", "published": "2024-01-01", "text": "x"}],
                    "question": "q"},
    "condense": {"history": [{"role": "user", "content": "a"}], "question": "q"},
    "extract_policy": {"source": "a.md", "title": "t", "text": "x"},
    "judge": {"question": "q", "passages": "p", "answer": "a"},
    "extract_need": {"fields": "新材料", "cooperation": "技术开发", "draft": "{}", "text": "x"},
    "report_overview": {"region": "巴州", "period": "2023年", "report_type": "工作总结", "figures": ["需求：4项"]},
    "report_revise": {"instruction": "更正式", "title": "巴州2023年工作总结", "heading": "一、总体情况", "text": "发布科技需求4项。"},
}


@pytest.mark.parametrize("name", prompt_names())
def test_every_prompt_renders(name):
    text = render(name, **SAMPLE_VARS.get(name, {}))
    assert text and "{{" not in text and "{%" not in text
    assert len(prompt_hash(name)) == 12


def test_missing_variable_is_an_error():
    with pytest.raises(UndefinedError):
        render("answer_user", question="q")


def test_sentinel_is_shared_by_prompt_and_code():
    assert NOT_FOUND in render("answer_system")
