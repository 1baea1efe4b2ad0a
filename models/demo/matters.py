"""Demo matters, visits and meetings: a year of a neighbourhood office's daily work.

Grids differ the way real ones do.  Each grid gets a *diligence* between 0 and 1:
diligent grids visit most of their households every month, find problems on
patrol, close small matters the same day and get good satisfaction; sloppy grids
visit few households, close late, follow up rarely and collect 督办 cards.  Big
matters are partly escalated to the community's monthly 联席会议; 红色议事厅
meetings are held at grid and compound level.

Everything ends at ``ledger.now()``: an event that would fall later is simply not
written, so the ledger shows matters due today, overdue and awaiting follow-up.

Written with bulk inserts (``executemany``) in one transaction; the cache columns of
``matters`` are computed here alongside the events with the same rules as
:func:`models.matters.records.derive_state` (the tests check they agree).
"""

from __future__ import annotations

import datetime as _dt
import json
import random
from collections import defaultdict

from models.matters import records as M
from models.core.db import Ledger, ts

#: category → (level, weight, description templates)
CATEGORY_PLAN = {
    "路灯照明": ("小事", 14, ["{b}门前路灯不亮", "{b}楼道声控灯损坏", "小区{b}附近路灯夜间闪烁"]),
    "环境卫生": ("小事", 18, ["{b}垃圾桶满溢未及时清运", "{b}楼道堆放杂物", "{b}旁绿化带有建筑垃圾"]),
    "噪音扰民": ("小事", 9, ["{h}夜间装修噪音扰民", "{b}楼下广场舞音响过大", "{h}楼上住户深夜噪音"]),
    "安全隐患": ("小事", 10, ["{b}楼道电动车充电", "{b}消防通道被占用", "{b}外墙瓷砖松动有坠落风险"]),
    "物业服务": ("小事", 12, ["{b}电梯故障停运", "{h}反映物业维修不及时", "{b}单元门禁损坏"]),
    "邻里纠纷": ("私事", 10, ["{h}与邻居因漏水发生纠纷", "{h}与邻居因占用车位争执", "{h}反映邻居饲养宠物扰民"]),
    "家庭矛盾": ("私事", 7, ["{h}家庭赡养纠纷", "{h}夫妻矛盾需调解", "{h}子女探望老人问题"]),
    "违章建筑": ("大事", 4, ["{b}顶楼私搭乱建", "{h}擅自改建阳台", "{b}一楼住户私建围墙"]),
    "环境治理": ("大事", 3, ["{b}周边餐饮油烟污染", "小区{b}旁河道异味", "{b}附近工地扬尘"]),
    "其他": ("小事", 5, ["{h}咨询养老补贴办理", "{h}反映快递柜设置问题", "{b}附近公交站牌缺失"]),
}
RESULTS = {
    "小事": ["已联系物业当日处理完毕", "网格员现场处置完毕", "已协调相关单位修复", "已清理完毕"],
    "私事": ["经调解双方达成一致", "已上门调解，矛盾化解", "已协调家属妥善处理"],
    "大事": ["经联席会议协调，相关部门已整改到位", "已由城管部门依法拆除", "已责令整改并复查合格"],
}
OTHER_SOURCES = ("微信群", "来电", "来访", "12345热线", "QQ群", "其他")
OTHER_WEIGHTS = (30, 22, 18, 15, 8, 7)
VISIT_NOTES = ("了解家庭基本情况，无异常", "走访独居老人，身体状况良好", "宣传反诈知识", "核实人口信息",
               "征求对小区治理的意见", "宣传垃圾分类", "了解就业需求")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰"
