"""Volunteer activities, their participants' hours, photos and the hour summaries (SPEC §3, §5).

An activity happens on one day (``on_date``) in one grid, or community-wide
(``grid_id`` NULL: it counts for no single grid in the monthly evaluation).  Each
participant has their own hours; by default the activity's time span.  The month
an activity counts in is the month of its date, so an activity on 31 October is
October's and one on 1 November is November's.

Photos and scanned sign-in sheets live inside the ledger (``attachments``),
downscaled to JPEG (longest side :data:`PHOTO_MAX_SIDE`) with a thumbnail, so one
file stays the whole ledger.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from models.core import periods, tabular
from models.core.db import Ledger
from models.core import lists
from models.core.errors import ValidationError
from models.core.export_title import export_title, searched
from models.core import scope
from models.core.filters import ListFilter, like_pattern
from models.core.ops import operation
from models.grids import hierarchy as grids
from models.volunteers import records as volunteers

DEFAULT_ACTIVITY_TYPES = ["义诊进社区", "法律小讲堂", "爱心互助", "文艺演出", "环境清洁", "政策宣传",
                          "助老助残", "平安巡逻", "其他"]
ACTIVITY_TYPES_KEY = "activity_types"

ATTACHMENT_KINDS = ("照片", "签到表")
MAX_INPUT_BYTES = 20 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
THUMB_MAX_SIDE = 240
JPEG_QUALITY = 85
MAX_HOURS = 24.0

COMMUNITY_WIDE = -1  #: grid filter value meaning "community-wide activities only"
#: the most people one activity may record as served (more is a typo, and past SQLite's integers)
MAX_PEOPLE_SERVED = 100_000
COMMUNITY_WIDE_LABEL = "全社区"

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


# -- settings ------------------------------------------------------------------------------

def activity_types(ledger: Ledger) -> list[str]:
    """The 活动类型 offered for new activities (the office's list, ``models.core.lists``;
    :data:`DEFAULT_ACTIVITY_TYPES` is what a new ledger starts with)."""
    return lists.names(ledger, "activity_type")


@operation("settings.edit", volunteers.AREA, "settings")
def set_activity_types(ledger: Ledger, types: Iterable[str]) -> None:
    """Make the offered 活动类型 exactly ``types`` in that order (others are retired, never
    renamed: past activities keep theirs).  Permission ``settings.edit``.

    Raises:
        ValidationError: nothing left.
    """
    lists.set_names(ledger, "activity_type", list(types))


# -- dates, times, hours ------------------------------------------------------------------

def normalize_time(value) -> str | None:
    """``'9:00'`` / ``'09：00'`` → ``'09:00'``; blank → None."""
    if value is None:
        return None
    if isinstance(value, _dt.time):
        return value.strftime("%H:%M")
    text = str(value).strip()
    if not text:
        return None
    m = _TIME.match(text[:5] if len(text) == 8 and text.count(":") == 2 else text)
    if not m:
        raise ValidationError(f"时间“{text}”格式不对，应为 09:00 这样的时:分。", field="time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def span_hours(start_time: str | None, end_time: str | None) -> float | None:
    """Hours between two ``HH:MM`` times (the default hours of a participant); None if unknown."""
    if not start_time or not end_time:
        return None
    h1, m1 = map(int, start_time.split(":"))
    h2, m2 = map(int, end_time.split(":"))
    minutes = (h2 * 60 + m2) - (h1 * 60 + m1)
    return round(minutes / 60, 2) if minutes > 0 else None


def check_hours(value, who: str = "") -> float:
    try:
        hours = float(str(value).strip().replace("小时", "")) if not isinstance(value, (int, float)) \
            else float(value)
    except ValueError:
        raise ValidationError(f"{who}服务时长“{value}”不是数字。", field="hours") from None
    if hours < 0 or hours > MAX_HOURS:
        raise ValidationError(f"{who}服务时长 {hours:g} 小时不合理：应在 0 到 {MAX_HOURS:g} 小时之间。",
                              field="hours")
    return round(hours, 2)


def _check_date(value) -> str:
    """The activity's date (as clerks type it: models.core.periods.parse_date), required."""
    day, error = periods.parse_date(value)
    if error:
        raise ValidationError(f"活动日期“{value}”不是有效日期，请按 2026-10-31 的格式填写。", field="on_date")
    if day is None:
        raise ValidationError("请填写活动日期。", field="on_date")
    return day


# -- activities ---------------------------------------------------------------------------

