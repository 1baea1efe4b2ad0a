"""Demo area: grids, compounds, buildings, units, households, residents, tags and staff.

Realistic enough to test every page and report: grids of 300–700 households in
compounds of 5–18-storey buildings; households of one to six people with a head
and relations; Chinese names (surnames with several readings such as 单, 曾, 解
among them); valid 18-digit ID numbers matching birth date and gender; phones
(some missing, a few landlines); residence types; tags incl. a few sensitive
ones; about 3% moved out or deceased with dates; move-in dates for newcomers;
the four-level service team.

Everything is written with ``executemany`` in one transaction, ids assigned here,
the search index filled in bulk (``models.residents.search.token_rows``).
"""

from __future__ import annotations

import datetime as _dt
import random
from typing import Callable

from models.grids import hierarchy as grids_mod
from models.core.db import Ledger
from models.core.idcard import check_digit
from models.residents.search import token_rows


def _weights(text: str) -> tuple[tuple[str, int], ...]:
    """``"王 72  李 72"`` → ``(("王", 72), ("李", 72))``: a frequency table written as text."""
    words = text.split()
    return tuple((name, int(weight)) for name, weight in zip(words[::2], words[1::2]))


# Surnames, roughly by frequency (weights), incl. several readings (单 曾 解 区 仇 查 乐 朴).
SURNAMES = _weights("""
    王 72  李 72  张 70  刘 54  陈 46  杨 32  黄 25  赵 23  吴 21  周 21  徐 15  孙 13
    马 13  朱 12  胡 12  郭 11  何 10  高 10  林 10  罗 9  郑 9  梁 8  谢 7  宋 6
    唐 6  许 6  韩 6  冯 5  邓 5  曹 5  彭 5  曾 5  肖 5  田 5  董 4  袁 4
    潘 4  于 4  蒋 4  蔡 4  余 4  杜 4  叶 4  程 4  苏 4  魏 3  吕 3  丁 3
    任 3  沈 3  姚 3  卢 3  姜 3  崔 3  钟 3  谭 3  陆 3  汪 3  范 3  金 3
    石 3  廖 3  贾 3  夏 3  韦 2  付 2  方 2  白 2  邹 2  孟 2  熊 2  秦 2
    邱 2  江 2  尹 2  薛 2  闫 2  段 2  雷 2  侯 2  龙 2  史 2  陶 2  黎 2
    贺 2  顾 2  毛 2  郝 2  龚 2  邵 2  万 2  钱 2  严 2  武 2  戴 2  莫 1
    孔 1  向 1  汤 1  单 1  解 1  区 1  仇 1  查 1  乐 1  朴 1  欧阳 1  司马 1
    诸葛 1  上官 1
""")
MALE_CHARS = "伟强军磊勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国建华志强志明文博子轩浩然宇航晨阳俊杰海涛振华德明永福家豪天佑"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英燕红梅琳雪慧佳颖婷倩洁萍莉琴云丹蕾欣怡梓涵雨桐思琪诗涵紫萱梦瑶美玲淑华秀兰凤英玉兰春燕晓红"
ETHNIC = _weights("汉族 950  回族 18  满族 9  壮族 5  蒙古族 4  土家族 4  苗族 3  维吾尔族 2  彝族 2  朝鲜族 2  藏族 1")
# 合肥 districts for the registered population; other provinces for the floating one.
LOCAL_AREAS = ("340102", "340103", "340104", "340111", "340121", "340122", "340123", "340124", "340181")
OTHER_AREAS = ("341202", "341302", "341502", "342401", "340321", "320102", "320311", "330106", "370102",
               "410105", "411302", "420106", "430104", "360102", "350102", "510107", "500103", "130102")
COMPOUND_HEADS = ("幸福", "阳光", "翠湖", "锦绣", "金桥", "和平", "望江", "滨湖", "书香", "紫云", "桂花",
                  "梧桐", "银杏", "龙湖", "南山", "东苑", "丽景", "华府", "天鹅", "明珠", "芙蓉", "清溪",
                  "松林", "海棠", "长江", "安居", "康乐", "友谊", "新华", "永安", "星河", "绿洲")
COMPOUND_TAILS = ("家园", "花园", "小区", "苑", "新村", "公寓", "华庭", "雅居", "嘉园")
PHASES = ("", "二期", "三期", "四期", "五期", "六期", "七期", "八期")
SENSITIVE_RATES = (("社区矫正", 0.0006), ("安置帮教", 0.0006), ("严重精神障碍", 0.002), ("吸毒人员", 0.0005))


