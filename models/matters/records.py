"""民情事项 (matters): the closed loop of SPEC §4, with its rules as data.

A matter is registered (登记), assigned (分派), for big matters possibly escalated
to a joint meeting (上报), closed with a result (办结) and followed up with the
resident's satisfaction (回访).  Any open matter may be cancelled (作废) with a
reason; its deadline may be extended (延期) with a reason; a supervisor may issue
a 督办 (普通 / 黄牌 / 红牌).

Every step is a row of ``matter_events`` (time, operator, from/to state, note,
JSON data).  The ``state`` and the other cache columns of ``matters`` are
rewritten from the events by :func:`derive_state` in the same transaction as
every event, so lists and filters read plain columns while the event rows stay
the record the evaluation (SPEC §5) reads.

Deadline rule (decided here, SPEC §4): small and private matters are due at
23:59:59 of the registration day; a big matter is due at 23:59:59 of the day
N days after registration (N = 30 by default, per category in the setting
``matter_deadline_days``), so a big matter registered on 15 October at any hour
is due at the end of 14 November.  Whole days are what a clerk counts in.

Lists and settings used:
    事项类别 and 事项来源: the office's lists (``models.core.lists``; :data:`SOURCES` and
        :data:`DEFAULT_CATEGORIES` are what a new ledger starts with); a category may carry
        its own big-matter days.
    ``matter_deadline_days``: an integer (all categories) or a dict
        ``{category: days}`` with an optional ``"默认"`` entry (default 30), for the
        categories without days of their own; only big matters use it.

``supervision_window_days``: a 督办 is accepted only on an open matter that is overdue
        or due within this many days of the 督办 (default
        :data:`DEFAULT_SUPERVISION_WINDOW_DAYS`; edited on the 设置 page).

A 黄牌/红牌 督办 costs the grid points: the evaluation scheme keeps them
(``models.evaluation.scheme``, ``Scheme.card_points``); this module writes no score rows.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from models.core.db import Ledger, ts
from models.core.errors import ValidationError, WorkflowError
from models.core import lists
from models.core import scope
from models.core.filters import ListFilter, like_pattern
from models.core.ops import operation
from models.core.permissions import may, require
from models.core.phones import check_phone

LEVELS = ("小事", "私事", "大事")
SOURCES = ("巡查走访", "微信群", "QQ群", "来电", "来访", "12345热线", "其他")
DEFAULT_CATEGORIES = ("路灯照明", "环境卫生", "噪音扰民", "安全隐患", "物业服务",
                      "邻里纠纷", "家庭矛盾", "违章建筑", "环境治理", "其他")
STATES = ("登记", "已分派", "已上报", "已办结", "已回访", "作废")
OPEN_STATES = ("登记", "已分派", "已上报")
DONE_STATES = ("已办结", "已回访", "作废")
SATISFACTION = ("满意", "基本满意", "不满意")
CARDS = ("普通", "黄牌", "红牌")
ACTIONS = ("分派", "上报", "办结", "回访", "延期", "督办", "作废")

DEFAULT_DEADLINE_DAYS = 30
#: setting: a 督办 needs a matter overdue or due within this many days
SUPERVISION_WINDOW_KEY = "supervision_window_days"
DEFAULT_SUPERVISION_WINDOW_DAYS = 3
#: the widest 督办 window a clerk may set (days)
MAX_SUPERVISION_WINDOW_DAYS = 60

#: (state, action) -> new state.  Actions not listed for a state are refused.
#: 分派 may also re-assign an assigned or escalated matter (the state stays);
#: 上报 is further limited to 大事 by :func:`allowed_actions`.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("登记", "分派"): "已分派",
    ("已分派", "分派"): "已分派",
    ("已上报", "分派"): "已上报",
    ("已分派", "上报"): "已上报",
    ("已分派", "办结"): "已办结",
    ("已上报", "办结"): "已办结",
    ("已办结", "回访"): "已回访",
}
for _state in OPEN_STATES:
    TRANSITIONS[(_state, "延期")] = _state
    TRANSITIONS[(_state, "督办")] = _state
    TRANSITIONS[(_state, "作废")] = "作废"
del _state

#: actions limited to some levels (checked after the state table)
LEVEL_ONLY: dict[str, tuple[str, ...]] = {"上报": ("大事",)}

_CARD_RANK = {"": 0, "普通": 1, "黄牌": 2, "红牌": 3}

#: the columns of ``matters`` that :func:`derive_state` rewrites
CACHE_COLUMNS = ("state", "deadline", "closed_at", "result", "followed_up_at", "satisfaction",
                 "cancelled_at", "supervision", "assignee_staff_id", "assignee_name")


# -- small helpers -------------------------------------------------------------------------

def as_datetime(value: Any, what: str = "时间", field: str | None = None) -> _dt.datetime:
    """Accept a datetime, a date, or text ``YYYY-MM-DD[ HH:MM[:SS]]`` (also with ``/`` or ``T``)."""
    if isinstance(value, _dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    text = str(value or "").strip().replace("/", "-").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValidationError(f"{what}“{value}”不是有效的日期时间（应为 2026-10-15 09:30 这样的格式）。", field=field)


def end_of_day(day: _dt.date | _dt.datetime) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, 23, 59, 59)


def categories(ledger: Ledger) -> list[str]:
    """The 事项类别 offered for new matters (the office's list, ``models.core.lists``)."""
    return lists.names(ledger, "matter_category")


def sources(ledger: Ledger) -> list[str]:
    """The 事项来源 offered for new matters (the office's list, ``models.core.lists``)."""
    return lists.names(ledger, "matter_source")


def default_level(ledger: Ledger, category: str) -> str:
    """The level a new matter of ``category`` starts with (the category's rule, else 小事)."""
    rule = lists.category_rule(ledger, category)
    return (rule or {}).get("level") or "小事"


def deadline_days(ledger: Ledger, category: str) -> int:
    """Days a big matter of ``category`` gets: the category's own days in the office's list,
    else the setting ``matter_deadline_days``, else :data:`DEFAULT_DEADLINE_DAYS`."""
    rule = lists.category_rule(ledger, category)
    if rule and rule.get("deadline_days"):
        return int(rule["deadline_days"])
    value = ledger.get_setting("matter_deadline_days", DEFAULT_DEADLINE_DAYS)
    if isinstance(value, dict):
        value = value.get(category, value.get("默认", DEFAULT_DEADLINE_DAYS))
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_DEADLINE_DAYS


def supervision_window_days(ledger: Ledger) -> int:
    """Days before its deadline from which a matter may be supervised (督办).

    The setting ``supervision_window_days`` (default :data:`DEFAULT_SUPERVISION_WINDOW_DAYS`)."""
    value = ledger.get_setting(SUPERVISION_WINDOW_KEY, DEFAULT_SUPERVISION_WINDOW_DAYS)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_SUPERVISION_WINDOW_DAYS


@operation("settings.edit", "settings")
def set_supervision_window(ledger: Ledger, days: int | str) -> int:
    """Store the 督办 window (days before a deadline from which a 督办 is accepted); audited.

    Raises:
        ValidationError: not a whole number from 0 to :data:`MAX_SUPERVISION_WINDOW_DAYS`.
    """
    try:
        value = int(str(days).strip())
    except ValueError:
        raise ValidationError(f"督办提前天数“{days}”不是整数。", field="supervision_window_days") from None
    if not 0 <= value <= MAX_SUPERVISION_WINDOW_DAYS:
        raise ValidationError(f"督办提前天数应在 0 到 {MAX_SUPERVISION_WINDOW_DAYS} 天之间"
                              f"（0 表示只能督办已超期或当天到期的事项）。", field="supervision_window_days")
    if value != supervision_window_days(ledger) or ledger.get_setting(SUPERVISION_WINDOW_KEY) is None:
        ledger.set_setting(SUPERVISION_WINDOW_KEY, value)
    return value


def supervision_refusal(deadline: str, when: _dt.datetime, window_days: int) -> str | None:
    """Why a 督办 at ``when`` is refused on an open matter due at ``deadline``, or None.

    A 督办 needs a matter that is overdue, or whose deadline falls within ``window_days``
    whole days of ``when`` (the deadline's day counts: with 3 days, a 督办 on the 10th is
    accepted for a matter due by the end of the 13th)."""
    last_day = (when.date() + _dt.timedelta(days=window_days)).isoformat()
    if (deadline or "")[:10] <= last_day:
        return None
    return (f"该事项的办理时限是 {deadline[:16]}，既未超期，也不在到期前 {window_days} 天内，"
            f"还不能督办。")


def compute_deadline(ledger: Ledger, level: str, category: str,
                     registered_at: _dt.datetime) -> _dt.datetime:
    """The deadline set at registration (see the module docstring for the rule)."""
    if level not in LEVELS:
        raise ValidationError(f"事项分级必须是{'、'.join(LEVELS)}之一。", field="level")
    registered_at = as_datetime(registered_at, "登记时间")
    if level == "大事":
        return end_of_day(registered_at + _dt.timedelta(days=deadline_days(ledger, category)))
    return end_of_day(registered_at)


def is_overdue(matter_row: dict, now: _dt.datetime | str) -> bool:
    """Open (not 已办结/已回访/作废) and past its deadline."""
    now_text = now if isinstance(now, str) else ts(now)
    return matter_row.get("state") in OPEN_STATES and (matter_row.get("deadline") or "") < now_text


def _data_of(event: dict) -> dict:
    data = event.get("data")
    if data is None or data == "":
        return {}
    if isinstance(data, str):
        return json.loads(data)
    return dict(data)


# -- the workflow ------------------------------------------------------------------------

def allowed_actions(matter: dict, role: str | None = None) -> list[str]:
    """The actions the matter's state (and level) allows, in :data:`ACTIONS` order;
    with ``role``, only those the permission table lets that role do (``matter.<动作>``)."""
    state, level = matter.get("state"), matter.get("level")
    result = []
    for action in ACTIONS:
        if (state, action) not in TRANSITIONS:
            continue
        if action in LEVEL_ONLY and level not in LEVEL_ONLY[action]:
            continue
        if role is not None and not may(role, f"matter.{action}"):
            continue
        result.append(action)
    return result


def refusal(matter: dict, action: str) -> str | None:
    """Why ``action`` is not allowed on ``matter`` (Chinese), or None when it is."""
    state, level = matter.get("state"), matter.get("level")
    if action not in ACTIONS:
        return f"未知的操作“{action}”。"
    if (state, action) in TRANSITIONS:
        if action in LEVEL_ONLY and level not in LEVEL_ONLY[action]:
            return f"只有大事才能上报联席会议，本事项是{level}。"
        return None
    if state == "作废":
        return f"已作废的事项不能再{action}。"
    if state in ("已办结", "已回访"):
        if action == "回访":
            return "该事项已回访，不能重复回访。"
        return f"{state}的事项不能再{action}。"
    if action == "回访":
        return "事项尚未办结，不能回访。"
    if state == "登记" and action in ("上报", "办结"):
        return f"事项尚未分派承办人，不能{action}。请先分派。"
    return f"{state}状态的事项不能{action}。"


def derive_state(events: list[dict]) -> dict:
    """Pure function: the matter's cache columns from its events (in time order).

    Each event is a dict with ``action``, ``at`` and ``data`` (a dict or JSON text);
    events with equal times keep the order given (their id order).

    Raises:
        WorkflowError: the events do not start with 登记 or break the transition table.
    """
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1]["at"], pair[0]))
    out: dict[str, Any] = {"state": None, "deadline": None, "closed_at": None, "result": "",
                           "followed_up_at": None, "satisfaction": None, "cancelled_at": None,
                           "supervision": "", "assignee_staff_id": None, "assignee_name": ""}
    for _, event in ordered:
        action, at, data = event["action"], event["at"], _data_of(event)
        if out["state"] is None:
            if action != "登记":
                raise WorkflowError(f"事项的第一条记录必须是登记，而不是{action}。")
            out["state"] = "登记"
            out["deadline"] = data.get("deadline")
            continue
        if action == "登记":
            raise WorkflowError("一个事项只能登记一次。")
        new_state = TRANSITIONS.get((out["state"], action))
        if new_state is None:
            raise WorkflowError(refusal({"state": out["state"], "level": "大事"}, action)
                                or f"{out['state']}状态的事项不能{action}。")
        if action == "分派":
            out["assignee_staff_id"] = data.get("assignee_staff_id")
            out["assignee_name"] = data.get("assignee_name", "")
        elif action == "办结":
            out["closed_at"] = at
            out["result"] = data.get("result", "")
        elif action == "回访":
            out["followed_up_at"] = at
            out["satisfaction"] = data.get("satisfaction")
        elif action == "延期":
            out["deadline"] = data.get("new_deadline", out["deadline"])
        elif action == "督办":
            card = data.get("card", "普通")
            if _CARD_RANK.get(card, 0) > _CARD_RANK[out["supervision"]]:
                out["supervision"] = card
        elif action == "作废":
            out["cancelled_at"] = at
        out["state"] = new_state
    if out["state"] is None:
        raise WorkflowError("事项没有登记记录。")
    return out