@dataclass
class ActivityData:
    """The editable fields of an activity.  ``grid_id`` None means community-wide."""

    title: str
    on_date: str
    type: str = ""
    start_time: str | None = None
    end_time: str | None = None
    place: str = ""
    grid_id: int | None = None
    community_id: int | None = None
    org_id: int | None = None
    people_served: int = 0
    notes: str = ""

    def cleaned(self, ledger: Ledger) -> dict:
        title = (self.title or "").strip()
        if not title:
            raise ValidationError("请填写活动名称。", field="title")
        start, end = normalize_time(self.start_time), normalize_time(self.end_time)
        if start and end and end <= start:
            raise ValidationError("结束时间必须晚于开始时间。", field="end_time")
        try:
            served = int(self.people_served or 0)
        except (TypeError, ValueError):
            raise ValidationError(f"服务人数“{self.people_served}”不是整数。", field="people_served") from None
        if served < 0:
            raise ValidationError("服务人数不能是负数。", field="people_served")
        if served > MAX_PEOPLE_SERVED:
            raise ValidationError(f"服务人数 {served} 过大（一次活动最多 {MAX_PEOPLE_SERVED} 人），请核对。",
                                  field="people_served")
        community_id = self.community_id
        if self.grid_id is not None:
            row = ledger.conn.execute("SELECT community_id FROM grids WHERE id = ?", [self.grid_id]).fetchone()
            if row is None:
                raise ValidationError("所选网格不存在。", field="grid_id")
            community_id = row[0]
        if community_id is None:
            community_id = grids.own_community_id(ledger)
        if self.org_id is not None and not ledger.scalar("SELECT 1 FROM volunteer_orgs WHERE id = ?",
                                                         [self.org_id]):
            raise ValidationError("所选志愿组织不存在。", field="org_id")
        return {"title": title, "type": (self.type or "").strip() or "其他", "on_date": _check_date(self.on_date),
                "start_time": start, "end_time": end, "place": (self.place or "").strip(),
                "community_id": community_id, "grid_id": self.grid_id, "org_id": self.org_id,
                "people_served": served, "notes": (self.notes or "").strip()}


#: A participant: (volunteer_id, hours); hours None means "the activity's span".
Participant = tuple[int, "float | None"]


def _participant_rows(record: dict, participants: Iterable[Participant]) -> dict[int, float]:
    default = span_hours(record["start_time"], record["end_time"])
    out: dict[int, float] = {}
    for volunteer_id, hours in participants:
        if hours is None or hours == "":
            if default is None:
                raise ValidationError("活动没有填写起止时间，请为每位志愿者填写服务时长。", field="hours")
            hours = default
        out[int(volunteer_id)] = check_hours(hours)
    return out


@operation(volunteers.EDIT, volunteers.AREA)
def add_activity(ledger: Ledger, data: ActivityData, participants: Iterable[Participant] = ()) -> int:
    """Record an activity with its participants.  Returns the activity id."""
    record = data.cleaned(ledger)
    hours = _participant_rows(record, participants)
    activity_id = ledger.db["activities"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "activities", activity_id, None, record)
    _write_participants(ledger, activity_id, {}, hours)
    return activity_id


@operation(volunteers.EDIT, volunteers.AREA)
def update_activity(ledger: Ledger, activity_id: int, data: ActivityData,
                    participants: Iterable[Participant] | None = None) -> None:
    """Change an activity; when ``participants`` is given it replaces the participant list.

    Participants whose hours equalled the old span follow a changed span unless
    new hours are given for them.
    """
    old = _activity_row(ledger, activity_id)
    record = data.cleaned(ledger)
    old_hours = {r["volunteer_id"]: r["hours"] for r in ledger.query(
        "SELECT volunteer_id, hours FROM activity_participants WHERE activity_id = ?", [activity_id])}
    if participants is None:
        old_span = span_hours(old["start_time"], old["end_time"])
        participants = [(v, None if old_span is not None and h == old_span else h)
                        for v, h in old_hours.items()]
    new_hours = _participant_rows(record, participants)
    changed = {k: v for k, v in record.items() if old[k] != v}
    if changed:
        ledger.db["activities"].update(activity_id, ledger.stamp(changed, creating=False))
        ledger.audit("修改", "activities", activity_id, {k: old[k] for k in changed}, changed)
    _write_participants(ledger, activity_id, old_hours, new_hours)


def _write_participants(ledger: Ledger, activity_id: int, old: dict[int, float], new: dict[int, float]) -> None:
    for vid in old.keys() - new.keys():
        ledger.db.execute("DELETE FROM activity_participants WHERE activity_id = ? AND volunteer_id = ?",
                          [activity_id, vid])
        ledger.audit("移除志愿者", "activity_participants", activity_id, {"volunteer_id": vid,
                                                                        "hours": old[vid]}, None)
    for vid, hours in new.items():
        if vid in old and old[vid] == hours:
            continue
        if vid not in old and not ledger.scalar("SELECT 1 FROM volunteers WHERE id = ?", [vid]):
            raise ValidationError(f"志愿者不存在（编号 {vid}）。")
        ledger.db.execute(
            "INSERT INTO activity_participants (activity_id, volunteer_id, hours) VALUES (?, ?, ?)"
            " ON CONFLICT(activity_id, volunteer_id) DO UPDATE SET hours = excluded.hours",
            [activity_id, vid, hours])
        ledger.audit("修改时长" if vid in old else "添加志愿者", "activity_participants", activity_id,
                     {"volunteer_id": vid, "hours": old[vid]} if vid in old else None,
                     {"volunteer_id": vid, "hours": hours})


