"""What the 台账 printouts print (SPEC §6.4), gathered with set-based queries.

``reports/`` never touches SQL: these functions return plain dataclasses that
``reports/ledgers.py`` lays out.  ID numbers are masked here
(:func:`models.core.idcard.mask`) unless the caller asks for full numbers, in which
case the export is written to the audit log (SPEC §3).

Sizes: a grid holds a few thousand residents, a whole ledger up to 500,000, so
the resident roster is printed per grid (or per building) only; the special-group
roster for the whole ledger is refused above :data:`MAX_ROSTER_ROWS` rows with a
message asking for a grid or a group.  ``report ledger --month`` prints the
month's matters ledger with the dispute summary, the patrol log and the volunteer
service ledger (:func:`month_ledgers`); rosters are printed from the 报表 page.
"""

from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass, field

from models.core import periods
from models.core import scope as grid_scope
from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.idcard import mask
from models.core.issuer import issuer_name
from models.core.permissions import require
from models.core.presence import covers_sql, grid_households_sql, household_at_sql, present_sql
from models.reporting import evaluation_data
from models.residents import party

#: refuse rosters longer than this (≈ 600 printed pages): ask the clerk to narrow them
MAX_ROSTER_ROWS = 20000

#: categories that count as disputes (矛盾纠纷) besides every 私事 and any category
#: whose name contains 纠纷 or 矛盾; the setting ``dispute_categories`` replaces it
DEFAULT_DISPUTE_CATEGORIES = ("邻里纠纷", "家庭矛盾")


# -- common -------------------------------------------------------------------------------

@dataclass
class ReportHeader:
    """The lines every printout starts with.

    Attributes:
        issuer: the issuing body (:func:`models.core.issuer.issuer_name`).
        community: the ledger's own community name.
        period_label: ``2026年10月`` / ``2026年10月1日至2026年10月31日`` / ``截至2026年10月31日``.
        scope: what part of the ledger is printed (``第一网格`` / ``全部网格``).
        printed_at: ``YYYY-MM-DD HH:MM`` by the ledger's clock.
        operator: who printed it (制表人).
    """

    issuer: str
    community: str
    period_label: str
    scope: str
    printed_at: str
    operator: str


def _header(ledger: Ledger, period_label: str, scope: str) -> ReportHeader:
    return ReportHeader(issuer=issuer_name(ledger), community=ledger.community_name or "",
                        period_label=period_label, scope=scope,
                        printed_at=ledger.now().strftime("%Y-%m-%d %H:%M"), operator=ledger.operator.name)


def _cn_date(day: str) -> str:
    d = _dt.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def period_label(date_from: str, date_to: str) -> str:
    """``2026年10月`` for a whole month, else ``2026年10月1日至2026年10月15日``."""
    lo, hi = _dt.date.fromisoformat(date_from), _dt.date.fromisoformat(date_to)
    if lo.day == 1 and lo.year == hi.year and lo.month == hi.month \
            and hi.day == calendar.monthrange(hi.year, hi.month)[1]:
        return f"{lo.year}年{lo.month}月"
    if lo == hi:
        return _cn_date(date_from)
    return f"{_cn_date(date_from)}至{_cn_date(date_to)}"


def check_period(date_from: str, date_to: str) -> tuple[str, str]:
    """An inclusive ``YYYY-MM-DD`` period; both ends are required (:func:`models.core.periods.period`)."""
    for value, what in ((date_from, "开始日期"), (date_to, "结束日期")):
        periods.check_date(value, what)
    return periods.period(date_from, date_to)


def _scope(ledger: Ledger, grid_id: int | None, building_id: int | None = None) -> str:
    if building_id is not None:
        row = ledger.conn.execute(
            "SELECT g.name, b.compound, b.name FROM buildings b JOIN grids g ON g.id = b.grid_id"
            " WHERE b.id = ?", [building_id]).fetchone()
        if row is None:
            raise NotFound(f"楼栋不存在（编号 {building_id}）。")
        return f"{row[0]} {row[1]}{row[2]}"
    if grid_id is not None:
        name = ledger.scalar("SELECT name FROM grids WHERE id = ?", [grid_id])
        if name is None:
            raise NotFound(f"网格不存在（编号 {grid_id}）。")
        return name
    return "全部网格"


