#!/usr/bin/env python3
"""Generate the sample platform records of the 科创助手 corpus (deterministic).

Everything written here is invented sample data (every record has "sample": true):
organisations and people are fictional, phone numbers are masked fakes. Technical
content comes from hand-written per-field topic templates below, so that needs,
experts and achievements in the same region and field can be matched.

Outputs (corpora/records/):
  needs.jsonl           JSON Lines, type "need"
  experts.csv           CSV with header, lists joined by "|"
  achievements.xlsx     one sheet "achievements", lists joined by "|"
  organizations.json    JSON list
  service_teams.json    JSON list

Usage: python scripts/build_sample_records.py
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from build_corpus_docs import normalize_zip  # same folder: scripts/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpora" / "records"
SEED = 20251101

DATE_MIN = date(2021, 1, 1)
DATE_MAX = date(2025, 12, 31)

FIELDS = [
    "新材料",
    "新能源",
    "电子信息",
    "生物医药",
    "高端装备制造",
    "现代农业",
    "节能环保",
    "石油化工",
    "纺织服装",
    "食品加工",
    "航空航天",
    "数字经济",
]

# region -> (province, short code, {field: weight})
REGIONS: dict[str, tuple[str, str, dict[str, int]]] = {
    "巴州": (
        "新疆维吾尔自治区",
        "bz",
        {"石油化工": 4, "纺织服装": 3, "现代农业": 4, "新能源": 3, "食品加工": 2, "节能环保": 1},
    ),
    "泰安市": (
        "山东省",
        "ta",
        {"高端装备制造": 4, "新材料": 4, "食品加工": 3, "新能源": 2, "现代农业": 1, "节能环保": 1},
    ),
    "镇江市": (
        "江苏省",
        "zj",
        {"新材料": 4, "高端装备制造": 4, "电子信息": 3, "生物医药": 1, "节能环保": 1, "航空航天": 1},
    ),
    "天津市": (
        "天津市",
        "tj",
        {"生物医药": 4, "电子信息": 4, "航空航天": 3, "石油化工": 1, "新能源": 1, "数字经济": 1},
    ),
    "西安市": (
        "陕西省",
        "xa",
        {"航空航天": 4, "电子信息": 4, "新材料": 3, "高端装备制造": 2, "新能源": 1, "数字经济": 1},
    ),
    "成都市": (
        "四川省",
        "cd",
        {"电子信息": 4, "生物医药": 4, "数字经济": 4, "航空航天": 1, "食品加工": 1, "新材料": 1},
    ),
}


@dataclass(frozen=True)
class Topic:
    field: str
    need: str  # the technical problem, phrased as a need
    ach_name: str  # name of a matching achievement
    ach_text: str  # indicators of that achievement
    expertise: str  # matching expert speciality
    keywords: tuple[str, ...]
    only: tuple[str, ...] = ()  # restrict to these regions (empty = any)


def T(field, need, ach_name, ach_text, expertise, keywords, only=()):
    return Topic(field, need, ach_name, ach_text, expertise, tuple(keywords), tuple(only))


TOPICS: list[Topic] = [
    # ------------------------------------------------------------ 新材料
    T(
        "新材料",
        "玻璃纤维增强PP复合材料注塑件翘曲大、界面结合弱，需优化浸润剂与偶联剂体系，拉伸强度提升到120MPa以上、翘曲量控制在0.5mm以内",
        "高性能玻纤浸润剂及界面改性技术",
        "采用硅烷偶联剂复配浸润剂，玻纤与PP/PA基体界面剪切强度提高约25%，已在拉丝生产线完成验证",
        "玻璃纤维及复合材料界面改性",
        ["玻璃纤维", "浸润剂", "复合材料", "界面改性"],
        ("泰安市", "镇江市", "成都市"),
    ),
    T(
        "新材料",
        "碳纤维预浸料树脂含量波动达±3%，需建立在线监测与工艺控制方法，将波动控制在±1%以内并提高层间剪切强度",
        "低温固化碳纤维环氧预浸料制备技术",
        "固化温度降至120℃，层间剪切强度不低于85MPa，适用于无人机结构件和轨道交通内饰件",
        "碳纤维复合材料成型工艺",
        ["碳纤维", "预浸料", "环氧树脂", "热压罐"],
    ),
    T(
        "新材料",
        "湿法锂电隔膜陶瓷涂覆后热收缩率偏高，需将150℃/1h热收缩率降至3%以下，同时透气度不大于250s/100mL",
        "勃姆石/芳纶复合涂覆隔膜技术",
        "150℃热收缩率小于2%，涂层厚度2至3μm，已完成中试线连续涂布验证",
        "锂电池隔膜与涂覆材料",
        ["锂电隔膜", "陶瓷涂覆", "热收缩", "勃姆石"],
    ),
    T(
        "新材料",
        "TC4钛合金薄壁件增材制造后残余应力大、易开裂，需优化激光选区熔化参数和热处理制度，致密度达到99.5%以上",
        "钛合金激光选区熔化成形与后处理工艺包",
        "致密度不低于99.7%，室温抗拉强度不低于950MPa，延伸率不低于10%",
        "钛合金增材制造",
        ["钛合金", "增材制造", "激光选区熔化", "热处理"],
        ("西安市", "镇江市", "天津市"),
    ),
    T(
        "新材料",
        "电子产品用石墨导热膜面内导热系数约1000W/(m·K)，需提高到1500以上并将厚度降到25μm以下",
        "高导热石墨烯复合膜连续制备技术",
        "面内导热系数不低于1600W/(m·K)，厚度17至40μm可控，可卷对卷连续生产",
        "碳材料与电子热管理材料",
        ["石墨烯", "导热膜", "热管理", "电子散热"],
    ),
    T(
        "新材料",
        "氮化硅陶瓷轴承球烧结致密度不稳定，需提高到理论密度99%以上，球度误差控制在0.15μm以内",
        "高可靠氮化硅陶瓷球气压烧结技术",
        "相对密度不低于99.5%，维氏硬度不低于15GPa，已用于精密机床主轴轴承小批量试用",
        "结构陶瓷材料",
        ["氮化硅", "陶瓷球", "气压烧结", "精密研磨"],
    ),
    # ------------------------------------------------------------ 新能源
    T(
        "新能源",
        "戈壁光伏电站组件积灰使发电效率下降8%以上，需开发低耗水清洗机器人和积灰监测模型，节水50%以上",
        "光伏组件干式清洗机器人",
        "无水毛刷清扫，单台日清洗约1.2MW组件，清洗后发电量恢复6%至9%，适应沙尘和高温环境",
        "光伏电站智能运维",
        ["光伏", "组件清洗", "积灰监测", "运维机器人"],
        ("巴州", "西安市", "天津市"),
    ),
    T(
        "新能源",
        "磷酸铁锂储能电站电池簇间SOC不一致超过5%，需改进BMS均衡策略与SOC估算算法，估算误差不大于3%",
        "储能电池簇主动均衡与SOC精确估算技术",
        "SOC估算误差小于2%，簇间一致性偏差控制在2%以内，已在兆瓦时级储能站示范",
        "电池管理系统",
        ["储能", "BMS", "SOC估算", "磷酸铁锂"],
    ),
    T(
        "新能源",
        "风电机组齿轮箱轴承早期故障难以发现，需融合振动与油液数据建立故障预警模型，提前两周以上预警",
        "风电机组传动链智能故障预警系统",
        "融合振动、温度和油液颗粒数据，轴承早期故障识别准确率超过90%，平均提前预警约20天",
        "风电设备状态监测",
        ["风电", "故障诊断", "振动监测", "齿轮箱"],
        ("巴州", "泰安市", "天津市", "西安市"),
    ),
    T(
        "新能源",
        "碱性电解槽在风光波动电源下效率低、启停频繁，需宽功率适应控制，单位制氢能耗降到4.3kWh/Nm³以下",
        "宽功率波动适应型碱性电解水制氢控制技术",
        "负荷调节范围20%至110%，单位制氢直流能耗约4.2kWh/Nm³，冷启动时间缩短40%",
        "电解水制氢",
        ["绿氢", "碱性电解槽", "风光制氢", "电解效率"],
    ),
    T(
        "新能源",
        "TOPCon电池背面钝化效果不稳定，需优化隧穿氧化层和多晶硅沉积工艺，量产效率提升0.3个百分点",
        "TOPCon电池隧穿氧化层钝化工艺",
        "隐含开路电压提高约8mV，量产平均效率提升0.3至0.4个百分点",
        "晶硅光伏电池工艺",
        ["TOPCon", "钝化", "光伏电池", "LPCVD"],
    ),
    T(
        "新能源",
        "退役动力电池正极材料锂回收率不足85%，需开发短流程湿法回收工艺，锂回收率达到92%、镍钴回收率达到98%",
        "退役锂电池短流程湿法回收技术",
        "锂回收率不低于93%，镍钴锰回收率不低于98%，酸耗降低约30%",
        "废旧锂电池资源化",
        ["电池回收", "湿法冶金", "锂回收", "退役电池"],
    ),
    # ------------------------------------------------------------ 电子信息
    T(
        "电子信息",
        "SiC MOSFET功率模块在高温循环下焊层开裂，需开发银烧结互连工艺，功率循环寿命提升到10万次以上",
        "碳化硅功率模块纳米银烧结封装技术",
        "烧结层剪切强度不低于40MPa，ΔTj=100K功率循环寿命超过12万次",
        "功率半导体封装",
        ["碳化硅", "功率模块", "银烧结", "封装可靠性"],
    ),
    T(
        "电子信息",
        "PCB外观缺陷人工复检比例高，需基于深度学习的AOI检测算法，漏检率低于0.1%、误报率低于3%",
        "基于深度学习的电子元件表面缺陷检测系统",
        "支持20余类缺陷，漏检率低于0.05%，误报率约2%，单板检测时间小于1秒",
        "机器视觉与工业图像处理",
        ["机器视觉", "缺陷检测", "深度学习", "AOI"],
    ),
    T(
        "电子信息",
        "5G基站介质滤波器插入损耗偏高，需优化微波陶瓷配方和腔体结构，插损不大于0.8dB、温漂在±5ppm/℃以内",
        "低损耗微波介质陶瓷滤波器",
        "Q×f值超过40000GHz，插入损耗约0.6dB，谐振频率温度系数±3ppm/℃",
        "微波射频器件",
        ["5G", "介质滤波器", "微波陶瓷", "射频"],
    ),
    T(
        "电子信息",
        "产线PLC控制器依赖进口芯片，需基于国产处理器完成控制器替代设计，控制周期不大于1ms",
        "基于国产处理器的可编程控制器",
        "支持IEC 61131-3编程，最小控制周期0.5ms，已在包装和输送产线替换使用",
        "嵌入式系统与工业控制",
        ["国产化", "嵌入式", "PLC", "工业控制"],
    ),
    T(
        "电子信息",
        "MEMS压力传感器温度漂移大，需开发温度补偿算法和低应力封装，-40至125℃全温区精度优于0.25%FS",
        "MEMS压力传感器全温区数字补偿技术",
        "全温区综合精度达到0.1%FS，长期稳定性优于0.1%FS/年",
        "MEMS传感器",
        ["MEMS", "压力传感器", "温度补偿", "传感器封装"],
    ),
    T(
        "电子信息",
        "工厂办公网与生产网边界模糊，需设计工控网络安全防护方案，满足等保2.0三级要求",
        "工业控制系统异常流量检测平台",
        "支持Modbus、S7等十余种工控协议深度解析，异常行为检出率超过95%",
        "工业控制网络安全",
        ["网络安全", "工控安全", "等保2.0", "入侵检测"],
    ),
    # ------------------------------------------------------------ 生物医药
    T(
        "生物医药",
        "CHO细胞单抗表达量约2g/L，需优化培养基和补料策略，表达量提高到4g/L以上且糖型保持一致",
        "CHO细胞高密度补料培养工艺平台",
        "14天补料批培养表达量4至6g/L，关键糖型批间差异小于5%",
        "生物药工艺开发",
        ["单克隆抗体", "CHO细胞", "细胞培养", "补料工艺"],
    ),
    T(
        "生物医药",
        "某口服固体制剂开展仿制药一致性评价，多介质溶出曲线与参比制剂相似因子f2需达到50以上",
        "难溶性药物固体分散体制剂技术",
        "热熔挤出制备固体分散体，溶出度提高2至3倍，四种介质f2均大于60",
        "药物制剂",
        ["一致性评价", "溶出曲线", "固体制剂", "处方工艺"],
    ),
    T(
        "生物医药",
        "化学发光免疫检测试剂批间差超过10%，需改进磁微粒包被工艺，批间CV控制在8%以内",
        "磁微粒化学发光检测试剂盒制备技术",
        "磁微粒粒径CV小于5%，试剂批间CV小于6%，检测线性范围覆盖3个数量级",
        "体外诊断试剂",
        ["体外诊断", "化学发光", "磁微粒", "试剂盒"],
    ),
    T(
        "生物医药",
        "川芎、丹参等中药材有效成分提取收率低、能耗高，需采用连续逆流提取与膜分离，收率提升15%",
        "中药连续逆流提取与膜浓缩集成技术",
        "有效成分收率提高15%至20%，蒸汽能耗降低约30%，指纹图谱相似度大于0.95",
        "中药制药工程",
        ["中药提取", "膜分离", "逆流提取", "质量标准"],
        ("成都市", "天津市", "西安市"),
    ),
    T(
        "生物医药",
        "可降解镁合金心血管支架降解过快，需进行表面涂层改性，使径向支撑力维持3个月以上",
        "可降解镁合金血管支架涂层技术",
        "体外浸泡90天径向支撑力保持率大于80%，涂层细胞毒性为0级",
        "生物医用材料",
        ["医疗器械", "可降解支架", "镁合金", "表面改性"],
    ),
    T(
        "生物医药",
        "某手性医药中间体化学合成路线收率低、三废多，需开发生物酶催化工艺，ee值达到99%以上",
        "手性医药中间体生物酶催化合成技术",
        "定向进化酶催化转化率大于98%，ee值大于99.5%，废水量减少60%",
        "生物催化与合成生物学",
        ["酶催化", "医药中间体", "绿色合成", "合成生物学"],
    ),
    # ------------------------------------------------------------ 高端装备制造
    T(
        "高端装备制造",
        "五轴加工中心热变形导致加工精度漂移15μm以上，需热误差建模与实时补偿，精度漂移控制在5μm以内",
        "数控机床热误差实时补偿系统",
        "基于温度场测点优化建模，主轴热漂移由约18μm降至4μm以内，可嵌入主流数控系统",
        "数控机床精度控制",
        ["数控机床", "热误差补偿", "五轴加工", "加工精度"],
    ),
    T(
        "高端装备制造",
        "矿用和工程机械液压系统能耗高、油温高，需负载敏感与电液比例控制改造，系统节能15%以上",
        "工程机械负载敏感电液控制技术",
        "负载敏感变量泵加电液比例多路阀，整机油耗降低12%至18%，油温下降约10℃",
        "液压传动与控制",
        ["液压系统", "负载敏感", "电液比例", "节能"],
        ("泰安市", "镇江市", "西安市"),
    ),
    T(
        "高端装备制造",
        "大型钢结构件焊接依赖人工，需开发激光视觉焊缝跟踪机器人系统，跟踪精度±0.3mm",
        "激光视觉焊缝跟踪机器人焊接系统",
        "焊缝跟踪精度±0.2mm，支持V形、角接等坡口，焊接效率提升约2倍",
        "机器人焊接",
        ["工业机器人", "焊接", "焊缝跟踪", "激光视觉"],
    ),
    T(
        "高端装备制造",
        "大型电力变压器局部放电量偏高，需改进绝缘结构和干燥工艺，局部放电控制在100pC以下",
        "大型电力变压器绝缘结构优化设计方法",
        "电场仿真与绝缘裕度优化，样机局部放电小于50pC，绝缘材料用量减少8%",
        "高电压与绝缘技术",
        ["变压器", "局部放电", "绝缘结构", "输变电装备"],
        ("泰安市", "天津市", "西安市"),
    ),
    T(
        "高端装备制造",
        "船用柴油机排放需满足IMO Tier III，需开发SCR后处理系统，NOx减排80%以上",
        "船用柴油机SCR脱硝系统",
        "NOx转化效率大于85%，氨逃逸小于10ppm，已完成台架和实船试验",
        "船舶动力与排放控制",
        ["船舶动力", "SCR", "尾气处理", "IMO Tier III"],
        ("镇江市", "天津市"),
    ),
    T(
        "高端装备制造",
        "轴承和齿轮产线关键设备突发停机频繁，需建设预测性维护系统，非计划停机减少30%",
        "设备健康管理与预测性维护平台",
        "振动和电流多源数据建模，故障提前预警准确率超过85%，试点产线非计划停机下降35%",
        "设备故障诊断",
        ["预测性维护", "工业互联网", "振动分析", "设备健康管理"],
    ),
    # ------------------------------------------------------------ 现代农业
    T(
        "现代农业",
        "库尔勒香梨贮藏期黑心病和腐烂率偏高，需优化气调贮藏参数与采后处理，贮藏6个月腐烂率低于3%",
        "库尔勒香梨采后气调保鲜技术",
        "优化氧气和二氧化碳浓度组合，贮藏6个月好果率超过97%，果实硬度保持率提升约20%",
        "果蔬采后生理与保鲜",
        ["香梨", "气调贮藏", "采后保鲜", "腐烂病"],
        ("巴州",),
    ),
    T(
        "现代农业",
        "膜下滴灌棉田水肥利用率低，需基于土壤墒情传感与作物模型的智能水肥决策，节水20%、增产8%",
        "棉田智能水肥一体化决策系统",
        "墒情与气象数据驱动灌溉决策，示范田节水约22%、节肥15%、皮棉增产约9%",
        "节水灌溉与水肥管理",
        ["棉花", "水肥一体化", "膜下滴灌", "智慧农业"],
        ("巴州",),
    ),
    T(
        "现代农业",
        "加工番茄机械化采收损伤率高、番茄红素含量不稳定，需选育适宜机采品种并优化采收参数，损伤率低于5%",
        "适宜机采的加工番茄品种及配套栽培技术",
        "果实耐压性提高，机采损伤率约4%，番茄红素含量稳定在每百克12mg以上",
        "蔬菜育种与栽培",
        ["加工番茄", "机械化采收", "番茄红素", "品种选育"],
        ("巴州",),
    ),
    T(
        "现代农业",
        "次生盐碱化耕地含盐量超过0.4%，需暗管排盐与土壤改良剂组合方案，使作物出苗率达到85%",
        "盐碱地暗管排盐与生物改良综合技术",
        "两年内耕层含盐量下降50%以上，棉花和小麦出苗率达到85%至90%",
        "盐碱地改良",
        ["盐碱地改良", "暗管排盐", "土壤改良剂", "耕地质量"],
        ("巴州", "天津市"),
    ),
    T(
        "现代农业",
        "小麦赤霉病发生加重，需建立病害早期遥感监测与精准施药方案，防治效果达到85%以上",
        "基于多光谱遥感的小麦病害监测系统",
        "无人机多光谱识别病害准确率约88%，配合变量施药节药20%",
        "植物保护与农业遥感",
        ["小麦", "赤霉病", "遥感监测", "植保无人机"],
        ("泰安市", "镇江市"),
    ),
    T(
        "现代农业",
        "日光温室冬季夜间温度不足，需相变蓄热墙体与环境智能调控系统，夜间温度提高3℃以上",
        "日光温室相变蓄热与智能环控技术",
        "相变蓄热墙体使夜间室温提高3至5℃，环控系统节省人工约40%",
        "设施农业工程",
        ["设施农业", "日光温室", "相变蓄热", "环境调控"],
    ),
    # ------------------------------------------------------------ 节能环保
    T(
        "节能环保",
        "园区化工废水COD高且含难降解有机物，需高级氧化与生化组合工艺，出水COD不高于50mg/L",
        "非均相催化臭氧氧化深度处理技术",
        "臭氧利用率提高30%，难降解COD去除率60%以上，出水COD稳定低于50mg/L",
        "工业废水处理",
        ["工业废水", "高级氧化", "难降解有机物", "催化臭氧"],
    ),
    T(
        "节能环保",
        "窑炉排烟温度约350℃未充分利用，需余热回收发电或供热方案，余热回收率达到60%以上",
        "中低温烟气余热有机朗肯循环发电技术",
        "适用烟温150至400℃，系统发电效率约12%，投资回收期约4年",
        "工业节能与余热利用",
        ["余热回收", "烟气", "换热器", "节能改造"],
    ),
    T(
        "节能环保",
        "涂装车间VOCs排放浓度波动大，需沸石转轮加RTO治理方案，排放浓度不高于50mg/m³",
        "沸石转轮吸附浓缩-蓄热燃烧VOCs治理系统",
        "浓缩倍数15至20倍，VOCs去除率大于97%，RTO热回收效率大于95%",
        "大气污染控制",
        ["VOCs", "沸石转轮", "RTO", "废气治理"],
    ),
    T(
        "节能环保",
        "电厂粉煤灰和炉渣综合利用率低，需开发高值化利用技术，制备建材的利用率达到90%以上",
        "工业固废制备免烧建材技术",
        "固废掺量超过70%，免烧砖抗压强度达到MU15，生产能耗较烧结砖降低60%",
        "固废资源化利用",
        ["固废资源化", "粉煤灰", "免烧建材", "综合利用"],
    ),
    T(
        "节能环保",
        "出口型企业需建立产品碳足迹核算与能源管理体系，满足海外客户碳数据披露要求",
        "企业碳排放在线监测与核算平台",
        "覆盖范围一、范围二排放核算，对接能源计量表计，自动生成产品碳足迹报告",
        "碳排放核算与能源管理",
        ["碳足迹", "碳排放核算", "能源管理", "双碳"],
    ),
    # ------------------------------------------------------------ 石油化工
    T(
        "石油化工",
        "油田采出水含油量高、回注水质不达标，需高效油水分离与除硫工艺，处理后含油量不高于10mg/L",
        "油田采出水气浮-过滤一体化处理装置",
        "处理后含油量小于8mg/L、悬浮物小于5mg/L，装置占地减少40%",
        "油田水处理",
        ["油田采出水", "油水分离", "回注水", "除硫"],
        ("巴州", "天津市"),
    ),
    T(
        "石油化工",
        "集输管道在含H2S/CO2环境下腐蚀穿孔频发，需开发缓蚀剂与内涂层防腐方案，腐蚀速率不高于0.076mm/a",
        "耐酸性气田集输管道缓蚀剂",
        "在H2S与CO2共存工况下缓蚀率超过90%，腐蚀速率小于0.05mm/a",
        "油气田腐蚀与防护",
        ["管道防腐", "缓蚀剂", "硫化氢腐蚀", "内涂层"],
        ("巴州", "天津市", "成都市"),
    ),
    T(
        "石油化工",
        "天然气处理厂轻烃回收率偏低，需优化膨胀制冷工艺参数，C3+收率提升到90%以上",
        "天然气轻烃深冷回收流程优化技术",
        "流程模拟与换热网络优化，C3+收率由约82%提高到93%，装置能耗下降8%",
        "天然气加工",
        ["天然气处理", "轻烃回收", "膨胀制冷", "流程模拟"],
        ("巴州", "天津市", "成都市"),
    ),
    T(
        "石油化工",
        "碳二馏分加氢催化剂寿命短，需开发高选择性加氢催化剂，选择性不低于95%、寿命两年以上",
        "碳二馏分选择加氢催化剂",
        "乙烯选择性大于95%，工业侧线试验连续运行超过8000小时",
        "石油化工催化",
        ["加氢催化剂", "选择性加氢", "炼化", "催化剂寿命"],
    ),
    T(
        "石油化工",
        "老油田综合含水率超过90%，需调剖堵水与化学驱技术，采收率提高3个百分点以上",
        "耐高温高盐凝胶调剖剂",
        "耐温120℃、耐矿化度20万mg/L，现场试验井组增油降水效果明显",
        "油气田开发",
        ["提高采收率", "调剖堵水", "化学驱", "老油田"],
        ("巴州", "天津市"),
    ),
    T(
        "石油化工",
        "化工装置报警泛滥、异常工况识别滞后，需基于过程数据的安全预警系统，提前识别异常工况",
        "化工过程异常工况智能预警系统",
        "融合机理模型与数据模型，异常工况平均提前约15分钟识别，无效报警减少60%",
        "化工过程安全",
        ["化工安全", "过程监控", "异常工况", "HAZOP"],
    ),
    # ------------------------------------------------------------ 纺织服装
    T(
        "纺织服装",
        "机采棉杂质和短绒率高，纺纱成纱强力不足，需改进清梳工艺，32支纱单纱强力CV不高于8%",
        "机采棉高效清梳成套工艺",
        "清梳联合除杂效率提高约15%，短绒率下降2个百分点，成纱强力CV约7%",
        "棉纺工艺",
        ["机采棉", "清梳工艺", "纺纱", "短绒"],
        ("巴州", "泰安市"),
    ),
    T(
        "纺织服装",
        "棉织物印染耗水量大，需开发少水染色工艺，吨布节水40%以上",
        "棉织物低浴比冷轧堆染色技术",
        "染色浴比降至1:4以下，吨布节水约45%，色牢度达到4级以上",
        "染整工程",
        ["印染", "节水染色", "活性染料", "棉织物"],
    ),
    T(
        "纺织服装",
        "需开发抗菌、吸湿速干的棉混纺面料，抗菌率99%以上且洗涤50次后保持90%以上",
        "耐久抗菌棉混纺面料整理技术",
        "对金黄色葡萄球菌抑菌率超过99%，水洗50次后仍大于95%",
        "功能纺织材料",
        ["功能面料", "抗菌整理", "吸湿速干", "棉混纺"],
    ),
    T(
        "纺织服装",
        "服装缝制环节效率低、换款慢，需吊挂系统与MES集成，生产周期缩短20%",
        "服装柔性智能吊挂生产系统",
        "工序自动派工与在制品实时追踪，换款时间缩短约50%，生产周期缩短25%",
        "纺织服装智能制造",
        ["服装智能制造", "吊挂系统", "MES", "柔性生产"],
    ),
    T(
        "纺织服装",
        "棉秆和纺纱废棉利用率低，需开发纤维素提取或生物质板材技术，实现资源化利用",
        "棉秆纤维素高值化提取技术",
        "纤维素提取率超过40%，可制备溶解浆和生物质复合板材",
        "生物质纤维",
        ["棉秆", "生物质", "纤维素", "资源化"],
        ("巴州",),
    ),
    # ------------------------------------------------------------ 食品加工
    T(
        "食品加工",
        "番茄酱浓缩过程色泽褐变、番茄红素损失大，需优化低温蒸发浓缩工艺，番茄红素保留率90%以上",
        "番茄低温多效浓缩与色泽保护技术",
        "蒸发温度低于65℃，番茄红素保留率约93%，色差值改善明显",
        "果蔬加工",
        ["番茄酱", "浓缩工艺", "番茄红素", "褐变控制"],
        ("巴州",),
    ),
    T(
        "食品加工",
        "低温肉制品货架期短，需开发天然保鲜剂与气调包装，冷藏货架期延长到45天",
        "天然复合保鲜剂及气调包装技术",
        "植物提取物复配保鲜剂配合气调包装，冷藏货架期由约20天延长到45天以上",
        "肉品科学",
        ["肉制品", "天然保鲜剂", "气调包装", "货架期"],
    ),
    T(
        "食品加工",
        "NFC果汁热杀菌后风味劣变，需采用超高压非热杀菌工艺，冷藏货架期达到60天以上",
        "NFC果汁超高压杀菌技术",
        "600MPa处理后菌落总数达标，维生素C保留率大于90%，冷藏货架期约60天",
        "食品非热加工",
        ["NFC果汁", "超高压杀菌", "风味保持", "非热加工"],
    ),
    T(
        "食品加工",
        "原料验收需快速检测农药和兽药残留，检测时间不超过15分钟，灵敏度达到国家标准限量要求",
        "农兽药残留免疫层析快速检测卡",
        "单样检测约10分钟，检出限满足相关限量要求，现场无需大型仪器",
        "食品安全检测",
        ["食品安全", "快速检测", "农药残留", "免疫层析"],
    ),
    T(
        "食品加工",
        "豆瓣酱、泡菜等传统发酵调味品生产周期长、亚硝酸盐偏高，需筛选优良菌种定向发酵，周期缩短30%",
        "功能乳酸菌定向发酵技术",
        "复合菌种接种发酵，周期缩短约35%，亚硝酸盐峰值降低60%",
        "食品微生物与发酵",
        ["发酵食品", "菌种选育", "亚硝酸盐", "调味品"],
        ("成都市", "泰安市"),
    ),
    # ------------------------------------------------------------ 航空航天
    T(
        "航空航天",
        "高温合金涡轮叶片精铸件疏松缺陷率偏高，需优化定向凝固工艺，铸件合格率提升到85%",
        "定向凝固涡轮叶片精铸工艺",
        "优化抽拉速率与温度梯度，疏松缺陷率下降约60%，合格率达到88%",
        "高温合金精密铸造",
        ["涡轮叶片", "高温合金", "定向凝固", "精密铸造"],
    ),
    T(
        "航空航天",
        "大型机身壁板装配依赖人工钻铆，需自动钻铆与数字化测量，孔位精度±0.1mm",
        "飞机壁板自动钻铆系统",
        "激光跟踪测量引导，制孔位置精度±0.08mm，钻铆效率提高约3倍",
        "飞机数字化装配",
        ["飞机装配", "自动钻铆", "数字化测量", "激光跟踪"],
        ("西安市", "天津市", "成都市"),
    ),
    T(
        "航空航天",
        "中小型无人机复合材料机翼需要减重，需拓扑优化与一体化成型，结构减重15%",
        "无人机复合材料机翼一体化成型技术",
        "机翼盒段一体化共固化成型，减重约18%，零件数量减少60%",
        "飞行器结构设计",
        ["无人机", "复合材料", "结构优化", "一体化成型"],
    ),
    T(
        "航空航天",
        "商业卫星载荷电子学需抗辐照设计，单粒子翻转率需降低一个数量级",
        "星载电子系统抗辐照加固设计方法",
        "三模冗余与刷新机制结合，单粒子翻转错误率降低约两个数量级",
        "航天电子可靠性",
        ["商业航天", "抗辐照", "单粒子效应", "星载电子"],
    ),
    T(
        "航空航天",
        "燃烧室部件热障涂层服役中剥落，需优化等离子喷涂工艺，热循环寿命提升50%",
        "长寿命热障涂层等离子喷涂技术",
        "双层陶瓷结构热障涂层，1100℃热循环寿命提高约60%",
        "高温防护涂层",
        ["热障涂层", "等离子喷涂", "高温防护", "燃烧室"],
    ),
    # ------------------------------------------------------------ 数字经济
    T(
        "数字经济",
        "中小制造企业设备数据孤岛严重，需低成本设备联网与数据采集方案，支持20种以上主流PLC协议",
        "轻量化工业设备联网与边缘采集网关",
        "支持30余种工业协议，单网关接入设备64台，部署成本低于传统方案一半",
        "工业互联网",
        ["工业互联网", "数据采集", "设备联网", "边缘计算"],
    ),
    T(
        "数字经济",
        "企业技术文档和工艺规程多、检索困难，需基于大语言模型的知识库问答系统，并在本地服务器私有化部署",
        "面向制造业的私有化知识库问答系统",
        "检索增强生成架构，支持文档权限控制，专业问答准确率约85%",
        "自然语言处理",
        ["大语言模型", "知识库", "检索增强", "私有化部署"],
    ),
    T(
        "数字经济",
        "工厂需要数字孪生可视化平台，实时映射产线运行状态，数据刷新延迟不超过1秒",
        "产线数字孪生建模与可视化平台",
        "轻量化三维建模，支持万级测点实时接入，刷新延迟约0.5秒",
        "数字孪生与仿真",
        ["数字孪生", "三维可视化", "智能工厂", "实时映射"],
    ),
    T(
        "数字经济",
        "需在保护数据隐私的前提下与上下游企业联合建模，采用联邦学习等隐私计算技术",
        "多方安全计算联合建模平台",
        "支持纵向和横向联邦学习，建模效果接近明文建模，通过第三方安全测评",
        "隐私计算",
        ["隐私计算", "联邦学习", "数据要素", "数据安全"],
    ),
    T(
        "数字经济",
        "需建立订单需求预测模型，优化排产和库存，预测准确率提升到85%以上",
        "基于机器学习的供应链需求预测系统",
        "融合历史订单、促销和天气特征，周度预测准确率约87%，库存周转提升20%",
        "数据挖掘与智能决策",
        ["需求预测", "供应链", "机器学习", "SaaS"],
    ),
]

FIELD_EXTRA_KW = {
    "新材料": "新材料",
    "新能源": "新能源",
    "电子信息": "电子信息",
    "生物医药": "生物医药",
    "高端装备制造": "智能制造",
    "现代农业": "农业技术",
    "节能环保": "节能减排",
    "石油化工": "油气化工",
    "纺织服装": "纺织",
    "食品加工": "食品工程",
    "航空航天": "航空航天",
    "数字经济": "数字化转型",
}

SOCIETIES = {
    "新材料": ["中国材料研究学会", "中国复合材料学会", "中国硅酸盐学会"],
    "新能源": ["中国可再生能源学会", "中国电工技术学会", "中国能源研究会"],
    "电子信息": ["中国电子学会", "中国计算机学会", "中国通信学会"],
    "生物医药": ["中国药学会", "中国生物工程学会", "中国生物医学工程学会"],
    "高端装备制造": ["中国机械工程学会", "中国自动化学会", "中国电机工程学会"],
    "现代农业": ["中国农学会", "中国园艺学会", "中国作物学会", "中国土壤学会"],
    "节能环保": ["中国环境科学学会", "中国能源研究会"],
    "石油化工": ["中国石油学会", "中国化工学会"],
    "纺织服装": ["中国纺织工程学会"],
    "食品加工": ["中国食品科学技术学会"],
    "航空航天": ["中国航空学会", "中国宇航学会"],
    "数字经济": ["中国计算机学会", "中国人工智能学会", "中国通信学会"],
}

# Real universities/institutes may appear as an *affiliation*; people are fictional.
AFFILIATIONS = {
    "巴州": [
        ("塔里木大学", {"现代农业", "食品加工", "纺织服装", "节能环保"}),
        ("新疆大学", {"石油化工", "新能源", "节能环保", "纺织服装"}),
        ("石河子大学", {"现代农业", "食品加工", "纺织服装"}),
        ("新疆农业大学", {"现代农业", "食品加工"}),
        ("中国石油大学（北京）克拉玛依校区", {"石油化工"}),
        ("中国科学院新疆理化技术研究所", {"新能源", "石油化工", "节能环保"}),
    ],
    "泰安市": [
        ("山东农业大学", {"现代农业", "食品加工", "节能环保"}),
        ("山东科技大学", {"高端装备制造", "新能源", "节能环保"}),
        ("泰山学院", {"新材料", "高端装备制造", "食品加工"}),
        ("山东大学", {"新材料", "高端装备制造", "新能源"}),
        ("济南大学", {"新材料", "节能环保"}),
    ],
    "镇江市": [
        ("江苏大学", {"高端装备制造", "新材料", "现代农业", "节能环保", "生物医药"}),
        ("江苏科技大学", {"高端装备制造", "新材料", "电子信息", "航空航天"}),
        ("东南大学", {"电子信息", "新材料"}),
        ("南京航空航天大学", {"航空航天", "高端装备制造"}),
    ],
    "天津市": [
        ("天津大学", {"石油化工", "电子信息", "新能源", "高端装备制造", "新材料"}),
        ("南开大学", {"生物医药", "电子信息", "新材料"}),
        ("天津医科大学", {"生物医药"}),
        ("中国民航大学", {"航空航天"}),
        ("天津工业大学", {"新材料", "纺织服装", "电子信息"}),
        ("天津中医药大学", {"生物医药"}),
        ("中国科学院天津工业生物技术研究所", {"生物医药"}),
    ],
    "西安市": [
        ("西安交通大学", {"电子信息", "新能源", "高端装备制造", "新材料", "数字经济"}),
        ("西北工业大学", {"航空航天", "新材料", "高端装备制造"}),
        ("西安电子科技大学", {"电子信息", "数字经济"}),
        ("西北大学", {"新材料", "生物医药"}),
        ("中国科学院西安光学精密机械研究所", {"电子信息", "航空航天"}),
    ],
    "成都市": [
        ("四川大学", {"生物医药", "新材料", "电子信息"}),
        ("电子科技大学", {"电子信息", "数字经济"}),
        ("西南交通大学", {"高端装备制造", "新材料", "数字经济"}),
        ("成都中医药大学", {"生物医药"}),
        ("西南石油大学", {"石油化工"}),
        ("四川农业大学", {"现代农业", "食品加工"}),
        ("中国科学院成都生物研究所", {"生物医药", "现代农业"}),
    ],
}

SURNAMES = list(
    "陈李王张刘杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
TITLES = ["教授", "研究员", "正高级工程师", "高级工程师", "副教授", "副研究员"]
BRAND = [
    "启衡",
    "睿岭",
    "澄拓",
    "科翊",
    "岚曜",
    "铂川",
    "恒钧",
    "致远",
    "沐晨",
    "汇峯",
    "拓璟",
    "晟睿",
    "祺瑞",
    "鸿屹",
    "嘉拓",
    "瀚丰",
    "泓铭",
    "骏成",
    "御擎",
    "蓝舸",
    "凯钛",
    "卓垣",
    "益朗",
    "奕辰",
    "昇泰",
    "坤泽",
    "璞源",
    "览锐",
    "翼弘",
    "聚衡",
    "正岚",
    "朗屹",
    "欣钛",
    "安拓",
    "瑞琪",
    "华翊",
]
REGION_PREFIX = {
    "巴州": ["库尔勒", "巴州", "轮台", "尉犁", "和静", "焉耆"],
    "泰安市": ["泰安", "岱岳", "新泰", "肥城", "宁阳"],
    "镇江市": ["镇江", "丹阳", "句容", "扬中", "丹徒"],
    "天津市": ["天津", "滨海", "津南", "西青", "东丽"],
    "西安市": ["西安", "长安", "高陵", "鄠邑", "阎良"],
    "成都市": ["成都", "天府", "双流", "郫都", "温江", "新都"],
}
FIELD_ORG_SUFFIX = {
    "新材料": ["新材料科技有限公司", "复合材料有限公司"],
    "新能源": ["新能源科技有限公司", "储能技术有限公司"],
    "电子信息": ["电子科技有限公司", "微电子有限公司"],
    "生物医药": ["生物医药有限公司", "制药有限公司"],
    "高端装备制造": ["智能装备有限公司", "机械制造有限公司"],
    "现代农业": ["农业科技有限公司", "农业发展有限公司"],
    "节能环保": ["环保科技有限公司", "节能技术有限公司"],
    "石油化工": ["石化技术有限公司", "油田技术服务有限公司"],
    "纺织服装": ["纺织有限公司", "棉业有限公司"],
    "食品加工": ["食品有限公司", "食品科技有限公司"],
    "航空航天": ["航空科技有限公司", "航天技术有限公司"],
    "数字经济": ["数字科技有限公司", "信息技术有限公司"],
}

# organizations per region = one enterprise per regional field + 4 other kinds
PER_REGION = {"expert": 14, "achievement": 12, "need": 16, "service_team": 6}


class Gen:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.used_names: set[str] = set()
        self.brand_pool = BRAND[:]
        self.rng.shuffle(self.brand_pool)
        self.brand_i = 0
        self.decks: dict[str, list[str]] = {}

    # ---------------------------------------------------------- helpers
    def rdate(self, lo: date = DATE_MIN, hi: date = DATE_MAX) -> date:
        return lo + timedelta(days=self.rng.randint(0, (hi - lo).days))

    def pick_field(self, region: str) -> str:
        """Draw a field from a shuffled per-region deck holding each field `weight` times,
        so the region's industrial profile is followed closely (not just on average)."""
        deck = self.decks.setdefault(region, [])
        if not deck:
            weights = REGIONS[region][2]
            deck.extend(f for f, w in weights.items() for _ in range(w))
            self.rng.shuffle(deck)
        return deck.pop()

    def topics_for(self, region: str, field: str) -> list[Topic]:
        return [t for t in TOPICS if t.field == field and (not t.only or region in t.only)]

    def person(self, style: str = "full") -> str:
        s = self.rng.choice(SURNAMES)
        return {"full": f"{s}某某", "short": f"{s}某", "eng": f"{s}工"}[style]

    def phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}****{self.rng.randint(0, 9999):04d}"

    def brand(self) -> str:
        b = self.brand_pool[self.brand_i % len(self.brand_pool)]
        self.brand_i += 1
        return b

    def keywords(self, topic: Topic, extra: list[str] | None = None) -> list[str]:
        kws = list(topic.keywords[:4])
        for k in (extra or []) + [FIELD_EXTRA_KW[topic.field]]:
            if k not in kws and len(kws) < 6:
                kws.append(k)
        return kws

    @staticmethod
    def check_desc(desc: str, rid: str) -> str:
        if not 60 <= len(desc) <= 200:
            raise ValueError(f"{rid}: description length {len(desc)} out of 60-200: {desc}")
        return desc