@operation(volunteers.EDIT, volunteers.AREA)
def add_participant(ledger: Ledger, activity_id: int, volunteer_id: int, hours: float | None = None) -> None:
    """Add (or re-time) one participant; hours default to the activity's span."""
    old = _activity_row(ledger, activity_id)
    current = {r["volunteer_id"]: r["hours"] for r in ledger.query(
        "SELECT volunteer_id, hours FROM activity_participants WHERE activity_id = ?", [activity_id])}
    new = dict(current)
    new.update(_participant_rows(old, [(volunteer_id, hours)]))
    _write_participants(ledger, activity_id, current, new)


@operation(volunteers.EDIT, volunteers.AREA)
def remove_participant(ledger: Ledger, activity_id: int, volunteer_id: int) -> None:
    current = {r["volunteer_id"]: r["hours"] for r in ledger.query(
        "SELECT volunteer_id, hours FROM activity_participants WHERE activity_id = ?", [activity_id])}
    new = {k: v for k, v in current.items() if k != volunteer_id}
    _write_participants(ledger, activity_id, current, new)


@operation(volunteers.EDIT, volunteers.AREA)
def delete_activity(ledger: Ledger, activity_id: int) -> None:
    """Delete an activity with its participants and photos (the UI asks first)."""
    old = _activity_row(ledger, activity_id)
    n = ledger.scalar("SELECT COUNT(*) FROM activity_participants WHERE activity_id = ?", [activity_id])
    ledger.db.execute("DELETE FROM activity_participants WHERE activity_id = ?", [activity_id])
    ledger.db.execute("DELETE FROM attachments WHERE activity_id = ?", [activity_id])
    ledger.db.execute("DELETE FROM activities WHERE id = ?", [activity_id])
    ledger.audit("删除", "activities", activity_id,
                 {"title": old["title"], "on_date": old["on_date"], "participants": n}, None)


def _activity_row(ledger: Ledger, activity_id: int) -> dict:
    return ledger.one("SELECT * FROM activities WHERE id = ?", [activity_id], missing=f"活动不存在（编号 {activity_id}）。")


def get_activity(ledger: Ledger, activity_id: int) -> dict:
    """An activity with names resolved, its participants (name, hours) and attachment count."""
    row = _activity_row(ledger, activity_id)
    extra = ledger.query(
        "SELECT g.name AS grid, o.name AS org, c.name AS community FROM activities a"
        " LEFT JOIN grids g ON g.id = a.grid_id LEFT JOIN volunteer_orgs o ON o.id = a.org_id"
        " LEFT JOIN communities c ON c.id = a.community_id WHERE a.id = ?", [activity_id])[0]
    row.update(extra)
    row["grid"] = row["grid"] or COMMUNITY_WIDE_LABEL
    row["span_hours"] = span_hours(row["start_time"], row["end_time"])
    row["participants"] = participants(ledger, activity_id)
    row["attachments"] = ledger.scalar("SELECT COUNT(*) FROM attachments WHERE activity_id = ?", [activity_id])
    return row


def participants(ledger: Ledger, activity_id: int) -> list[dict]:
    """``[{volunteer_id, name, phone, resident_id, grid, hours}]`` of an activity, by name."""
    return ledger.query(
        """
        SELECT p.volunteer_id, COALESCE(r.name, v.name) AS name,
               COALESCE(NULLIF(r.phone, ''), v.phone) AS phone, v.resident_id, g.name AS grid, p.hours
        FROM activity_participants p JOIN volunteers v ON v.id = p.volunteer_id
        LEFT JOIN residents r ON r.id = v.resident_id LEFT JOIN grids g ON g.id = r.grid_id
        WHERE p.activity_id = ? ORDER BY name, p.volunteer_id
        """, [activity_id])


# -- the activity list (filters, keyset paging) -------------------------------------------

@dataclass
class ActivityFilter(ListFilter):
    """Filters of the activity list (the period is the activity's date, checked: a start after
    the end is refused).  ``grid_id`` may be :data:`COMMUNITY_WIDE`."""

    org_id: int | None = None
    type: str | None = None

    def where(self) -> tuple[str, dict]:
        lo, hi = self.period()
        parts, params = ["a.on_date BETWEEN :lo AND :hi"], {"lo": lo, "hi": hi}
        if self.grid_id == COMMUNITY_WIDE:
            parts.append("a.grid_id IS NULL")
        elif self.grid_id is not None:
            parts.append("a.grid_id = :grid")
            params["grid"] = self.grid_id
        if self.org_id is not None:
            parts.append("a.org_id = :org")
            params["org"] = self.org_id
        if self.type:
            parts.append("a.type = :type")
            params["type"] = self.type
        if self.search_text():
            parts.append("(a.title LIKE :like ESCAPE '\\' OR a.place LIKE :like ESCAPE '\\')")
            params["like"] = like_pattern(self.search_text())
        return " AND ".join(parts), params


