"""The volunteer-service import (SPEC §7): one row per volunteer per activity.

Rows with the same 活动名称, 活动日期 and 地点 are ONE activity: its type, grid,
organiser, times and people served come from the group's first row (a later row
that disagrees gets a warning).  A blank 所属网格 means a community-wide activity
(it counts for no single grid); a named grid must already exist in the ledger, so
a typo cannot create a phantom grid that is then ranked.  A missing 组织单位 is
created.

志愿者姓名 is matched to a present resident of the ledger (one identity per
person; when several share the name, the optional 联系电话 / 身份证号 columns settle
it, then the residents of the activity's grid, then those of a building the 地点
names, then the community: :func:`models.volunteers.records.resolve_name`).  A name
still ambiguous keeps its row and hours: the volunteer is recorded **待确认** (linked
to no resident, with the candidates) with a warning, and the clerk picks the resident
later in the 志愿服务 page (``confirm_volunteer``).  The hours count for the
activity's grid like any other (the 志愿服务 indicator counts hours of activities in
the grid, whoever served).  With no resident of that name: an outside volunteer of
that name, else a new outside volunteer is registered (with a warning, so a mistyped
resident name is noticed).

服务时长(小时) blank means the activity's span (开始时间–结束时间, optional
columns).  An activity already in the ledger (same name, date and place) gets the
file's new volunteers; volunteers already recorded on it are skipped (or their
hours updated with 更新), so importing the same file twice adds nothing.

:func:`models.volunteers.activities.write_activities_xlsx` writes the same columns (plus
开始时间/结束时间/联系电话), so export → import round trips.
"""

from __future__ import annotations

from typing import Callable

from models.volunteers import activities as A
from models.volunteers import records as V
from models.core.db import Ledger
from models.core.errors import ValidationError
from models.importing import Column, ImportSpec, ImportSummary, RowOutcome
from models.importing.values import is_blank, parse_number, text
from models.core.idcard import check_id
from models.core.phones import check_phone

COLUMNS = [
    Column("title", "活动名称", ("活动主题", "活动项目", "服务项目", "项目名称", "活动"), required=True,
           note="必填。活动名称、活动日期、地点都相同的行是同一次活动。"),
    Column("type", "活动类型", ("类型", "服务类型", "活动类别", "服务类别"),
           note="如 义诊进社区、法律小讲堂、爱心互助；不填记为 其他。"),
    Column("on_date", "活动日期", ("日期", "服务日期", "活动时间", "开展日期"), required=True,
           note="必填，如 2026-10-15，不能晚于今天。"),
    Column("place", "地点", ("活动地点", "服务地点", "地址")),
    Column("community", "所属社区", ("社区",), note="不填为本台账的社区。"),
    Column("grid", "所属网格", ("网格", "网格名称"),
           note="不填表示全社区活动（不计入任何单个网格）；填写时网格必须已存在。"),
    Column("org", "组织单位", ("志愿组织", "组织", "主办单位", "组织者", "服务队", "志愿服务队")),
    Column("volunteer", "志愿者姓名", ("志愿者", "姓名", "参与人员", "服务人员"), required=True,
           note="必填。按姓名匹配本社区居民，找不到时登记为社区外志愿者。"),
    Column("hours", "服务时长(小时)", ("服务时长", "时长", "志愿时长", "服务小时数", "小时数", "服务时间(小时)"),
           note="每位志愿者本次的服务小时数，如 2.5；不填时按开始、结束时间计算。"),
    Column("people_served", "服务人数", ("受益人数", "服务对象人数", "服务群众人数")),
    Column("start_time", "开始时间", ("起始时间",), note="可选，如 09:00。"),
    Column("end_time", "结束时间", ("截止时间",), note="可选，如 11:30。"),
    Column("phone", "联系电话", ("电话", "手机", "手机号", "联系方式"), as_text=True,
           note="可选；同名居民不止一位时用来区分。"),
    Column("id_number", "身份证号", ("公民身份号码", "身份证号码", "证件号码", "身份证"), as_text=True,
           note="可选；同名居民不止一位时用来区分（只用于匹配，不另行保存）。"),
]

#: activity fields that must agree between the rows of one activity
_GROUP_FIELDS = (("type", "活动类型"), ("grid_id", "所属网格"), ("org", "组织单位"),
                 ("start_time", "开始时间"), ("end_time", "结束时间"))