def _grid_for(ledger: Ledger, grid_id: int | None) -> int | None:
    """The grid a printout covers: for a 网格员 one of their grids (theirs when they have one
    only), never the whole community (issue 10)."""
    grids = grid_scope.scoped_grids(ledger)
    if grids is None:
        return grid_id
    if grid_id is None:
        if len(grids) != 1:
            raise ValidationError("网格员打印时请选择自己负责的一个网格。")
        return next(iter(grids))
    grid_scope.require_grid(ledger, grid_id, "该网格")
    return grid_id


def _masked_phone(phone: str | None) -> str:
    text = (phone or "").strip()
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    return text


def _id_text(id_number: str | None, full: bool) -> str:
    return (id_number or "") if full else mask(id_number)


def _audit_full_ids(ledger: Ledger, what: str, count: int) -> None:
    with ledger.write():
        ledger.audit("导出完整身份证号", "residents", None, None, {"报表": what, "人数": count})


def _age(birth: str | None, on: str) -> str:
    if not birth:
        return ""
    b = _dt.date.fromisoformat(birth[:10])
    d = _dt.date.fromisoformat(on)
    return str(d.year - b.year - ((d.month, d.day) < (b.month, b.day)))


# -- resident roster (居民花名册) ---------------------------------------------------------------

@dataclass
class RosterRow:
    """One resident line of a roster (ID already masked unless full IDs were asked for)."""

    unit: str
    room: str
    name: str
    relation: str
    gender: str
    age: str
    id_number: str
    phone: str
    residence_type: str
    political_status: str
    tags: str


@dataclass
class RosterGroup:
    """The residents of one building, in unit/room order, 户主 first in each household."""

    grid: str
    building: str
    households: int
    rows: list[RosterRow]


@dataclass
class RosterData:
    header: ReportHeader
    as_of: str
    groups: list[RosterGroup]
    residents: int
    households: int
    full_ids: bool = False


def _tag_clause(include_sensitive: bool) -> str:
    return "" if include_sensitive else " AND t.sensitive = 0"


def resident_roster(ledger: Ledger, grid_id: int, building_id: int | None = None, *,
                    as_of: str | None = None, full_ids: bool = False,
                    include_sensitive: bool = False) -> RosterData:
    """The residents present at the end of ``as_of`` (default today) of a grid or one building.

    Args:
        grid_id: the grid printed (required: the whole ledger is too big to print).
        building_id: print only this building of the grid.
        as_of: ``YYYY-MM-DD``; presence follows SPEC §3.
        full_ids: print whole ID numbers (authorised roles only; audited).
        include_sensitive: print 重点人员 tags too (authorised roles only).

    Raises:
        ValidationError: full IDs or sensitive tags asked for by an unauthorised operator,
            or a roster over :data:`MAX_ROSTER_ROWS` lines.
    """
    as_of = as_of or ledger.now().strftime("%Y-%m-%d")
    check_period(as_of, as_of)
    _check_authorised(ledger, full_ids, include_sensitive)
    grid_scope.require_grid(ledger, grid_id, "该网格")       # a 网格员 prints their grids only
    scope = _scope(ledger, grid_id, building_id)
    # where each resident lived at the end of the day, in the grid their building had then
    where = f"s.household_id IN {grid_households_sql(':grid', ':day')} AND {covers_sql('s', ':day')}"
    params: dict = {"grid": grid_id, "day": as_of}
    if building_id is not None:
        where += " AND h.building_id = :building"
        params["building"] = building_id
    count = ledger.scalar(f"SELECT COUNT(*) FROM residence_spells s JOIN households h ON h.id = s.household_id"
                          f" WHERE {where}", params)
    if count > MAX_ROSTER_ROWS:
        raise ValidationError(f"该范围有 {count} 名居民，超过一次可打印的 {MAX_ROSTER_ROWS} 人，请按楼栋打印。")
    rows = ledger.query(
        f"""
        SELECT g.name AS grid, b.id AS building_id, b.compound || b.name AS building, u.name AS unit,
               h.id AS household_id, h.room, r.name, r.relation, r.gender, r.birth_date, r.id_number,
               r.phone, r.residence_type, r.political_status,
               (SELECT GROUP_CONCAT(t.name, '、') FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id
                 WHERE rt.resident_id = r.id{_tag_clause(include_sensitive)}) AS tags
        FROM residence_spells s
        JOIN residents r ON r.id = s.resident_id
        JOIN households h ON h.id = s.household_id
        JOIN units u ON u.id = h.unit_id
        JOIN buildings b ON b.id = h.building_id
        JOIN grids g ON g.id = :grid
        WHERE {where}
        ORDER BY b.compound, b.name, b.id, u.name, h.room, h.id,
                 CASE WHEN r.id = h.head_resident_id OR r.relation = '户主' THEN 0 ELSE 1 END, r.id
        """, params)
    groups: list[RosterGroup] = []
    households: set[int] = set()
    current_key = None
    group_households: set[int] = set()
    for row in rows:
        if row["building_id"] != current_key:
            if groups:
                groups[-1].households = len(group_households)
            group_households = set()
            current_key = row["building_id"]
            groups.append(RosterGroup(row["grid"], row["building"], 0, []))
        households.add(row["household_id"])
        group_households.add(row["household_id"])
        groups[-1].rows.append(RosterRow(
            unit=row["unit"], room=row["room"], name=row["name"], relation=row["relation"],
            gender=row["gender"], age=_age(row["birth_date"], as_of),
            id_number=_id_text(row["id_number"], full_ids), phone=row["phone"] or "",
            residence_type=row["residence_type"], political_status=row["political_status"],
            tags=row["tags"] or ""))
    if groups:
        groups[-1].households = len(group_households)
    if full_ids:
        _audit_full_ids(ledger, f"居民花名册（{scope}）", len(rows))
    return RosterData(header=_header(ledger, f"截至{_cn_date(as_of)}", scope), as_of=as_of, groups=groups,
                      residents=len(rows), households=len(households), full_ids=full_ids)