# -- the search index -----------------------------------------------------------------------

#: the text a search looks in (besides the number, matched as a prefix)
SEARCH_FIELDS = ("description", "reporter_name", "reporter_phone", "location_text")
#: above this many candidates a search walks the list's index instead (matches are common)
SEARCH_CAP = 5000
_NUMBER_LIKE = re.compile(r"^\d{4}-\d{1,2}(-\d*)?$")


_FTS5: bool | None = None


def fts5_available() -> bool:
    """Whether this Python's SQLite has FTS5 (python.org builds do; a few others do not).

    Without it the search indexes are simply not created and searches use LIKE
    alone: slower on a big ledger, but the same results."""
    global _FTS5
    if _FTS5 is None:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
            _FTS5 = True
        except sqlite3.OperationalError:
            _FTS5 = False
        finally:
            probe.close()
    return _FTS5


def has_search_index(conn, table: str = "matter_fts") -> bool:
    """``table`` (``matter_fts`` / ``visit_fts``) exists and can be used here."""
    return fts5_available() and conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                             [table]).fetchone() is not None


def _grams(text: str) -> set[str]:
    # Grams of punctuation or spaces alone are kept: the tokenizer turns them into
    # nothing, so they cost no index space and checking for them would cost time.
    text = " ".join((text or "").split())
    grams = set(text)
    grams.update(text[i:i + 2] for i in range(len(text) - 1))
    return grams


