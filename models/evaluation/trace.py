"""The records behind one figure (计分依据): what the clerk sees when clicking a cell.

Each indicator's rows are the same records its count reads (:mod:`models.evaluation.counts`),
with a 计入分子 column (计入分子 / 不计入：why) where the numerator is a subset of them, so the figure can be checked
by hand.  ID numbers are masked.
"""

from __future__ import annotations

from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.idcard import mask
from models.core.periods import check_month
from models.core.presence import covers_sql, grid_households_sql
from models.evaluation.adjustments import adjustments
from models.evaluation.counts import CANCELLED_BY_T, MATTER_FACTS, RATINGS, RATINGS_SQL, SATISFIED, month_params
from models.evaluation.figures import ADJUSTMENTS_KEY, fmt_num


#: the column saying whether a row is in the figure's numerator (issue 13: "计入 是/否" was ambiguous)
COUNTED_COLUMN = "计入分子"
COUNTED = "计入分子"
NOT_COUNTED = "不计入"


def _counted(counted: bool, why: str) -> str:
    """``计入分子``, or ``不计入：<why>``."""
    return COUNTED if counted else f"{NOT_COUNTED}：{why}"


def is_counted(row: dict) -> bool | None:
    """Whether a traced row is in the numerator (None for a list without the column)."""
    value = row.get(COUNTED_COLUMN)
    return None if value is None else value == COUNTED


def _household_label_sql(h: str = "h") -> str:
    return (f"(SELECT b.compound || b.name || u.name || {h}.room FROM units u"
            f" JOIN buildings b ON b.id = u.building_id WHERE u.id = {h}.unit_id)")


