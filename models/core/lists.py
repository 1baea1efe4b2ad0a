"""The office's own lists (设置): 事项类别, 事项来源, 活动类型, 走访方式 and 人员标签, as data.

Each list is rows of ``office_lists`` (kind, name, order, retired; a 事项类别 also carries the
level a new matter starts with and the days a big matter gets) or, for 人员标签, of ``tags``
(name, sensitive, order, retired).  The rules of editing them are :data:`LIST_KINDS` and the
operations below (permission ``settings.edit``; every change audited):

* Past records keep the text they were saved with (matters store the category's name, visits
  the way …).  So a name that a record uses is never renamed and never deleted: it is
  **retired** (停用) — no longer offered for new records, still shown on the old ones — and
  can be restored.  A name nobody uses yet may be corrected or deleted.
* 走访方式 can be retired, restored and reordered but not added to: the visits table accepts
  only 入户 / 电话 / 微信 (a constraint of its schema).
* A list keeps at least one item in use.

Other office settings kept here because no area below needs them: the idle-lock minutes
(``idle_lock_minutes``, read by the window's lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.core.errors import NotFound, ValidationError
from models.core.ops import operation

#: the levels a 事项类别 may start a matter with (the same as ``models.matters.records.LEVELS``)
LEVELS = ("小事", "私事", "大事")
#: the longest item name (characters)
NAME_MAX_CHARS = 20
#: the longest deadline a category may set (days)
MAX_DEADLINE_DAYS = 365

IDLE_LOCK_KEY = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 15
#: the idle-lock minutes a clerk may set (0 = never lock)
IDLE_LOCK_RANGE = (0, 240)


@dataclass(frozen=True)
class ListKind:
    """One editable list: what the 设置 page calls it, whether items may be added, and the
    table and column of the records that use its names."""

    kind: str
    title: str
    addable: bool
    used_in: tuple[str, str]


#: the lists of ``office_lists``, in the 设置 page's order
LIST_KINDS: dict[str, ListKind] = {k.kind: k for k in (
    ListKind("matter_category", "事项类别", True, ("matters", "category")),
    ListKind("matter_source", "事项来源", True, ("matters", "source")),
    ListKind("activity_type", "活动类型", True, ("activities", "type")),
    ListKind("visit_way", "走访方式", False, ("visits", "way")),
)}


def _kind(kind: str) -> ListKind:
    try:
        return LIST_KINDS[kind]
    except KeyError:
        raise ValidationError(f"没有这个列表：{kind}。") from None


def _name(text: str | None, what: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError(f"{what}名称不能为空。", field="name")
    if len(name) > NAME_MAX_CHARS:
        raise ValidationError(f"{what}名称最多 {NAME_MAX_CHARS} 个字（现有 {len(name)} 个）。", field="name")
    return name


# -- reading ----------------------------------------------------------------------------------

def items(ledger, kind: str, *, include_retired: bool = True) -> list[dict]:
    """The items of a list in order: id, name, sort_order, retired, level, deadline_days, used
    (how many records use the name)."""
    spec = _kind(kind)
    table, column = spec.used_in
    retired = "" if include_retired else " AND retired = 0"
    rows = ledger.query(f"SELECT id, name, sort_order, retired, level, deadline_days FROM office_lists"
                        f" WHERE kind = ?{retired} ORDER BY sort_order, id", [kind])
    counts = dict(ledger.conn.execute(f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}").fetchall())
    for row in rows:
        row["used"] = counts.get(row["name"], 0)
    return rows


def names(ledger, kind: str) -> list[str]:
    """The names offered for new records (not retired), in order."""
    _kind(kind)
    return ledger.during_bulk(("office_lists", kind), lambda: [r[0] for r in ledger.conn.execute(
        "SELECT name FROM office_lists WHERE kind = ? AND retired = 0 ORDER BY sort_order, id", [kind])])


def category_rule(ledger, category: str) -> dict | None:
    """A 事项类别's ``level`` and ``deadline_days`` (None when not set), retired or not; None
    for a name not in the list."""
    rows = ledger.query("SELECT level, deadline_days FROM office_lists WHERE kind = 'matter_category'"
                        " AND name = ?", [category])
    return rows[0] if rows else None


def _item(ledger, item_id: int) -> dict:
    return ledger.one("SELECT * FROM office_lists WHERE id = ?", [item_id],
                      missing=f"列表项不存在（编号 {item_id}）。")


def _used(ledger, kind: str, name: str) -> int:
    table, column = _kind(kind).used_in
    return ledger.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", [name]) or 0


def _check_rule(level, deadline_days) -> tuple[str | None, int | None]:
    level = (level or "").strip() or None
    if level is not None and level not in LEVELS:
        raise ValidationError(f"事项分级必须是{'、'.join(LEVELS)}之一。", field="level")
    if deadline_days in (None, ""):
        return level, None
    try:
        days = int(str(deadline_days).strip())
    except ValueError:
        raise ValidationError(f"办理时限“{deadline_days}”不是整数天数。", field="deadline_days") from None
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise ValidationError(f"办理时限应在 1 到 {MAX_DEADLINE_DAYS} 天之间。", field="deadline_days")
    return level, days


# -- operations on office_lists -----------------------------------------------------------------

@operation("settings.edit", "settings")
def add_item(ledger, kind: str, name: str, *, level: str | None = None,
             deadline_days: int | str | None = None) -> int:
    """Add a name at the end of a list (a retired one of the same name is restored instead).

    Args:
        level, deadline_days: a 事项类别's level (default 小事) and big-matter days (None: the default).

    Returns:
        the item's id.

    Raises:
        ValidationError: a blank or too long name, one already in use, a list that takes no
            new items (走访方式), a bad level or number of days.
    """
    spec = _kind(kind)
    name = _name(name, spec.title)
    if kind == "matter_category":
        level, deadline_days = _check_rule(level or "小事", deadline_days)
    else:
        level, deadline_days = None, None
    old = ledger.query("SELECT * FROM office_lists WHERE kind = ? AND name = ?", [kind, name])
    if old:
        if not old[0]["retired"]:
            raise ValidationError(f"{spec.title}“{name}”已经在列表中。", field="name")
        restore_item(ledger, old[0]["id"])
        return old[0]["id"]
    if not spec.addable:
        raise ValidationError(f"{spec.title}只能停用或恢复，不能新增（走访记录只接受入户、电话、微信）。",
                              field="name")
    order = ledger.scalar("SELECT COALESCE(MAX(sort_order), -1) + 1 FROM office_lists WHERE kind = ?", [kind])
    record = {"kind": kind, "name": name, "sort_order": order, "retired": 0, "level": level,
              "deadline_days": deadline_days}
    item_id = ledger.db["office_lists"].insert(record).last_rowid
    ledger.audit("新增", "office_lists", item_id, None, record)
    return item_id


@operation("settings.edit", "settings")
def rename_item(ledger, item_id: int, name: str) -> None:
    """Correct the name of an item no record uses yet.

    Raises:
        ValidationError: records use the name (retire it and add the new one: history keeps
            its words), or the new name is blank, too long or taken.
    """
    item = _item(ledger, item_id)
    spec = _kind(item["kind"])
    name = _name(name, spec.title)
    if name == item["name"]:
        return
    used = _used(ledger, item["kind"], item["name"])
    if used:
        raise ValidationError(f"已有 {used} 条记录使用“{item['name']}”，不能改名（改名会改变过去的记录）；"
                              f"请停用它，再新增“{name}”。", field="name")
    if ledger.scalar("SELECT 1 FROM office_lists WHERE kind = ? AND name = ?", [item["kind"], name]):
        raise ValidationError(f"{spec.title}“{name}”已经在列表中。", field="name")
    ledger.db["office_lists"].update(item_id, {"name": name})
    ledger.audit("修改", "office_lists", item_id, {"name": item["name"]}, {"name": name})


@operation("settings.edit", "settings")
def set_category_rule(ledger, item_id: int, level: str, deadline_days: int | str | None) -> None:
    """Set a 事项类别's starting level and big-matter days (None: the ledger's default).

    Only matters registered afterwards use it: a registered matter keeps its level and deadline.
    """
    item = _item(ledger, item_id)
    if item["kind"] != "matter_category":
        raise ValidationError("只有事项类别有分级和办理时限。")
    level, days = _check_rule(level, deadline_days)
    new = {"level": level or "小事", "deadline_days": days}
    old = {k: item[k] for k in new}
    if new != old:
        ledger.db["office_lists"].update(item_id, new)
        ledger.audit("修改", "office_lists", item_id, old | {"name": item["name"]}, new)


def _set_retired(ledger, item_id: int, retired: int) -> None:
    item = _item(ledger, item_id)
    if item["retired"] == retired:
        return
    if retired:
        left = ledger.scalar("SELECT COUNT(*) FROM office_lists WHERE kind = ? AND retired = 0 AND id <> ?",
                             [item["kind"], item_id])
        if not left:
            raise ValidationError(f"{_kind(item['kind']).title}至少要保留一项在用。")
    ledger.db["office_lists"].update(item_id, {"retired": retired})
    ledger.audit("停用" if retired else "恢复", "office_lists", item_id,
                 {"name": item["name"], "retired": item["retired"]}, {"retired": retired})


@operation("settings.edit", "settings")
def retire_item(ledger, item_id: int) -> None:
    """停用: no longer offered for new records; past records keep showing the name."""
    _set_retired(ledger, item_id, 1)


@operation("settings.edit", "settings")
def restore_item(ledger, item_id: int) -> None:
    """恢复 a retired item (offered again, at its old place)."""
    _set_retired(ledger, item_id, 0)


@operation("settings.edit", "settings")
def delete_item(ledger, item_id: int) -> None:
    """Delete an item that no record uses (a mistake); one in use can only be retired."""
    item = _item(ledger, item_id)
    used = _used(ledger, item["kind"], item["name"])
    if used:
        raise ValidationError(f"已有 {used} 条记录使用“{item['name']}”，不能删除，可以停用。")
    if not item["retired"] and not ledger.scalar(
            "SELECT COUNT(*) FROM office_lists WHERE kind = ? AND retired = 0 AND id <> ?", [item["kind"], item_id]):
        raise ValidationError(f"{_kind(item['kind']).title}至少要保留一项在用。")
    ledger.conn.execute("DELETE FROM office_lists WHERE id = ?", [item_id])
    ledger.audit("删除", "office_lists", item_id, item, None)


def _move(ledger, table: str, where: str, params: list, item_id: int, step: int) -> bool:
    ids = [r[0] for r in ledger.conn.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY sort_order, id",
                                             params)]
    if item_id not in ids:
        raise NotFound(f"列表项不存在（编号 {item_id}）。")
    at = ids.index(item_id)
    to = max(0, min(len(ids) - 1, at + step))
    if to == at:
        return False
    ids.insert(to, ids.pop(at))
    ledger.conn.executemany(f"UPDATE {table} SET sort_order = ? WHERE id = ?", list(enumerate(ids)))
    return True


@operation("settings.edit", "settings")
def move_item(ledger, item_id: int, step: int) -> None:
    """Move an item ``step`` places up (negative) or down in its list."""
    item = _item(ledger, item_id)
    if _move(ledger, "office_lists", "kind = ?", [item["kind"]], item_id, step):
        ledger.audit("调整顺序", "office_lists", item_id, {"name": item["name"]}, {"step": step})


@operation("settings.edit", "settings")
def set_names(ledger, kind: str, new_names) -> None:
    """Make the names in use exactly ``new_names``, in that order: the others are retired,
    missing ones added (or restored).  Blank and repeated names are dropped.

    Raises:
        ValidationError: nothing left.
    """
    wanted = list(dict.fromkeys(_name(n, _kind(kind).title) for n in new_names if (n or "").strip()))
    if not wanted:
        raise ValidationError(f"{_kind(kind).title}列表不能为空。")
    for name in wanted:
        row = ledger.query("SELECT id, retired FROM office_lists WHERE kind = ? AND name = ?", [kind, name])
        if not row:
            add_item(ledger, kind, name)
        elif row[0]["retired"]:
            ledger.db["office_lists"].update(row[0]["id"], {"retired": 0})
    for row in ledger.query("SELECT id, name FROM office_lists WHERE kind = ? AND retired = 0", [kind]):
        if row["name"] not in wanted:
            ledger.db["office_lists"].update(row["id"], {"retired": 1})
    others = [r[0] for r in ledger.conn.execute(
        "SELECT id FROM office_lists WHERE kind = ? AND retired = 1 ORDER BY sort_order, id", [kind])]
    ids = [ledger.scalar("SELECT id FROM office_lists WHERE kind = ? AND name = ?", [kind, n]) for n in wanted]
    ledger.conn.executemany("UPDATE office_lists SET sort_order = ? WHERE id = ?", list(enumerate(ids + others)))
    ledger.audit("修改", "office_lists", None, None, {"kind": kind, "names": wanted})


# -- 人员标签 (tags) ---------------------------------------------------------------------------------

def tags(ledger, *, include_retired: bool = True) -> list[dict]:
    """Every tag in order: id, name, sensitive, sort_order, retired, used (residents carrying it)."""
    retired = "" if include_retired else " WHERE t.retired = 0"
    return ledger.query(f"SELECT t.id, t.name, t.sensitive, t.sort_order, t.retired,"
                        f" (SELECT COUNT(*) FROM resident_tags rt WHERE rt.tag_id = t.id) AS used"
                        f" FROM tags t{retired} ORDER BY t.sort_order, t.id")


def _tag(ledger, tag_id: int) -> dict:
    return ledger.one("SELECT * FROM tags WHERE id = ?", [tag_id], missing=f"人员标签不存在（编号 {tag_id}）。")


@operation("settings.edit", "settings")
def add_tag(ledger, name: str, *, sensitive: bool = False) -> int:
    """Add a 人员标签 at the end (sensitive ones are seen by 管理员/工作人员 only).

    Raises:
        ValidationError: blank, too long, or the name exists (a retired one: restore it).
    """
    name = _name(name, "标签")
    old = ledger.query("SELECT id, retired FROM tags WHERE name = ?", [name])
    if old:
        hint = "它已停用，可以恢复。" if old[0]["retired"] else ""
        raise ValidationError(f"标签“{name}”已经存在。{hint}", field="name")
    order = ledger.scalar("SELECT COALESCE(MAX(sort_order), -1) + 1 FROM tags")
    record = {"name": name, "sensitive": 1 if sensitive else 0, "sort_order": order, "retired": 0}
    tag_id = ledger.db["tags"].insert(record).last_rowid
    ledger.audit("新增", "tags", tag_id, None, record)
    return tag_id


@operation("settings.edit", "settings")
def update_tag(ledger, tag_id: int, *, name: str | None = None, sensitive: bool | None = None) -> None:
    """Correct a tag's name (only while no resident carries it) or whether it is sensitive."""
    tag = _tag(ledger, tag_id)
    new = {}
    if name is not None:
        name = _name(name, "标签")
        if name != tag["name"]:
            used = ledger.scalar("SELECT COUNT(*) FROM resident_tags WHERE tag_id = ?", [tag_id])
            if used:
                raise ValidationError(f"已有 {used} 位居民带有标签“{tag['name']}”，不能改名；"
                                      f"请停用它，再新增“{name}”。", field="name")
            if ledger.scalar("SELECT 1 FROM tags WHERE name = ? AND id <> ?", [name, tag_id]):
                raise ValidationError(f"标签“{name}”已经存在。", field="name")
            new["name"] = name
    if sensitive is not None and int(bool(sensitive)) != tag["sensitive"]:
        new["sensitive"] = int(bool(sensitive))
    if new:
        ledger.db["tags"].update(tag_id, new)
        ledger.audit("修改", "tags", tag_id, {k: tag[k] for k in new} | {"name": tag["name"]}, new)