def search_tokens(*texts: str) -> str:
    """The body indexed in ``matter_fts``: every character and every pair of adjacent
    characters of the searchable fields, space-separated (FTS5's unicode61 tokenizer
    then sees each as one token; punctuation inside a pair splits it the same way on
    both the indexing and the query side, so candidates stay a superset)."""
    grams: set[str] = set()
    for text in texts:
        grams |= _grams(text)
    return " ".join(sorted(grams))


def rebuild_search_index(conn) -> None:
    """Fill ``matter_fts`` from scratch (migration, repair)."""
    if not has_search_index(conn):
        return
    conn.execute("INSERT INTO matter_fts (matter_fts) VALUES ('delete-all')")
    cursor = conn.execute(f"SELECT id, {', '.join(SEARCH_FIELDS)} FROM matters")
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            break
        conn.executemany("INSERT INTO matter_fts (rowid, body) VALUES (?, ?)",
                         [(r[0], search_tokens(*r[1:])) for r in rows])


def match_expression(text: str) -> str | None:
    """The FTS5 query for a search text: all its pairs (or its one character)."""
    grams = [text] if len(text) == 1 else [text[i:i + 2] for i in range(len(text) - 1)]
    grams = [g for g in dict.fromkeys(grams) if any(c.isalnum() for c in g)]
    if not grams:
        return None
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


# -- reading -----------------------------------------------------------------------------

_LIST_COLUMNS = """m.id, m.number, m.registered_at, m.source, m.category, m.level, m.description,
    m.grid_id, g.name AS grid_name, m.building_id, m.household_id, m.location_text,
    m.reporter_name, m.reporter_phone, m.assignee_staff_id, m.assignee_name, m.deadline,
    m.state, m.closed_at, m.result, m.followed_up_at, m.satisfaction, m.cancelled_at,
    m.supervision, m.visit_id"""


def _missing(matter_id: int) -> str:
    return f"事项不存在（编号 {matter_id}）。"


def get_matter(ledger: Ledger, matter_id: int) -> dict:
    """One matter with ``grid_name``, ``household_label``, ``is_overdue`` and ``allowed_actions``."""
    row = ledger.one("SELECT m.*, g.name AS grid_name, g.community_id FROM matters m"
                     " JOIN grids g ON g.id = m.grid_id WHERE m.id = ?", [matter_id], missing=_missing(matter_id))
    scope.require_grid(ledger, row["grid_id"], f"事项 {row['number']}")
    row["household_label"] = ""
    if row["household_id"]:
        from models.grids.hierarchy import household_label

        row["household_label"] = household_label(ledger, row["household_id"])
    row["is_overdue"] = is_overdue(row, ledger.now())
    row["allowed_actions"] = allowed_actions(row)
    row["meeting_ids"] = [r[0] for r in ledger.conn.execute(
        "SELECT meeting_id FROM meeting_matters WHERE matter_id = ? ORDER BY meeting_id", [matter_id])]
    return row


def matter_events(ledger: Ledger, matter_id: int) -> list[dict]:
    """The matter's timeline, oldest first; ``data`` decoded to a dict."""
    rows = ledger.query("SELECT id, matter_id, at, action, from_state, to_state, operator, note, data"
                        " FROM matter_events WHERE matter_id = ? ORDER BY at, id", [matter_id])
    for row in rows:
        row["data"] = _data_of(row)
    return rows


#: how a corrected field is named on the matter's page
FIELD_LABELS = {"source": "来源", "category": "类别", "description": "事项描述", "location_text": "地点",
                "reporter_name": "反映人", "reporter_phone": "联系电话", "reporter_resident_id": "居民档案"}


def matter_edits(ledger: Ledger, matter_id: int) -> list[dict]:
    """The corrections made with :func:`update_matter`, oldest first, from the audit log.

    Each: ``at``, ``operator``, ``old`` and ``new`` (dicts of the changed fields).
    """
    rows = ledger.query("SELECT at, operator, old_value, new_value FROM audit_log"
                        " WHERE table_name = 'matters' AND row_id = ? AND action = '修改' ORDER BY at, id",
                        [matter_id])
    edits = []
    for row in rows:
        try:
            old, new = json.loads(row["old_value"] or "{}"), json.loads(row["new_value"] or "{}")
        except ValueError:
            old, new = {}, {}
        edits.append({"at": row["at"], "operator": row["operator"], "old": old, "new": new})
    return edits


def find_by_number(ledger: Ledger, number: str) -> int | None:
    return ledger.scalar("SELECT id FROM matters WHERE number = ?", [(number or "").strip()])


# -- writing -----------------------------------------------------------------------------

def next_number(ledger: Ledger, registered_at: _dt.datetime) -> str:
    """``2026-10-0042``: year-month of registration + sequence within that month.

    The sequence has at least four digits and grows beyond 9999 in a busy month,
    so the maximum is taken numerically over the month's range of the unique index.
    """
    prefix = registered_at.strftime("%Y-%m-")
    # The last number in text order is one index step, and it is the numeric maximum
    # while the month has no 5-digit sequence.  Numbers are given in order and never
    # removed, so a 5-digit one exists only after 9999: only then is the month scanned
    # (a scan per matter made registering 100,000 imported matters quadratic).
    last = ledger.scalar("SELECT number FROM matters WHERE number >= ? AND number < ?"
                         " ORDER BY number DESC LIMIT 1", [prefix, prefix + "~"])
    top = int(last[len(prefix):]) if last and last[len(prefix):].isdigit() else 0
    if last and (top >= 9999 or not last[len(prefix):].isdigit()):
        top = ledger.scalar("SELECT MAX(CAST(substr(number, 9) AS INTEGER)) FROM matters"
                            " WHERE number >= ? AND number < ?", [prefix, prefix + "~"]) or 0
    return f"{prefix}{top + 1:04d}"


