"""科创助手 (kechuang-assistant): retrieval and drafting for the 科创中国 ecosystem."""

__version__ = "0.1.0"
