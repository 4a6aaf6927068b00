"""The report columns of the vocational path: 金牌蓝领 in 附件8, 两后生 and 金牌蓝领 activity in 附件9（二）."""

from __future__ import annotations

from services.reports.column_types import _PERIOD, Column, Kind

_GOLDEN = "金牌蓝领（校企结对助学）"
GOLDEN_AID_COLUMNS: tuple[Column, ...] = (
    Column(
        "golden_pairings",
        "结对协议",
        _GOLDEN,
        "个",
        Kind.COUNT,
        "协议期与统计年度相交、开始日期不晚于统计日期的金牌蓝领校企结对协议数，归入组织单位所在县区。",
        "golden_pairings",
    ),
    Column(
        "golden_students",
        "结对学生",
        _GOLDEN,
        "人",
        Kind.COUNT,
        "截至统计日期已加入结对、且未在统计年度开始前退出的中职、高职学生人数（同一人计1人），归入学生所属县区。",
        "golden_pairings",
    ),
    Column(
        "golden_aid",
        "企业助学金",
        _GOLDEN,
        "元",
        Kind.MONEY,
        "统计年度内、截至统计日期结对企业按协议发给结对学生的助学金之和，归入学生所属县区。",
        "golden_pairings",
    ),
)
_TWO_AFTER = "两后生职业发展（人）"
_ACTIVE = "统计期间内在训、在读或在学徒（开始日期不晚于统计日期，且未在统计期间开始前结束）"
VOCATIONAL_ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column(
        "two_after_training",
        "技能培训",
        _TWO_AFTER,
        "人",
        Kind.COUNT,
        f"{_ACTIVE}登记了技能培训的“两后生”（服务对象类别（四））人数，同一人计1人，归入其所属县区。",
        "two_after_tracks",
    ),
    Column(
        "two_after_certified",
        "取得证书",
        _TWO_AFTER,
        "人",
        Kind.COUNT,
        "技能培训、中职/技工学校或学徒结业日期在统计期间内、并登记了所取得证书的“两后生”人数。",
        "two_after_tracks",
    ),
    Column(
        "two_after_school",
        "中职/技工就读",
        _TWO_AFTER,
        "人",
        Kind.COUNT,
        f"{_ACTIVE}登记了中等职业学校或技工学校就读的“两后生”人数。",
        "two_after_tracks",
    ),
    Column(
        "two_after_apprentice",
        "学徒",
        _TWO_AFTER,
        "人",
        Kind.COUNT,
        f"{_ACTIVE}登记了学徒的“两后生”人数。",
        "two_after_tracks",
    ),
    Column(
        "golden_interns",
        "结对企业实习",
        "金牌蓝领（人）",
        "人",
        Kind.COUNT,
        "实习开始日期在统计期间内的金牌蓝领结对学生人数（认识实习、跟岗实习、岗位实习；同一人计1人）。" + _PERIOD,
        "golden_pairings",
    ),
    Column(
        "golden_placed",
        "入职结对企业",
        "金牌蓝领（人）",
        "人",
        Kind.COUNT,
        "入职结对企业的日期在统计期间内的金牌蓝领结对学生人数。" + _PERIOD,
        "golden_pairings",
    ),
)