def _weighted(items):
    values = [v for v, _ in items]
    cum, total = [], 0
    for _, w in items:
        total += w
        cum.append(total)
    return values, cum


class _People:
    """Names, ID numbers and phones, unique where they must be."""

    def __init__(self, rng: random.Random, today: _dt.date):
        self.rng = rng
        self.today = today
        self.surnames, self.surname_cum = _weighted(SURNAMES)
        self.ethnic, self.ethnic_cum = _weighted(ETHNIC)
        self.ids: set[str] = set()
        self.male = list(MALE_CHARS)
        self.female = list(FEMALE_CHARS)

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_cum)[0]

    def given(self, gender: str) -> str:
        pool = self.male if gender == "男" else self.female
        n = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(pool) for _ in range(n))

    def ethnicity(self) -> str:
        return self.rng.choices(self.ethnic, cum_weights=self.ethnic_cum)[0]

    def birth(self, age: int) -> _dt.date:
        year = self.today.year - age
        day = _dt.date(year, 1, 1) + _dt.timedelta(days=self.rng.randrange(365))
        if day > self.today:
            day = self.today - _dt.timedelta(days=self.rng.randrange(1, 200))
        return day

    def id_number(self, area: str, birth: _dt.date, gender: str) -> str:
        stem = f"{area}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        for _ in range(50):
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "男" else 0)
            body = f"{stem}{seq:03d}"
            number = body + check_digit(body)
            if number not in self.ids:
                self.ids.add(number)
                return number
        return ""

    def mobile(self) -> str:
        """A mobile number of a segment in use (libphonenumber knows it: no 154…, 174…, 194…)."""
        r = self.rng
        second = r.choice("3355789")
        allowed = MOBILE_SEGMENTS[second]
        return "1" + second + allowed[r.randrange(10) % len(allowed)] + f"{r.randrange(100000000):08d}"

    def landline(self) -> str:
        """A Hefei landline: 0551 and an 8-digit local number (Hefei has had 8 digits since 2007)."""
        return f"0551-{self.rng.randrange(2, 9)}{self.rng.randrange(10000000):07d}"


#: second digit of a mobile number → the third digits of segments in use (工信部 号段; checked
#: against libphonenumber in tests/models/demo/test_demo_phones.py)
MOBILE_SEGMENTS = {"3": "0123456789", "5": "012356789", "7": "35678", "8": "0123456789", "9": "1389"}


