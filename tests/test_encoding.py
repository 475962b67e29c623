import pytest

from assistant.errors import IngestError
from assistant.ingest.encoding import decode_bytes

TEXT = "高新技术企业认定管理办法，第一条。"


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_decodes_common_chinese_encodings(enc):
    text, used = decode_bytes((TEXT * 5).encode(enc), "x.txt")
    assert text == TEXT * 5
    assert used


def test_binary_content_is_refused_with_a_clear_message():
    with pytest.raises(IngestError, match="二进制"):
        decode_bytes(bytes(range(256)) * 10, "bad.txt")


def test_mixed_encodings_keep_every_line():
    data = "第一行是UTF-8文本。".encode() + b"\n" + "第二行是GBK编码的文本。".encode("gbk")
    text, used = decode_bytes(data, "mixed.txt")
    assert "第一行是UTF-8文本。" in text and "第二行是GBK编码的文本。" in text
    assert "gb18030" in used or "gbk" in used