def _check_authorised(ledger: Ledger, full_ids: bool, include_sensitive: bool) -> None:
    """Full ID numbers and 重点人员 tags only for the roles the permission table allows."""
    if full_ids:
        require(ledger, "personal.full_ids")
    if include_sensitive:
        require(ledger, "personal.see_sensitive")


# -- special-group roster (特殊人群花名册) ------------------------------------------------------

@dataclass
class SpecialRow:
    grid: str
    address: str
    name: str
    gender: str
    age: str
    id_number: str
    phone: str
    other_tags: str


@dataclass
class SpecialGroup:
    tag: str
    sensitive: bool
    rows: list[SpecialRow]


@dataclass
class SpecialRosterData:
    header: ReportHeader
    as_of: str
    groups: list[SpecialGroup]
    people: int
    full_ids: bool = False


def special_roster(ledger: Ledger, *, tag_ids: list[int] | None = None, grid_id: int | None = None,
                   as_of: str | None = None, full_ids: bool = False,
                   include_sensitive: bool = False) -> SpecialRosterData:
    """Residents present at ``as_of`` with the chosen tags (all non-sensitive tags by default), by tag.

    A person with two tags appears under each; ``other_tags`` lists the rest.
    """
    as_of = as_of or ledger.now().strftime("%Y-%m-%d")
    check_period(as_of, as_of)
    _check_authorised(ledger, full_ids, include_sensitive)
    scope = _scope(ledger, grid_id)
    tags = ledger.query("SELECT id, name, sensitive FROM tags ORDER BY sort_order, id")
    if tag_ids:
        wanted = set(tag_ids)
        tags = [t for t in tags if t["id"] in wanted]
    if not include_sensitive:
        if any(t["sensitive"] for t in tags) and tag_ids:
            raise ValidationError("重点人员名单只能由有权限的账号打印，并需勾选“包含重点人员”。")
        tags = [t for t in tags if not t["sensitive"]]
    if not tags:
        raise ValidationError("请至少选择一种人群。")
    tag_list = ",".join(str(int(t["id"])) for t in tags)
    params: dict = {"day": as_of}
    grid_where = ""
    if grid_id is not None:
        # in the grid at the end of the day: their household then, its building's grid then
        grid_where = f" AND {household_at_sql('r', ':day')} IN {grid_households_sql(':grid', ':day')}"
        params["grid"] = grid_id
    if grid_scope.scoped_grids(ledger) is not None:         # a 网格员 prints their grids only
        grid_where += " AND " + grid_scope.grid_sql(ledger, "r.grid_id")
    count = ledger.scalar(
        f"SELECT COUNT(*) FROM resident_tags rt JOIN residents r ON r.id = rt.resident_id"
        f" WHERE rt.tag_id IN ({tag_list}){grid_where} AND {present_sql('r', ':day')}", params)
    if count > MAX_ROSTER_ROWS:
        raise ValidationError(f"所选范围有 {count} 人次，超过一次可打印的 {MAX_ROSTER_ROWS} 人次，"
                              "请选择一个网格或一种人群。")
    rows = ledger.query(
        f"""
        SELECT rt.tag_id, g.name AS grid, b.compound || b.name || u.name || h.room AS address,
               r.name, r.gender, r.birth_date, r.id_number, r.phone,
               (SELECT GROUP_CONCAT(t2.name, '、') FROM resident_tags rt2 JOIN tags t2 ON t2.id = rt2.tag_id
                 WHERE rt2.resident_id = r.id AND rt2.tag_id <> rt.tag_id
                 {'' if include_sensitive else 'AND t2.sensitive = 0'}) AS other_tags
        FROM resident_tags rt
        JOIN residents r ON r.id = rt.resident_id
        LEFT JOIN households h ON h.id = r.household_id
        LEFT JOIN units u ON u.id = h.unit_id
        LEFT JOIN buildings b ON b.id = h.building_id
        LEFT JOIN grids g ON g.id = r.grid_id
        WHERE rt.tag_id IN ({tag_list}){grid_where} AND {present_sql('r', ':day')}
        ORDER BY rt.tag_id, g.id, b.compound, b.name, u.name, h.room, r.id
        """, params)
    by_tag: dict[int, list[SpecialRow]] = {t["id"]: [] for t in tags}
    people = set()
    for row in rows:
        by_tag[row["tag_id"]].append(SpecialRow(
            grid=row["grid"] or "", address=row["address"] or "", name=row["name"], gender=row["gender"],
            age=_age(row["birth_date"], as_of), id_number=_id_text(row["id_number"], full_ids),
            phone=row["phone"] or "", other_tags=row["other_tags"] or ""))
        people.add((row["name"], row["id_number"], row["address"]))
    groups = [SpecialGroup(t["name"], bool(t["sensitive"]), by_tag[t["id"]]) for t in tags]
    if full_ids:
        _audit_full_ids(ledger, f"特殊人群花名册（{scope}）", len(rows))
    return SpecialRosterData(header=_header(ledger, f"截至{_cn_date(as_of)}", scope), as_of=as_of,
                             groups=groups, people=len(people), full_ids=full_ids)