def build() -> dict[str, list[dict]]:
    g = Gen()
    rng = g.rng
    orgs: list[dict] = []
    experts: list[dict] = []
    achievements: list[dict] = []
    needs: list[dict] = []
    teams: list[dict] = []

    for region, (province, code, weights) in REGIONS.items():
        base = {"region": region, "province": province}
        region_fields = list(weights)
        # the region's main fields (weight >= 3) get most records
        # ------------------------------------------------ organizations
        region_orgs: list[dict] = []
        # one enterprise per regional field, then the other organisation kinds
        region_index = list(REGIONS).index(region)
        org_types = ["企业"] * len(region_fields) + [
            "科研院所",
            "高校",
            "学会" if region_index % 2 else "园区",
            "服务机构",
        ]
        for i, otype in enumerate(org_types, start=1):
            field = region_fields[(i - 1) % len(region_fields)] if otype == "企业" else g.pick_field(region)
            topic = rng.choice(g.topics_for(region, field))
            prefix = rng.choice(REGION_PREFIX[region])
            if otype == "企业":
                name = f"{prefix}{g.brand()}{rng.choice(FIELD_ORG_SUFFIX[field])}"
                quals_pool = [
                    "高新技术企业",
                    "科技型中小企业",
                    "专精特新中小企业",
                    "企业技术中心",
                    "企业科协",
                ]
                quals = sorted(rng.sample(quals_pool, rng.randint(1, 3)), key=quals_pool.index)
                founded = rng.randint(2006, 2020)
                desc = (
                    f"{name}成立于{founded}年，主营{topic.ach_name.replace('技术', '')}相关产品与服务，"
                    f"现有研发人员{rng.randint(12, 80)}人，近三年围绕{topic.keywords[0]}、{topic.keywords[1]}开展研发，"
                    f"拥有授权发明专利{rng.randint(2, 15)}项。"
                )
            elif otype == "科研院所":
                name = f"{prefix}{field}产业技术研究院（示例）"
                quals = ["新型研发机构", "技术转移机构"][: rng.randint(1, 2)]
                desc = (
                    f"{name}由地方政府与高校共建，聚焦{field}领域的{topic.expertise}方向，建有中试平台和检测中心，"
                    f"可面向企业提供技术开发、中试熟化和成果转化服务。"
                )
            elif otype == "高校":
                name = f"{prefix}{g.brand()}理工学院（示例）"
                quals = ["省级工程技术研究中心", "技术转移机构"][: rng.randint(1, 2)]
                desc = (
                    f"{name}设有{field}相关专业和{topic.expertise}研究团队，建有校企联合实验室，"
                    f"每年向{region}企业输送毕业生并承接横向技术开发和检测服务项目。"
                )
            elif otype == "学会":
                society = rng.choice(SOCIETIES[field])
                name = f"{region}{field}学会（示例）"
                quals = ["科创中国学会服务站"]
                desc = (
                    f"{name}是本地{field}领域科技工作者组成的学术性社会组织，与{society}建立合作关系，"
                    f"组织学术交流和科普活动，协助组建科技服务团对接企业技术需求。"
                )
            elif otype == "园区":
                name = f"{prefix}{g.brand()}科技产业园（示例）"
                quals = ["科技企业孵化器", "众创空间"][: rng.randint(1, 2)]
                desc = (
                    f"{name}以{field}为主导产业，入驻科技型企业{rng.randint(30, 150)}家，提供标准厂房、"
                    f"公共检测平台、投融资对接和政策申报辅导等服务，是“科创中国”区域服务站点之一。"
                )
            else:
                name = f"{prefix}{g.brand()}技术转移服务中心（示例）"
                quals = ["技术转移示范机构", "技术合同登记点"][: rng.randint(1, 2)]
                desc = (
                    f"{name}拥有持证技术经纪人{rng.randint(5, 20)}名，提供技术需求挖掘、成果评价、"
                    f"知识产权运营和技术合同登记服务，重点服务{field}等产业的中小企业。"
                )
            joined = g.rdate(DATE_MIN, date(2025, 6, 30))
            rid = f"org-{code}-{i:03d}"
            orgs.append(
                region_orgs_add := {
                    "id": rid,
                    "type": "organization",
                    "name": name,
                    **base,
                    "field": field,
                    "date": g.rdate(joined, DATE_MAX).isoformat(),
                    "description": g.check_desc(desc, rid),
                    "keywords": g.keywords(topic, [field] if field not in topic.keywords else None),
                    "sample": True,
                    "org_type": otype,
                    "joined_date": joined.isoformat(),
                    "qualifications": quals,
                }
            )
            region_orgs.append(region_orgs_add)
        enterprises = [o for o in region_orgs if o["org_type"] == "企业"]

        # ------------------------------------------------ experts
        region_expert_topics: list[Topic] = []
        for i in range(1, PER_REGION["expert"] + 1):
            field = g.pick_field(region)
            topic = rng.choice(g.topics_for(region, field))
            region_expert_topics.append(topic)
            affs = [a for a, fs in AFFILIATIONS[region] if field in fs] or [
                a for a, _ in AFFILIATIONS[region]
            ]
            aff = rng.choice(affs)
            name = g.person("full")
            title = rng.choice(TITLES)
            second = rng.choice(
                [t.expertise for t in TOPICS if t.field == field and t.expertise != topic.expertise]
                or [field]
            )
            coop_pool = [o for o in enterprises if o["field"] == field] or enterprises
            k = rng.choice([0, 1, 1, 2])
            coop = [o["id"] for o in rng.sample(coop_pool, min(k, len(coop_pool)))]
            rid = f"exp-{code}-{i:03d}"
            desc = (
                f"{name}，{aff}{title}，长期从事{topic.expertise}研究。主持研发“{topic.ach_name}”，"
                f"{topic.ach_text}。可提供技术咨询、联合攻关和人才培养服务。"
            )
            if len(desc) > 200:
                desc = f"{name}，{aff}{title}，从事{topic.expertise}研究，主持研发“{topic.ach_name}”，{topic.ach_text}。"
            experts.append(
                {
                    "id": rid,
                    "type": "expert",
                    "name": name,
                    **base,
                    "field": field,
                    "date": g.rdate().isoformat(),
                    "description": g.check_desc(desc, rid),
                    "keywords": g.keywords(topic),
                    "sample": True,
                    "title": title,
                    "affiliation": aff,
                    "expertise": [topic.expertise, second],
                    "past_cooperation": coop,
                }
            )

        # ------------------------------------------------ achievements
        region_ach_topics: list[Topic] = []
        for i in range(1, PER_REGION["achievement"] + 1):
            # half of the achievements reuse an expert's topic in this region
            if i % 2 == 0:
                topic = rng.choice(region_expert_topics)
            else:
                topic = rng.choice(g.topics_for(region, g.pick_field(region)))
            region_ach_topics.append(topic)
            field = topic.field
            same_field = [o for o in enterprises if o["field"] == field]
            if rng.random() < 0.65 or not same_field:
                affs = [a for a, fs in AFFILIATIONS[region] if field in fs] or [
                    a for a, _ in AFFILIATIONS[region]
                ]
                owner = rng.choice(affs)
            else:
                owner = rng.choice(same_field)["name"]
            maturity = rng.choice(["实验室阶段", "小试", "中试", "中试", "产业化", "产业化"])
            mode = rng.choice(["转让", "许可", "作价入股", "合作开发"])
            price = (
                None
                if mode == "合作开发" or rng.random() < 0.2
                else rng.choice([30, 50, 80, 120, 150, 200, 300, 500, 800])
            )
            stage_txt = {
                "实验室阶段": "目前处于实验室验证阶段",
                "小试": "已完成小试",
                "中试": "已完成中试放大",
                "产业化": "已在合作企业实现产业化应用",
            }[maturity]
            rid = f"ach-{code}-{i:03d}"
            desc = (
                f"{topic.ach_text}。{stage_txt}，可解决“{topic.need[: topic.need.index('，')]}”等问题，"
                f"拟以{mode}方式与{region}及周边企业合作。"
            )
            achievements.append(
                {
                    "id": rid,
                    "type": "achievement",
                    "name": topic.ach_name,
                    **base,
                    "field": field,
                    "date": g.rdate().isoformat(),
                    "description": g.check_desc(desc, rid),
                    "keywords": g.keywords(topic),
                    "sample": True,
                    "owner": owner,
                    "maturity": maturity,
                    "transfer_mode": mode,
                    "price_wan": price,
                }
            )

        # ------------------------------------------------ needs
        matched_topics = region_expert_topics + region_ach_topics
        for i in range(1, PER_REGION["need"] + 1):
            if rng.random() < 0.6:
                topic = rng.choice(matched_topics)
            else:
                topic = rng.choice(g.topics_for(region, g.pick_field(region)))
            field = topic.field
            org = rng.choice([o for o in enterprises if o["field"] == field] or enterprises)
            need_type = rng.choices(["技术", "服务", "人才", "资金"], weights=[6, 2, 1, 1])[0]
            coop = {
                "技术": rng.choice(["技术开发", "联合攻关", "技术转让"]),
                "服务": rng.choice(["技术服务", "技术咨询"]),
                "人才": "人才引进",
                "资金": rng.choice(["技术开发", "联合攻关"]),
            }[need_type]
            d = g.rdate()
            budget = None if rng.random() < 0.2 else rng.choice([10, 20, 30, 50, 80, 100, 150, 200, 300])
            deadline = (
                None
                if rng.random() < 0.15
                else (d + timedelta(days=rng.choice([60, 90, 120, 180, 270, 365])))
            )
            if d < date(2023, 6, 30):
                status = rng.choices(["征集中", "已对接", "已解决"], weights=[1, 3, 4])[0]
            elif d < date(2025, 3, 1):
                status = rng.choices(["征集中", "已对接", "已解决"], weights=[3, 4, 2])[0]
            else:
                status = rng.choices(["征集中", "已对接"], weights=[5, 1])[0]
            months = rng.choice([6, 9, 12, 18, 24])
            tail = {
                "技术": f"拟采用{coop}方式合作，期望{months}个月内完成",
                "服务": "希望获得检测分析和工艺诊断服务",
                "人才": f"拟引进{topic.expertise}方向博士或高级工程师1至2名",
                "资金": "已有样机，希望对接科技金融和项目资金共同推进",
            }[need_type]
            budget_txt = f"，预算约{budget}万元" if budget else ""
            rid = f"need-{code}-{i:03d}"
            desc = f"{org['name']}：{topic.need}。{tail}{budget_txt}。"
            title_core = topic.keywords[0] + "、" + topic.keywords[1]
            name = {
                "技术": f"{title_core}技术攻关需求",
                "服务": f"{title_core}技术服务需求",
                "人才": f"{topic.expertise}人才需求",
                "资金": f"{title_core}项目融资需求",
            }[need_type]
            needs.append(
                {
                    "id": rid,
                    "type": "need",
                    "name": name,
                    **base,
                    "field": field,
                    "date": d.isoformat(),
                    "description": g.check_desc(desc, rid),
                    "keywords": g.keywords(topic),
                    "sample": True,
                    "organization": org["name"],
                    "need_type": need_type,
                    "cooperation": coop,
                    "budget_wan": budget,
                    "deadline": deadline.isoformat() if deadline else None,
                    "contact": f"{g.person('short')} {g.phone()}",
                    "status": status,
                }
            )

        # ------------------------------------------------ service teams
        team_fields = sorted(weights, key=lambda f: -weights[f])
        for i in range(1, PER_REGION["service_team"] + 1):
            field = team_fields[(i - 1) % len(team_fields)]
            topics = g.topics_for(region, field)
            t1, t2 = rng.sample(topics, 2) if len(topics) >= 2 else (topics[0], topics[0])
            society = rng.choice(SOCIETIES[field])
            lead = g.person("full")
            members = rng.randint(5, 18)
            served = rng.randint(6, 45)
            services = rng.sample(
                [
                    "技术诊断",
                    "工艺优化",
                    "成果对接",
                    "人才培训",
                    "标准制定咨询",
                    "检验检测",
                    "政策申报辅导",
                    "知识产权布局",
                ],
                3,
            )
            rid = f"team-{code}-{i:03d}"
            desc = (
                f"由{society}联合在{REGIONS[region][0]}高校院所组建，团长{lead}，成员{members}人，"
                f"面向{region}{field}企业开展{services[0]}和{services[1]}，重点服务{t1.expertise}、{t2.expertise}方向，"
                f"已累计服务企业{served}家。"
            )
            kws = [field, t1.keywords[0], t2.keywords[0], "科技服务团", "科创中国"]
            kws = list(dict.fromkeys(kws))
            teams.append(
                {
                    "id": rid,
                    "type": "service_team",
                    "name": f"“科创中国”{region}{field}科技服务团（{i}）",
                    **base,
                    "field": field,
                    "date": g.rdate().isoformat(),
                    "description": g.check_desc(desc, rid),
                    "keywords": kws,
                    "sample": True,
                    "lead": lead,
                    "members": members,
                    "services": services,
                    "served_enterprises": served,
                    "society": society,
                }
            )

    return {
        "organization": orgs,
        "expert": experts,
        "achievement": achievements,
        "need": needs,
        "service_team": teams,
    }