def _place(ledger: Ledger, data: dict) -> dict:
    """grid/building/unit/household ids made consistent (derived from the finest given)."""
    grid_id, building_id = data.get("grid_id"), data.get("building_id")
    unit_id, household_id = data.get("unit_id"), data.get("household_id")
    if household_id:
        row = ledger.conn.execute("SELECT grid_id, building_id, unit_id FROM households WHERE id = ?",
                                  [household_id]).fetchone()
        if row is None:
            raise ValidationError("所选的户不存在。", field="household_id")
        derived = {"grid_id": row[0], "building_id": row[1], "unit_id": row[2]}
    elif unit_id:
        row = ledger.conn.execute("SELECT b.grid_id, b.id FROM units u JOIN buildings b"
                                  " ON b.id = u.building_id WHERE u.id = ?", [unit_id]).fetchone()
        if row is None:
            raise ValidationError("所选的单元不存在。", field="unit_id")
        derived = {"grid_id": row[0], "building_id": row[1], "unit_id": unit_id}
    elif building_id:
        row = ledger.conn.execute("SELECT grid_id FROM buildings WHERE id = ?", [building_id]).fetchone()
        if row is None:
            raise ValidationError("所选的楼栋不存在。", field="building_id")
        derived = {"grid_id": row[0], "building_id": building_id, "unit_id": None}
    else:
        derived = {"grid_id": grid_id, "building_id": None, "unit_id": None}
    for key in ("building_id", "unit_id"):
        if data.get(key) and derived[key] and data[key] != derived[key]:
            raise ValidationError("所选的楼栋、单元与户不一致。", field=key)
    if grid_id and derived["grid_id"] and grid_id != derived["grid_id"]:
        raise ValidationError("所选的户（楼栋）不属于所选网格。", field="grid_id")
    if not derived["grid_id"]:
        raise ValidationError("请选择事项所属网格（或选择户、楼栋）。", field="grid_id")
    if not ledger.scalar("SELECT 1 FROM grids WHERE id = ?", [derived["grid_id"]]):
        raise ValidationError("所选的网格不存在。", field="grid_id")
    derived["household_id"] = household_id or None
    return derived


def _location_text(ledger: Ledger, place: dict) -> str:
    if place["household_id"]:
        from models.grids.hierarchy import household_label

        return household_label(ledger, place["household_id"])
    if place["unit_id"]:
        row = ledger.conn.execute("SELECT b.compound || b.name || u.name FROM units u JOIN buildings b"
                                  " ON b.id = u.building_id WHERE u.id = ?", [place["unit_id"]]).fetchone()
        return row[0] if row else ""
    if place["building_id"]:
        row = ledger.conn.execute("SELECT compound || name FROM buildings WHERE id = ?",
                                  [place["building_id"]]).fetchone()
        return row[0] if row else ""
    return ""


def _reporter_phone(raw: str | None) -> str:
    """The reporter's phone normalised ('' when none); a wrong one is a ValidationError."""
    text = (raw or "").strip()
    if not text:
        return ""
    normalised, error = check_phone(text)
    if error:
        raise ValidationError(f"联系电话有误：{error}", field="reporter_phone")
    return normalised or ""


def _staff_name(ledger: Ledger, staff_id: int | None) -> str | None:
    if not staff_id:
        return None
    name = ledger.scalar("SELECT name FROM staff WHERE id = ?", [staff_id])
    if name is None:
        raise ValidationError("所选的承办人不在工作人员名单中。", field="assignee_staff_id")
    return name


def _insert_events(ledger: Ledger, matter_id: int, events: list[dict]) -> None:
    """Write events (see :func:`_event`) of a matter, and link it to the meeting a 上报 names.
    ``at``: when it happened (the clerk's time); ``recorded_at``: when it was typed."""
    operator, recorded_at = ledger.operator.name, ledger.now_ts()
    ledger.conn.executemany(
        "INSERT INTO matter_events (matter_id, at, action, from_state, to_state, operator, note, data,"
        " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(matter_id, e["at"], e["action"], e["from_state"], e["to_state"], operator, e["note"],
          json.dumps(e["data"], ensure_ascii=False) if e["data"] else None, recorded_at) for e in events])
    for e in events:
        if e["action"] == "上报" and e["data"].get("meeting_id"):
            ledger.conn.execute("INSERT OR IGNORE INTO meeting_matters (meeting_id, matter_id) VALUES (?, ?)",
                                [e["data"]["meeting_id"], matter_id])


def _rewrite_cache(ledger: Ledger, matter_id: int) -> dict:
    """Derive the cache columns from the events and store them (same transaction)."""
    events = ledger.query("SELECT at, action, data FROM matter_events WHERE matter_id = ? ORDER BY at, id",
                          [matter_id])
    derived = derive_state(events)
    derived = ledger.stamp(derived, creating=False)
    sets = ", ".join(f"{k} = ?" for k in derived)
    ledger.conn.execute(f"UPDATE matters SET {sets} WHERE id = ?", [*derived.values(), matter_id])
    return derived