STAGES = ("党组织提议", "两委会商议", "党员大会审议", "居民代表会议决议", "决议公开", "实施结果公开")
TOPICS = ["加装电梯意见征集", "老旧小区改造方案", "停车位划分", "楼道堆物集中整治", "垃圾分类督导",
          "小区绿化提升", "公共收益使用", "物业费调整", "充电桩建设", "文明养犬公约"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _month_starts(now: _dt.datetime, months: int) -> list[_dt.date]:
    index = now.year * 12 + now.month - 1
    return [_dt.date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(months - 1, -1, -1)]


def _next_month(day: _dt.date) -> _dt.date:
    return _dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def generate(ledger: Ledger, rng: random.Random, households: int, months: int, progress) -> None:
    """Add ``months`` months (ending now) of visits, matters and meetings for every grid."""
    now = ledger.now()
    say = progress or (lambda _m: None)
    say("正在生成民情事项、走访日志和会议……")
    with ledger.write():
        _Generator(ledger, rng, now, months, say).run()


class _Generator:
    def __init__(self, ledger: Ledger, rng: random.Random, now: _dt.datetime, months: int, say):
        self.ledger, self.rng, self.now, self.say = ledger, rng, now, say
        self.months = _month_starts(now, months)
        self.categories = [c for c in M.categories(ledger) if c in CATEGORY_PLAN] or list(CATEGORY_PLAN)
        self.cat_weights = [CATEGORY_PLAN[c][1] for c in self.categories]
        self.big_days = {c: M.deadline_days(ledger, c) for c in self.categories}
        self.stamp = ts(now)
        self.operator = ledger.operator.name

    # -- the world as the earlier areas left it ------------------------------------------
    def load(self) -> None:
        conn = self.ledger.conn
        self.grids = [dict(zip(("id", "community_id"), r))
                      for r in conn.execute("SELECT id, community_id FROM grids ORDER BY id")]
        self.homes: dict[int, list[tuple]] = defaultdict(list)   # grid → [(hh, building, label, reporter)]
        rows = conn.execute(
            "SELECT h.id, h.grid_id, h.building_id, b.compound || b.name, u.name || h.room, b.compound, h.unit_id,"
            " COALESCE(r.id, 0), COALESCE(r.name, ''), COALESCE(r.phone, '')"
            " FROM households h JOIN buildings b ON b.id = h.building_id JOIN units u ON u.id = h.unit_id"
            " LEFT JOIN residents r ON r.id = h.head_resident_id ORDER BY h.grid_id, h.building_id, h.id")
        self.home_by_id: dict[int, tuple] = {}
        self.compounds: dict[int, list[str]] = defaultdict(list)
        for hh, grid, building, bname, room, compound, unit, rid, rname, phone in rows:
            home = (hh, building, bname, bname + room, rid or None, rname, phone, unit)
            self.homes[grid].append(home)
            self.home_by_id[hh] = home
            if compound and compound not in self.compounds[grid]:
                self.compounds[grid].append(compound)
        self.staff: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for staff_id, name, grid in conn.execute(
                "SELECT s.id, s.name, COALESCE(a.grid_id, b.grid_id) FROM staff_assignments a"
                " JOIN staff s ON s.id = a.staff_id LEFT JOIN buildings b ON b.id = a.building_id"
                " WHERE s.role IN ('网格长', '网格员') AND s.active = 1 ORDER BY s.id"):
            self.staff[grid].append((staff_id, name))
        missing = [g["id"] for g in self.grids if not self.staff[g["id"]] and self.homes[g["id"]]]
        for grid_id in missing:   # an earlier area made no grid staff: add one 网格员 per grid
            name = _name(self.rng)
            cur = conn.execute("INSERT INTO staff (name, role, created_at, created_by, updated_at, updated_by)"
                               " VALUES (?, '网格员', ?, ?, ?, ?)",
                               [name, self.stamp, self.operator, self.stamp, self.operator])
            conn.execute("INSERT INTO staff_assignments (staff_id, grid_id) VALUES (?, ?)",
                         [cur.lastrowid, grid_id])
            self.staff[grid_id].append((cur.lastrowid, name))
        supervisors = [r[0] for r in conn.execute("SELECT name FROM staff WHERE role = '督导员' AND active = 1")]
        self.supervisors = supervisors or ["街道督导组"]
        rng = self.rng
        # ~20% sloppy, ~30% diligent, the rest in between
        self.diligence = {}
        for grid in self.grids:
            roll = rng.random()
            if roll < 0.2:
                self.diligence[grid["id"]] = rng.uniform(0.25, 0.5)
            elif roll < 0.5:
                self.diligence[grid["id"]] = rng.uniform(0.88, 0.99)
            else:
                self.diligence[grid["id"]] = rng.uniform(0.6, 0.88)

    def run(self) -> None:
        self.load()
        conn = self.ledger.conn
        self.next_matter = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM matters").fetchone()[0]) + 1
        self.next_visit = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM visits").fetchone()[0]) + 1
        self.next_meeting = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM meetings").fetchone()[0]) + 1
        self.seq: dict[str, int] = {}
        for month, top in conn.execute("SELECT substr(number, 1, 7), MAX(CAST(substr(number, 9) AS INTEGER))"
                                       " FROM matters GROUP BY 1"):
            self.seq[month] = top
        total_visits = total_matters = 0
        for index, month in enumerate(self.months):
            meetings = self.month_meetings(month)
            v = self.month_visits(month)
            m = self.month_matters(month, meetings)
            total_visits += v
            total_matters += m
            self.say(f"民情事项与走访：{month:%Y年%m月} 完成（{index + 1}/{len(self.months)}），"
                     f"事项 {m} 件，走访 {v} 次")
        self.say(f"共生成事项 {total_matters} 件，走访 {total_visits} 次。")

    # -- helpers ----------------------------------------------------------------------------
    def moment(self, day: _dt.date, start_hour: int = 8, end_hour: int = 19) -> _dt.datetime:
        return _dt.datetime(day.year, day.month, day.day, self.rng.randint(start_hour, end_hour - 1),
                            self.rng.randint(0, 59), self.rng.randint(0, 59))

    def days_of(self, month: _dt.date) -> list[_dt.date]:
        last = min(_next_month(month) - _dt.timedelta(days=1), self.now.date())
        return [month + _dt.timedelta(days=i) for i in range((last - month).days + 1)]

    def staffed_grids(self):
        """``(grid, homes, staff, diligence)`` for each grid with households and staff, in order."""
        for grid in self.grids:
            homes = self.homes[grid["id"]]
            staff = self.staff[grid["id"]]
            if homes and staff:
                yield grid, homes, staff, self.diligence[grid["id"]]

    # -- meetings -----------------------------------------------------------------------
    def month_meetings(self, month: _dt.date) -> dict[int, list[int]]:
        """One 联席会议 per community this month (returned, for escalations) and some 红色议事厅."""
        rng, rows, joint = self.rng, [], {}
        days = self.days_of(month)
        communities = sorted({g["community_id"] for g in self.grids})
        for community in communities:
            held = self.moment(days[min(len(days) - 1, 14)], 9, 11)
            if held > self.now:
                continue
            meeting_id = self.next_meeting
            self.next_meeting += 1
            joint.setdefault(community, []).append((meeting_id, held))
            rows.append((meeting_id, "联席会议", "社区", None, "", ts(held), "社区党群服务中心会议室",
                         "社区党委书记", f"{held:%m}月份联席会议：重点难点事项协调", "城管、住建、派出所、物业等单位",
                         rng.randint(8, 16), "各单位按分工限期办理，下次会议通报进展", "两委会商议"))
        for grid in self.grids:
            if rng.random() > 0.2 + 0.3 * self.diligence[grid["id"]]:
                continue
            held = self.moment(rng.choice(days), 14, 20)
            if held > self.now:
                continue
            compound = rng.choice(self.compounds[grid["id"]]) if self.compounds[grid["id"]] else ""
            level = "小区" if compound and rng.random() < 0.3 else "网格"
            stage = rng.choice(STAGES)
            rows.append((self.next_meeting, "红色议事厅", level, grid["id"], compound if level == "小区" else "",
                         ts(held), "网格党群服务站", (self.staff[grid["id"]] or [(0, "网格长")])[0][1],
                         rng.choice(TOPICS), "党员代表、居民代表、楼栋长", rng.randint(9, 30),
                         "经议定形成方案，按四议两公开程序推进", stage))
            self.next_meeting += 1
        self.ledger.conn.executemany(
            "INSERT INTO meetings (id, kind, level, grid_id, compound, held_at, place, host, topic, attendees,"
            " attendance, resolution, stage, created_at, created_by, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r + (self.stamp, self.operator, self.stamp, self.operator) for r in rows])
        return joint

    # -- visits ---------------------------------------------------------------------------
    def month_visits(self, month: _dt.date) -> int:
        rng, visits, links = self.rng, [], []
        days = self.days_of(month)
        day_texts = [f"{day:%Y-%m-%d}" for day in days]
        share_of_month = len(days) / ((_next_month(month) - month).days)
        for grid, homes, staff, d in self.staffed_grids():
            coverage = min(0.97, max(0.05, rng.gauss(d if d > 0.6 else d * 0.7, 0.05))) * share_of_month
            target = int(len(homes) * coverage)
            start = rng.randrange(len(homes))
            i = 0
            while i < target:
                size = rng.choice((1, 2, 3, 4, 5, 6))
                chunk = [homes[(start + i + k) % len(homes)] for k in range(min(size, target - i))]
                building = chunk[0][1]
                chunk = [h for h in chunk if h[1] == building]   # one visit, one building
                i += max(1, len(chunk))
                staff_id, staff_name = rng.choice(staff)
                roll = rng.random()
                way = "入户" if roll < 0.7 else "电话" if roll < 0.9 else "微信"
                note = rng.choice(VISIT_NOTES)
                visits.append((self.next_visit, rng.choice(day_texts), staff_id, staff_name, way,
                               grid["id"], note, self.stamp, self.operator, self.stamp, self.operator))
                links.extend((self.next_visit, h[0]) for h in chunk)
                self.next_visit += 1
        conn = self.ledger.conn
        conn.executemany("INSERT INTO visits (id, visited_on, staff_id, staff_name, way, grid_id, notes,"
                         " created_at, created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)", visits)
        conn.executemany("INSERT OR IGNORE INTO visit_households (visit_id, household_id) VALUES (?, ?)", links)
        if M.has_search_index(conn, "visit_fts"):
            tokens: dict[tuple, str] = {}
            conn.executemany("INSERT INTO visit_fts (rowid, body) VALUES (?, ?)",
                             [(v[0], tokens.get((v[6], v[3])) or tokens.setdefault(
                                 (v[6], v[3]), M.search_tokens(v[6], v[3]))) for v in visits])
        self.month_visit_rows = visits
        self.month_visit_links = links
        return len(visits)

    # -- matters ---------------------------------------------------------------------------
    def month_matters(self, month: _dt.date, joint: dict[int, list]) -> int:
        rng = self.rng
        days = self.days_of(month)
        share_of_month = len(days) / ((_next_month(month) - month).days)
        visits_by_grid: dict[int, list[tuple]] = defaultdict(list)
        households_of_visit: dict[int, list[int]] = defaultdict(list)
        for visit_id, hh in self.month_visit_links:
            households_of_visit[visit_id].append(hh)
        for row in self.month_visit_rows:
            visits_by_grid[row[5]].append(row)
        planned = []
        for grid, homes, staff, d in self.staffed_grids():
            expected = len(homes) / 100 * rng.uniform(5, 9) * share_of_month
            for _ in range(int(rng.gauss(expected, expected ** 0.5 / 2) + 0.5)):
                planned.append(self.plan_matter(grid, homes, staff, d, days, visits_by_grid[grid["id"]],
                                                households_of_visit))
        planned = [p for p in planned if p is not None]
        planned.sort(key=lambda p: (p["registered_at"], p["grid_id"]))
        matters, events, links = [], [], []
        for p in planned:
            key = p["registered_at"][:7]
            self.seq[key] = self.seq.get(key, 0) + 1
            matter_id = self.next_matter
            self.next_matter += 1
            number = f"{key}-{self.seq[key]:04d}"
            cache, evs = self.story(p, joint)
            for at, action, frm, to, op, note, data in evs:
                events.append((matter_id, at, action, frm, to, op, note,
                               json.dumps(data, ensure_ascii=False) if data else None))
                if action == "上报" and data and data.get("meeting_id"):
                    links.append((data["meeting_id"], matter_id))
            matters.append((matter_id, number, p["registered_at"], p["source"], p["category"], p["level"],
                            p["description"], p["grid_id"], p["building_id"], p["unit_id"], p["household_id"],
                            p["location_text"], p["reporter_resident_id"], p["reporter_name"], p["reporter_phone"],
                            cache["assignee_staff_id"], cache["assignee_name"], cache["deadline"], p["visit_id"],
                            cache["state"], cache["closed_at"], cache["result"], cache["followed_up_at"],
                            cache["satisfaction"], cache["cancelled_at"], cache["supervision"],
                            p["registered_at"], p["operator"], self.stamp, self.operator))
        conn = self.ledger.conn
        conn.executemany(
            "INSERT INTO matters (id, number, registered_at, source, category, level, description, grid_id,"
            " building_id, unit_id, household_id, location_text, reporter_resident_id, reporter_name,"
            " reporter_phone, assignee_staff_id, assignee_name, deadline, visit_id, state, closed_at, result,"
            " followed_up_at, satisfaction, cancelled_at, supervision, created_at, created_by, updated_at,"
            " updated_by) VALUES (" + ",".join("?" * 30) + ")", matters)
        if M.has_search_index(conn):
            conn.executemany("INSERT INTO matter_fts (rowid, body) VALUES (?, ?)",
                             [(m[0], M.search_tokens(m[6], m[13], m[14], m[11])) for m in matters])
        conn.executemany("INSERT INTO matter_events (matter_id, at, action, from_state, to_state, operator,"
                         " note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", events)
        conn.executemany("INSERT OR IGNORE INTO meeting_matters (meeting_id, matter_id) VALUES (?, ?)", links)
        return len(matters)

    def plan_matter(self, grid, homes, staff, d, days, visits, households_of_visit) -> dict | None:
        rng = self.rng
        category = rng.choices(self.categories, self.cat_weights)[0]
        level = CATEGORY_PLAN[category][0]
        patrol_share = 0.15 + 0.45 * d
        visit = None
        if visits and rng.random() < patrol_share:
            visit = rng.choice(visits)
            day = _dt.date.fromisoformat(visit[1])
            hh_id = rng.choice(households_of_visit[visit[0]])
            home = self.home_by_id[hh_id]
            source = "巡查走访"
        else:
            day = rng.choice(days)
            home = rng.choice(homes)
            source = rng.choices(OTHER_SOURCES, OTHER_WEIGHTS)[0]
        registered = self.moment(day)
        if registered > self.now:
            registered = self.now - _dt.timedelta(minutes=rng.randint(1, 180))
            if registered.date() != day:
                return None
        hh, building, bname, label, rid, rname, phone, unit = home
        template = rng.choice(CATEGORY_PLAN[category][2])
        with_household = "{h}" in template or rng.random() < 0.4
        reporter = rid is not None and source != "巡查走访" and rng.random() < 0.8
        staff_id, staff_name = rng.choice(staff)
        return {
            "registered_at": ts(registered), "source": source, "category": category, "level": level,
            "description": template.format(b=bname, h=label), "grid_id": grid["id"], "building_id": building,
            "unit_id": unit if with_household else None, "household_id": hh if with_household else None,
            "location_text": label if with_household else bname,
            "reporter_resident_id": rid if reporter else None, "reporter_name": rname if reporter else "",
            "reporter_phone": phone if reporter else "", "visit_id": visit[0] if visit else None,
            "assignee": (staff_id, staff_name), "operator": staff_name, "diligence": d,
            "community_id": grid["community_id"],
        }

    def story(self, p: dict, joint: dict[int, list]) -> tuple[dict, list]:
        """The matter's events (only those not after now) and its cache columns."""
        rng, now, d = self.rng, self.now, p["diligence"]
        registered = _dt.datetime.fromisoformat(p["registered_at"])
        if p["level"] == "大事":
            deadline = M.end_of_day(registered + _dt.timedelta(days=self.big_days.get(p["category"], 30)))
        else:
            deadline = M.end_of_day(registered)
        cache = {"state": "登记", "deadline": ts(deadline), "closed_at": None, "result": "",
                 "followed_up_at": None, "satisfaction": None, "cancelled_at": None, "supervision": "",
                 "assignee_staff_id": None, "assignee_name": ""}
        events = [(p["registered_at"], "登记", None, "登记", p["operator"], "", {"deadline": ts(deadline)})]

        def add(at: _dt.datetime, action: str, to: str, note: str = "", data: dict | None = None,
                operator: str | None = None) -> _dt.datetime | None:
            """Append the event unless it lies after now; returns its (ordered) time."""
            if at > now:
                return None
            at = max(at.replace(microsecond=0), _dt.datetime.fromisoformat(events[-1][0]))
            events.append((ts(at), action, cache["state"], to, operator or p["operator"], note, data))
            cache["state"] = to
            return at

        if rng.random() < 0.02:   # duplicate or invalid report
            at = add(registered + _dt.timedelta(minutes=rng.randint(5, 240)), "作废", "作废",
                     rng.choice(("重复登记", "信息无效，无法核实", "不属于社区受理范围")))
            if at:
                cache["cancelled_at"] = ts(at)
            return cache, events
        # assignment: mostly at once; a few of the freshest stay unassigned
        staff_id, staff_name = p["assignee"]
        last = add(registered + _dt.timedelta(minutes=rng.choice((0, 0, 0, 5, 20, 60))), "分派", "已分派", "",
                   {"assignee_staff_id": staff_id, "assignee_name": staff_name})
        if not last:
            return cache, events
        cache["assignee_staff_id"], cache["assignee_name"] = staff_id, staff_name
        # closing time: on time with probability ~ diligence, else late
        if p["level"] == "大事":
            if rng.random() < 0.45:
                meetings = [m for m in joint.get(p["community_id"], []) if m[1] >= last]
                if meetings:
                    meeting_id, held = meetings[0]
                    last = add(held, "上报", "已上报", "提交联席会议协调", {"meeting_id": meeting_id}) or last
            if rng.random() < 0.12:
                ext_at = last + _dt.timedelta(days=rng.randint(3, 20))
                new_deadline = deadline + _dt.timedelta(days=rng.choice((15, 30)))
                if ext_at < deadline and add(ext_at, "延期", cache["state"], "需协调相关部门，申请延期",
                                             {"new_deadline": ts(new_deadline), "old_deadline": ts(deadline)}):
                    last = ext_at
                    deadline = new_deadline
                    cache["deadline"] = ts(deadline)
            on_time = rng.random() < 0.35 + 0.6 * d
            span = (deadline - last).total_seconds()
            close = (last + _dt.timedelta(seconds=rng.uniform(0.1, 0.95) * span) if on_time
                     else deadline + _dt.timedelta(days=rng.uniform(0.5, 20)))
        else:
            on_time = rng.random() < 0.5 + 0.48 * d
            close = (last + _dt.timedelta(minutes=rng.randint(20, 300)) if on_time
                     else deadline + _dt.timedelta(hours=rng.uniform(2, 24 * (6 - 4 * d))))
            if on_time and close > deadline:
                close = deadline - _dt.timedelta(minutes=rng.randint(1, 30))
        if rng.random() < 0.3 * (1 - d):   # stuck: sloppy grids leave some matters for weeks
            close = deadline + _dt.timedelta(days=rng.uniform(5, 60))
        # a supervisor's 督办 on late matters, more often where grids are sloppy
        if close > deadline and rng.random() < 0.6 - 0.4 * d:
            card_at = deadline + _dt.timedelta(hours=rng.uniform(1, 48))
            if card_at < close:
                card = rng.choices(("普通", "黄牌", "红牌"), (55, 32, 13))[0]
                if add(card_at, "督办", cache["state"], "事项超期未办结，请抓紧办理", {"card": card},
                       operator=rng.choice(self.supervisors)):
                    cache["supervision"] = card
                    last = card_at
        result = rng.choice(RESULTS[p["level"]])
        closed = add(close, "办结", "已办结", "", {"result": result})
        if not closed:
            return cache, events
        cache["closed_at"], cache["result"] = ts(closed), result
        # follow-up: diligent grids within days; sloppy ones often weeks late, some never
        roll = rng.random()
        if roll < 0.55 + 0.43 * d:
            follow = closed + _dt.timedelta(hours=rng.uniform(2, 72))
        elif roll < 0.9:
            follow = closed + _dt.timedelta(days=rng.uniform(5, 25))
        else:
            follow = None
        if follow is not None:
            weights = (55 + 35 * d, 30 - 15 * d, 15 - 13 * d)
            satisfaction = rng.choices(("满意", "基本满意", "不满意"), weights)[0]
            followed = add(follow, "回访", "已回访", "电话回访", {"satisfaction": satisfaction})
            if followed:
                cache["followed_up_at"], cache["satisfaction"] = ts(followed), satisfaction
        return cache, events