def _plan_grids(rng: random.Random, households: int) -> list[int]:
    """Households per grid: 300–700 each (a small demo gets a few smaller grids)."""
    if households < 900:
        n = max(1, min(3, households // 20))
        base = households // n
        return [base + (1 if i < households - base * n else 0) for i in range(n)]
    sizes, left = [], households
    while left > 0:
        size = rng.randint(300, 700)
        if left - size < 300:
            size = left if left <= 700 else left // 2
        sizes.append(size)
        left -= size
    return sizes


def _composition(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5, 6), weights=(22, 30, 25, 14, 6, 3))[0]


def generate(ledger: Ledger, rng: random.Random, households: int, months: int,
             progress: Callable[[str], None]) -> None:
    today = ledger.now().date()
    stamp = ledger.stamp({}, creating=True)
    st = (stamp["created_at"], stamp["created_by"], stamp["updated_at"], stamp["updated_by"])
    people = _People(rng, today)
    community_id = grids_mod.own_community_id(ledger)
    conn = ledger.conn
    tag_ids = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM tags")}

    def next_id(table: str) -> int:
        return (ledger.scalar(f"SELECT MAX(id) FROM {table}") or 0) + 1

    sizes = _plan_grids(rng, households)
    progress(f"生成 {len(sizes)} 个网格、{households} 户……")
    history_days = max(months, 12) * 30
    with ledger.write():
        # Secondary indexes are dropped and rebuilt once at the end (one sort each instead of
        # 500,000 scattered inserts); their definitions are read back from sqlite_master.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('residents', 'households', 'resident_tags', 'resident_status_events',"
            " 'residence_spells')").fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        gid0 = next_id("grids")
        existing = {r[0] for r in conn.execute("SELECT name FROM grids WHERE community_id = ?", [community_id])}
        grid_rows, n = [], 0
        for i, _ in enumerate(sizes):
            n += 1
            while f"第{n}网格" in existing:
                n += 1
            grid_rows.append((gid0 + i, community_id, f"第{n}网格", f"G{n:03d}", *st))
        conn.executemany("INSERT INTO grids (id, community_id, name, code, created_at, created_by,"
                         " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", grid_rows)

        bid, uid, hid, rid = next_id("buildings"), next_id("units"), next_id("households"), next_id("residents")
        rid0 = rid
        b_rows, u_rows, h_rows = [], [], []
        r_rows, tag_rows, ev_rows, tok_rows = [], [], [], []
        staff_rows, assign_rows = [], []
        sid, aid = next_id("staff"), next_id("staff_assignments")
        compound_names = [h + t for h in COMPOUND_HEADS for t in COMPOUND_TAILS]
        rng.shuffle(compound_names)
        compound_no = 0
        grid_buildings: dict[int, list[int]] = {}
        building_heads: dict[int, tuple[int, str, str]] = {}
        residents_total = 0

        def flush(final: bool = False) -> None:
            nonlocal r_rows, tag_rows, ev_rows, tok_rows, b_rows, u_rows, h_rows
            conn.executemany("INSERT INTO buildings (id, grid_id, name, compound, created_at, created_by,"
                             " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", b_rows)
            conn.executemany("INSERT INTO units (id, building_id, name, created_at, created_by, updated_at,"
                             " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)", u_rows)
            conn.executemany("INSERT INTO households (id, unit_id, building_id, grid_id, room, address,"
                             " head_resident_id, notes, created_at, created_by, updated_at, updated_by)"
                             " VALUES (?, ?, ?, ?, ?, '', ?, '', ?, ?, ?, ?)", h_rows)
            conn.executemany(
                "INSERT INTO residents (id, household_id, grid_id, building_id, name, gender, ethnicity,"
                " id_number, birth_date, phone, relation, residence_type, political_status, notes, status,"
                " status_date, moved_in_on, created_at, created_by, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)", r_rows)
            conn.executemany("INSERT INTO resident_tags (resident_id, tag_id) VALUES (?, ?)", tag_rows)
            conn.executemany("INSERT INTO resident_status_events (resident_id, event, on_date, note,"
                             " household_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", ev_rows)
            conn.executemany("INSERT OR IGNORE INTO resident_search (token, resident_id) VALUES (?, ?)",
                             tok_rows)
            b_rows, u_rows, h_rows, r_rows, tag_rows, ev_rows, tok_rows = [], [], [], [], [], [], []

        for gi, grid_size in enumerate(sizes):
            grid_id = gid0 + gi
            grid_buildings[grid_id] = []
            left = grid_size
            while left > 0:
                compound = compound_names[compound_no % len(compound_names)] \
                    + PHASES[(compound_no // len(compound_names)) % len(PHASES)]
                compound_no += 1
                for bno in range(1, rng.randint(4, 18) + 1):
                    if left <= 0:
                        break
                    n_units = rng.choice((1, 2, 2, 3, 3, 4))
                    floors = rng.choice((5, 6, 6, 6, 7, 11, 18))
                    per_floor = rng.choice((2, 2, 3, 4))
                    b_rows.append((bid, grid_id, f"{bno}号楼", compound, *st))
                    grid_buildings[grid_id].append(bid)
                    for un in range(1, n_units + 1):
                        if left <= 0:
                            break
                        u_rows.append((uid, bid, f"{un}单元", *st))
                        for floor in range(1, floors + 1):
                            for k in range(1, per_floor + 1):
                                if left <= 0:
                                    break
                                left -= 1
                                members = _household(rng, people, today, history_days)
                                head_rid = rid
                                h_rows.append((hid, uid, bid, grid_id, f"{floor}{k:02d}", head_rid, *st))
                                for m in members:
                                    r_rows.append((rid, hid, grid_id, bid, m["name"], m["gender"], m["ethnicity"],
                                                   m["id_number"] or None, m["birth_date"], m["phone"],
                                                   m["relation"], m["residence_type"], m["political"],
                                                   m["status"], m["status_date"], m["moved_in_on"], *st))
                                    for tag in m["tags"]:
                                        tag_rows.append((rid, tag_ids[tag]))
                                    if m["moved_in_on"]:
                                        ev_rows.append((rid, "迁入", m["moved_in_on"], "迁入", hid, st[0], st[1]))
                                    if m["status"] != "在册":
                                        ev_rows.append((rid, m["status"], m["status_date"], "", hid, st[0], st[1]))
                                    tok_rows.extend(token_rows(rid, m["name"], m["id_number"], m["phone"]))
                                    rid += 1
                                residents_total += len(members)
                                if bid not in building_heads and members[0]["status"] == "在册" \
                                        and 30 <= members[0]["age"] <= 70:
                                    building_heads[bid] = (head_rid, members[0]["name"], members[0]["phone"])
                                hid += 1
                        uid += 1
                    bid += 1
            if len(r_rows) > 40000:
                flush()
            if (gi + 1) % 25 == 0 or gi + 1 == len(sizes):
                progress(f"  已生成 {gi + 1}/{len(sizes)} 个网格，{hid - 1} 户，{residents_total} 名居民")
        flush()
        # the residence history: one spell per resident from its dates (the same rows the m003
        # migration writes for an old ledger; the buildings' grid rows come from its trigger)
        conn.execute(
            "INSERT INTO residence_spells (resident_id, household_id, from_date, to_date, began, ended,"
            " created_at, created_by)"
            " SELECT id, household_id, moved_in_on,"
            " CASE WHEN status = '在册' THEN NULL ELSE COALESCE(status_date, moved_in_on, '0001-01-01') END,"
            " '迁入', CASE WHEN status = '在册' THEN NULL ELSE status END, ?, ? FROM residents WHERE id >= ?",
            [st[0], st[1], rid0])
        progress("建立索引……")
        for _name, sql in indexes:
            conn.execute(sql)

        progress("分配网格工作人员（督导员、网格长、网格员、楼栋长）……")
        supervisor = None
        for gi, grid_id in enumerate(sorted(grid_buildings)):
            if gi % 5 == 0:
                supervisor = sid
                staff_rows.append((sid, people.surname() + people.given("女"), "督导员", people.mobile(), None, 0))
                sid += 1
            assign_rows.append((aid, supervisor, grid_id, None))
            aid += 1
            roles = ["网格长", "网格员"] + (["网格员"] if sizes[gi] > 450 else [])
            for role in roles:
                gender = rng.choice(("男", "女"))
                staff_rows.append((sid, people.surname() + people.given(gender), role, people.mobile(), None, 0))
                assign_rows.append((aid, sid, grid_id, None))
                sid += 1
                aid += 1
            for building_id in grid_buildings[grid_id]:
                if building_id not in building_heads or rng.random() < 0.25:
                    continue
                resident_id, name, phone = building_heads[building_id]
                cadre = 1 if rng.random() < 0.15 else 0
                staff_rows.append((sid, name, "楼栋长", phone, resident_id, cadre))
                assign_rows.append((aid, sid, None, building_id))
                sid += 1
                aid += 1
        conn.executemany("INSERT INTO staff (id, name, role, phone, resident_id, sinking_cadre, created_at,"
                         " created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [row + st for row in staff_rows])
        conn.executemany("INSERT INTO staff_assignments (id, staff_id, grid_id, building_id) VALUES (?, ?, ?, ?)",
                         assign_rows)
    progress(f"居民台账：{len(sizes)} 个网格，{hid - 1} 户，{residents_total} 名居民，{len(staff_rows)} 名工作人员。")


def _household(rng: random.Random, people: _People, today: _dt.date, history_days: int) -> list[dict]:
    """The members of one household, head first."""
    size = _composition(rng)
    kind = rng.random()
    residence = "户籍人口" if kind < 0.78 else ("常住人口" if kind < 0.88 else "流动人口")
    areas = LOCAL_AREAS if residence == "户籍人口" else (OTHER_AREAS if residence == "流动人口"
                                                        else LOCAL_AREAS + OTHER_AREAS)
    area = rng.choice(areas)
    surname = people.surname()
    members: list[tuple[str, str, int, str]] = []   # relation, gender, age, surname
    if size == 1:
        age = rng.choice((rng.randint(22, 45), rng.randint(45, 70), rng.randint(65, 95)))
        members.append(("户主", rng.choice(("男", "女")), age, surname))
    else:
        couple = size != 2 or rng.random() < 0.75
        head_gender = "男" if rng.random() < 0.8 else "女"
        needs_children = size - (2 if couple else 1)
        head_age = rng.randint(26, 78) if needs_children == 0 else rng.randint(30, 72)
        members.append(("户主", head_gender, head_age, surname))
        if couple:
            spouse_gender = "女" if head_gender == "男" else "男"
            members.append(("配偶", spouse_gender, max(20, head_age + rng.randint(-5, 5)), people.surname()))
        left = size - len(members)
        if left >= 2 and head_age <= 55 and rng.random() < 0.6:
            for rel, g in (("父亲", "男"), ("母亲", "女"))[:left - 1 if left > 2 else 1]:
                members.append((rel, g, min(99, head_age + rng.randint(23, 32)), surname if g == "男" else
                                people.surname()))
            left = size - len(members)
        oldest_child = None
        for _ in range(left):
            if oldest_child is not None and oldest_child >= 26 and rng.random() < 0.5 \
                    and len(members) < size:
                child_gender = members[-1][1] if members[-1][0] in ("子", "女") else "男"
                spouse_rel = "儿媳" if child_gender == "男" else "女婿"
                if not any(m[0] in ("儿媳", "女婿") for m in members):
                    members.append((spouse_rel, "女" if child_gender == "男" else "男",
                                    oldest_child + rng.randint(-3, 3), people.surname()))
                    continue
                g = rng.choice(("男", "女"))
                members.append(("孙子" if g == "男" else "孙女", g,
                                max(0, oldest_child - rng.randint(24, 32)), surname))
                continue
            g = rng.choice(("男", "女"))
            low = max(0, head_age - 40)
            high = max(low, head_age - 22)
            age = rng.randint(low, high)
            oldest_child = age if oldest_child is None else max(oldest_child, age)
            members.append(("子" if g == "男" else "女", g, age, surname))
    known_move_in = residence != "户籍人口" and rng.random() < 0.9 or rng.random() < 0.2
    move_in_days = rng.randrange(30, (6 if residence != "户籍人口" else 25) * 365)
    out = []
    ethnicity = people.ethnicity()
    alone = len(members) == 1
    empty_nest = len(members) == 2 and all(m[2] >= 60 for m in members) and members[1][0] == "配偶"
    poor = rng.random() < 0.02
    for i, (relation, gender, age, family) in enumerate(members):
        birth = people.birth(age)
        number = "" if rng.random() < 0.015 else people.id_number(area, birth, gender)
        if age >= 16:
            phone = people.mobile() if rng.random() < (0.55 if age >= 75 else 0.93) else ""
            if i == 0 and not phone and rng.random() < 0.5:
                phone = people.landline()
        else:
            phone = ""
        political = ""
        if age >= 18:
            r = rng.random()
            political = "中共党员" if r < 0.07 else ("中共预备党员" if r < 0.073 else "群众")
            if age <= 28 and political == "群众" and rng.random() < 0.3:
                political = "共青团员"
        elif age >= 14:
            political = "共青团员" if rng.random() < 0.3 else "群众"
        tags = []
        if political.startswith("中共"):
            tags.append("党员")
        if age >= 65 and alone:
            tags.append("独居老人")
        elif empty_nest:
            tags.append("空巢老人")
        if age >= 80:
            tags.append("高龄老人")
        if poor and i == 0:
            tags.append("低保户")
        if alone and age >= 70 and rng.random() < 0.05:
            tags.append("特困人员")
        if rng.random() < 0.02:
            tags.append("残疾人")
        if gender == "男" and 30 <= age <= 85 and rng.random() < 0.03:
            tags.append("退役军人")
        if age < 16 and rng.random() < 0.01:
            tags.append("留守儿童")
        if age >= 18:
            for tag, rate in SENSITIVE_RATES:
                if rng.random() < rate:
                    tags.append(tag)
        moved_in = None
        if known_move_in:
            moved_in = max(birth, today - _dt.timedelta(days=move_in_days)).isoformat()
        status, status_date = "在册", None
        can_leave = i > 0 or alone
        if can_leave:
            if (age >= 75 and rng.random() < 0.15) or (age >= 60 and rng.random() < 0.02):
                status = "死亡"
            elif rng.random() < 0.035:
                status = "迁出"
            if status != "在册":
                status_date = (today - _dt.timedelta(days=rng.randrange(1, history_days))).isoformat()
                if status_date <= birth.isoformat():
                    status, status_date = "在册", None
                elif moved_in and status_date <= moved_in:
                    moved_in = None
        out.append({
            "name": family + people.given(gender), "gender": gender,
            "ethnicity": ethnicity if i == 0 or rng.random() < 0.9 else people.ethnicity(),
            "id_number": number, "birth_date": birth.isoformat(), "phone": phone, "relation": relation,
            "residence_type": residence, "political": political, "tags": tags, "status": status,
            "status_date": status_date, "moved_in_on": moved_in, "age": age,
        })
    return out
