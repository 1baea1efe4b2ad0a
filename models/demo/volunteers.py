"""Demo volunteer life: organisations, volunteers and a year of activities with hours.

Grids differ: each grid gets a *vigour* (most grids hold an activity or two a
month, a few are very active, some hardly ever), so the 志愿服务 indicator of the
monthly evaluation spreads out.  Community-wide activities (文艺演出, 政策宣传 …)
count for no single grid.  Volunteers are mostly residents (about 2.5% of them,
drawn at random, serving mainly in their own grid) plus some outside people
(doctors, lawyers, students).  Two recent activities get a tiny generated photo.

Everything is written with ``executemany`` in one transaction; the demo writes one
audit row for itself (``models.demo.build_demo``), not one per record.
"""

from __future__ import annotations

import datetime as _dt
import io
import random
from collections import defaultdict

from models.volunteers import activities as A
from models.core.db import Ledger

ORGS = [
    ("星光艺术团", "文体娱乐", "陈红梅", "2016-05-01"),
    ("爱心互助加油站", "邻里互助", "王建华", "2018-03-05"),
    ("夕阳红健康服务队", "医疗健康", "刘医生", "2017-09-01"),
    ("法律明白人服务队", "法律服务", "赵律师", "2019-12-04"),
    ("绿色家园环保队", "环境保护", "孙志强", "2020-06-05"),
    ("红袖标平安巡防队", "平安巡防", "周国庆", "2015-10-01"),
    ("银龄助老服务队", "助老助残", "吴秀兰", "2018-10-17"),
    ("青春志愿服务队", "其他", "郑晓雨", "2021-03-05"),
]

#: type → (organiser index or None, weight, titles, people served range, time slots)
PLAN = {
    "义诊进社区": (2, 14, ["健康义诊进社区", "免费测血压血糖", "中医义诊", "眼科义诊"], (30, 120), "am"),
    "法律小讲堂": (3, 9, ["法律小讲堂：防范养老诈骗", "民法典进社区", "法律咨询日"], (15, 60), "pm"),
    "爱心互助": (1, 16, ["爱心互助进家门", "为独居老人送温暖", "爱心义剪", "家电义务维修"], (10, 50), "am"),
    "文艺演出": (0, 8, ["社区文艺汇演", "广场舞展演", "戏曲进社区", "邻里文化节"], (80, 300), "eve"),
    "环境清洁": (4, 18, ["清洁家园行动", "楼道杂物清理", "垃圾分类督导", "河道沿线捡拾垃圾"], (0, 0), "am"),
    "政策宣传": (None, 9, ["医保政策宣传", "反诈宣传进社区", "消防安全宣传", "垃圾分类宣传"], (40, 150), "am"),
    "助老助残": (6, 10, ["助老陪伴", "助残送餐", "老年人智能手机教学"], (5, 30), "pm"),
    "平安巡逻": (5, 12, ["夜间平安巡逻", "节日安全巡查", "电动车充电隐患排查"], (0, 0), "eve"),
}
SLOTS = {"am": [("08:30", "11:00"), ("09:00", "11:30"), ("09:00", "11:00")],
         "pm": [("14:00", "16:30"), ("14:30", "16:30"), ("15:00", "17:00")],
         "eve": [("19:00", "21:00"), ("19:30", "21:00"), ("18:30", "21:00")]}