# -- matters ledger (矛盾纠纷排查台账) and the dispute summary ---------------------------------------

@dataclass
class MatterRow:
    number: str
    registered_at: str
    source: str
    category: str
    level: str
    grid: str
    location: str
    reporter: str
    description: str
    assignee: str
    state: str
    closed_at: str
    result: str
    satisfaction: str
    late: bool
    is_dispute: bool


@dataclass
class DisputeSummaryRow:
    """Disputes of one type (category) in the period, by outcome.

    ``handled`` (调处数) = closed (已办结/已回访) by the time of printing; ``success``
    (调处成功) = handled and not rated 不满意; ``escalated`` = now 已上报;
    ``open`` = still being handled.  Rates are ``None`` when their denominator is 0.
    """

    category: str
    found: int
    handled: int
    success: int
    unsatisfied: int
    escalated: int
    open: int

    @property
    def handled_rate(self) -> float | None:
        return self.handled / self.found if self.found else None

    @property
    def success_rate(self) -> float | None:
        return self.success / self.handled if self.handled else None


@dataclass
class MattersLedgerData:
    header: ReportHeader
    date_from: str
    date_to: str
    rows: list[MatterRow]
    summary: list[DisputeSummaryRow]
    total: DisputeSummaryRow
    by_state: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0


def dispute_categories(ledger: Ledger) -> list[str]:
    """Categories counted as disputes (the setting ``dispute_categories`` or the default)."""
    value = ledger.get_setting("dispute_categories", None)
    return list(value) if value else list(DEFAULT_DISPUTE_CATEGORIES)


def _dispute_sql(ledger: Ledger, alias: str = "m") -> tuple[str, list]:
    cats = dispute_categories(ledger)
    marks = ",".join("?" * len(cats))
    return (f"({alias}.level = '私事' OR {alias}.category IN ({marks})"
            f" OR {alias}.category LIKE '%纠纷%' OR {alias}.category LIKE '%矛盾%')", cats)