def _registration(ledger: Ledger, data: dict) -> tuple[dict, list[dict]]:
    """The checked row of a new matter (before its cache columns) and its first events:
    登记, and 分派 when an assignee is given.  Raises what :func:`register_matter` raises."""
    data = dict(data)
    now = ledger.now()
    registered_at = as_datetime(data.get("registered_at") or now, "登记时间", "registered_at")
    if registered_at > now:
        raise ValidationError("登记时间不能晚于当前时间。", field="registered_at")
    source = (data.get("source") or "").strip()
    offered = sources(ledger)
    if source not in offered:
        raise ValidationError(f"来源必须是{'、'.join(offered)}之一。", field="source")
    category = (data.get("category") or "").strip()
    if category not in categories(ledger):
        raise ValidationError(f"类别“{category}”不在类别列表中（{'、'.join(categories(ledger))}）。",
                              field="category")
    level = (data.get("level") or "").strip()
    if level not in LEVELS:
        raise ValidationError(f"事项分级必须是{'、'.join(LEVELS)}之一。", field="level")
    description = (data.get("description") or "").strip()
    if not description:
        raise ValidationError("请填写事项描述。", field="description")
    place = _place(ledger, data)
    location_text = (data.get("location_text") or "").strip() or _location_text(ledger, place)

    reporter_name = (data.get("reporter_name") or "").strip()
    reporter_phone = _reporter_phone(data.get("reporter_phone"))
    reporter_id = data.get("reporter_resident_id") or None
    if reporter_id:
        row = ledger.conn.execute("SELECT name, phone FROM residents WHERE id = ?", [reporter_id]).fetchone()
        if row is None:
            raise ValidationError("所选的反映人不在居民名单中。", field="reporter_resident_id")
        reporter_name = reporter_name or row[0]
        reporter_phone = reporter_phone or row[1]

    assignee_id = data.get("assignee_staff_id") or None
    assignee_name = (data.get("assignee_name") or "").strip() or (_staff_name(ledger, assignee_id) or "")
    if assignee_id:
        _staff_name(ledger, assignee_id)  # must exist
    visit_id = data.get("visit_id") or None
    if visit_id and not ledger.scalar("SELECT 1 FROM visits WHERE id = ?", [visit_id]):
        raise ValidationError("关联的走访记录不存在。", field="visit_id")

    scope.require_grid(ledger, place["grid_id"], "该事项的地点")     # a 网格员 registers in their grids
    deadline = ts(compute_deadline(ledger, level, category, registered_at))
    at = ts(registered_at)
    record = ledger.stamp({
        "number": next_number(ledger, registered_at), "registered_at": at, "source": source,
        "category": category, "level": level, "description": description,
        "grid_id": place["grid_id"], "building_id": place["building_id"], "unit_id": place["unit_id"],
        "household_id": place["household_id"], "location_text": location_text,
        "reporter_resident_id": reporter_id, "reporter_name": reporter_name,
        "reporter_phone": reporter_phone, "assignee_staff_id": None, "assignee_name": "",
        "deadline": deadline, "visit_id": visit_id, "state": "登记",
    }, creating=True)
    events = [_event(at, "登记", None, "登记", "", {"deadline": deadline})]
    if assignee_id or assignee_name:
        events.append(_event(at, "分派", "登记", "已分派", "",
                             {"assignee_staff_id": assignee_id, "assignee_name": assignee_name}))
    return record, events


def _event(at: str, action: str, from_state: str | None, to_state: str, note: str, data: dict) -> dict:
    return {"at": at, "action": action, "from_state": from_state, "to_state": to_state, "note": note or "",
            "data": data}


def _insert_new(ledger: Ledger, record: dict, events: list[dict]) -> tuple[int, dict]:
    """Insert a new matter with the cache columns its events give, then the events
    (one INSERT each way: no cache rewrite per event).  Returns ``(id, cache)``."""
    derived = derive_state(events)
    record = {**record, **derived}
    # (on the connection: sqlite-utils' insert looks the table up in sqlite_master three
    # times and opens a savepoint, per matter)
    matter_id = ledger.conn.execute(
        f"INSERT INTO matters ({', '.join(record)}) VALUES ({', '.join('?' * len(record))})",
        list(record.values())).lastrowid
    _insert_events(ledger, matter_id, events)
    if ledger.during_bulk("matter_fts", lambda: has_search_index(ledger.conn)):
        # (in an import, gathered and written once at the end: see Ledger.bulk_writes)
        ledger.execute_later("INSERT INTO matter_fts (rowid, body) VALUES (?, ?)",
                             [matter_id, search_tokens(*(record[f] for f in SEARCH_FIELDS))])
    return matter_id, derived


@operation("matter.登记", "matters")
def register_matter(ledger: Ledger, data: dict) -> int:
    """Register a matter (and assign it when an assignee is given).  Returns its id.

    Keys of ``data``: ``registered_at`` (default now), ``source``, ``category``,
    ``level``, ``description``, ``grid_id`` (derived from ``household_id`` /
    ``unit_id`` / ``building_id`` when given), ``location_text`` (default: the
    household or building), ``reporter_resident_id``, ``reporter_name``,
    ``reporter_phone``, ``assignee_staff_id``, ``assignee_name``, ``visit_id``.

    Raises:
        PermissionDenied: the operator's role may not register matters.
        ValidationError: a missing or invalid field (``field`` names it).
    """
    record, events = _registration(ledger, data)
    matter_id, derived = _insert_new(ledger, record, events)
    ledger.audit("登记", "matters", matter_id, None,
                 {"number": record["number"], "level": record["level"], "category": record["category"],
                  "state": derived["state"], "deadline": derived["deadline"]})
    return matter_id


@operation("matter.登记", "matters")
def register_history(ledger: Ledger, data: dict, steps: list[tuple] = ()) -> int:
    """Register a matter together with the later steps of its story (an imported row).  Returns its id.

    ``data`` as for :func:`register_matter`; ``steps``: ``(action, at, note, action_data)``
    in order, e.g. ``("办结", "2026-10-15 16:00", "", {"result": "已修复"})``.  Every step is
    checked exactly as :func:`apply_action` checks it (permission ``matter.<动作>``, the
    transition table, times in order and not in the future, the action's data), and the
    result is the same matter, events and state as registering and then applying each
    step — written at once: one matter row, its events, and one audit row (登记, with the
    final state and the steps), instead of a cache rewrite and an audit row per step.

    Raises:
        what :func:`register_matter` and :func:`apply_action` raise; nothing is written then.
    """
    for action, *_rest in steps:
        if action not in ACTIONS:
            raise WorkflowError(f"未知的操作“{action}”。")
        require(ledger, f"matter.{action}")
    record, events = _registration(ledger, data)
    matter = {"number": record["number"], "state": events[-1]["to_state"], "level": record["level"],
              "deadline": record["deadline"]}
    now = ledger.now()
    last = record["registered_at"]
    for action, at, note, action_data in steps:
        why = refusal(matter, action)
        if why:
            raise WorkflowError(f"{matter['number']}：{why}")
        when = as_datetime(at, "操作时间", "at")
        if when > now:
            raise ValidationError("操作时间不能晚于当前时间。", field="at")
        when_text = ts(when)
        if when_text < last:
            raise ValidationError(f"操作时间不能早于该事项上一步的时间（{last}）。", field="at")
        note, event_data = _step(ledger, matter, action, when, note, dict(action_data or {}))
        new_state = TRANSITIONS[(matter["state"], action)]
        events.append(_event(when_text, action, matter["state"], new_state, note, event_data))
        matter["state"] = new_state
        if action == "延期":
            matter["deadline"] = event_data["new_deadline"]
        last = when_text
    matter_id, derived = _insert_new(ledger, record, events)
    audit = {"number": record["number"], "level": record["level"], "category": record["category"],
             "state": derived["state"], "deadline": derived["deadline"]}
    if steps:
        audit["steps"] = [f"{e['action']} {e['at']}" for e in events[-len(steps):]]
    ledger.audit("登记", "matters", matter_id, None, audit)
    return matter_id


