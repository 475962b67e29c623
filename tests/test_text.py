from assistant._text import search_key, split_sentences, tokenize
from assistant.synonyms import expansions


def test_search_key_simplifies_and_halfwidths_but_keeps_punctuation():
    assert search_key("陜西省科協深入實施") == "陕西省科协深入实施"
    assert search_key("２０２３年ＡＢＣ") == "2023年abc"
    assert search_key("，！（）：") == "，！（）："  # full-width punctuation is not rewritten


def test_sentences_keep_closing_punctuation_and_quotes():
    text = "他说：“好。”然后走了！第三句\n第四句"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts[0] == "他说：“好。”"
    assert parts[1] == "然后走了！"
    assert "".join(parts) == text


def test_tokens_drop_punctuation_and_stopwords():
    toks = tokenize("高新技术企业的认定条件是什么？")
    assert "高新技术企业" in toks and "认定" in toks
    assert "？" not in toks and "的" not in toks and "什么" not in toks


def test_traditional_and_simplified_give_the_same_tokens():
    assert tokenize("科技服務團") == tokenize("科技服务团")


def test_synonym_expansion():
    assert "高新技术企业" in expansions("高企有什么税收优惠")
    assert "科技型中小企业" in expansions("科小怎么评价")
    assert expansions("今天天气") == []