def matters_ledger(ledger: Ledger, date_from: str, date_to: str, *, grid_id: int | None = None,
                   disputes_only: bool = False) -> MattersLedgerData:
    """Matters registered in the period (cancelled ones left out of the table), oldest first,
    with the summary of disputes by type × outcome (SPEC §6.4)."""
    check_period(date_from, date_to)
    grid_id = _grid_for(ledger, grid_id)
    scope = _scope(ledger, grid_id)
    dispute, dispute_params = _dispute_sql(ledger)
    lo, hi = f"{date_from} 00:00:00", f"{date_to} 23:59:59"
    where = "m.registered_at BETWEEN ? AND ?"
    params: list = [lo, hi]
    if grid_id is not None:
        where += " AND m.grid_id = ?"
        params.append(grid_id)
    state_counts = {r["state"]: r["n"] for r in ledger.query(
        f"SELECT m.state, COUNT(*) AS n FROM matters m WHERE {where} GROUP BY m.state", params)}
    cancelled = state_counts.pop("作废", 0)
    body_where = where + " AND m.state <> '作废'"
    body_params = dispute_params + params   # the SELECT list's placeholders come first
    if disputes_only:
        body_where += f" AND {dispute}"
        body_params += dispute_params
    rows = ledger.query(
        f"""
        SELECT m.number, m.registered_at, m.source, m.category, m.level, g.name AS grid, m.location_text,
               m.reporter_name, m.reporter_phone, m.description, m.assignee_name, m.state, m.closed_at,
               m.result, m.satisfaction, m.deadline,
               {dispute} AS is_dispute
        FROM matters m JOIN grids g ON g.id = m.grid_id
        WHERE {body_where}
        ORDER BY m.registered_at, m.id
        """, body_params)
    out = []
    now = ledger.now_ts()
    for r in rows:
        finished = r["closed_at"]
        late = (finished or now) > r["deadline"] if r["state"] != "作废" else False
        reporter = r["reporter_name"] or ""
        if r["reporter_phone"]:
            reporter = f"{reporter}\n{_masked_phone(r['reporter_phone'])}".strip()
        out.append(MatterRow(
            number=r["number"], registered_at=r["registered_at"][:16], source=r["source"],
            category=r["category"], level=r["level"], grid=r["grid"], location=r["location_text"] or "",
            reporter=reporter, description=r["description"], assignee=r["assignee_name"] or "",
            state=r["state"], closed_at=(r["closed_at"] or "")[:16], result=r["result"] or "",
            satisfaction=r["satisfaction"] or "", late=bool(late), is_dispute=bool(r["is_dispute"])))
    summary_rows = ledger.query(
        f"""
        SELECT m.category,
               COUNT(*) AS found,
               SUM(m.state IN ('已办结', '已回访')) AS handled,
               SUM(m.state IN ('已办结', '已回访') AND COALESCE(m.satisfaction, '') <> '不满意') AS success,
               SUM(m.satisfaction = '不满意') AS unsatisfied,
               SUM(m.state = '已上报') AS escalated,
               SUM(m.state IN ('登记', '已分派', '已上报')) AS open
        FROM matters m
        WHERE {where} AND m.state <> '作废' AND {dispute}
        GROUP BY m.category
        ORDER BY found DESC, m.category
        """, params + dispute_params)
    summary = [DisputeSummaryRow(r["category"], r["found"], r["handled"] or 0, r["success"] or 0,
                                 r["unsatisfied"] or 0, r["escalated"] or 0, r["open"] or 0)
               for r in summary_rows]
    total = DisputeSummaryRow("合计", sum(s.found for s in summary), sum(s.handled for s in summary),
                              sum(s.success for s in summary), sum(s.unsatisfied for s in summary),
                              sum(s.escalated for s in summary), sum(s.open for s in summary))
    return MattersLedgerData(header=_header(ledger, period_label(date_from, date_to), scope),
                             date_from=date_from, date_to=date_to, rows=out, summary=summary, total=total,
                             by_state=state_counts, cancelled=cancelled)


# -- patrol log (民情日志) --------------------------------------------------------------------

@dataclass
class PatrolRow:
    """One staff member's day: visits, households, problems found, solved on the spot, reported.

    ``solved`` (就地解决) = problems found on those visits that were closed on the day
    they were registered; ``reported`` (上报处理) = the other problems found.
    """

    on_date: str
    staff: str
    grid: str
    visits: int
    households: int
    home_visits: int
    problems: int
    solved: int
    reported: int
    notes: str


@dataclass
class PatrolLogData:
    header: ReportHeader
    date_from: str
    date_to: str
    rows: list[PatrolRow]
    totals: PatrolRow


_NOTES_LIMIT = 60