def trace(ledger: Ledger, month: str, grid_id: int, indicator_key: str) -> list[dict]:
    """The records behind one grid's figure, as rows with Chinese column labels.

    Args:
        indicator_key: an indicator key, or ``"adjustments"`` for the 加减分.

    Returns:
        rows (dicts, insertion-ordered columns).  Each indicator's rows carry a
        计入分子 column (``计入分子`` / ``不计入：<why>``) where the numerator is a subset of the rows:

        * on_time: every matter due in M (编号, 登记时间, 分级, 类别, 办理时限,
          办结时间, 结果 按期/逾期办结/逾期未办结, 计入).
        * satisfaction: every rating recorded in M (编号, 类别, 回访时间, 满意度, 计入).
        * visit_coverage: every active household (户, 户主, 在住人数, 本月走访日期, 计入).
        * discovery: the 巡查走访 matters registered in M (编号, 登记时间, 类别, 事项描述).
        * volunteer: the grid's activities in M (活动名称, 活动日期, 地点, 参与人次, 服务时长（小时）).
        * completeness: every present resident (姓名, 身份证号 masked, 户, 联系电话,
          缺项, 计入).
        * adjustments: 来源, 分值, 原因, 给分人, 时间.
    """
    month = check_month(month)
    p = month_params(month)
    p["g"] = grid_id
    if indicator_key == "on_time":
        rows = ledger.query(MATTER_FACTS.format(grid_filter="AND m.grid_id = :g")
                            + " SELECT * FROM due WHERE due_at >= :s AND due_at <= :t"
                              " ORDER BY due_at, number", p)
        out = []
        for r in rows:
            if r["on_time"]:
                result = "按期办结"
            elif r["closed_at"]:
                result = "逾期办结"
            else:
                result = "逾期未办结"
            out.append({"编号": r["number"], "登记时间": r["registered_at"], "分级": r["level"],
                        "类别": r["category"], "办理时限": r["deadline"], "办结时间": r["closed_at"] or "",
                        "结果": result, COUNTED_COLUMN: _counted(r["on_time"], result)})
        return out
    if indicator_key == "satisfaction":
        rows = ledger.query(RATINGS_SQL.format(grid_filter="AND m.grid_id = :g") + " ORDER BY e.at, m.number",
                            p)
        return [{"编号": r["number"], "类别": r["category"], "回访时间": r["at"],
                 "满意度": r["satisfaction"],
                 COUNTED_COLUMN: _counted(r["satisfaction"] in SATISFIED, f"评价为{r['satisfaction']}")}
                for r in rows if r["satisfaction"] in RATINGS]
    if indicator_key == "visit_coverage":
        rows = ledger.query(
            f"""
            SELECT h.id, {_household_label_sql()} AS label,
                   (SELECT name FROM residents hr WHERE hr.id = h.head_resident_id) AS head,
                   (SELECT COUNT(*) FROM residence_spells s WHERE s.household_id = h.id
                       AND {covers_sql('s', ':de')}) AS n,
                   (SELECT group_concat(d, '、') FROM (SELECT DISTINCT v.visited_on AS d FROM visits v
                      JOIN visit_households vh ON vh.visit_id = v.id
                     WHERE vh.household_id = h.id AND v.visited_on >= :ds AND v.visited_on < :nxt
                     ORDER BY d)) AS dates
              FROM households h WHERE h.id IN {grid_households_sql(':g', ':de')}
             ORDER BY label
            """, p)
        return [{"户": r["label"], "户主": r["head"] or "", "在住人数": r["n"],
                 "本月走访日期": r["dates"] or "", COUNTED_COLUMN: _counted(bool(r["dates"]), "本月未走访")}
                for r in rows if r["n"] > 0]
    if indicator_key == "discovery":
        rows = ledger.query(
            "SELECT m.number, m.registered_at, m.category, m.description FROM matters m"
            " WHERE m.grid_id = :g AND m.registered_at >= :s AND m.registered_at <= :t"
            f" AND m.source = '巡查走访' AND NOT {CANCELLED_BY_T.format(m='m')}"
            " ORDER BY m.registered_at, m.number", p)
        return [{"编号": r["number"], "登记时间": r["registered_at"], "类别": r["category"],
                 "事项描述": r["description"]} for r in rows]
    if indicator_key == "volunteer":
        rows = ledger.query(
            "SELECT a.title, a.on_date, a.place, COUNT(p.volunteer_id) AS people,"
            " COALESCE(SUM(p.hours), 0) AS hours FROM activities a"
            " LEFT JOIN activity_participants p ON p.activity_id = a.id"
            " WHERE a.grid_id = :g AND a.on_date >= :ds AND a.on_date < :nxt"
            " GROUP BY a.id ORDER BY a.on_date, a.id", p)
        return [{"活动名称": r["title"], "活动日期": r["on_date"], "地点": r["place"],
                 "参与人次": r["people"], "服务时长（小时）": fmt_num(r["hours"])} for r in rows]
    if indicator_key == "completeness":
        rows = ledger.query(
            f"""
            SELECT r.name, r.id_number, r.phone, s.household_id,
                   {_household_label_sql()} AS label,
                   EXISTS (SELECT 1 FROM residence_spells os JOIN residents o ON o.id = os.resident_id
                            WHERE os.household_id = s.household_id AND o.id <> r.id AND o.phone <> ''
                              AND {covers_sql('os', ':de')}) AS other_phone
              FROM residence_spells s JOIN residents r ON r.id = s.resident_id
              LEFT JOIN households h ON h.id = s.household_id
             WHERE {covers_sql('s', ':de')}
               AND (s.household_id IN {grid_households_sql(':g', ':de')}
                    OR (s.household_id IS NULL AND r.grid_id = :g))
             ORDER BY label, r.id
            """, p)
        out = []
        for r in rows:
            missing = []
            if not (r["id_number"] and len(r["id_number"]) == 18):
                missing.append("身份证号")
            own_phone = bool(r["phone"])
            if not own_phone and not r["other_phone"]:
                missing.append("联系电话")
            if r["household_id"] is None:
                missing.append("所属户")
            phone = r["phone"] if own_phone else ("（同户有电话）" if r["other_phone"] else "")
            out.append({"姓名": r["name"], "身份证号": mask(r["id_number"]) if r["id_number"] else "",
                        "户": r["label"] or "", "联系电话": phone, "缺项": "、".join(missing),
                        COUNTED_COLUMN: _counted(not missing, "缺" + "、".join(missing))})
        return out
    if indicator_key == ADJUSTMENTS_KEY:
        return [{"来源": a.source, "分值": fmt_num(a.points), "原因": a.reason, "给分人": a.author,
                 "时间": a.at} for a in adjustments(ledger, month) if a.grid_id == grid_id]
    raise ValidationError(f"未知的评比指标“{indicator_key}”。")
