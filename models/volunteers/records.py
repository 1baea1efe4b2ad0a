"""Volunteer organisations and volunteers (SPEC §3, issue 5).

A volunteer is either a resident of the ledger (preferred: found by name, ID or
phone) or an outside person.  A resident who volunteers keeps ONE identity:
``volunteers.resident_id`` is UNIQUE and :func:`volunteer_for_resident` returns the
existing volunteer when there is one.  For a resident volunteer the name, phone
and ID number shown are the resident's own (they follow the resident ledger).

A volunteer's hours are never typed: they are the sum of their hours in the
activities they took part in (``activity_participants``), for any period.

Every write is an operation (:func:`models.core.ops.operation`): it checks the
permission table (``records.edit``), runs in one transaction, is stamped and
audited (ID numbers masked in the audit log), and its ``.op`` returns the
``Changes`` the UI runs it for.  What the clerk's buttons call: :func:`save_org`,
:func:`delete_org`, :func:`join_org`, :func:`remove_member`, :func:`save_volunteer`,
:func:`delete_volunteer` (and ``models.volunteers.activities.save_activity`` /
``delete_activity``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Mapping

from models.core import periods
from models.core import idcard, phones
from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.filters import clean_search, like_pattern
from models.core.ops import operation
from models.grids import hierarchy as grids
from models.residents import records as resident_records

#: the permission every volunteer write needs, and the area it changes
EDIT, AREA = "records.edit", "volunteers"

#: Suggestions for an organisation's type (the field stays free text).
ORG_TYPES = ("文体娱乐", "邻里互助", "医疗健康", "法律服务", "环境保护", "平安巡防", "助老助残", "其他")

#: The name/phone/grid of a volunteer, resident or not (SQL fragments over v, r, g).
_NAME = "COALESCE(r.name, v.name)"
_PHONE = "COALESCE(NULLIF(r.phone, ''), v.phone)"
_PERSON_JOINS = ("LEFT JOIN residents r ON r.id = v.resident_id"
                 " LEFT JOIN grids g ON g.id = r.grid_id")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _check_date(value: str | None, what: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError(f"{what}“{text}”不是有效日期，请按 2026-10-31 的格式填写。",
                              field="date") from None


def _check_phone(value) -> str:
    """Normalise a phone number (mobiles and landlines, SPEC §7); blank → ''."""
    number, error = phones.check_phone(value)
    if error:
        raise ValidationError(f"联系电话“{_text(value)}”：{error}", field="phone")
    return number or ""


def _write_changes(ledger: Ledger, table: str, row_id: int, old: dict, new: dict) -> None:
    """Write the fields of ``new`` that differ from ``old`` (stamped; audited with both values)."""
    changed = {k: v for k, v in new.items() if old[k] != v}
    if changed:
        ledger.db[table].update(row_id, ledger.stamp(changed, creating=False))
        ledger.audit("修改", table, row_id, {k: old[k] for k in changed}, changed)


def _delete_unless_used(ledger: Ledger, table: str, row_id: int, name: str, count_sql: str, refusal: str) -> None:
    """Delete an organisation or a volunteer with its memberships (audited), unless ``count_sql``
    counts records that need it: then ``refusal`` (formatted with ``name`` and ``n``) is raised."""
    n = ledger.scalar(count_sql, [row_id])
    if n:
        raise ValidationError(refusal.format(name=name, n=n))
    member_column = {"volunteer_orgs": "org_id", "volunteers": "volunteer_id"}[table]
    ledger.db.execute(f"DELETE FROM volunteer_org_members WHERE {member_column} = ?", [row_id])
    ledger.db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
    ledger.audit("删除", table, row_id, {"name": name}, None)


# -- organisations ---------------------------------------------------------------------

@dataclass
class OrgData:
    """The editable fields of a volunteer organisation."""

    name: str
    type: str = ""
    leader: str = ""
    contact: str = ""
    founded_on: str | None = None
    notes: str = ""

    def cleaned(self) -> dict:
        name = _text(self.name)
        if not name:
            raise ValidationError("组织名称不能为空。", field="name")
        return {"name": name, "type": _text(self.type), "leader": _text(self.leader),
                "contact": _text(self.contact),
                "founded_on": _check_date(self.founded_on, "成立日期"), "notes": _text(self.notes)}


@operation(EDIT, AREA)
def add_org(ledger: Ledger, data: OrgData) -> int:
    """Create an organisation.  Raises ValidationError for a blank or duplicate name."""
    record = data.cleaned()
    if ledger.scalar("SELECT 1 FROM volunteer_orgs WHERE name = ?", [record["name"]]):
        raise ValidationError(f"已有名为“{record['name']}”的志愿组织。", field="name")
    org_id = ledger.db["volunteer_orgs"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "volunteer_orgs", org_id, None, record)
    return org_id


def ensure_org(ledger: Ledger, name: str) -> int | None:
    """The organisation called ``name``, created when missing; None for a blank name."""
    name = _text(name)
    if not name:
        return None
    found = ledger.scalar("SELECT id FROM volunteer_orgs WHERE name = ?", [name])
    return found if found else add_org(ledger, OrgData(name=name))


@operation(EDIT, AREA)
def update_org(ledger: Ledger, org_id: int, data: OrgData) -> None:
    old = get_org(ledger, org_id)
    record = data.cleaned()
    if ledger.scalar("SELECT 1 FROM volunteer_orgs WHERE name = ? AND id <> ?", [record["name"], org_id]):
        raise ValidationError(f"已有名为“{record['name']}”的志愿组织。", field="name")
    _write_changes(ledger, "volunteer_orgs", org_id, old, record)


@operation(EDIT, AREA)
def delete_org(ledger: Ledger, org_id: int) -> None:
    """Delete an organisation that never organised an activity (its member list goes with it)."""
    _delete_unless_used(ledger, "volunteer_orgs", org_id, get_org(ledger, org_id)["name"],
                        "SELECT COUNT(*) FROM activities WHERE org_id = ?",
                        "“{name}”已组织过 {n} 次活动，不能删除（活动记录要保留）。")


@operation(EDIT, AREA)
def save_org(ledger: Ledger, org_id: int | None, data: OrgData) -> int:
    """新建组织 (``org_id`` None) or 保存修改 of organisation ``org_id``.  Returns its id."""
    if org_id is None:
        return add_org(ledger, data)
    update_org(ledger, org_id, data)
    return org_id


def get_org(ledger: Ledger, org_id: int) -> dict:
    return ledger.one("SELECT * FROM volunteer_orgs WHERE id = ?", [org_id], missing=f"志愿组织不存在（编号 {org_id}）。")


def list_orgs(ledger: Ledger, date_from: str | None = None, date_to: str | None = None) -> list[dict]:
    """Every organisation with its member count and its activities and hours in the period."""
    lo, hi = periods.period(date_from, date_to)
    return ledger.query(
        """
        SELECT o.id, o.name, o.type, o.leader, o.contact, o.founded_on, o.notes,
               (SELECT COUNT(*) FROM volunteer_org_members m WHERE m.org_id = o.id) AS members,
               COALESCE(s.activities, 0) AS activities, ROUND(COALESCE(s.hours, 0), 2) AS hours
        FROM volunteer_orgs o
        LEFT JOIN (SELECT a.org_id, COUNT(DISTINCT a.id) AS activities, SUM(p.hours) AS hours
                   FROM activities a LEFT JOIN activity_participants p ON p.activity_id = a.id
                   WHERE a.on_date BETWEEN :lo AND :hi AND a.org_id IS NOT NULL
                   GROUP BY a.org_id) s ON s.org_id = o.id
        ORDER BY o.name
        """, {"lo": lo, "hi": hi})


def org_names(ledger: Ledger) -> list[dict]:
    """``[{id, name}]`` of every organisation (for combo boxes)."""
    return ledger.query("SELECT id, name FROM volunteer_orgs ORDER BY name")


def org_members(ledger: Ledger, org_id: int, date_from: str | None = None,
                date_to: str | None = None) -> list[dict]:
    """The members of an organisation with their hours in the period (all activities)."""
    lo, hi = periods.period(date_from, date_to)
    return ledger.query(
        f"""
        SELECT v.id, {_NAME} AS name, {_PHONE} AS phone, v.resident_id, g.name AS grid, v.skills,
               ROUND(COALESCE((SELECT SUM(p.hours) FROM activity_participants p
                               JOIN activities a ON a.id = p.activity_id
                               WHERE p.volunteer_id = v.id AND a.on_date BETWEEN :lo AND :hi), 0), 2)
                   AS hours
        FROM volunteer_org_members m JOIN volunteers v ON v.id = m.volunteer_id {_PERSON_JOINS}
        WHERE m.org_id = :org ORDER BY name
        """, {"org": org_id, "lo": lo, "hi": hi})


@operation(EDIT, AREA)
def add_member(ledger: Ledger, org_id: int, volunteer_id: int) -> bool:
    """Make a volunteer a member.  Returns False when they already were."""
    get_org(ledger, org_id)
    get_volunteer(ledger, volunteer_id)
    if ledger.scalar("SELECT 1 FROM volunteer_org_members WHERE org_id = ? AND volunteer_id = ?",
                     [org_id, volunteer_id]):
        return False
    ledger.db.execute("INSERT INTO volunteer_org_members (org_id, volunteer_id) VALUES (?, ?)",
                      [org_id, volunteer_id])
    ledger.audit("加入组织", "volunteer_org_members", volunteer_id, None, {"org_id": org_id})
    return True


@operation(EDIT, AREA)
def join_org(ledger: Ledger, org_id: int, candidate: Candidate) -> bool:
    """添加成员: the chosen person (a resident becomes a volunteer on first use) joins the organisation.

    Returns False when they already were a member.
    """
    return add_member(ledger, org_id, volunteer_for_candidate(ledger, candidate))


@operation(EDIT, AREA)
def remove_member(ledger: Ledger, org_id: int, volunteer_id: int) -> None:
    """移出组织."""
    ledger.db.execute("DELETE FROM volunteer_org_members WHERE org_id = ? AND volunteer_id = ?",
                      [org_id, volunteer_id])
    ledger.audit("退出组织", "volunteer_org_members", volunteer_id, {"org_id": org_id}, None)


def volunteer_orgs(ledger: Ledger, volunteer_id: int) -> list[dict]:
    return ledger.query("SELECT o.id, o.name FROM volunteer_org_members m JOIN volunteer_orgs o"
                        " ON o.id = m.org_id WHERE m.volunteer_id = ? ORDER BY o.name", [volunteer_id])


# -- volunteers ------------------------------------------------------------------------

def _mask(id_number: str | None) -> str:
    if not id_number:
        return ""
    return idcard.mask(id_number)


@operation(EDIT, AREA)
def volunteer_for_resident(ledger: Ledger, resident_id: int, skills: str = "") -> int:
    """The volunteer who is this resident, created on first use (one identity per person)."""
    found = ledger.scalar("SELECT id FROM volunteers WHERE resident_id = ?", [resident_id])
    if found:
        return found
    row = ledger.conn.execute("SELECT name, phone FROM residents WHERE id = ?", [resident_id]).fetchone()
    if row is None:
        raise NotFound(f"居民不存在（编号 {resident_id}）。")
    record = {"resident_id": resident_id, "name": row[0], "phone": row[1] or "", "skills": _text(skills)}
    vid = ledger.db["volunteers"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "volunteers", vid, None, record)
    return vid


@operation(EDIT, AREA)
def add_outside_volunteer(ledger: Ledger, name: str, phone: str = "", id_number: str | None = None,
                          skills: str = "", notes: str = "") -> int:
    """Register a volunteer who is not a resident of the ledger.

    An ID number, when given, is validated (GB 11643); if it belongs to a resident
    of the ledger, that resident's volunteer identity is returned instead, so a
    person never gets two identities.
    """
    name = _text(name)
    if not name:
        raise ValidationError("志愿者姓名不能为空。", field="name")
    normalized = None
    if _text(id_number):
        check = idcard.check_id(id_number, today=ledger.now().date())
        if check.error:
            raise ValidationError(f"身份证号：{check.error}", field="id_number")
        normalized = check.value
        resident = ledger.scalar("SELECT id FROM residents WHERE id_number = ?", [normalized])
        if resident:
            return volunteer_for_resident(ledger, resident, skills)
        existing = ledger.scalar("SELECT id FROM volunteers WHERE id_number = ?", [normalized])
        if existing:
            return existing
    record = {"resident_id": None, "name": name, "phone": _check_phone(phone), "id_number": normalized,
              "skills": _text(skills), "notes": _text(notes)}
    vid = ledger.db["volunteers"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "volunteers", vid, None, dict(record, id_number=_mask(normalized)))
    return vid


@operation(EDIT, AREA)
def update_volunteer(ledger: Ledger, volunteer_id: int, *, skills: str | None = None,
                     notes: str | None = None, name: str | None = None, phone: str | None = None) -> None:
    """Edit a volunteer.  Name and phone of a resident volunteer are edited in the resident ledger."""
    old = ledger.one("SELECT * FROM volunteers WHERE id = ?", [volunteer_id], missing=_no_volunteer(volunteer_id))
    new: dict = {}
    if skills is not None:
        new["skills"] = _text(skills)
    if notes is not None:
        new["notes"] = _text(notes)
    if old["resident_id"] is None:
        if name is not None:
            if not _text(name):
                raise ValidationError("志愿者姓名不能为空。", field="name")
            new["name"] = _text(name)
        if phone is not None:
            new["phone"] = _check_phone(phone)
    _write_changes(ledger, "volunteers", volunteer_id, old, new)


@dataclass
class VolunteerData:
    """What the volunteer form holds.  Name, phone and ID number count for an outside person only
    (a resident's are the resident ledger's)."""

    name: str = ""
    phone: str = ""
    id_number: str = ""
    skills: str = ""
    notes: str = ""


@operation(EDIT, AREA)
def save_volunteer(ledger: Ledger, volunteer_id: int | None, data: VolunteerData,
                   memberships: Mapping[int, bool] | None = None, candidate: Candidate | None = None) -> int:
    """新增志愿者 or 编辑志愿者, with their organisations, all or nothing.  Returns the volunteer's id.

    Args:
        volunteer_id: the volunteer edited; None registers one: the resident ``candidate``
            chosen in the look-up, or (``candidate`` None) an outside person from ``data``.
        memberships: organisation id → whether the volunteer is a member (organisations
            not named are left as they are).
    """
    if volunteer_id is not None:
        update_volunteer(ledger, volunteer_id, skills=data.skills, notes=data.notes, name=data.name,
                         phone=data.phone)
    elif candidate is None:
        volunteer_id = add_outside_volunteer(ledger, data.name, data.phone, data.id_number, data.skills, data.notes)
    else:
        volunteer_id = volunteer_for_candidate(ledger, candidate)
        update_volunteer(ledger, volunteer_id, skills=data.skills, notes=data.notes)
    current = {o["id"] for o in volunteer_orgs(ledger, volunteer_id)}
    for org_id, member in (memberships or {}).items():
        if member and org_id not in current:
            add_member(ledger, org_id, volunteer_id)
        elif not member and org_id in current:
            remove_member(ledger, org_id, volunteer_id)
    return volunteer_id


@operation(EDIT, AREA)
def delete_volunteer(ledger: Ledger, volunteer_id: int) -> None:
    """Delete a volunteer who has no service records (a mistyped entry)."""
    if not ledger.scalar("SELECT COUNT(*) FROM activity_participants WHERE volunteer_id = ?", [volunteer_id]):
        ledger.db.execute("DELETE FROM volunteer_candidates WHERE volunteer_id = ?", [volunteer_id])
    _delete_unless_used(ledger, "volunteers", volunteer_id, get_volunteer(ledger, volunteer_id)["name"],
                        "SELECT COUNT(*) FROM activity_participants WHERE volunteer_id = ?",
                        "“{name}”有 {n} 条服务记录，不能删除。")


def _no_volunteer(volunteer_id: int) -> str:
    return f"志愿者不存在（编号 {volunteer_id}）。"


def get_volunteer(ledger: Ledger, volunteer_id: int) -> dict:
    """A volunteer as the clerk sees them: name, phone, masked ID, where they live, skills."""
    row = ledger.one(f"""
        SELECT v.id, v.resident_id, {_NAME} AS name, {_PHONE} AS phone,
               COALESCE(r.id_number, v.id_number) AS id_number, r.household_id, g.name AS grid,
               r.status AS resident_status, v.skills, v.notes, v.created_at, v.pending
        FROM volunteers v {_PERSON_JOINS} WHERE v.id = ?
        """, [volunteer_id], missing=_no_volunteer(volunteer_id))
    row["id_masked"] = _mask(row.pop("id_number"))
    row["address"] = ""
    if row["household_id"]:
        row["address"] = grids.household_label(ledger, row["household_id"])
    pending = row.pop("pending")
    row["kind"] = "本社区居民" if row["resident_id"] else ("待确认" if pending else "社区外人员")
    row["orgs"] = volunteer_orgs(ledger, volunteer_id)
    return row


def volunteer_hours(ledger: Ledger, volunteer_id: int, date_from: str | None = None,
                    date_to: str | None = None) -> float:
    """Total service hours of a volunteer in the period (computed, never typed)."""
    lo, hi = periods.period(date_from, date_to)
    total = ledger.scalar(
        "SELECT SUM(p.hours) FROM activity_participants p JOIN activities a ON a.id = p.activity_id"
        " WHERE p.volunteer_id = ? AND a.on_date BETWEEN ? AND ?", [volunteer_id, lo, hi])
    return round(total or 0.0, 2)


def service_history(ledger: Ledger, volunteer_id: int, date_from: str | None = None,
                    date_to: str | None = None) -> list[dict]:
    """The activities a volunteer served in during the period, newest first, with their hours."""
    lo, hi = periods.period(date_from, date_to)
    return ledger.query(
        """
        SELECT a.id AS activity_id, a.on_date, a.start_time, a.end_time, a.title, a.type, a.place,
               COALESCE(g.name, '全社区') AS grid, o.name AS org, p.hours
        FROM activity_participants p JOIN activities a ON a.id = p.activity_id
        LEFT JOIN grids g ON g.id = a.grid_id LEFT JOIN volunteer_orgs o ON o.id = a.org_id
        WHERE p.volunteer_id = ? AND a.on_date BETWEEN ? AND ?
        ORDER BY a.on_date DESC, a.id DESC
        """, [volunteer_id, lo, hi])


def _volunteer_filter(text: str, org_id: int | None) -> tuple[list[str], dict]:
    """SQL conditions (over v, r) and parameters for volunteers whose name or phone holds ``text``,
    members of ``org_id`` (when given)."""
    where, params = [], {}
    text = clean_search(text)
    if text:
        where.append(f"({_NAME} LIKE :like ESCAPE '\\' OR {_PHONE} LIKE :like ESCAPE '\\')")
        params["like"] = like_pattern(text)
    if org_id:
        where.append("v.id IN (SELECT volunteer_id FROM volunteer_org_members WHERE org_id = :org)")
        params["org"] = org_id
    return where, params


def list_volunteers(ledger: Ledger, text: str = "", org_id: int | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    limit: int = 5000) -> list[dict]:
    """Volunteers matching ``text`` (name or phone), with hours and activities in the period.

    Sorted by hours (most first), then name.
    """
    lo, hi = periods.period(date_from, date_to)
    where, params = _volunteer_filter(text, org_id)
    params.update(lo=lo, hi=hi, limit=limit)
    return ledger.query(
        f"""
        SELECT v.id, v.resident_id, {_NAME} AS name, {_PHONE} AS phone, g.name AS grid, v.skills,
               (SELECT group_concat(o.name, '、') FROM volunteer_org_members m
                  JOIN volunteer_orgs o ON o.id = m.org_id WHERE m.volunteer_id = v.id) AS orgs,
               COALESCE(h.activities, 0) AS activities, ROUND(COALESCE(h.hours, 0), 2) AS hours
        FROM volunteers v {_PERSON_JOINS}
        LEFT JOIN (SELECT p.volunteer_id, COUNT(*) AS activities, SUM(p.hours) AS hours
                   FROM activity_participants p JOIN activities a ON a.id = p.activity_id
                   WHERE a.on_date BETWEEN :lo AND :hi GROUP BY p.volunteer_id) h ON h.volunteer_id = v.id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY hours DESC, name, v.id
        LIMIT :limit
        """, params)


def count_volunteers(ledger: Ledger, text: str = "", org_id: int | None = None) -> int:
    """How many volunteers match ``text`` (name or phone) and ``org_id``."""
    where, params = _volunteer_filter(text, org_id)
    return ledger.scalar(
        f"SELECT COUNT(*) FROM volunteers v LEFT JOIN residents r ON r.id = v.resident_id"
        f" {'WHERE ' + ' AND '.join(where) if where else ''}", params)


# -- finding a person to add as a participant -------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A person the clerk may mean when typing a name: a volunteer, or a resident not yet one."""

    name: str
    label: str                      # what the completer shows: 张三 · 3号楼1单元301 · 138****5678
    volunteer_id: int | None = None
    resident_id: int | None = None
    grid: str = ""                  # the grid they live in ('' for outside people)
    pending: bool = False           # 待确认: several residents share the name (resolve_name)
    candidates: tuple[int, ...] = ()   # the residents a 待确认 volunteer may be