def activities_page(ledger: Ledger, flt: ActivityFilter, after: tuple[str, int] | None = None,
                    limit: int = 200) -> list[dict]:
    """One page of the activity list, newest first; ``after`` = (on_date, id) of the last row seen."""
    where, params = flt.where()
    where += " AND " + scope.grid_sql(ledger, "a.grid_id")       # a 网格员: their grids only
    if after is not None:
        where += " AND (a.on_date < :a_date OR (a.on_date = :a_date AND a.id < :a_id))"
        params.update(a_date=after[0], a_id=after[1])
    params["limit"] = limit
    return ledger.query(
        f"""
        SELECT a.id, a.on_date, a.start_time, a.end_time, a.title, a.type, a.place,
               COALESCE(g.name, '{COMMUNITY_WIDE_LABEL}') AS grid, a.grid_id, o.name AS org, a.people_served,
               (SELECT COUNT(*) FROM activity_participants p WHERE p.activity_id = a.id) AS volunteers,
               ROUND(COALESCE((SELECT SUM(p.hours) FROM activity_participants p
                               WHERE p.activity_id = a.id), 0), 2) AS hours,
               (SELECT COUNT(*) FROM attachments t WHERE t.activity_id = a.id) AS photos
        FROM activities a LEFT JOIN grids g ON g.id = a.grid_id LEFT JOIN volunteer_orgs o ON o.id = a.org_id
        WHERE {where}
        ORDER BY a.on_date DESC, a.id DESC LIMIT :limit
        """, params)


def activities_totals(ledger: Ledger, flt: ActivityFilter) -> dict:
    """``{activities, volunteers, hours, people_served}`` over everything the filter matches."""
    where, params = flt.where()
    where += " AND " + scope.grid_sql(ledger, "a.grid_id")
    row = ledger.query(
        f"""
        SELECT COUNT(*) AS activities, COALESCE(SUM(a.people_served), 0) AS people_served,
               ROUND(COALESCE(SUM(s.hours), 0), 2) AS hours, COALESCE(SUM(s.n), 0) AS volunteers
        FROM activities a LEFT JOIN (SELECT activity_id, SUM(hours) AS hours, COUNT(*) AS n
                                     FROM activity_participants GROUP BY activity_id) s
             ON s.activity_id = a.id
        WHERE {where}
        """, params)[0]
    return row


# -- photos and sign-in sheets ------------------------------------------------------------

def _downscale(image, max_side: int) -> bytes:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), copy.size


