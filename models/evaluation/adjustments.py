"""加减分: manual adjustments of a grid or a community, and the automatic 督办 cards.

* **Manual** rows (table ``score_adjustments``, source 手工) for a month ``YYYY-MM`` or
  a year ``YYYY`` (the annual assessment), with a reason and who gave them;
  :func:`add_adjustment` / :func:`remove_adjustment` are the user actions
  (permission ``evaluation.adjust``).
* **Cards**: every 督办 event of M carrying a 黄牌/红牌 on a grid's matters costs the
  grid the scheme's points (``Scheme.card_points``, the one place they are set).  They
  are computed from the events, never stored (the schema's ``source='督办'`` rows are
  ignored).
* **Withdrawn cards**: cancelling (作废) a matter withdraws its cards' points: in the
  month of the cancellation a row (source 督办) gives back exactly what each card cost in
  the month it was issued, with a note naming the card and the cancellation.  A card and
  its withdrawal in the same month both show, summing to nothing; a month already
  scored (定稿) keeps its card and the next one carries the withdrawal.
"""

from __future__ import annotations

from decimal import Decimal

from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.ops import operation
from models.core.periods import check_month, check_year
from models.evaluation.counts import month_params
from models.evaluation.figures import Adjustment
from models.evaluation.publications import scheme_for_month
from models.evaluation.scheme import Scheme


def check_period(period: str) -> str:
    """``YYYY-MM`` (a month's adjustments) or ``YYYY`` (the annual assessment's), stripped.

    Raises:
        ValidationError: neither (the month's message).
    """
    text = str(period or "").strip()
    if len(text) == 4 and text.isdigit():
        return f"{check_year(text):04d}"
    return check_month(text)


@operation("evaluation.adjust", "evaluation")
def add_adjustment(ledger: Ledger, period: str, points: float | str, reason: str, *,
                   grid_id: int | None = None, community_id: int | None = None,
                   author: str | None = None) -> int:
    """Add a manual 加减分 for a grid (or a community) and a month ``YYYY-MM`` or year ``YYYY``.

    Args:
        period: ``YYYY-MM`` (monthly) or ``YYYY`` (annual assessment).
        points: signed points, non-zero, at most 100 either way.
        reason: required (printed in the bulletin).
        grid_id / community_id: exactly one.
        author: who gives it; defaults to the operator.

    Returns:
        the new row id.

    Raises:
        ValidationError: a blank reason, a bad period, points that are not a
            non-zero number, neither or both of grid/community, an unknown grid.
    """
    period = check_period(period)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("加减分必须填写原因。", field="reason")
    try:
        value = Decimal(str(points).strip())
    except Exception:  # noqa: BLE001 - decimal.InvalidOperation and friends
        raise ValidationError(f"分值“{points}”不是数字。", field="points") from None
    if not value.is_finite() or value == 0:
        raise ValidationError("分值必须是不为 0 的数字（加分为正，减分为负）。", field="points")
    if abs(value) > 100:
        raise ValidationError("一次加减分不能超过 100 分。", field="points")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("分值最多保留两位小数。", field="points")
    if (grid_id is None) == (community_id is None):
        raise ValidationError("请选择一个网格（或一个社区）。", field="grid")
    if grid_id is not None and not ledger.scalar("SELECT 1 FROM grids WHERE id = ?", [grid_id]):
        raise NotFound(f"网格不存在（编号 {grid_id}）。")
    if community_id is not None and not ledger.scalar("SELECT 1 FROM communities WHERE id = ?",
                                                      [community_id]):
        raise NotFound(f"社区不存在（编号 {community_id}）。")
    author = (author or "").strip() or ledger.operator.name
    record = {"period": period, "grid_id": grid_id, "community_id": community_id,
              "points": float(value), "reason": text, "author": author, "source": "手工"}
    rowid = ledger.db["score_adjustments"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "score_adjustments", rowid, None, record)
    return rowid


@operation("evaluation.adjust", "evaluation")
def remove_adjustment(ledger: Ledger, adjustment_id: int) -> None:
    """Delete a manual adjustment (audited with its old values).

    Raises:
        NotFound: no such manual adjustment.
    """
    rows = ledger.query("SELECT id, period, grid_id, community_id, points, reason, author, source"
                        " FROM score_adjustments WHERE id = ?", [adjustment_id])
    if not rows or rows[0]["source"] != "手工":
        raise NotFound("该加减分记录不存在（督办发牌的自动扣分不能删除）。")
    ledger.db.execute("DELETE FROM score_adjustments WHERE id = ?", [adjustment_id])
    ledger.audit("删除", "score_adjustments", adjustment_id, rows[0], None)