def _masked_phone(phone: str | None) -> str:
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 and phone.isdigit() else phone


def _resident_hits(ledger: Ledger, text: str, limit: int) -> list[dict]:
    """Present residents matching ``text`` through the resident ledger's own search (name, ID, phone)."""
    flt = resident_records.ResidentFilter(text=text, status="在册")
    rows, _cursor = resident_records.search_page(ledger, flt, limit=limit)
    return rows


def find_candidates(ledger: Ledger, text: str, limit: int = 15) -> list[Candidate]:
    """People matching ``text`` (a name, part of an ID number or phone).

    Existing volunteers come first; then residents of the ledger who are not yet
    volunteers (choosing one makes them a volunteer with their resident identity).
    """
    text = clean_search(text)
    if not text:
        return []
    out: list[Candidate] = []
    seen_residents: set[int] = set()
    vols = ledger.query(
        f"""
        SELECT v.id, v.resident_id, {_NAME} AS name, {_PHONE} AS phone, g.name AS grid,
               COALESCE(b.compound, '') || COALESCE(b.name, '') || COALESCE(u.name, '')
                   || COALESCE(h.room, '') AS place
        FROM volunteers v {_PERSON_JOINS}
        LEFT JOIN households h ON h.id = r.household_id LEFT JOIN units u ON u.id = h.unit_id
        LEFT JOIN buildings b ON b.id = h.building_id
        WHERE {_NAME} LIKE :prefix ESCAPE '\\' OR {_PHONE} LIKE :like ESCAPE '\\'
        ORDER BY ({_NAME} = :text) DESC, name LIMIT :limit
        """, {"prefix": like_pattern(text)[1:], "like": like_pattern(text), "text": text, "limit": limit})
    for v in vols:
        where = f"{v['grid'] or ''}{v['place']}" or ("社区外人员" if v["resident_id"] is None else "")
        label = " · ".join(x for x in (v["name"], where, _masked_phone(v["phone"]), "志愿者") if x)
        out.append(Candidate(v["name"], label, volunteer_id=v["id"], resident_id=v["resident_id"],
                             grid=v["grid"] or ""))
        if v["resident_id"]:
            seen_residents.add(v["resident_id"])
    for r in _resident_hits(ledger, text, limit):
        rid = r.get("id")
        if rid is None or rid in seen_residents or len(out) >= limit * 2:
            continue
        existing = ledger.scalar("SELECT id FROM volunteers WHERE resident_id = ?", [rid])
        place = "".join(r.get(k) or "" for k in ("building", "unit", "room")) or r.get("grid") or ""
        if place and r.get("grid"):
            place = f"{r['grid']}{place}"
        label = " · ".join(x for x in (r.get("name", ""), place, _masked_phone(r.get("phone")),
                                        "志愿者" if existing else "居民") if x)
        out.append(Candidate(r.get("name", ""), label, volunteer_id=existing, resident_id=rid,
                             grid=r.get("grid") or ""))
        seen_residents.add(rid)
    return out