def prepare_image(data: bytes, filename: str = "") -> dict:
    """Check and downscale an image file's bytes.

    Returns ``{data, width, height, thumbnail, mime}`` (JPEG).

    Raises:
        ValidationError: the file is larger than 20 MB, empty or not an image.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = f"“{filename}”" if filename else "该文件"
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError(f"{label}有 {len(data) / 1024 / 1024:.1f} MB，超过 "
                              f"{MAX_INPUT_BYTES // 1024 // 1024} MB 的上限，请先缩小图片或换一张。",
                              field="photo")
    if not data:
        raise ValidationError(f"{label}是空文件。", field="photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG":  # decode a camera photo at 1/2, 1/4 … scale: several times faster
            image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        image.load()
    except Image.DecompressionBombError:
        raise ValidationError(f"{label}的像素尺寸过大，无法作为照片保存。", field="photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"{label}不是能识别的图片文件（支持 JPG、PNG、BMP 等格式）。",
                              field="photo") from None
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    full, size = _downscale(image, PHOTO_MAX_SIDE)
    thumb, _ = _downscale(image, THUMB_MAX_SIDE)
    return {"data": full, "width": size[0], "height": size[1], "thumbnail": thumb, "mime": "image/jpeg"}


@operation(volunteers.EDIT, volunteers.AREA)
def add_attachment(ledger: Ledger, activity_id: int, source: str | Path | bytes,
                   filename: str | None = None, kind: str = "照片") -> int:
    """Store a photo or scanned sign-in sheet inside the ledger.  Returns the attachment id.

    Args:
        source: a file path, or the file's bytes (then give ``filename``).
        kind: 照片 or 签到表.
    """
    _activity_row(ledger, activity_id)
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError(f"附件类型必须是{'或'.join(ATTACHMENT_KINDS)}。", field="kind")
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                raise ValidationError(f"“{filename}”有 {size / 1024 / 1024:.1f} MB，超过 "
                                      f"{MAX_INPUT_BYTES // 1024 // 1024} MB 的上限，请先缩小图片或换一张。",
                                      field="photo")
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"无法读取文件“{filename}”：{exc.strerror or exc}") from None
    else:
        data = bytes(source)
    filename = (filename or "照片.jpg").strip()
    prepared = prepare_image(data, filename)
    return _insert_attachment(ledger, activity_id, filename, kind, prepared)


def _insert_attachment(ledger: Ledger, activity_id: int, filename: str, kind: str, prepared: dict) -> int:
    """Write a prepared image (inside an operation's transaction)."""
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError(f"附件类型必须是{'或'.join(ATTACHMENT_KINDS)}。", field="kind")
    stem = Path(filename or "照片").stem or "照片"
    record = {"activity_id": activity_id, "kind": kind, "filename": f"{stem}.jpg", "mime": prepared["mime"],
              "width": prepared["width"], "height": prepared["height"], "data": prepared["data"],
              "thumbnail": prepared["thumbnail"], "created_at": ledger.now_ts(),
              "created_by": ledger.operator.name}
    att_id = ledger.db["attachments"].insert(record).last_rowid
    ledger.audit("添加附件", "attachments", att_id, None,
                 {"activity_id": activity_id, "kind": kind, "filename": record["filename"],
                  "bytes": len(record["data"])})
    return att_id


@dataclass
class NewAttachment:
    """A photo chosen in the activity form, already checked and downscaled (:func:`prepare_image`)."""

    filename: str
    kind: str
    prepared: dict


@operation(volunteers.EDIT, volunteers.AREA)
def save_activity(ledger: Ledger, activity_id: int | None, data: ActivityData,
                  people: Iterable[tuple["volunteers.Candidate | int", "float | None"]],
                  new_attachments: Iterable[NewAttachment] = (),
                  removed_attachments: Iterable[int] = ()) -> int:
    """Everything the activity form holds, in ONE transaction (the form's 保存).

    ``people`` are (volunteer id or chosen :class:`~models.volunteers.records.Candidate`, hours):
    a resident becomes a volunteer with their resident identity, a new outside person
    is registered — only when the whole activity is saved.  Returns the activity id.
    """
    resolved = []
    for who, hours in people:
        vid = who if isinstance(who, int) else volunteers.volunteer_for_candidate(ledger, who)
        resolved.append((vid, hours))
    if activity_id is None:
        activity_id = add_activity(ledger, data, resolved)
    else:
        update_activity(ledger, activity_id, data, resolved)
    for att_id in removed_attachments:
        if attachment_data(ledger, att_id)["activity_id"] != activity_id:
            raise ValidationError("要删除的照片不属于这次活动。")
        delete_attachment(ledger, att_id)
    for att in new_attachments:
        _insert_attachment(ledger, activity_id, att.filename, att.kind, att.prepared)
    return activity_id


def attachments(ledger: Ledger, activity_id: int) -> list[dict]:
    """An activity's attachments with their thumbnails (not the full images)."""
    return ledger.query("SELECT id, kind, filename, width, height, thumbnail, created_at, created_by"
                        " FROM attachments WHERE activity_id = ? ORDER BY id", [activity_id])


def attachment_data(ledger: Ledger, attachment_id: int) -> dict:
    """``{id, activity_id, kind, filename, mime, width, height, data}`` of one attachment."""
    return ledger.one("SELECT id, activity_id, kind, filename, mime, width, height, data FROM attachments WHERE id = ?",
                      [attachment_id], missing=f"附件不存在（编号 {attachment_id}）。")


@operation(volunteers.EDIT, volunteers.AREA)
def delete_attachment(ledger: Ledger, attachment_id: int) -> None:
    row = attachment_data(ledger, attachment_id)
    ledger.db.execute("DELETE FROM attachments WHERE id = ?", [attachment_id])
    ledger.audit("删除附件", "attachments", attachment_id,
                 {"activity_id": row["activity_id"], "kind": row["kind"], "filename": row["filename"]}, None)


# -- summaries ------------------------------------------------------------------------------

#: kind → (Chinese title, [(column key, Chinese header)])
SUMMARY_KINDS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "volunteer": ("按志愿者", [("name", "志愿者"), ("kind", "身份"), ("grid", "所在网格"),
                              ("activities", "参加活动（次）"), ("hours", "服务时长（小时）")]),
    "org": ("按组织", [("name", "志愿组织"), ("activities", "组织活动（次）"), ("volunteers", "参与人次"),
                      ("hours", "服务时长（小时）"), ("people_served", "服务人数")]),
    "grid": ("按网格", [("community", "社区"), ("name", "网格"), ("activities", "活动（次）"),
                       ("volunteers", "参与人次"), ("hours", "服务时长（小时）"),
                       ("people_served", "服务人数")]),
    "month": ("按月份", [("month", "月份"), ("activities", "活动（次）"), ("volunteers", "参与人次"),
                        ("hours", "服务时长（小时）"), ("grid_hours", "其中计入网格（小时）"),
                        ("people_served", "服务人数")]),
}

_ACT_STATS = """(SELECT a.*, COALESCE(s.hours, 0) AS hours, COALESCE(s.n, 0) AS n FROM activities a
                 LEFT JOIN (SELECT activity_id, SUM(hours) AS hours, COUNT(*) AS n
                            FROM activity_participants GROUP BY activity_id) s ON s.activity_id = a.id
                 WHERE a.on_date BETWEEN :lo AND :hi)"""