def patrol_log(ledger: Ledger, date_from: str, date_to: str, *, grid_id: int | None = None) -> PatrolLogData:
    """The patrol log of the period, one row per staff member per day per grid."""
    check_period(date_from, date_to)
    grid_id = _grid_for(ledger, grid_id)
    scope = _scope(ledger, grid_id)
    params: dict = {"lo": date_from, "hi": date_to}
    grid_where = ""
    if grid_id is not None:
        grid_where = " AND v.grid_id = :grid"
        params["grid"] = grid_id
    rows = ledger.query(
        f"""
        WITH v AS (
            SELECT v.id, v.visited_on, v.staff_name, v.grid_id, v.way, v.notes FROM visits v
            WHERE v.visited_on BETWEEN :lo AND :hi{grid_where}
        ),
        days AS (
            SELECT visited_on, staff_name, grid_id, COUNT(*) AS visits, SUM(way = '入户') AS home_visits,
                   GROUP_CONCAT(NULLIF(TRIM(notes), ''), '；') AS notes
            FROM v GROUP BY visited_on, staff_name, grid_id
        ),
        hh AS (
            SELECT v.visited_on, v.staff_name, v.grid_id, COUNT(DISTINCT vh.household_id) AS households
            FROM v JOIN visit_households vh ON vh.visit_id = v.id
            GROUP BY v.visited_on, v.staff_name, v.grid_id
        ),
        found AS (
            SELECT v.visited_on, v.staff_name, v.grid_id, COUNT(*) AS problems,
                   SUM(m.closed_at IS NOT NULL AND substr(m.closed_at, 1, 10) = substr(m.registered_at, 1, 10))
                       AS solved
            FROM v JOIN matters m ON m.visit_id = v.id
            WHERE m.state <> '作废'
            GROUP BY v.visited_on, v.staff_name, v.grid_id
        )
        SELECT d.visited_on, d.staff_name, g.name AS grid, d.visits, d.home_visits, d.notes,
               COALESCE(hh.households, 0) AS households, COALESCE(f.problems, 0) AS problems,
               COALESCE(f.solved, 0) AS solved
        FROM days d
        JOIN grids g ON g.id = d.grid_id
        LEFT JOIN hh ON hh.visited_on = d.visited_on AND hh.staff_name = d.staff_name AND hh.grid_id = d.grid_id
        LEFT JOIN found f ON f.visited_on = d.visited_on AND f.staff_name = d.staff_name
                         AND f.grid_id = d.grid_id
        ORDER BY d.visited_on, g.id, d.staff_name
        """, params)
    out = []
    for r in rows:
        notes = r["notes"] or ""
        if len(notes) > _NOTES_LIMIT:
            notes = notes[:_NOTES_LIMIT - 1] + "…"
        out.append(PatrolRow(on_date=r["visited_on"], staff=r["staff_name"], grid=r["grid"], visits=r["visits"],
                             households=r["households"], home_visits=r["home_visits"] or 0,
                             problems=r["problems"], solved=r["solved"] or 0,
                             reported=r["problems"] - (r["solved"] or 0), notes=notes))
    totals = PatrolRow(on_date="合计", staff=f"{len({r.staff for r in out})} 人", grid="",
                       visits=sum(r.visits for r in out), households=sum(r.households for r in out),
                       home_visits=sum(r.home_visits for r in out), problems=sum(r.problems for r in out),
                       solved=sum(r.solved for r in out), reported=sum(r.reported for r in out), notes="")
    return PatrolLogData(header=_header(ledger, period_label(date_from, date_to), scope),
                         date_from=date_from, date_to=date_to, rows=out, totals=totals)


# -- volunteer service ledger (志愿服务台账) and certificate (志愿服务证明) ----------------------------

@dataclass
class ServiceRow:
    on_date: str
    time: str
    title: str
    type: str
    place: str
    grid: str
    org: str
    volunteers: int
    hours: float
    people_served: int
    participants: str


@dataclass
class ServiceLedgerData:
    header: ReportHeader
    date_from: str
    date_to: str
    rows: list[ServiceRow]
    activities: int
    volunteer_count: int
    hours: float
    people_served: int


