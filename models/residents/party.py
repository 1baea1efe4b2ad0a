"""党组织设置: the party organisation mirroring the place hierarchy (issue 13).

社区联合党委 (one per ledger) → 网格党支部 (one per grid) → 楼栋党小组 (one per building of
the branch's grid).  The rules are the table :data:`LEVELS`.  Each organisation has members
with a duty (书记 at most one, 副书记, 委员, 成员); a member is either

* a **resident** who is a party member (政治面貌 中共党员 / 中共预备党员, or the tag 党员),
  still 在册 — the resident's record, never retyped; or
* a **下沉干部**: a staff record flagged ``sinking_cadre`` (cadres sent down from 机关 and
  units; they need not live here, so they are staff, linked to a resident only when they do).

Permission ``records.edit`` (the office and grid staff keep these records); audited.
:func:`roster` gathers the 党组织设置一览表 as plain data for ``reports.party``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.filters import clean_search, like_pattern
from models.core.ops import operation


@dataclass(frozen=True)
class Level:
    """One level of the organisation: its kind, the kind of its parent, and its place."""

    kind: str
    title: str
    parent: str | None
    place: str          # "community" / "grid" / "building"


#: 联合党委 → 党支部 → 党小组, each on its level of the place hierarchy
LEVELS: dict[str, Level] = {lv.kind: lv for lv in (
    Level("联合党委", "社区联合党委", None, "community"),
    Level("党支部", "网格党支部", "联合党委", "grid"),
    Level("党小组", "楼栋党小组", "党支部", "building"),
)}
#: duties in printing order; 书记 at most one per organisation
DUTIES = ("书记", "副书记", "委员", "成员")
PARTY_STATUSES = ("中共党员", "中共预备党员")


def _org(ledger: Ledger, org_id: int) -> dict:
    return ledger.one("SELECT * FROM party_orgs WHERE id = ?", [org_id], missing=f"党组织不存在（编号 {org_id}）。")


@operation("records.edit", "grids")
def add_org(ledger: Ledger, kind: str, *, name: str | None = None, parent_id: int | None = None,
            grid_id: int | None = None, building_id: int | None = None) -> int:
    """Set up a 联合党委, a grid's 党支部 or a building's 党小组 (named after its place by default).

    Raises:
        ValidationError: an unknown kind; a second 联合党委; a branch without its grid or a
            second one for a grid; a group whose building is not in its branch's grid; a name taken.
    """
    level = LEVELS.get(kind)
    if level is None:
        raise ValidationError(f"党组织类型必须是{'、'.join(LEVELS)}之一。", field="kind")
    record: dict = {"kind": kind, "parent_id": None, "grid_id": None, "building_id": None}
    if level.parent:
        parent = _org(ledger, parent_id) if parent_id else None
        if parent is None or parent["kind"] != level.parent:
            raise ValidationError(f"{level.title}要建在{LEVELS[level.parent].title}之下。", field="parent_id")
        record["parent_id"] = parent_id
    if level.place == "community":
        if ledger.scalar("SELECT 1 FROM party_orgs WHERE kind = '联合党委'"):
            raise ValidationError("社区联合党委已经建立。", field="kind")
        default = f"{ledger.community_name or '社区'}联合党委"
    elif level.place == "grid":
        grid = ledger.query("SELECT id, name FROM grids WHERE id = ?", [grid_id]) if grid_id else []
        if not grid:
            raise ValidationError("请选择党支部所在的网格。", field="grid_id")
        if ledger.scalar("SELECT 1 FROM party_orgs WHERE kind = '党支部' AND grid_id = ?", [grid_id]):
            raise ValidationError(f"{grid[0]['name']}已经有党支部。", field="grid_id")
        record["grid_id"] = grid_id
        default = f"{grid[0]['name']}党支部"
    else:
        building = ledger.query("SELECT b.id, b.name, b.compound, b.grid_id FROM buildings b WHERE b.id = ?",
                                [building_id]) if building_id else []
        if not building:
            raise ValidationError("请选择党小组所在的楼栋。", field="building_id")
        branch = _org(ledger, parent_id)
        if building[0]["grid_id"] != branch["grid_id"]:
            raise ValidationError(f"该楼栋不在{branch['name']}所在的网格。", field="building_id")
        if ledger.scalar("SELECT 1 FROM party_orgs WHERE kind = '党小组' AND building_id = ?", [building_id]):
            raise ValidationError("该楼栋已经有党小组。", field="building_id")
        record["building_id"] = building_id
        default = f"{building[0]['compound']}{building[0]['name']}党小组"
    record["name"] = " ".join((name or "").split()) or default
    if ledger.scalar("SELECT 1 FROM party_orgs WHERE name = ?", [record["name"]]):
        raise ValidationError(f"党组织“{record['name']}”已经存在。", field="name")
    org_id = ledger.db["party_orgs"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "party_orgs", org_id, None, record)
    return org_id


@operation("records.edit", "grids")
def delete_org(ledger: Ledger, org_id: int) -> None:
    """Remove an organisation set up by mistake: only one without members or organisations under it."""
    org = _org(ledger, org_id)
    if ledger.scalar("SELECT 1 FROM party_orgs WHERE parent_id = ?", [org_id]):
        raise ValidationError(f"{org['name']}下还有党组织，不能删除。")
    if ledger.scalar("SELECT 1 FROM party_members WHERE org_id = ?", [org_id]):
        raise ValidationError(f"{org['name']}还有成员，不能删除。")
    ledger.conn.execute("DELETE FROM party_orgs WHERE id = ?", [org_id])
    ledger.audit("删除", "party_orgs", org_id, org, None)


def is_party_member(ledger: Ledger, resident_id: int) -> bool:
    """政治面貌 中共党员 / 中共预备党员, or the tag 党员."""
    return bool(ledger.scalar(
        "SELECT r.political_status IN ('中共党员', '中共预备党员') OR EXISTS (SELECT 1 FROM resident_tags rt"
        " JOIN tags t ON t.id = rt.tag_id WHERE rt.resident_id = r.id AND t.name = '党员')"
        " FROM residents r WHERE r.id = ?", [resident_id]))


@operation("records.edit", "grids")
def add_member(ledger: Ledger, org_id: int, *, resident_id: int | None = None, staff_id: int | None = None,
               duty: str = "成员") -> int:
    """Add a resident who is a party member, or a 下沉干部 (staff), to an organisation.

    Raises:
        ValidationError: neither or both; a resident not 在册 or not a party member; staff not
            flagged 下沉干部; already a member; a second 书记; an unknown duty.
    """
    org = _org(ledger, org_id)
    if (resident_id is None) == (staff_id is None):
        raise ValidationError("请选择一位党员居民或一位下沉干部。", field="member")
    if duty not in DUTIES:
        raise ValidationError(f"职务必须是{'、'.join(DUTIES)}之一。", field="duty")
    if resident_id is not None:
        person = ledger.one("SELECT id, name, status FROM residents WHERE id = ?", [resident_id],
                            missing="所选的居民不存在。")
        if person["status"] != "在册":
            raise ValidationError(f"{person['name']}已{person['status']}，不能加入党组织。", field="member")
        if not is_party_member(ledger, resident_id):
            raise ValidationError(f"{person['name']}的政治面貌不是党员（也没有“党员”标签），"
                                  f"请先在居民台账中核实。", field="member")
        taken = ledger.scalar("SELECT 1 FROM party_members WHERE org_id = ? AND resident_id = ?", [org_id, resident_id])
        who = person["name"]
    else:
        person = ledger.one("SELECT id, name, sinking_cadre FROM staff WHERE id = ?", [staff_id],
                            missing="所选的工作人员不存在。")
        if not person["sinking_cadre"]:
            raise ValidationError(f"{person['name']}不是下沉干部；住在本社区的党员请作为居民加入。", field="member")
        taken = ledger.scalar("SELECT 1 FROM party_members WHERE org_id = ? AND staff_id = ?", [org_id, staff_id])
        who = person["name"]
    if taken:
        raise ValidationError(f"{who}已经是{org['name']}的成员。", field="member")
    if duty == "书记" and ledger.scalar("SELECT 1 FROM party_members WHERE org_id = ? AND duty = '书记'", [org_id]):
        raise ValidationError(f"{org['name']}已经有书记。", field="duty")
    record = {"org_id": org_id, "resident_id": resident_id, "staff_id": staff_id, "duty": duty}
    member_id = ledger.db["party_members"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.audit("新增", "party_members", member_id, None, record | {"name": who})
    return member_id


@operation("records.edit", "grids")
def set_duty(ledger: Ledger, member_id: int, duty: str) -> None:
    """Change a member's duty (书记 at most one per organisation)."""
    member = ledger.one("SELECT * FROM party_members WHERE id = ?", [member_id], missing="该成员不存在。")
    if duty not in DUTIES:
        raise ValidationError(f"职务必须是{'、'.join(DUTIES)}之一。", field="duty")
    if duty == "书记" and ledger.scalar("SELECT 1 FROM party_members WHERE org_id = ? AND duty = '书记' AND id <> ?",
                                        [member["org_id"], member_id]):
        raise ValidationError("该党组织已经有书记。", field="duty")
    if duty != member["duty"]:
        ledger.db["party_members"].update(member_id, ledger.stamp({"duty": duty}, creating=False))
        ledger.audit("修改", "party_members", member_id, {"duty": member["duty"]}, {"duty": duty})