@operation("settings.edit", "settings")
def retire_tag(ledger, tag_id: int) -> None:
    """停用 a tag: residents keep it (and lists and printouts show it); it is no longer offered."""
    tag = _tag(ledger, tag_id)
    if not tag["retired"]:
        ledger.db["tags"].update(tag_id, {"retired": 1})
        ledger.audit("停用", "tags", tag_id, {"name": tag["name"], "retired": 0}, {"retired": 1})


@operation("settings.edit", "settings")
def restore_tag(ledger, tag_id: int) -> None:
    """恢复 a retired tag."""
    tag = _tag(ledger, tag_id)
    if tag["retired"]:
        ledger.db["tags"].update(tag_id, {"retired": 0})
        ledger.audit("恢复", "tags", tag_id, {"name": tag["name"], "retired": 1}, {"retired": 0})


@operation("settings.edit", "settings")
def delete_tag(ledger, tag_id: int) -> None:
    """Delete a tag no resident carries (a mistake); a tag in use can only be retired."""
    tag = _tag(ledger, tag_id)
    used = ledger.scalar("SELECT COUNT(*) FROM resident_tags WHERE tag_id = ?", [tag_id])
    if used:
        raise ValidationError(f"已有 {used} 位居民带有标签“{tag['name']}”，不能删除，可以停用。")
    ledger.conn.execute("DELETE FROM tags WHERE id = ?", [tag_id])
    ledger.audit("删除", "tags", tag_id, tag, None)