def service_ledger(ledger: Ledger, date_from: str, date_to: str, *,
                   grid_id: int | None = None) -> ServiceLedgerData:
    """The volunteer activities of the period with their participants and hours."""
    from models.volunteers import activities

    check_period(date_from, date_to)
    grid_id = _grid_for(ledger, grid_id)
    scope = _scope(ledger, grid_id)
    items = activities.service_ledger(ledger, date_from, date_to)
    if grid_id is not None:
        grid = ledger.query("SELECT g.name, c.name AS community FROM grids g"
                            " JOIN communities c ON c.id = g.community_id WHERE g.id = ?", [grid_id])[0]
        items = [a for a in items if a["grid"] == grid["name"]
                 and (a.get("community") in (None, grid["community"]))]
    rows = []
    people: set[str] = set()
    for a in items:
        names = [p["name"] for p in a["participants"]]
        people.update(names)
        span = ""
        if a.get("start_time") and a.get("end_time"):
            span = f"{a['start_time']}-{a['end_time']}"
        listed = "、".join(f"{p['name']}({_hours_text(p['hours'])})" for p in a["participants"])
        rows.append(ServiceRow(on_date=a["on_date"], time=span, title=a["title"], type=a["type"] or "",
                               place=a["place"] or "", grid=a["grid"], org=a["org"] or "",
                               volunteers=len(names), hours=round(a["hours"], 2),
                               people_served=a["people_served"] or 0, participants=listed))
    return ServiceLedgerData(header=_header(ledger, period_label(date_from, date_to), scope),
                             date_from=date_from, date_to=date_to, rows=rows, activities=len(rows),
                             volunteer_count=len(people), hours=round(sum(r.hours for r in rows), 2),
                             people_served=sum(r.people_served for r in rows))


def _hours_text(hours: float) -> str:
    return f"{hours:g}"


@dataclass
class CertificateData:
    """A 志愿服务证明: who, masked ID, hours in the period, the issuing office."""

    name: str
    id_masked: str
    date_from: str
    date_to: str
    total_hours: float
    activity_count: int
    orgs: list[str]
    activities: list[dict]
    issuer: str
    issued_on: str
    number: str


def certificate(ledger: Ledger, volunteer_id: int, date_from: str, date_to: str) -> CertificateData:
    """The certificate of one volunteer's service in the period (ID masked, always)."""
    from models.volunteers import activities

    check_period(date_from, date_to)
    data = activities.volunteer_certificate_data(ledger, volunteer_id, date_from, date_to)
    issued = ledger.now().date()
    return CertificateData(
        name=data["name"], id_masked=data["id_masked"] or "", date_from=date_from, date_to=date_to,
        total_hours=round(data["total_hours"], 2), activity_count=data["activity_count"],
        orgs=list(data.get("orgs") or []), activities=list(data["activities"]),
        issuer=issuer_name(ledger), issued_on=issued.isoformat(),
        number=f"志证〔{issued.year}〕{volunteer_id:05d}号")


# -- the monthly bundle (report ledger --month) -------------------------------------------------

@dataclass
class MonthLedgers:
    month: str
    matters: MattersLedgerData
    patrol: PatrolLogData
    service: ServiceLedgerData


def month_ledgers(ledger: Ledger, month: str, *, grid_id: int | None = None) -> MonthLedgers:
    """What ``report ledger --month`` prints: the month's matters ledger (with the dispute
    summary), patrol log and volunteer service ledger."""
    lo, hi = periods.month_days(month)
    return MonthLedgers(month=f"{lo[:7]}", matters=matters_ledger(ledger, lo, hi, grid_id=grid_id),
                        patrol=patrol_log(ledger, lo, hi, grid_id=grid_id),
                        service=service_ledger(ledger, lo, hi, grid_id=grid_id))


# -- one entry point for the command line and the 报表 page -----------------------------------------

@dataclass(frozen=True)
class ReportKind:
    """A printable report: key, Chinese title, and what it needs to be chosen.

    ``period``: "month" (YYYY-MM), "year", "range" (from/to dates), "as_of" (one date) or
    "none" (as the ledger stands today).
    ``grid``: "required", "optional" or "" (not asked).
    """

    key: str
    title: str
    period: str
    grid: str = ""
    building: bool = False
    tags: bool = False
    volunteer: bool = False
    ids: bool = False
    #: an official notice: asks for 发文字号 and 抄送机关 (GB/T 9704, reports/official.py)
    notice: bool = False


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("monthly", "月度评比通报", "month", notice=True),
    ReportKind("scorecards", "网格评分卡", "month"),
    ReportKind("annual", "年度考评", "year"),
    ReportKind("ledger", "月度工作台账（矛盾纠纷 + 民情日志 + 志愿服务）", "month", grid="optional"),
    ReportKind("matters", "矛盾纠纷排查调处台账", "range", grid="optional"),
    ReportKind("patrol", "网格员民情日志", "range", grid="optional"),
    ReportKind("service", "志愿服务活动台账", "range", grid="optional"),
    ReportKind("roster", "居民花名册", "as_of", grid="required", building=True, ids=True),
    ReportKind("special", "特殊人群花名册", "as_of", grid="optional", tags=True, ids=True),
    ReportKind("certificate", "志愿服务证明", "range", volunteer=True),
    ReportKind("party", "党组织设置一览表", "none"),
)