@operation(EDIT, AREA)
def volunteer_for_candidate(ledger: Ledger, candidate: Candidate) -> int:
    """The volunteer id for a chosen candidate (a resident becomes a volunteer on first use)."""
    if candidate.volunteer_id:
        return candidate.volunteer_id
    if candidate.resident_id:
        return volunteer_for_resident(ledger, candidate.resident_id)
    return add_outside_volunteer(ledger, candidate.name)


def resolve_name(ledger: Ledger, name: str, phone: str = "", grid_id: int | None = None,
                 id_number: str = "", place: str = "") -> Candidate:
    """Who a plain name (with the row's phone, ID number, the activity's grid and place) means,
    creating nothing (used by the import).

    A row's phone or ID number that is an outside volunteer's of that name (and no namesake
    resident's) names that volunteer.  Otherwise a present resident of that name is preferred
    (one identity).  When several share the
    name, in this order: the ID number or the phone settles it at once; else the residents
    of the activity's grid (one → that one); else, among those (or among everyone of the
    name when none lives in the grid), the ones living in a building the activity's place
    names (``place`` 幸福里8号楼门前 → 幸福里8号楼); else the community: one → that one.
    Still ambiguous: a **待确认** candidate (``pending``, ``candidates`` = the residents of
    the narrowest tier that had any), re-using a 待确认 volunteer of the same name, phone
    and candidates from an earlier import.  With no resident of that name: an outside volunteer of
    that name (and phone), else a new outside person (a Candidate with neither id).

    Raises:
        ValidationError: the name is blank.
    """
    name, phone, id_number = _text(name), _text(phone), _text(id_number).upper()
    if not name:
        raise ValidationError("志愿者姓名不能为空。", field="name")
    residents = ledger.query(
        "SELECT r.id, r.phone, r.id_number, r.grid_id, v.id AS volunteer_id,"
        " COALESCE(b.name, '') AS building, COALESCE(b.compound, '') AS compound FROM residents r"
        " LEFT JOIN volunteers v ON v.resident_id = r.id LEFT JOIN buildings b ON b.id = r.building_id"
        " WHERE r.name = ? AND r.status = '在册' ORDER BY r.id", [name])

    def found(r: dict) -> Candidate:
        return Candidate(name, name, volunteer_id=r["volunteer_id"], resident_id=r["id"])

    if phone or id_number:
        # the row's phone or ID number may be an outside volunteer's own, not any namesake resident's
        def owns(phone_of, id_of) -> bool:
            return bool((id_number and id_of == id_number)
                        or (phone and (phone_of == phone or phone in phones.phone_digits(phone_of or ""))))

        if not any(owns(r["phone"], r["id_number"]) for r in residents):
            outsiders = [v for v in ledger.query(
                "SELECT id, phone, id_number FROM volunteers WHERE resident_id IS NULL AND pending = 0 AND name = ?"
                " ORDER BY id", [name]) if owns(v["phone"], (v["id_number"] or "").upper())]
            if len(outsiders) == 1:
                return Candidate(name, name, volunteer_id=outsiders[0]["id"])

    if len(residents) == 1:
        return found(residents[0])
    if residents:
        for settles in (lambda r: bool(id_number) and r["id_number"] == id_number,
                        lambda r: bool(phone) and (r["phone"] == phone
                                                   or phone in phones.phone_digits(r["phone"] or ""))):
            hits = [r for r in residents if settles(r)]
            if len(hits) == 1:
                return found(hits[0])
        pool = [r for r in residents if grid_id is not None and r["grid_id"] == grid_id] or residents
        if len(pool) == 1:
            return found(pool[0])
        near = [r for r in pool if _place_names_building(place, r["compound"], r["building"])]
        if len(near) == 1:
            return found(near[0])
        pool = near or pool
        ids = tuple(r["id"] for r in pool)
        pending = None
        for (vid,) in ledger.conn.execute("SELECT id FROM volunteers WHERE pending = 1 AND resident_id IS NULL"
                                          " AND name = ? AND phone = ? ORDER BY id", [name, phone]).fetchall():
            listed = {r[0] for r in ledger.conn.execute(
                "SELECT resident_id FROM volunteer_candidates WHERE volunteer_id = ?", [vid])}
            if listed == set(ids):
                pending = vid
                break
        return Candidate(name, name, volunteer_id=pending, pending=True, candidates=ids)
    outside = ledger.query("SELECT id, phone FROM volunteers WHERE resident_id IS NULL AND pending = 0"
                           " AND name = ? ORDER BY id", [name])
    if phone:
        outside = [v for v in outside if v["phone"] == phone] or [v for v in outside if not v["phone"]]
    if outside:
        return Candidate(name, name, volunteer_id=outside[0]["id"])
    return Candidate(name, name)