@operation("records.edit", "grids")
def remove_member(ledger: Ledger, member_id: int) -> None:
    """Take a member off an organisation (the resident or staff record stays)."""
    member = ledger.one("SELECT * FROM party_members WHERE id = ?", [member_id], missing="该成员不存在。")
    ledger.conn.execute("DELETE FROM party_members WHERE id = ?", [member_id])
    ledger.audit("删除", "party_members", member_id, member, None)


# -- reading -------------------------------------------------------------------------------------

def orgs(ledger: Ledger) -> list[dict]:
    """Every organisation in tree order (联合党委, then each 党支部 followed by its 党小组), with
    ``depth``, ``place`` (grid or building), ``secretary`` and ``members`` (count)."""
    rows = ledger.query(
        "SELECT o.id, o.kind, o.name, o.parent_id, o.grid_id, o.building_id,"
        " COALESCE(g.name, bg.name, '') AS grid_name,"
        " COALESCE(b.compound || b.name, '') AS building_name,"
        " (SELECT COUNT(*) FROM party_members pm WHERE pm.org_id = o.id) AS members,"
        " (SELECT COALESCE(r.name, s.name) FROM party_members pm LEFT JOIN residents r ON r.id = pm.resident_id"
        "   LEFT JOIN staff s ON s.id = pm.staff_id WHERE pm.org_id = o.id AND pm.duty = '书记') AS secretary"
        " FROM party_orgs o LEFT JOIN grids g ON g.id = o.grid_id LEFT JOIN buildings b ON b.id = o.building_id"
        " LEFT JOIN grids bg ON bg.id = b.grid_id ORDER BY o.id")
    children: dict[int | None, list[dict]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    out: list[dict] = []

    def walk(parent, depth):
        for row in sorted(children.get(parent, []), key=lambda r: (r["grid_name"], r["building_name"], r["id"])):
            row["depth"] = depth
            row["place"] = row["building_name"] or row["grid_name"] or ledger.community_name
            out.append(row)
            walk(row["id"], depth + 1)

    walk(None, 0)
    return out


def members(ledger: Ledger, org_id: int) -> list[dict]:
    """An organisation's members by duty: id, name, duty, gender, birth_date, kind (党员 / 下沉干部),
    where (their household's grid and building, or 下沉干部's unit note), political_status."""
    rows = ledger.query(
        "SELECT pm.id, pm.duty, pm.resident_id, pm.staff_id,"
        " COALESCE(r.name, s.name) AS name, COALESCE(r.gender, sr.gender, '') AS gender,"
        " COALESCE(r.birth_date, sr.birth_date) AS birth_date,"
        " CASE WHEN pm.staff_id IS NULL THEN '党员居民' ELSE '下沉干部' END AS kind,"
        " COALESCE(r.political_status, sr.political_status, '') AS political_status,"
        " COALESCE(g.name || ' ' || COALESCE(b.compound || b.name, ''), s.notes, '') AS place"
        " FROM party_members pm LEFT JOIN residents r ON r.id = pm.resident_id"
        " LEFT JOIN staff s ON s.id = pm.staff_id LEFT JOIN residents sr ON sr.id = s.resident_id"
        " LEFT JOIN grids g ON g.id = r.grid_id LEFT JOIN buildings b ON b.id = r.building_id"
        " WHERE pm.org_id = ?", [org_id])
    rows.sort(key=lambda m: (DUTIES.index(m["duty"]) if m["duty"] in DUTIES else 9, m["name"]))
    return rows


def candidates(ledger: Ledger, org_id: int, text: str = "", limit: int = 30) -> list[dict]:
    """Who may be added: 在册 party-member residents (of the branch's grid, of the group's
    building) and 下沉干部 staff, not yet members, matching ``text``: id, name, kind, detail."""
    org = _org(ledger, org_id)
    like = like_pattern(clean_search(text))
    if org["building_id"]:
        where_grid, place = " AND r.building_id = ?", [org["building_id"]]
    elif org["grid_id"]:
        where_grid, place = " AND r.grid_id = ?", [org["grid_id"]]
    else:
        where_grid, place = "", []
    params = [like] + place + [org_id, limit]
    people = ledger.query(
        "SELECT r.id, r.name, 'resident' AS kind, COALESCE(g.name, '') || ' ' || COALESCE(b.compound || b.name, '')"
        " AS detail FROM residents r LEFT JOIN grids g ON g.id = r.grid_id LEFT JOIN buildings b ON b.id = r.building_id"
        " WHERE r.status = '在册' AND r.name LIKE ? ESCAPE '\\'" + where_grid +
        " AND (r.political_status IN ('中共党员', '中共预备党员') OR EXISTS (SELECT 1 FROM resident_tags rt"
        " JOIN tags t ON t.id = rt.tag_id WHERE rt.resident_id = r.id AND t.name = '党员'))"
        " AND NOT EXISTS (SELECT 1 FROM party_members pm WHERE pm.org_id = ? AND pm.resident_id = r.id)"
        " ORDER BY r.name, r.id LIMIT ?", params)
    staff = ledger.query(
        "SELECT s.id, s.name, 'staff' AS kind, '下沉干部' AS detail FROM staff s WHERE s.sinking_cadre = 1"
        " AND s.active = 1 AND s.name LIKE ? ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM party_members pm"
        " WHERE pm.org_id = ? AND pm.staff_id = s.id) ORDER BY s.name LIMIT ?", [like, org_id, limit])
    return staff + people


@dataclass
class RosterOrg:
    """One organisation of the 党组织设置一览表."""

    kind: str
    title: str
    name: str
    depth: int
    place: str
    secretary: str
    members: list[dict] = field(default_factory=list)


@dataclass
class PartyRosterData:
    """Everything the 党组织设置一览表 prints (``reports.party``)."""

    community_name: str
    title: str
    issuing_body: str
    as_of: str
    orgs: list[RosterOrg]
    totals: list[tuple[str, str]]


def roster(ledger: Ledger, issuing_body: str) -> PartyRosterData:
    """The 党组织设置一览表 as of the ledger's today (organisations in tree order, members by duty)."""
    found = []
    people = cadres = 0
    for org in orgs(ledger):
        rows = members(ledger, org["id"])
        people += sum(1 for m in rows if m["kind"] == "党员居民")
        cadres += sum(1 for m in rows if m["kind"] == "下沉干部")
        found.append(RosterOrg(kind=org["kind"], title=LEVELS[org["kind"]].title, name=org["name"],
                               depth=org["depth"], place=org["place"], secretary=org["secretary"] or "",
                               members=rows))
    counts = {k: sum(1 for o in found if o.kind == k) for k in LEVELS}
    totals = [(LEVELS[k].title, f"{n} 个") for k, n in counts.items()]
    totals += [("党员居民（人次）", f"{people} 人"), ("下沉干部（人次）", f"{cadres} 人")]
    name = ledger.community_name
    return PartyRosterData(community_name=name, title=f"{name}党组织设置一览表", issuing_body=issuing_body,
                           as_of=ledger.now().strftime("%Y-%m-%d"), orgs=found, totals=totals)