def report_kind(key: str) -> ReportKind:
    for kind in REPORT_KINDS:
        if kind.key == key:
            return kind
    raise ValidationError(f"没有这种报表：{key}。")


@dataclass
class ReportRequest:
    """What the clerk asked for.  Only the fields the kind uses are read."""

    kind: str
    month: str | None = None
    year: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    as_of: str | None = None
    grid_id: int | None = None
    building_id: int | None = None
    tag_ids: list[int] | None = None
    volunteer_id: int | None = None
    full_ids: bool = False
    include_sensitive: bool = False
    #: the monthly bulletin's 发文字号 and 抄送机关 (optional)
    doc_number: str = ""
    copy_to: str = ""


def refuse_future(ledger: Ledger, kind: ReportKind, request: ReportRequest) -> None:
    """Refuse a report whose period has not begun yet (a month, a year, a range starting after
    the ledger's today): it could only print empty tables or wrong grades.

    Raises:
        ValidationError: in Chinese, naming the period and today.
    """
    today = ledger.now().date()
    if kind.period == "month":
        start = periods.month(periods.check_month(request.month)).first_day
        what = periods.month_text(request.month)
    elif kind.period == "year":
        start = f"{periods.check_year(request.year):04d}-01-01"
        what = f"{int(request.year)}年"
    elif kind.period == "range":
        start, _end = check_period(request.date_from, request.date_to)   # its own messages first
        what = f"{_cn_date(start)}起的期间"
    else:   # "as_of": a day after today is refused by the roster itself

        return
    if start > today.isoformat():
        field = {"month": "month", "year": "year"}.get(kind.period, "date")
        raise ValidationError(f"{what}还没有到（今天是{_cn_date(today.isoformat())}），"
                              f"不能打印{kind.title}。", field=field)


def gather(ledger: Ledger, request: ReportRequest, progress=None):
    """The data of one report (a dataclass of :mod:`models.reporting.evaluation_data` or of this module).

    Args:
        progress: optional ``progress(done, total)`` (the annual assessment reports per month).

    Raises:
        ValidationError: a missing or malformed period, grid or volunteer, in Chinese.
    """
    kind = report_kind(request.kind)
    if kind.period == "month" and not request.month:
        raise ValidationError(f"{kind.title}需要选择月份（YYYY-MM）。", field="month")
    if kind.period == "year" and not request.year:
        raise ValidationError(f"{kind.title}需要选择年份。", field="year")
    if kind.period == "range" and not (request.date_from and request.date_to):
        raise ValidationError(f"{kind.title}需要选择起止日期。", field="date")
    if kind.grid == "required" and request.grid_id is None:
        raise ValidationError(f"{kind.title}需要选择一个网格。", field="grid")
    if kind.volunteer and request.volunteer_id is None:
        raise ValidationError("请先选择一名志愿者。", field="volunteer")
    if kind.period == "month":
        periods.check_month(request.month)  # a clear message for a malformed month
    refuse_future(ledger, kind, request)
    key = kind.key
    if key == "monthly":
        return evaluation_data.monthly_bulletin_data(ledger, request.month, doc_number=request.doc_number,
                                                     copy_to=request.copy_to)
    if key == "scorecards":
        return evaluation_data.scorecard_data(ledger, request.month)
    if key == "annual":
        return evaluation_data.annual_data(ledger, request.year, progress=progress)
    if key == "ledger":
        return month_ledgers(ledger, request.month, grid_id=request.grid_id)
    if key == "matters":
        return matters_ledger(ledger, request.date_from, request.date_to, grid_id=request.grid_id)
    if key == "patrol":
        return patrol_log(ledger, request.date_from, request.date_to, grid_id=request.grid_id)
    if key == "service":
        return service_ledger(ledger, request.date_from, request.date_to, grid_id=request.grid_id)
    if key == "party":
        return party.roster(ledger, issuer_name(ledger))
    if key == "roster":
        return resident_roster(ledger, request.grid_id, request.building_id, as_of=request.as_of,
                               full_ids=request.full_ids, include_sensitive=request.include_sensitive)
    if key == "special":
        return special_roster(ledger, tag_ids=request.tag_ids, grid_id=request.grid_id, as_of=request.as_of,
                              full_ids=request.full_ids, include_sensitive=request.include_sensitive)
    if key == "certificate":
        return certificate(ledger, request.volunteer_id, request.date_from, request.date_to)
    raise ValidationError(f"没有这种报表：{key}。")  # pragma: no cover - REPORT_KINDS and this list agree