def hours_summary(ledger: Ledger, kind: str, date_from: str | None = None,
                  date_to: str | None = None) -> list[dict]:
    """Hours rolled up by ``kind`` (volunteer, org, grid, month) over the period.

    Community-wide activities count for no single grid: in the ``grid`` summary
    they form their own last row (网格 = 全社区活动); in the ``month`` summary
    ``grid_hours`` leaves them out.
    """
    lo, hi = periods.period(date_from, date_to)
    p = {"lo": lo, "hi": hi}
    if kind == "volunteer":
        rows = ledger.query(
            """
            SELECT v.id, COALESCE(r.name, v.name) AS name, v.resident_id, g.name AS grid,
                   COUNT(*) AS activities, ROUND(SUM(p.hours), 2) AS hours
            FROM activity_participants p JOIN activities a ON a.id = p.activity_id
            JOIN volunteers v ON v.id = p.volunteer_id
            LEFT JOIN residents r ON r.id = v.resident_id LEFT JOIN grids g ON g.id = r.grid_id
            WHERE a.on_date BETWEEN :lo AND :hi
            GROUP BY v.id ORDER BY hours DESC, name
            """, p)
        for row in rows:
            row["kind"] = "本社区居民" if row.pop("resident_id") else "社区外人员"
            row["grid"] = row["grid"] or ""
        return rows
    if kind == "org":
        return ledger.query(
            f"""
            SELECT o.id, COALESCE(o.name, '（未填组织）') AS name, COUNT(*) AS activities,
                   SUM(a.n) AS volunteers, ROUND(SUM(a.hours), 2) AS hours,
                   SUM(a.people_served) AS people_served
            FROM {_ACT_STATS} a LEFT JOIN volunteer_orgs o ON o.id = a.org_id
            GROUP BY o.id ORDER BY o.id IS NULL, hours DESC, name
            """, p)
    if kind == "grid":
        rows = ledger.query(
            f"""
            SELECT g.id, c.name AS community, COALESCE(g.name, '全社区活动（不计入网格）') AS name,
                   COUNT(*) AS activities, SUM(a.n) AS volunteers, ROUND(SUM(a.hours), 2) AS hours,
                   SUM(a.people_served) AS people_served
            FROM {_ACT_STATS} a LEFT JOIN grids g ON g.id = a.grid_id
            LEFT JOIN communities c ON c.id = a.community_id
            GROUP BY a.community_id, g.id ORDER BY g.id IS NULL, c.name, g.id
            """, p)
        for row in rows:
            row["community"] = row["community"] or ""
        return rows
    if kind == "month":
        return ledger.query(
            f"""
            SELECT substr(a.on_date, 1, 7) AS month, COUNT(*) AS activities, SUM(a.n) AS volunteers,
                   ROUND(SUM(a.hours), 2) AS hours,
                   ROUND(SUM(CASE WHEN a.grid_id IS NOT NULL THEN a.hours ELSE 0 END), 2) AS grid_hours,
                   SUM(a.people_served) AS people_served
            FROM {_ACT_STATS} a GROUP BY month ORDER BY month
            """, p)
    raise ValueError(f"unknown summary kind {kind!r}")


def write_summaries_xlsx(ledger: Ledger, path: str | Path, date_from: str | None = None,
                         date_to: str | None = None, kinds: Iterable[str] | None = None) -> Path:
    """Write the hour summaries (one sheet per kind, a 合计 row under each) to an .xlsx file."""
    lo, hi = periods.period(date_from, date_to)
    span = "全部日期" if (lo, hi) == (periods.NO_START, periods.NO_END) else \
        f"{lo if lo != periods.NO_START else '最早'} 至 {hi if hi != periods.NO_END else '今'}"
    sheets = []
    for kind in kinds or SUMMARY_KINDS:
        title, columns = SUMMARY_KINDS[kind]
        rows = [[row.get(k) for k, _ in columns] for row in hours_summary(ledger, kind, date_from, date_to)]
        total = ["合计"] + [""] * (len(columns) - 1)
        for i, (k, _) in enumerate(columns):
            if i and k in ("activities", "volunteers", "hours", "grid_hours", "people_served"):
                total[i] = round(sum(r[i] or 0 for r in rows), 2)
        if kind == "volunteer":  # a participant-weighted count is meaningless summed per volunteer
            total[3] = ""
        sheets.append(tabular.Sheet(title, [tabular.Column(header, k, width=max(12, len(header) * 2 + 2))
                                            for k, header in columns], rows + [total],
                                    title_row=export_title(ledger, f"志愿服务时长统计（{title}）", f"统计期间：{span}")))
    tabular.write_sheets(path, sheets)
    return Path(path)


# -- for the evaluation (H6a) and the reports (H6b) ---------------------------------------

def grid_hours(ledger: Ledger, month: str) -> dict[int, float]:
    """grid_id → volunteer hours in ``month`` of activities in that grid (community-wide excluded)."""
    lo, hi = periods.month_days(month)
    rows = ledger.conn.execute(
        "SELECT a.grid_id, SUM(p.hours) FROM activities a JOIN activity_participants p ON p.activity_id = a.id"
        " WHERE a.on_date BETWEEN ? AND ? AND a.grid_id IS NOT NULL GROUP BY a.grid_id", [lo, hi]).fetchall()
    return {grid_id: round(total or 0.0, 2) for grid_id, total in rows}