COMMUNITY_WIDE_TYPES = ("文艺演出", "政策宣传", "义诊进社区", "法律小讲堂")
PLACES_WIDE = ["社区党群服务中心", "社区文化广场", "社区新时代文明实践站", "社区会议室"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰"
OUTSIDE_SKILLS = ["医疗", "法律咨询", "心理疏导", "文艺", "家电维修", "理发", "摄影", "教学"]
RESIDENT_SKILLS = ["", "", "", "文艺", "家电维修", "理发", "书法", "烹饪", "照护老人", "电脑"]

VOLUNTEER_SHARE = 0.025     # of residents
OUTSIDE_SHARE = 0.08        # of volunteers


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _month_starts(now: _dt.datetime, months: int) -> list[_dt.date]:
    index = now.year * 12 + now.month - 1
    return [_dt.date((i // 12), (i % 12) + 1, 1) for i in range(index - months + 1, index + 1)]


def _tiny_photo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 320, 40):
        draw.rectangle([i, 160, i + 28, 230], fill=(255, 255, 255))
    draw.ellipse([120, 40, 200, 120], fill=(250, 220, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def generate(ledger: Ledger, rng: random.Random, households: int, months: int, progress) -> None:
    now = ledger.now()
    today = now.date()
    stamp = ledger.now_ts()
    who = ledger.operator.name
    stamps = (stamp, who, stamp, who)
    own = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
    grid_rows = ledger.conn.execute("SELECT id, community_id, name FROM grids ORDER BY id").fetchall()
    if not grid_rows:
        return
    progress("生成志愿组织和志愿者……")
    with ledger.write():
        conn = ledger.conn
        # organisations
        conn.executemany(
            "INSERT INTO volunteer_orgs (name, type, leader, contact, founded_on, notes,"
            " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
            [(name, kind, leader, f"13{rng.randrange(500000000, 999999999)}", founded, *stamps)
             for name, kind, leader, founded in ORGS])
        org_ids = [r[0] for r in conn.execute("SELECT id FROM volunteer_orgs ORDER BY id")][-len(ORGS):]

        # volunteers: a random sample of present residents, plus outside people
        max_id = ledger.scalar("SELECT MAX(id) FROM residents") or 0
        total = ledger.scalar("SELECT COUNT(*) FROM residents") or 0
        want = max(12, int(total * VOLUNTEER_SHARE))
        picked = sorted(rng.sample(range(1, max_id + 1), min(max_id, int(want * 1.3)))) if max_id else []
        residents = []
        for start in range(0, len(picked), 900):
            chunk = picked[start:start + 900]
            residents += conn.execute(
                f"SELECT id, name, phone, grid_id FROM residents WHERE id IN ({','.join('?' * len(chunk))})"
                " AND status = '在册' AND grid_id IS NOT NULL", chunk).fetchall()
        residents = residents[:want]
        conn.executemany(
            "INSERT INTO volunteers (resident_id, name, phone, skills, notes,"
            " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?)",
            [(rid, name, phone or "", rng.choice(RESIDENT_SKILLS), *stamps) for rid, name, phone, _g in residents])
        n_outside = max(3, int(len(residents) * OUTSIDE_SHARE))
        conn.executemany(
            "INSERT INTO volunteers (resident_id, name, phone, skills, notes,"
            " created_at, created_by, updated_at, updated_by) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(_name(rng), f"1{rng.choice('3589')}{rng.randrange(100000000, 999999999)}",
              rng.choice(OUTSIDE_SKILLS), rng.choice(["", "辖区医院医生", "律师事务所律师", "高校学生", "共建单位职工"]),
              *stamps) for _ in range(n_outside)])
        vol_rows = conn.execute("SELECT v.id, r.grid_id FROM volunteers v LEFT JOIN residents r"
                                " ON r.id = v.resident_id").fetchall()
        by_grid: dict[int, list[int]] = defaultdict(list)
        everyone = [vid for vid, _g in vol_rows]
        outside = [vid for vid, g in vol_rows if g is None]
        for vid, g in vol_rows:
            if g is not None:
                by_grid[g].append(vid)

        # memberships: most volunteers belong to one organisation, some to two
        members = set()
        for vid in everyone:
            for _ in range(rng.choices((0, 1, 2), (30, 55, 15))[0]):
                members.add((rng.choice(org_ids), vid))
        conn.executemany("INSERT INTO volunteer_org_members (org_id, volunteer_id) VALUES (?, ?)", sorted(members))
        org_members: dict[int, list[int]] = defaultdict(list)
        for org_id, vid in members:
            org_members[org_id].append(vid)

        progress("生成志愿活动和服务时长……")
        types = list(PLAN)
        weights = [PLAN[t][1] for t in types]
        vigour = {g: rng.choice([0.2, 0.4, 0.7, 1.0, 1.0, 1.5, 2.0, 3.5]) * rng.uniform(0.6, 1.4)
                  for g, _c, _n in grid_rows}
        acts: list[tuple] = []
        parts: list[list[tuple[int, float]]] = []

        def add(on: _dt.date, kind: str, grid_id: int | None, community_id: int | None, grid_name: str) -> None:
            org_index, _w, titles, served, slot = PLAN[kind]
            start, end = rng.choice(SLOTS[slot])
            span = A.span_hours(start, end)
            org_id = org_ids[org_index] if org_index is not None and rng.random() < 0.85 else None
            if grid_id is None:
                place = rng.choice(PLACES_WIDE)
                pool, size = everyone, rng.randint(8, 25)
            else:
                place = f"{grid_name}{rng.choice(['活动室', '小广场', '楼栋门前', '网格服务站'])}"
                pool, size = by_grid.get(grid_id) or everyone, rng.randint(3, 10)
            chosen = set(rng.sample(pool, min(size, len(pool))))
            if org_id and org_members.get(org_id) and rng.random() < 0.6:
                chosen.update(rng.sample(org_members[org_id], min(3, len(org_members[org_id]))))
            if kind in ("义诊进社区", "法律小讲堂") and outside:
                chosen.add(rng.choice(outside))
            people = [(vid, span if rng.random() < 0.85 else max(0.5, span - rng.choice((0.5, 1.0))))
                      for vid in sorted(chosen)]
            acts.append((rng.choice(titles), kind, on.isoformat(), start, end, place, community_id, grid_id,
                         org_id, rng.randint(*served) if served[1] else 0, *stamps))
            parts.append(people)

        for first in _month_starts(now, months):
            last_day = (first.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(days=1)
            last_day = min(last_day, today)
            if last_day < first:
                continue
            span_days = (last_day - first).days
            for _ in range(rng.randint(2, 5)):       # community-wide
                add(first + _dt.timedelta(days=rng.randint(0, span_days)), rng.choice(COMMUNITY_WIDE_TYPES),
                    None, own, "")
            for grid_id, community_id, grid_name in grid_rows:
                expected = vigour[grid_id]
                count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
                for _ in range(count):
                    add(first + _dt.timedelta(days=rng.randint(0, span_days)),
                        rng.choices(types, weights)[0], grid_id, community_id, grid_name)

        base = (ledger.scalar("SELECT MAX(id) FROM activities") or 0) + 1
        conn.executemany(
            "INSERT INTO activities (id, title, type, on_date, start_time, end_time, place, community_id, grid_id,"
            " org_id, people_served, notes, created_at, created_by, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
            [(base + i, *row) for i, row in enumerate(acts)])
        conn.executemany(
            "INSERT INTO activity_participants (activity_id, volunteer_id, hours) VALUES (?, ?, ?)",
            [(base + i, vid, hours) for i, people in enumerate(parts) for vid, hours in people])

        # two recent activities get a tiny photo each (the strip is not empty in the demo)
        recent = conn.execute("SELECT id FROM activities ORDER BY on_date DESC, id DESC LIMIT 2").fetchall()
        for (activity_id,), colour in zip(recent, [(70, 130, 180), (200, 90, 60)]):
            prepared = A.prepare_image(_tiny_photo(colour), "活动照片.jpg")
            conn.execute(
                "INSERT INTO attachments (activity_id, kind, filename, mime, width, height, data, thumbnail,"
                " created_at, created_by) VALUES (?, '照片', '活动照片.jpg', ?, ?, ?, ?, ?, ?, ?)",
                [activity_id, prepared["mime"], prepared["width"], prepared["height"], prepared["data"],
                 prepared["thumbnail"], stamp, who])
    progress(f"志愿服务：{len(ORGS)} 个组织，{len(everyone)} 名志愿者，{len(acts)} 次活动，"
             f"{sum(len(p) for p in parts)} 条服务时长记录。")