class ActivitiesSpec(ImportSpec):
    """Volunteer service: one row per volunteer per activity."""

    kind = "activities"
    title = "志愿服务"
    columns = COLUMNS
    min_header_matches = 3
    rules = [
        "一行是一位志愿者参加一次活动。活动名称、活动日期、地点都相同的行算作同一次活动。",
        "所属网格不填表示全社区活动，不计入任何单个网格的志愿服务时长；填写的网格必须是台账中已有的网格。",
        "志愿者按姓名匹配本社区在册居民；同名居民不止一位时，先看联系电话、身份证号，再看活动所属网格、"
        "地点中的楼栋；仍不能确定的照常导入（时长计入活动所属网格），志愿者记为“待确认”，"
        "请到“志愿服务”页的“待确认”标签中选定是哪一位。找不到的登记为社区外志愿者。",
        "服务时长不填时按开始时间、结束时间计算；两者都没有时该行不能导入。",
        "台账中已有的活动会补充新的志愿者；已记录的志愿者跳过（勾选“更新”时改为文件中的时长）。",
    ]
    template_rows = [
        ["重阳节义诊进社区", "义诊进社区", "2026-10-15", "社区党群服务中心", "", "第一网格", "爱心互助加油站",
         "张三", 2.5, 60, "09:00", "11:30", "", ""],
        ["重阳节义诊进社区", "义诊进社区", "2026-10-15", "社区党群服务中心", "", "第一网格", "爱心互助加油站",
         "李医生", 3, 60, "09:00", "11:30", "13812345678", ""],
    ]

    def validate(self, ledger: Ledger, rows: list[RowOutcome]) -> list[RowOutcome]:
        today = ledger.now().date().isoformat()
        communities = {r["name"]: r["id"] for r in ledger.query("SELECT id, name FROM communities")}
        own = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
        grid_ids = {(r["community_id"], r["name"]): r["id"]
                    for r in ledger.query("SELECT id, community_id, name FROM grids")}
        orgs = {r["name"] for r in ledger.query("SELECT name FROM volunteer_orgs")}
        groups: dict[tuple, RowOutcome] = {}
        members: dict[tuple, RowOutcome] = {}
        resolved: dict[tuple, V.Candidate] = {}
        for row in rows:
            raw, data = row.raw, row.data
            title = " ".join(text(raw.get("title")).split())
            if not title:
                row.reject("缺少活动名称")
            data["title"] = title
            on_date = data["on_date"] = row.past_date("on_date", "活动日期", today,
                                                      "活动日期 {day} 晚于今天，只能导入已开展的活动")
            data["place"] = " ".join(text(raw.get("place")).split())
            data["type"] = text(raw.get("type")) or "其他"

            community = text(raw.get("community"))
            community_id = communities.get(community) if community else own
            if community and community_id is None:
                row.reject(f"社区“{community}”不在台账中")
            data["community_id"] = community_id
            grid = text(raw.get("grid"))
            data["grid_id"] = None
            if grid:
                data["grid_id"] = grid_ids.get((community_id, grid))
                if data["grid_id"] is None and community_id is not None:
                    row.reject(f"网格“{grid}”不存在：请先在“网格管理”中建立，或改正网格名称"
                               "（全社区活动请留空）")
            org = text(raw.get("org"))
            data["org"] = org
            if org and org not in orgs:
                row.note(f"志愿组织“{org}”将新建")

            for key, title_ in (("start_time", "开始时间"), ("end_time", "结束时间")):
                try:
                    data[key] = A.normalize_time(raw.get(key))
                except ValidationError:
                    row.warn(f"{title_}“{text(raw.get(key))}”格式不对，未导入")
                    data[key] = None
            if data["start_time"] and data["end_time"] and data["end_time"] <= data["start_time"]:
                row.warn("结束时间不晚于开始时间，起止时间未导入")
                data["start_time"] = data["end_time"] = None

            served, error = parse_number(raw.get("people_served"))
            if error or (served is not None and (served < 0 or served != int(served))):
                row.warn(f"服务人数“{text(raw.get('people_served'))}”无效，记为 0")
                served = None
            elif served is not None and served > A.MAX_PEOPLE_SERVED:
                row.warn(f"服务人数“{text(raw.get('people_served'))}”过大（一次活动最多 {A.MAX_PEOPLE_SERVED} 人），记为 0")
                served = None
            data["people_served"] = int(served or 0)

            phone, error = check_phone(raw.get("phone"))
            if error:
                row.warn(f"联系电话有误（{error}），未用于匹配")
            data["phone"] = phone or ""
            data["id_number"] = ""
            if not is_blank(raw.get("id_number")):
                checked = check_id(raw.get("id_number"), today=ledger.now().date())
                if checked.ok:
                    data["id_number"] = checked.value
                else:
                    row.warn(f"身份证号有误（{checked.error or '无法识别'}），未用于匹配")

            hours, error = parse_number(raw.get("hours"))
            if error:
                row.reject(f"服务时长{error}")
            elif hours is None:
                hours = A.span_hours(data["start_time"], data["end_time"])
                if hours is None and text(raw.get("volunteer")):
                    row.reject("缺少服务时长（也没有开始、结束时间可以计算）")
            if hours is not None:
                try:
                    hours = A.check_hours(hours)
                except ValidationError as exc:
                    row.reject(str(exc).rstrip("。"))
            data["hours"] = hours

            if not row.accepted:
                continue
            key = (title, on_date, data["place"])
            first = groups.get(key)
            if first is None:
                groups[key] = row
            else:
                for field_, label in _GROUP_FIELDS:
                    if data[field_] != first.data[field_] and data[field_] not in (None, ""):
                        row.warn(f"{label}与同一活动的第 {first.row_number} 行不同，按第 {first.row_number} 行")
                data["people_served"] = max(data["people_served"], first.data["people_served"])
                first.data["people_served"] = data["people_served"]
            data["group"] = key

            name = text(raw.get("volunteer"))
            data["volunteer"] = name
            data["candidate"] = None
            if not name:
                existing = ledger.scalar("SELECT id FROM activities WHERE title = ? AND on_date = ? AND place = ?"
                                         " ORDER BY id LIMIT 1", list(key))
                if existing:
                    row.existing_id = existing
                    row.note("台账中已有该活动，将跳过")
                else:
                    row.warn("没有志愿者姓名，只导入活动本身")
                continue
            person = (name, data["phone"], data["id_number"], data["grid_id"], data["place"])
            # the activity first: whoever of this name it already has is meant on this row, whatever an
            # earlier row of the file (another activity) made of the name
            cand = _on_the_activity(ledger, key, name) or resolved.get(person)
            if cand is None:
                try:
                    cand = V.resolve_name(ledger, name, data["phone"], data["grid_id"],
                                          id_number=data["id_number"], place=data["place"])
                except ValidationError as exc:
                    row.reject(str(exc).rstrip("。"))
                    continue
                resolved[person] = cand
            data["candidate"] = cand
            if cand.pending:
                row.warn(f"本台账有 {len(cand.candidates)} 位在册居民叫“{name}”，不能确定是哪一位："
                         "服务时长照常导入，志愿者记为“待确认”，请到“志愿服务”页的“待确认”标签中选定"
                         "（填写联系电话或身份证号可直接区分）")
            elif cand.volunteer_id is None and cand.resident_id is None:
                row.warn(f"居民台账中没有“{name}”，将登记为社区外志愿者")
            if cand.pending and cand.volunteer_id is None:
                who = (key, "p", name, data["phone"], cand.candidates)
            elif cand.volunteer_id:
                who = (key, "v", cand.volunteer_id)
            elif cand.resident_id:
                who = (key, "r", cand.resident_id)
            else:
                who = (key, "n", name, data["phone"])
            earlier = members.get(who)
            if earlier is not None:
                row.reject(f"与第 {earlier.row_number} 行重复（同一活动的同一位志愿者）"
                           if earlier.sheet == row.sheet else
                           f"与工作表“{earlier.sheet}”第 {earlier.row_number} 行重复")
                continue
            members[who] = row
            existing = ledger.scalar("SELECT id FROM activities WHERE title = ? AND on_date = ? AND place = ?"
                                     " ORDER BY id LIMIT 1", list(key))
            if existing and cand.volunteer_id and ledger.scalar(
                    "SELECT 1 FROM activity_participants WHERE activity_id = ? AND volunteer_id = ?",
                    [existing, cand.volunteer_id]):
                row.existing_id = existing
                row.note("台账中该活动已记录此志愿者，将跳过")
            elif existing and cand.pending and ledger.scalar(
                    # a 待确认 volunteer settled since the last import of this file: same name on the activity
                    "SELECT 1 FROM activity_participants p JOIN volunteers v ON v.id = p.volunteer_id"
                    " LEFT JOIN residents r ON r.id = v.resident_id WHERE p.activity_id = ?"
                    " AND COALESCE(r.name, v.name) = ?", [existing, name]):
                row.existing_id = existing
                row.note("台账中该活动已记录此志愿者，将跳过")
        return rows

    def write(self, ledger: Ledger, outcomes: list[RowOutcome], update: bool,
              progress: Callable[[int], None]) -> ImportSummary:
        summary = ImportSummary()
        created = {"活动": 0, "志愿者": 0, "待确认志愿者": 0, "志愿组织": 0}
        activity_of: dict[tuple, int] = {}
        outside: dict[tuple, int] = {}
        pending: dict[tuple, int] = {}
        for done, row in enumerate(outcomes, start=1):
            data = row.data
            key = data["group"]
            activity_id = activity_of.get(key)
            if activity_id is None:
                activity_id = ledger.scalar("SELECT id FROM activities WHERE title = ? AND on_date = ?"
                                            " AND place = ? ORDER BY id LIMIT 1", list(key))
                if activity_id is None:
                    org_id = None
                    if data["org"]:
                        org_id = ledger.scalar("SELECT id FROM volunteer_orgs WHERE name = ?", [data["org"]])
                        if org_id is None:
                            org_id = V.ensure_org(ledger, data["org"])
                            created["志愿组织"] += 1
                    activity_id = A.add_activity(ledger, A.ActivityData(
                        title=data["title"], on_date=data["on_date"], type=data["type"],
                        start_time=data["start_time"], end_time=data["end_time"], place=data["place"],
                        grid_id=data["grid_id"], community_id=data["community_id"], org_id=org_id,
                        people_served=data["people_served"]))
                    created["活动"] += 1
                activity_of[key] = activity_id
            cand = data["candidate"]
            if cand is None:
                if row.existing_id is None:
                    summary.imported += 1
                else:
                    summary.skipped += 1
                progress(done)
                continue
            if cand.pending and row.existing_id is not None:
                summary.skipped += 1       # settled since: the activity has this name already
                progress(done)
                continue
            if cand.volunteer_id:
                volunteer_id = cand.volunteer_id
            elif cand.pending:
                # one 待确认 person per name, phone and candidates: 李强 of 一网格's activity and 李强
                # of a community-wide one may be two people
                who_key = (cand.name, data["phone"], cand.candidates)
                volunteer_id = pending.get(who_key)
                if volunteer_id is None:
                    volunteer_id = V.add_pending_volunteer(ledger, cand.name, data["phone"], cand.candidates)
                    pending[who_key] = volunteer_id
                    created["待确认志愿者"] += 1
            elif cand.resident_id:
                volunteer_id = V.volunteer_for_resident(ledger, cand.resident_id)
            else:
                volunteer_id = outside.get((cand.name, data["phone"]))
                if volunteer_id is None:
                    volunteer_id = V.add_outside_volunteer(ledger, cand.name, phone=data["phone"])
                    outside[(cand.name, data["phone"])] = volunteer_id
                    created["志愿者"] += 1
            current = ledger.scalar("SELECT hours FROM activity_participants WHERE activity_id = ?"
                                    " AND volunteer_id = ?", [activity_id, volunteer_id])
            if current is not None:
                if update and current != data["hours"]:
                    A.add_participant(ledger, activity_id, volunteer_id, data["hours"])
                    summary.updated += 1
                else:
                    summary.skipped += 1
            else:
                A.add_participant(ledger, activity_id, volunteer_id, data["hours"])
                summary.imported += 1
            progress(done)
        summary.created = {k: v for k, v in created.items() if v}
        return summary


def _on_the_activity(ledger: Ledger, key: tuple, name: str) -> "V.Candidate | None":
    """The one volunteer of this name already recorded on the activity ``key`` (title, date,
    place), if any: re-importing a file (or this ledger's export) means them, whoever else
    shares the name — an outside 张秀英 is not the resident 张秀英."""
    found = ledger.conn.execute(
        "SELECT p.volunteer_id, v.resident_id FROM activity_participants p"
        " JOIN volunteers v ON v.id = p.volunteer_id LEFT JOIN residents r ON r.id = v.resident_id"
        " WHERE p.activity_id = (SELECT id FROM activities WHERE title = ? AND on_date = ? AND place = ?"
        " ORDER BY id LIMIT 1) AND COALESCE(r.name, v.name) = ? AND v.pending = 0 LIMIT 2", [*key, name]).fetchall()
    if len(found) != 1:
        return None
    volunteer_id, resident_id = found[0]
    return V.Candidate(name, name, volunteer_id=volunteer_id, resident_id=resident_id)


SPEC = ActivitiesSpec()