def _manual_adjustments(ledger: Ledger, period: str) -> list[Adjustment]:
    rows = ledger.query(
        """
        SELECT a.id, a.period, a.grid_id, a.community_id, a.points, a.reason, a.author, a.created_at,
               COALESCE(g.name, c.name) AS target_name
          FROM score_adjustments a
          LEFT JOIN grids g ON g.id = a.grid_id
          LEFT JOIN communities c ON c.id = a.community_id
         WHERE a.period = ? AND a.source = '手工'
         ORDER BY a.created_at, a.id
        """, [period])
    return [Adjustment(id=r["id"], period=r["period"], grid_id=r["grid_id"],
                       community_id=r["community_id"], target_name=r["target_name"] or "",
                       points=r["points"], reason=r["reason"], author=r["author"], source="手工",
                       at=r["created_at"]) for r in rows]


def _card_adjustments(ledger: Ledger, month: str, scheme: Scheme) -> list[Adjustment]:
    p = month_params(month)
    rows = ledger.query(
        """
        SELECT e.id, e.at, e.operator, e.note, json_extract(e.data, '$.card') AS card,
               m.number, m.grid_id, g.name AS grid_name, g.community_id
          FROM matter_events e JOIN matters m ON m.id = e.matter_id JOIN grids g ON g.id = m.grid_id
         WHERE e.action = '督办' AND e.at >= :s AND e.at <= :t
           AND json_extract(e.data, '$.card') IN ('黄牌', '红牌')
         ORDER BY e.at, e.id
        """, p)
    out = []
    for r in rows:
        points = scheme.card_points.get(r["card"], 0.0)
        if not points:
            continue
        reason = f"督办{r['card']}：事项 {r['number']}"
        if r["note"]:
            reason += f"（{r['note']}）"
        out.append(Adjustment(id=None, period=month, grid_id=r["grid_id"], community_id=None,
                              target_name=r["grid_name"], points=points, reason=reason,
                              author=r["operator"], source="督办", at=r["at"],
                              matter_number=r["number"]))
    out += _withdrawn_cards(ledger, month, p)
    return out


def _withdrawn_cards(ledger: Ledger, month: str, p: dict) -> list[Adjustment]:
    """The cards given back in ``month``: every 黄牌/红牌 of a matter cancelled (作废) in it."""
    rows = ledger.query(
        """
        SELECT c.at, c.operator, c.note AS cancel_note, s.at AS card_at,
               json_extract(s.data, '$.card') AS card, m.number, m.grid_id, g.name AS grid_name
          FROM matter_events c
          JOIN matter_events s ON s.matter_id = c.matter_id AND s.action = '督办'
                              AND json_extract(s.data, '$.card') IN ('黄牌', '红牌') AND s.at <= c.at
          JOIN matters m ON m.id = c.matter_id JOIN grids g ON g.id = m.grid_id
         WHERE c.action = '作废' AND c.at >= :s AND c.at <= :t
         ORDER BY c.at, s.at, s.id
        """, p)
    out = []
    schemes: dict[str, Scheme] = {}
    for r in rows:
        card_month = r["card_at"][:7]
        if card_month not in schemes:
            schemes[card_month] = scheme_for_month(ledger, card_month)
        charged = schemes[card_month].card_points.get(r["card"], 0.0)
        if not charged:
            continue
        reason = (f"撤销督办{r['card']}扣分：事项 {r['number']} 已于 {r['at'][:10]} 作废"
                  f"（{r['cancel_note']}），{r['card_at'][:10]} 的{r['card']}不再扣分")
        out.append(Adjustment(id=None, period=month, grid_id=r["grid_id"], community_id=None,
                              target_name=r["grid_name"], points=-charged, reason=reason,
                              author=r["operator"], source="督办", at=r["at"],
                              matter_number=r["number"]))
    return out


def adjustments(ledger: Ledger, period: str, scheme: Scheme | None = None) -> list[Adjustment]:
    """Every adjustment of a period: manual rows, plus the 督办 cards for a month.

    Args:
        period: ``YYYY-MM`` or ``YYYY``.
        scheme: for the card points; defaults to the scheme of that month.
    """
    period = check_period(period)
    items = _manual_adjustments(ledger, period)
    if len(period) == 7:
        items += _card_adjustments(ledger, period, scheme or scheme_for_month(ledger, period))
    items.sort(key=lambda a: (a.at, a.source))
    return items