def _step(ledger: Ledger, matter: dict, action: str, when: _dt.datetime, note: str,
          data: dict) -> tuple[str, dict]:
    """The note and event data of one workflow step, checked (the data each action takes)."""
    note = (note or data.pop("reason", "") or "").strip()
    event_data: dict[str, Any] = {}
    allowed_keys: set[str] = set()
    if action == "分派":
        allowed_keys = {"assignee_staff_id", "assignee_name"}
        staff_id = data.get("assignee_staff_id") or None
        name = (data.get("assignee_name") or "").strip() or (_staff_name(ledger, staff_id) or "")
        if staff_id:
            _staff_name(ledger, staff_id)
        if not name:
            raise ValidationError("请选择或填写承办人。", field="assignee_staff_id")
        event_data = {"assignee_staff_id": staff_id, "assignee_name": name}
    elif action == "办结":
        allowed_keys = {"result"}
        result = (data.get("result") or "").strip()
        if not result:
            raise ValidationError("办结时必须填写办理结果。", field="result")
        event_data = {"result": result}
    elif action == "回访":
        allowed_keys = {"satisfaction"}
        satisfaction = data.get("satisfaction")
        if satisfaction not in SATISFACTION:
            raise ValidationError(f"回访时必须选择满意度（{'、'.join(SATISFACTION)}）。", field="satisfaction")
        event_data = {"satisfaction": satisfaction}
    elif action == "上报":
        allowed_keys = {"meeting_id"}
        meeting_id = data.get("meeting_id") or None
        if meeting_id:
            if not ledger.scalar("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]):
                raise ValidationError("所选的会议不存在。", field="meeting_id")
            event_data = {"meeting_id": meeting_id}
    elif action == "延期":
        allowed_keys = {"new_deadline"}
        if data.get("new_deadline") in (None, ""):
            raise ValidationError("请填写延期后的新时限。", field="new_deadline")
        new_deadline = parse_deadline(data["new_deadline"])
        if ts(new_deadline) <= matter["deadline"]:
            raise ValidationError(f"新时限必须晚于当前时限（{matter['deadline']}）。", field="new_deadline")
        if not note:
            raise ValidationError("延期必须填写原因。", field="note")
        event_data = {"new_deadline": ts(new_deadline), "old_deadline": matter["deadline"]}
    elif action == "督办":
        allowed_keys = {"card"}
        card = data.get("card") or "普通"
        if card not in CARDS:
            raise ValidationError(f"督办类型必须是{'、'.join(CARDS)}之一。", field="card")
        why = supervision_refusal(matter["deadline"], when, supervision_window_days(ledger))
        if why:
            raise WorkflowError(f"{matter['number']}：{why}")
        event_data = {"card": card}
    elif action == "作废":
        if not note:
            raise ValidationError("作废必须填写原因（如重复登记、无效信息）。", field="note")
    unexpected = set(data) - allowed_keys
    if unexpected:
        raise TypeError(f"apply_action({action!r}) got unexpected data {sorted(unexpected)}")
    return note, event_data


@operation(None, "matters")   # the permission is the action's own: matter.<动作>
def apply_action(ledger: Ledger, matter_id: int, action: str, *, at: _dt.datetime | str | None = None,
                 note: str = "", **data) -> None:
    """Apply one workflow action to a matter: an event row plus the rewritten cache.

    Data per action: 分派 ``assignee_staff_id`` and/or ``assignee_name``; 办结 ``result``
    (required); 回访 ``satisfaction`` (required, one of :data:`SATISFACTION`); 上报
    ``meeting_id`` (optional, links the meeting); 延期 ``new_deadline`` (later than the
    current deadline) and a reason in ``note`` (or ``reason``); 督办 ``card`` (one of
    :data:`CARDS`); 作废 a reason in ``note`` (or ``reason``).

    Raises:
        NotFound: no such matter.
        PermissionDenied: the operator's role may not do the action.
        WorkflowError: the state (or level) does not allow the action.
        ValidationError: missing or invalid data for the action.
    """
    if action not in ACTIONS:
        raise WorkflowError(f"未知的操作“{action}”。")
    require(ledger, f"matter.{action}")
    matter = ledger.one("SELECT id, number, state, level, deadline, registered_at, grid_id FROM matters"
                        " WHERE id = ?", [matter_id], missing=_missing(matter_id))
    scope.require_grid(ledger, matter["grid_id"], f"事项 {matter['number']}")   # a 网格员: their grids only
    why = refusal(matter, action)
    if why:
        raise WorkflowError(f"{matter['number']}：{why}")
    now = ledger.now()
    when = as_datetime(at, "操作时间", "at") if at is not None else now
    if when > now:
        raise ValidationError("操作时间不能晚于当前时间。", field="at")
    last = ledger.scalar("SELECT MAX(at) FROM matter_events WHERE matter_id = ?", [matter_id])
    if last and ts(when) < last:
        raise ValidationError(f"操作时间不能早于该事项上一步的时间（{last}）。", field="at")
    note, event_data = _step(ledger, matter, action, when, note, data)

    new_state = TRANSITIONS[(matter["state"], action)]
    _insert_events(ledger, matter_id, [_event(ts(when), action, matter["state"], new_state, note, event_data)])
    _rewrite_cache(ledger, matter_id)
    ledger.audit(action, "matters", matter_id, {"state": matter["state"]},
                 {"state": new_state, "note": note, **event_data})


#: fields a clerk may correct after registration (not the level: it set the deadline)
EDITABLE_FIELDS = ("source", "category", "description", "location_text", "reporter_resident_id",
                   "reporter_name", "reporter_phone")


@operation("matter.修改", "matters")
def update_matter(ledger: Ledger, matter_id: int, changes: dict) -> None:
    """Correct descriptive fields of a matter (see :data:`EDITABLE_FIELDS`); audited."""
    old = ledger.one("SELECT * FROM matters WHERE id = ?", [matter_id], missing=_missing(matter_id))
    if old["state"] == "作废":
        raise WorkflowError("事项已作废，不能再修改。")
    bad = set(changes) - set(EDITABLE_FIELDS)
    if bad:
        raise ValidationError(f"这些字段登记后不能修改：{'、'.join(sorted(bad))}。")
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if clean.get("reporter_phone"):
        clean["reporter_phone"] = _reporter_phone(clean["reporter_phone"])
    if "reporter_resident_id" in clean:
        clean["reporter_resident_id"] = clean["reporter_resident_id"] or None
        if clean["reporter_resident_id"] and not ledger.scalar(
                "SELECT 1 FROM residents WHERE id = ?", [clean["reporter_resident_id"]]):
            raise ValidationError("所选的反映人不在居民名单中。", field="reporter_resident_id")
    # a name retired since the matter was registered stays as it is; a new one must be offered
    if "source" in clean and clean["source"] != old["source"] and clean["source"] not in sources(ledger):
        raise ValidationError(f"来源必须是{'、'.join(sources(ledger))}之一。", field="source")
    if ("category" in clean and clean["category"] != old["category"]
            and clean["category"] not in categories(ledger)):
        raise ValidationError(f"类别“{clean['category']}”不在类别列表中。", field="category")
    if "description" in clean and not clean["description"]:
        raise ValidationError("请填写事项描述。", field="description")
    clean = {k: v for k, v in clean.items() if old[k] != v}
    if not clean:
        return
    ledger.db["matters"].update(matter_id, ledger.stamp(clean, creating=False))
    if set(clean) & set(SEARCH_FIELDS) and has_search_index(ledger.conn):
        ledger.conn.execute("INSERT INTO matter_fts (matter_fts, rowid, body) VALUES ('delete', ?, ?)",
                            [matter_id, search_tokens(*(old[f] for f in SEARCH_FIELDS))])
        ledger.conn.execute("INSERT INTO matter_fts (rowid, body) VALUES (?, ?)",
                            [matter_id, search_tokens(*(clean.get(f, old[f]) for f in SEARCH_FIELDS))])
    ledger.audit("修改", "matters", matter_id, {k: old[k] for k in clean}, clean)


# -- searching ---------------------------------------------------------------------------

@dataclass
class MatterFilter(ListFilter):
    """What the 民情事项 list shows (the period is the registration date).  Empty fields do not filter."""

    state: str | None = None
    level: str | None = None
    category: str | None = None
    source: str | None = None
    assignee_staff_id: int | None = None
    due_today: bool = False
    overdue: bool = False
    awaiting_follow_up: bool = False


SORTS = ("registered_at", "deadline", "number")


def _where(flt: MatterFilter, now: _dt.datetime, ledger: Ledger | None = None) -> tuple[list[str], list]:
    """Clauses and parameters of every filter except the text search (and, given the ledger, the
    operator's grids: a 网格员 sees their grids' matters only)."""
    clauses, params = flt.equal_clauses("m", "state", "level", "category", "grid_id", "source", "assignee_staff_id")
    if ledger is not None:
        scoped, scoped_params = scope.grid_clauses(ledger, "m.grid_id")
        clauses, params = clauses + scoped, params + scoped_params
    now_text = ts(now)
    open_list = "('登记', '已分派', '已上报')"
    if flt.due_today:
        clauses.append(f"m.state IN {open_list} AND m.deadline >= ? AND m.deadline <= ?")
        params += [now_text, ts(end_of_day(now))]
    if flt.overdue:
        clauses.append(f"m.state IN {open_list} AND m.deadline < ?")
        params.append(now_text)
    if flt.awaiting_follow_up:
        clauses.append("m.state = '已办结'")
    period, period_params = flt.period_clauses("m.registered_at", timestamps=True)
    return clauses + period, params + period_params


@dataclass
class _Plan:
    """How one query reads matters: which FROM, which WHERE."""

    source: str
    clauses: list[str]
    params: list
    empty: bool = False

    def where(self, extra: list[str] | None = None) -> str:
        clauses = self.clauses + (extra or [])
        return ("WHERE " + " AND ".join(clauses)) if clauses else ""


def _plan(ledger: Ledger, flt: MatterFilter, now: _dt.datetime, *, for_count: bool = False) -> _Plan:
    """Filters plus the text search, planned by how selective the text is.

    A text that looks like a matter number (``2026-10``, ``2026-10-004``) is a
    prefix range on the unique number index.  Any other text is checked with
    LIKE on the searchable columns (so results are exact), and ``matter_fts``
    decides the route: when at most :data:`SEARCH_CAP` matters can match, the
    query starts from those candidates (then sorts a few rows); when more can,
    matches are common and walking the list's own index finds a page at once.
    """
    clauses, params = _where(flt, now, ledger)       # a 网格员: their grids only
    source = "matters m"
    text = flt.search_text()
    if text and _NUMBER_LIKE.match(text):
        clauses.append("m.number >= ? AND m.number < ?")
        params += [text, text + "\U0010ffff"]
    elif text:
        like = like_pattern(text)
        clauses.append("(" + " OR ".join(f"m.{f} LIKE ? ESCAPE '\\'" for f in SEARCH_FIELDS) + ")")
        params += [like] * len(SEARCH_FIELDS)
        match = match_expression(text) if has_search_index(ledger.conn) else None
        if match is not None:
            candidates = ledger.scalar("SELECT COUNT(*) FROM (SELECT rowid FROM matter_fts WHERE matter_fts"
                                       " MATCH ? LIMIT ?)", [match, SEARCH_CAP + 1])
            if not candidates:
                return _Plan(source, clauses, params, empty=True)
            if candidates <= SEARCH_CAP or for_count:
                # CROSS JOIN keeps the candidates as the outer loop (SQLite never reorders it).
                source = ("(SELECT rowid AS fts_id FROM matter_fts WHERE matter_fts MATCH ?) c"
                          " CROSS JOIN matters m")
                clauses.insert(0, "m.id = c.fts_id")
                params.insert(0, match)
    return _Plan(source, clauses, params)


def search_page(ledger: Ledger, flt: MatterFilter | None = None, sort: str = "registered_at",
                descending: bool = True, after: tuple | None = None,
                limit: int = 100) -> tuple[list[dict], tuple | None]:
    """One page of matters (keyset paging).

    Args:
        flt: the filter (``text`` searches the number as a prefix, and the
            description, reporter, phone and location anywhere).
        sort: one of :data:`SORTS`; ties are broken by id.
        descending: newest (or latest deadline) first.
        after: the cursor returned with the previous page; None for the first page.
        limit: rows per page.

    Returns:
        (rows, cursor): rows carry the list columns plus ``grid_name`` and
        ``is_overdue``; cursor is None when there is no further page.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    now = ledger.now()
    plan = _plan(ledger, flt or MatterFilter(), now)
    if plan.empty:
        return [], None
    params = list(plan.params)
    extra = []
    if after is not None:
        extra.append(f"(m.{sort}, m.id) {'<' if descending else '>'} (?, ?)")
        params += list(after)
    direction = "DESC" if descending else "ASC"
    rows = ledger.query(f"SELECT {_LIST_COLUMNS} FROM {plan.source} JOIN grids g ON g.id = m.grid_id"
                        f" {plan.where(extra)} ORDER BY m.{sort} {direction}, m.id {direction} LIMIT ?",
                        [*params, limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    now_text = ts(now)
    for row in rows:
        row["is_overdue"] = is_overdue(row, now_text)
    cursor = (rows[-1][sort], rows[-1]["id"]) if more and rows else None
    return rows, cursor


def count(ledger: Ledger, flt: MatterFilter | None = None, cap: int | None = None) -> int:
    """How many matters the filter shows; with ``cap``, counting stops at ``cap``
    (a list can show "超过 10000 条" without counting a common search to the end)."""
    now = ledger.now()
    plan = _plan(ledger, flt or MatterFilter(), now, for_count=True)
    if plan.empty:
        return 0
    if cap is None:
        return ledger.scalar(f"SELECT COUNT(*) FROM {plan.source} {plan.where()}", plan.params) or 0
    return ledger.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM {plan.source} {plan.where()} LIMIT ?)",
                         [*plan.params, cap]) or 0


# -- the home screen -----------------------------------------------------------------------

def _month_start(day: _dt.date, back: int = 0) -> _dt.date:
    index = day.year * 12 + day.month - 1 - back
    return _dt.date(index // 12, index % 12 + 1, 1)


def home_summary(ledger: Ledger, now: _dt.datetime | None = None, first: int = 20) -> dict:
    """What the 首页 shows.

    Returns:
        ``{"now", "due_today": {"count", "rows"}, "overdue": {...}, "awaiting_follow_up": {...},
        "month": "YYYY-MM", "by_level": {level: n}, "by_category": {category: n},
        "trend": [{"month", "registered", "closed", "on_time"}] (12 months, oldest first)}``.
        Lists hold the first ``first`` rows, most urgent first (due today and overdue by
        deadline, awaiting follow-up by closing time); month counts exclude 作废.
    """
    now = now or ledger.now()
    now_text = ts(now)

    def block(flt: MatterFilter, sort: str, descending: bool) -> dict:
        rows, _ = _page_at(ledger, flt, sort, descending, first, now)
        return {"count": _count_at(ledger, flt, now), "rows": rows}

    summary = {
        "now": now_text,
        "due_today": block(MatterFilter(due_today=True), "deadline", False),
        "overdue": block(MatterFilter(overdue=True), "deadline", False),
        "awaiting_follow_up": block(MatterFilter(awaiting_follow_up=True), "closed_at", False),
    }
    month_start = _month_start(now.date())
    next_month = _month_start(now.date(), -1)
    lo, hi = f"{month_start:%Y-%m-%d}", f"{next_month:%Y-%m-%d}"
    summary["month"] = f"{month_start:%Y-%m}"
    by_level = dict.fromkeys(LEVELS, 0)
    by_category: dict[str, int] = dict.fromkeys(categories(ledger), 0)
    mine, mine_params = scope.grid_clause(ledger, "grid_id")     # a 网格员: their grids' figures
    for level, category, n in ledger.conn.execute(
            "SELECT level, category, COUNT(*) FROM matters WHERE registered_at >= ? AND registered_at < ?"
            f" AND state <> '作废' AND {mine} GROUP BY level, category", [lo, hi, *mine_params]):
        by_level[level] = by_level.get(level, 0) + n
        by_category[category] = by_category.get(category, 0) + n
    summary["by_level"] = by_level
    summary["by_category"] = by_category

    months = [f"{_month_start(now.date(), back):%Y-%m}" for back in range(11, -1, -1)]
    trend = {m: {"month": m, "registered": 0, "closed": 0, "on_time": 0} for m in months}
    # One index-only range count per month: the indexes are in time order, so no
    # GROUP BY sort and no table rows are read (a year is ~150,000 entries on a
    # 200,000-household ledger).
    bounds = [f"{_month_start(now.date(), back):%Y-%m-%d}" for back in range(11, -2, -1)]
    for month, lo_day, hi_day in zip(months, bounds, bounds[1:]):
        registered = ledger.scalar("SELECT COUNT(*) FROM matters WHERE registered_at >= ? AND registered_at < ?"
                                   f" AND {mine}", [lo_day, hi_day, *mine_params])
        cancelled = ledger.scalar("SELECT COUNT(*) FROM matters WHERE state = '作废' AND registered_at >= ?"
                                  f" AND registered_at < ? AND {mine}", [lo_day, hi_day, *mine_params])
        closed, on_time = ledger.conn.execute(
            "SELECT COUNT(*), SUM(closed_at <= deadline) FROM matters WHERE closed_at >= ? AND closed_at < ?"
            f" AND {mine}", [lo_day, hi_day, *mine_params]).fetchone()
        trend[month] = {"month": month, "registered": registered - cancelled, "closed": closed,
                        "on_time": on_time or 0}
    summary["trend"] = [trend[m] for m in months]
    return summary


def _page_at(ledger, flt, sort, descending, limit, now):
    clauses, params = _where(flt, now, ledger)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    direction = "DESC" if descending else "ASC"
    rows = ledger.query(f"SELECT {_LIST_COLUMNS} FROM matters m JOIN grids g ON g.id = m.grid_id {where}"
                        f" ORDER BY m.{sort} {direction}, m.id {direction} LIMIT ?", [*params, limit])
    now_text = ts(now)
    for row in rows:
        row["is_overdue"] = is_overdue(row, now_text)
    return rows, None


def _count_at(ledger, flt, now):
    clauses, params = _where(flt, now, ledger)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return ledger.scalar(f"SELECT COUNT(*) FROM matters m {where}", params) or 0


def parse_deadline(value: Any) -> _dt.datetime:
    """A deadline typed by a clerk: a bare date means the end of that day."""
    moment = as_datetime(value, "新时限", "new_deadline")
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return end_of_day(moment)
    if isinstance(value, str) and len(value.strip()) <= 10:
        return end_of_day(moment)
    return moment


__all__ = [
    "LEVELS", "SOURCES", "DEFAULT_CATEGORIES", "STATES", "OPEN_STATES", "DONE_STATES", "SATISFACTION", "CARDS",
    "ACTIONS", "TRANSITIONS", "EDITABLE_FIELDS", "SORTS", "allowed_actions", "refusal",
    "compute_deadline", "parse_deadline", "register_matter", "apply_action", "update_matter", "matter_edits",
    "FIELD_LABELS", "derive_state", "get_matter", "matter_events", "find_by_number", "next_number", "MatterFilter", "search_page", "count",
    "is_overdue", "home_summary", "categories", "sources", "default_level", "deadline_days", "SUPERVISION_WINDOW_KEY", "supervision_window_days", "set_supervision_window", "supervision_refusal", "search_tokens",
    "match_expression", "rebuild_search_index", "fts5_available", "has_search_index", "as_datetime", "end_of_day",
]