def join(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "|".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write(data: dict[str, list[dict]]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "needs.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in data["need"]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for key, fname in (("organization", "organizations.json"), ("service_team", "service_teams.json")):
        with open(OUT / fname, "w", encoding="utf-8", newline="\n") as f:
            json.dump(data[key], f, ensure_ascii=False, indent=2)
            f.write("\n")

    exp_cols = [
        "id",
        "type",
        "name",
        "region",
        "province",
        "field",
        "date",
        "title",
        "affiliation",
        "expertise",
        "past_cooperation",
        "description",
        "keywords",
        "sample",
    ]
    with open(OUT / "experts.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(exp_cols)
        for r in data["expert"]:
            w.writerow([join(r[c]) for c in exp_cols])

    from openpyxl import Workbook

    ach_cols = [
        "id",
        "type",
        "name",
        "region",
        "province",
        "field",
        "date",
        "owner",
        "maturity",
        "transfer_mode",
        "price_wan",
        "description",
        "keywords",
        "sample",
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "achievements"
    ws.append(ach_cols)
    for r in data["achievement"]:
        row = []
        for c in ach_cols:
            v = r[c]
            if c == "price_wan":
                row.append(v)  # number or empty cell
            elif c == "sample":
                row.append(True)
            else:
                row.append(join(v))
        ws.append(row)
    ws.freeze_panes = "A2"
    fixed = datetime(2025, 11, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "科创助手项目组（示例语料）"
    wb.save(OUT / "achievements.xlsx")
    normalize_zip(OUT / "achievements.xlsx")


def main() -> None:
    data = build()
    ids = [r["id"] for rs in data.values() for r in rs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    org_ids = {o["id"] for o in data["organization"]}
    for e in data["expert"]:
        assert set(e["past_cooperation"]) <= org_ids
    write(data)
    total = sum(len(v) for v in data.values())
    print({k: len(v) for k, v in data.items()}, "total", total)


if __name__ == "__main__":
    main()
