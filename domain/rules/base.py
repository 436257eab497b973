"""The national base pack: what the law says everywhere. Each key cites its source."""

from __future__ import annotations

from typing import Any

BASE_RULES: dict[str, Any] = {
    # 三管三必须 — 安全生产法 第3条; seed 000 §4.
    "three_musts.basis": "安全生产法 第3条 (管行业必须管安全、管业务必须管安全、管生产经营必须管安全)",
    # Sectors whose main responsible person and safety managers must pass the competence assessment
    # (安全生产知识和管理能力考核合格) — 安全生产法 第27条.
    "certification.sectors": (
        "危险化学品", "矿山", "金属冶炼", "建筑施工", "道路运输", "城镇燃气", "烟花爆竹",
    ),
    # 双随机 — 国办发〔2015〕58号: 随机抽取检查对象、随机选派执法检查人员. The national text does not exclude the
    # inspector who inspected a target last time; local packs may (轮换).
    "random_draw.exclude_previous_inspector": False,
    "random_draw.exclude_previous_inspector.source": "国办发〔2015〕58号 (双随机: no rotation rule)",
}