def hours_records(ledger: Ledger, grid_id: int, month: str) -> list[dict]:
    """The participations behind ``grid_hours(month)[grid_id]`` (one row per volunteer per activity)."""
    lo, hi = periods.month_days(month)
    return ledger.query(
        """
        SELECT a.id AS activity_id, a.on_date, a.title, a.type, a.place, o.name AS org,
               p.volunteer_id, COALESCE(r.name, v.name) AS volunteer, p.hours
        FROM activities a JOIN activity_participants p ON p.activity_id = a.id
        JOIN volunteers v ON v.id = p.volunteer_id LEFT JOIN residents r ON r.id = v.resident_id
        LEFT JOIN volunteer_orgs o ON o.id = a.org_id
        WHERE a.grid_id = ? AND a.on_date BETWEEN ? AND ?
        ORDER BY a.on_date, a.id, volunteer
        """, [grid_id, lo, hi])


def service_ledger(ledger: Ledger, date_from: str, date_to: str) -> list[dict]:
    """Activities of the period (oldest first) with their participants, for the printed ledger.

    Each item: ``{id, on_date, start_time, end_time, title, type, place, community, grid_id, grid,
    org, people_served, notes, hours, photos, participants: [{name, hours}]}``.
    """
    lo, hi = periods.period(date_from, date_to)
    acts = ledger.query(
        f"""
        SELECT a.id, a.on_date, a.start_time, a.end_time, a.title, a.type, a.place, c.name AS community,
               a.grid_id, COALESCE(g.name, '{COMMUNITY_WIDE_LABEL}') AS grid, COALESCE(o.name, '') AS org,
               a.people_served, a.notes,
               (SELECT COUNT(*) FROM attachments t WHERE t.activity_id = a.id) AS photos
        FROM activities a LEFT JOIN grids g ON g.id = a.grid_id LEFT JOIN volunteer_orgs o ON o.id = a.org_id
        LEFT JOIN communities c ON c.id = a.community_id
        WHERE a.on_date BETWEEN ? AND ? ORDER BY a.on_date, a.id
        """, [lo, hi])
    by_id = {a["id"]: a for a in acts}
    for a in acts:
        a["participants"] = []
        a["hours"] = 0.0
    if acts:
        for row in ledger.conn.execute(
                "SELECT p.activity_id, COALESCE(r.name, v.name), p.hours FROM activity_participants p"
                " JOIN activities a ON a.id = p.activity_id JOIN volunteers v ON v.id = p.volunteer_id"
                " LEFT JOIN residents r ON r.id = v.resident_id WHERE a.on_date BETWEEN ? AND ?"
                " ORDER BY p.activity_id, 2", [lo, hi]):
            act = by_id[row[0]]
            act["participants"].append({"name": row[1], "hours": row[2]})
            act["hours"] = round(act["hours"] + row[2], 2)
    return acts


def volunteer_certificate_data(ledger: Ledger, volunteer_id: int, date_from: str | None,
                               date_to: str | None) -> dict:
    """What a 志愿服务证明 prints: name, masked ID, total hours, activities, the period, the office."""
    vol = volunteers.get_volunteer(ledger, volunteer_id)
    history = volunteers.service_history(ledger, volunteer_id, date_from, date_to)
    history.sort(key=lambda r: (r["on_date"], r["activity_id"]))
    return {
        "volunteer_id": volunteer_id,
        "name": vol["name"],
        "id_masked": vol["id_masked"],
        "kind": vol["kind"],
        "orgs": [o["name"] for o in vol["orgs"]],
        "date_from": date_from,
        "date_to": date_to,
        "total_hours": round(sum(r["hours"] for r in history), 2),
        "activity_count": len(history),
        "activities": [{"on_date": r["on_date"], "title": r["title"], "type": r["type"],
                        "place": r["place"], "org": r["org"] or "", "hours": r["hours"]} for r in history],
        "issuer": ledger.community_name and f"{ledger.community_name}居民委员会",
        "community": ledger.community_name,
    }


# -- export in the import template's columns ------------------------------------------------

TEMPLATE_COLUMNS = ["活动名称", "活动类型", "活动日期", "地点", "所属社区", "所属网格", "组织单位",
                    "志愿者姓名", "服务时长(小时)", "服务人数"]
#: optional columns after the template's own, read back by the import (so times survive a round trip)
EXTRA_COLUMNS = ["开始时间", "结束时间", "联系电话"]


def _export_filter(month: str | None, date_from: str | None, date_to: str | None,
                   flt: ActivityFilter | None) -> ActivityFilter:
    """The activities to export: ``month`` or the period, narrowed by ``flt`` (the list's filter).

    ``flt`` brings its own dates; giving ``month``/``date_from``/``date_to`` as well
    replaces them.
    """
    flt = replace(flt) if flt is not None else ActivityFilter()
    if month:
        flt.date_from, flt.date_to = periods.month_days(month)
    elif date_from is not None or date_to is not None:
        flt.date_from, flt.date_to = date_from, date_to
    return flt