@operation("settings.edit", "settings")
def move_tag(ledger, tag_id: int, step: int) -> None:
    """Move a tag ``step`` places up (negative) or down."""
    tag = _tag(ledger, tag_id)
    if _move(ledger, "tags", "1 = 1", [], tag_id, step):
        ledger.audit("调整顺序", "tags", tag_id, {"name": tag["name"]}, {"step": step})


# -- the idle lock ---------------------------------------------------------------------------------

def idle_lock_minutes(ledger) -> int:
    """Minutes without input after which the window locks (0: never); default 15."""
    value = ledger.get_setting(IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_MINUTES)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES


@operation("settings.edit", "settings")
def set_idle_lock_minutes(ledger, minutes: int | str) -> int:
    """Store the idle-lock minutes (0 = never lock); audited.

    Raises:
        ValidationError: not a whole number within :data:`IDLE_LOCK_RANGE`.
    """
    try:
        value = int(str(minutes).strip())
    except ValueError:
        raise ValidationError(f"锁定时间“{minutes}”不是整数分钟。", field="idle_lock_minutes") from None
    low, high = IDLE_LOCK_RANGE
    if not low <= value <= high:
        raise ValidationError(f"锁定时间应在 {low} 到 {high} 分钟之间（0 表示不自动锁定）。",
                              field="idle_lock_minutes")
    if value != idle_lock_minutes(ledger) or ledger.get_setting(IDLE_LOCK_KEY) is None:
        ledger.set_setting(IDLE_LOCK_KEY, value)
    return value