def _place_names_building(place: str, compound: str, building: str) -> bool:
    """The activity's place text names this building (幸福里8号楼门前, 3号楼活动室)."""
    place = "".join((place or "").split())
    if not place or not building:
        return False
    if compound and compound + building in place:
        return True
    # a bare number building (3号楼) must not match inside 13号楼
    at = place.find(building)
    while at >= 0:
        if at == 0 or not place[at - 1].isdigit():
            return True
        at = place.find(building, at + 1)
    return False


# -- 待确认 volunteers ---------------------------------------------------------------------

def add_pending_volunteer(ledger: Ledger, name: str, phone: str, candidates: tuple[int, ...]) -> int:
    """Register a 待确认 volunteer (linked to no resident) with the residents it may be.

    Called by the import inside its transaction; the clerk settles it with
    :func:`confirm_volunteer`.
    """
    record = {"name": _text(name), "phone": _text(phone), "pending": 1}
    vid = ledger.db["volunteers"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.conn.executemany("INSERT OR IGNORE INTO volunteer_candidates (volunteer_id, resident_id) VALUES (?, ?)",
                            [(vid, rid) for rid in candidates])
    ledger.audit("新增", "volunteers", vid, None, {**record, "candidates": list(candidates)})
    return vid


def pending_volunteers(ledger: Ledger) -> list[dict]:
    """The 待确认 volunteers, oldest first: name, phone, hours, activities and the candidates.

    Each row: ``id``, ``name``, ``phone``, ``hours``, ``activities`` (count), ``services``
    (``2026-10-03 重阳义诊`` …, newest first), ``last`` (the newest of them), ``candidates``
    (dicts: ``resident_id``, ``name``, ``label`` (address · masked phone · masked ID), ``grid``).
    """
    rows = ledger.query(
        "SELECT v.id, v.name, v.phone, COUNT(p.activity_id) AS activities, ROUND(COALESCE(SUM(p.hours), 0), 2)"
        " AS hours FROM volunteers v LEFT JOIN activity_participants p ON p.volunteer_id = v.id"
        " WHERE v.pending = 1 GROUP BY v.id ORDER BY v.id")
    for row in rows:
        row["services"] = [f"{a['on_date']} {a['title']}" for a in ledger.query(
            "SELECT a.on_date, a.title FROM activity_participants p JOIN activities a ON a.id = p.activity_id"
            " WHERE p.volunteer_id = ? ORDER BY a.on_date DESC, a.id DESC", [row["id"]])]
        row["last"] = row["services"][0] if row["services"] else ""
        row["candidates"] = []
        for c in ledger.query(
                "SELECT r.id, r.name, r.phone, r.id_number, r.household_id, COALESCE(g.name, '') AS grid"
                " FROM volunteer_candidates k JOIN residents r ON r.id = k.resident_id"
                " LEFT JOIN grids g ON g.id = r.grid_id WHERE k.volunteer_id = ? ORDER BY r.id", [row["id"]]):
            address = grids.household_label(ledger, c["household_id"]) if c["household_id"] else ""
            parts = [p for p in (address, _masked_phone(c["phone"]), _mask(c["id_number"])) if p]
            row["candidates"].append({"resident_id": c["id"], "name": c["name"], "grid": c["grid"],
                                      "label": " · ".join(parts)})
    return rows


def count_pending(ledger: Ledger) -> int:
    """How many 待确认 volunteers there are."""
    return ledger.scalar("SELECT COUNT(*) FROM volunteers WHERE pending = 1")


@operation(EDIT, AREA)
def confirm_volunteer(ledger: Ledger, volunteer_id: int, resident_id: int) -> int:
    """Settle a 待确认 volunteer: it is ``resident_id`` (one of its candidates).

    The hours then count for that resident: when the resident already volunteers, the
    service records and memberships move to that identity and the 待确认 entry goes;
    otherwise the entry becomes the resident's volunteer identity.

    Returns:
        the resident's volunteer id.

    Raises:
        NotFound: no such 待确认 volunteer.
        ValidationError: the resident is not one of the candidates, or already took part
            in one of the same activities (then they are two people).
    """
    row = ledger.one("SELECT id, name FROM volunteers WHERE id = ? AND pending = 1", [volunteer_id],
                     missing="这位待确认志愿者已不存在（可能已经确认过）。")
    candidates = {r[0] for r in ledger.conn.execute(
        "SELECT resident_id FROM volunteer_candidates WHERE volunteer_id = ?", [volunteer_id])}
    if resident_id not in candidates:
        raise ValidationError(f"所选居民不是“{row['name']}”的候选人。", field="resident_id")
    existing = ledger.scalar("SELECT id FROM volunteers WHERE resident_id = ?", [resident_id])
    ledger.db.execute("DELETE FROM volunteer_candidates WHERE volunteer_id = ?", [volunteer_id])
    if existing is None:
        ledger.db["volunteers"].update(volunteer_id, ledger.stamp({"resident_id": resident_id, "pending": 0},
                                                                  creating=False))
        ledger.audit("确认", "volunteers", volunteer_id, {"pending": 1}, {"resident_id": resident_id})
        return volunteer_id
    clash = ledger.query(
        "SELECT a.on_date, a.title FROM activity_participants p JOIN activity_participants q"
        " ON q.activity_id = p.activity_id AND q.volunteer_id = ? JOIN activities a ON a.id = p.activity_id"
        " WHERE p.volunteer_id = ? ORDER BY a.on_date LIMIT 1", [existing, volunteer_id])
    if clash:
        raise ValidationError(f"所选居民已参加 {clash[0]['on_date']}“{clash[0]['title']}”，与这位待确认志愿者"
                              "同时在场，不是同一个人：请选择其他候选人。", field="resident_id")
    ledger.db.execute("UPDATE activity_participants SET volunteer_id = ? WHERE volunteer_id = ?",
                      [existing, volunteer_id])
    ledger.db.execute("INSERT OR IGNORE INTO volunteer_org_members (org_id, volunteer_id)"
                      " SELECT org_id, ? FROM volunteer_org_members WHERE volunteer_id = ?", [existing, volunteer_id])
    ledger.db.execute("DELETE FROM volunteer_org_members WHERE volunteer_id = ?", [volunteer_id])
    ledger.db.execute("DELETE FROM volunteers WHERE id = ?", [volunteer_id])
    ledger.audit("确认", "volunteers", volunteer_id, {"pending": 1}, {"merged_into": existing,
                                                                   "resident_id": resident_id})
    return existing