def export_rows(ledger: Ledger, month: str | None = None, date_from: str | None = None,
                date_to: str | None = None, *, flt: ActivityFilter | None = None) -> list[list]:
    """One row per volunteer per activity (an activity without volunteers: one row, no name).

    Columns: :data:`TEMPLATE_COLUMNS` + :data:`EXTRA_COLUMNS`.  ``month`` (YYYY-MM) or a
    period; ``flt`` (an :class:`ActivityFilter`, e.g. the list's) also applies its grid,
    organisation, type and text filters, exactly as the list does.
    """
    where, params = _export_filter(month, date_from, date_to, flt).where()
    where += " AND " + scope.grid_sql(ledger, "a.grid_id")       # a 网格员: their grids only
    rows = ledger.query(
        f"""
        SELECT a.id, a.title, a.type, a.on_date, a.place, c.name AS community, g.name AS grid,
               o.name AS org, COALESCE(r.name, v.name) AS volunteer, p.hours, a.people_served,
               a.start_time, a.end_time, COALESCE(NULLIF(r.phone, ''), v.phone) AS phone
        FROM activities a LEFT JOIN communities c ON c.id = a.community_id
        LEFT JOIN grids g ON g.id = a.grid_id LEFT JOIN volunteer_orgs o ON o.id = a.org_id
        LEFT JOIN activity_participants p ON p.activity_id = a.id
        LEFT JOIN volunteers v ON v.id = p.volunteer_id LEFT JOIN residents r ON r.id = v.resident_id
        WHERE {where}
        ORDER BY a.on_date, a.id, volunteer
        """, params)
    return [[r["title"], r["type"], r["on_date"], r["place"], r["community"] or "", r["grid"] or "",
             r["org"] or "", r["volunteer"] or "", r["hours"] if r["hours"] is not None else "",
             r["people_served"], r["start_time"] or "", r["end_time"] or "", r["phone"] or ""]
            for r in rows]



#: (header, row key, text?, width) of the export (:class:`models.core.tabular.Column`), in export_rows' order
EXPORT_COLUMNS = [
    ("活动名称", "title", False, 24), ("活动类型", "type", False, 12), ("活动日期", "on_date", True, 12),
    ("地点", "place", False, 20), ("所属社区", "community", False, 12), ("所属网格", "grid", False, 12),
    ("组织单位", "org", False, 18), ("志愿者姓名", "volunteer", False, 12), ("服务时长(小时)", "hours", False, 14),
    ("服务人数", "people_served", False, 10), ("开始时间", "start_time", True, 10),
    ("结束时间", "end_time", True, 10), ("联系电话", "phone", True, 14),
]


def export_activities(ledger: Ledger, out: str | Path, month: str | None = None, date_from: str | None = None,
                      date_to: str | None = None, progress=None, *, flt: ActivityFilter | None = None) -> int:
    """``export activities``: the activities of a month or period, in the import template's columns.

    One row per volunteer per activity (.xlsx or .csv); importing the file again
    into a ledger adds nothing.  ``flt`` narrows the export like the activity list
    (see :func:`export_rows`).  Returns the number of rows written.
    """
    rows = export_rows(ledger, month, date_from, date_to, flt=flt)
    details = _export_details(ledger, _export_filter(month, date_from, date_to, flt))
    title = export_title(ledger, "志愿服务活动记录", *details, f"共 {len(rows)} 行")
    return tabular.write_table(out, "志愿服务", EXPORT_COLUMNS, rows, len(rows), progress, title_row=title)


def _export_details(ledger: Ledger, flt: ActivityFilter) -> list[str]:
    """The period and the filter of an activities export, for its title line."""
    lo, hi = flt.period()
    if (lo, hi) == (periods.NO_START, periods.NO_END):
        parts = ["全部日期"]
    else:
        parts = [f"活动日期：{lo if lo != periods.NO_START else '最早'} 至 {hi if hi != periods.NO_END else '今'}"]
    if flt.grid_id == COMMUNITY_WIDE:
        parts.append("社区级活动")
    elif flt.grid_id is not None:
        parts.append(f"网格：{ledger.scalar('SELECT name FROM grids WHERE id = ?', [flt.grid_id]) or '（已删除）'}")
    if flt.org_id is not None:
        parts.append(f"组织：{ledger.scalar('SELECT name FROM volunteer_orgs WHERE id = ?', [flt.org_id]) or '（已删除）'}")
    if flt.type:
        parts.append(f"类型：{flt.type}")
    if flt.text.strip():
        parts.append(searched(flt.text))
    return parts


def write_activities_xlsx(ledger: Ledger, path: str | Path, date_from: str | None = None,
                          date_to: str | None = None, month: str | None = None, *,
                          flt: ActivityFilter | None = None) -> int:
    """The window's 导出: like :func:`export_activities`; ``flt`` = the list's current filter."""
    return export_activities(ledger, path, month=month, date_from=date_from, date_to=date_to, flt=flt)
