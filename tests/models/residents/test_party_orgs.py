"""党组织设置: 联合党委 → 党支部 → 党小组 on the place hierarchy; members are residents who are
party members, or 下沉干部 (staff); the rules as a table; the roster and its PDF."""

from __future__ import annotations

import io

import pytest

from models.core.db import Operator
from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied
from models.grids import hierarchy as grids
from models.reporting import data as rd
from models.residents import party
from models.residents import records as R
import reports


@pytest.fixture
def town(ledger):
    """两个网格; 一网格 has 3号楼 and 5号楼; residents: 党员 张党员 (political status), 李标签 (tag 党员),
    群众 王群众, 迁出 赵迁出 (党员); staff: 下沉干部 陈下沉, 网格员 周网格."""
    hh3 = grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))
    hh5 = grids.ensure_place(ledger, grids.Place(None, "一网格", "5号楼", "1单元", "101"))
    grids.ensure_place(ledger, grids.Place(None, "二网格", "8号楼", "1单元", "101"))
    g1, g2 = (ledger.scalar("SELECT id FROM grids WHERE name = ?", [n]) for n in ("一网格", "二网格"))
    b3, b5, b8 = (ledger.scalar("SELECT id FROM buildings WHERE name = ?", [n]) for n in ("3号楼", "5号楼", "8号楼"))
    people = {
        "张党员": R.add_resident(ledger, {"name": "张党员", "household_id": hh3, "political_status": "中共党员"}),
        "李标签": R.add_resident(ledger, {"name": "李标签", "household_id": hh5, "tags": ["党员"]}),
        "王群众": R.add_resident(ledger, {"name": "王群众", "household_id": hh3, "political_status": "群众"}),
        "赵迁出": R.add_resident(ledger, {"name": "赵迁出", "household_id": hh3, "political_status": "中共党员",
                                          "status": "迁出", "status_date": "2026-10-01", "moved_in_on": "2020-01-01"}),
    }
    cadre = grids.add_staff(ledger, "陈下沉", "网格员", sinking_cadre=True)
    worker = grids.add_staff(ledger, "周网格", "网格员")
    return {"g1": g1, "g2": g2, "b3": b3, "b5": b5, "b8": b8, "people": people, "cadre": cadre, "worker": worker}


@pytest.fixture
def tree(ledger, town):
    top = party.add_org(ledger, "联合党委")
    branch = party.add_org(ledger, "党支部", parent_id=top, grid_id=town["g1"])
    group = party.add_org(ledger, "党小组", parent_id=branch, building_id=town["b3"])
    return {"top": top, "branch": branch, "group": group}


def test_the_tree_mirrors_the_places(ledger, town, tree):
    found = party.orgs(ledger)
    assert [(o["name"], o["depth"], o["place"]) for o in found] == [
        ("幸福社区联合党委", 0, "幸福社区"), ("一网格党支部", 1, "一网格"), ("3号楼党小组", 2, "3号楼")]


#: (call, message): the rules of the organisation, each refused
REFUSALS = [
    (lambda led, t, o: party.add_org(led, "联合党委"), "已经建立"),
    (lambda led, t, o: party.add_org(led, "党委"), "必须是联合党委、党支部、党小组之一"),
    (lambda led, t, o: party.add_org(led, "党支部", parent_id=o["top"]), "请选择党支部所在的网格"),
    (lambda led, t, o: party.add_org(led, "党支部", parent_id=o["top"], grid_id=t["g1"]), "一网格已经有党支部"),
    (lambda led, t, o: party.add_org(led, "党支部", parent_id=o["branch"], grid_id=t["g2"]), "要建在社区联合党委之下"),
    (lambda led, t, o: party.add_org(led, "党小组", parent_id=o["branch"], building_id=t["b8"]), "不在一网格党支部所在的网格"),
    (lambda led, t, o: party.add_org(led, "党小组", parent_id=o["branch"], building_id=t["b3"]), "已经有党小组"),
    (lambda led, t, o: party.add_org(led, "党小组", parent_id=o["top"], building_id=t["b5"]), "要建在网格党支部之下"),
    (lambda led, t, o: party.add_member(led, o["group"], resident_id=t["people"]["王群众"]), "政治面貌不是党员"),
    (lambda led, t, o: party.add_member(led, o["group"], resident_id=t["people"]["赵迁出"]), "已迁出"),
    (lambda led, t, o: party.add_member(led, o["group"], staff_id=t["worker"]), "不是下沉干部"),
    (lambda led, t, o: party.add_member(led, o["group"]), "请选择一位党员居民或一位下沉干部"),
    (lambda led, t, o: party.add_member(led, o["group"], staff_id=t["cadre"], duty="组长"), "职务必须是"),
    (lambda led, t, o: party.delete_org(led, o["branch"]), "下还有党组织"),
]


@pytest.mark.parametrize("call, message", REFUSALS)
def test_refusals(ledger, town, tree, call, message):
    with pytest.raises(ValidationError, match=message):
        call(ledger, town, tree)


def test_members_are_residents_and_cadres_never_retyped(ledger, town, tree):
    group, people = tree["group"], town["people"]
    secretary = party.add_member(ledger, group, resident_id=people["张党员"], duty="书记")
    party.add_member(ledger, group, staff_id=town["cadre"], duty="委员")
    with pytest.raises(ValidationError, match="3号楼党小组已经有书记"):
        party.add_member(ledger, group, resident_id=people["李标签"], duty="书记")
    party.add_member(ledger, group, resident_id=people["李标签"])
    with pytest.raises(ValidationError, match="已经是3号楼党小组的成员"):
        party.add_member(ledger, group, resident_id=people["张党员"])
    rows = party.members(ledger, group)
    assert [(m["duty"], m["name"], m["kind"]) for m in rows] == [
        ("书记", "张党员", "党员居民"), ("委员", "陈下沉", "下沉干部"), ("成员", "李标签", "党员居民")]
    assert rows[0]["place"] == "一网格 3号楼"
    # the member is the resident: a correction of the resident shows at once
    R.update_resident(ledger, people["张党员"], {"name": "张党圆"})
    assert party.orgs(ledger)[2]["secretary"] == "张党圆"
    party.set_duty(ledger, secretary, "成员")
    assert party.orgs(ledger)[2]["secretary"] is None
    with pytest.raises(ValidationError, match="还有成员"):
        party.delete_org(ledger, group)
    assert [c["name"] for c in party.candidates(ledger, group)] == []    # everyone eligible is in
    assert {c["name"] for c in party.candidates(ledger, tree["top"])} == {"陈下沉", "张党圆", "李标签"}


def test_grid_staff_may_and_the_supervisor_may_not(ledger, town):
    ledger.operator = Operator("督导", role="督导员")
    with pytest.raises(PermissionDenied):
        party.add_org(ledger, "联合党委")


def test_the_roster_prints(ledger, town, tree, tmp_path):
    party.add_member(ledger, tree["top"], staff_id=town["cadre"], duty="书记")
    party.add_member(ledger, tree["group"], resident_id=town["people"]["张党员"], duty="书记")
    data = rd.gather(ledger, rd.ReportRequest("party"))
    assert type(data) is party.PartyRosterData and data.title == "幸福社区党组织设置一览表"
    assert data.totals == [("社区联合党委", "1 个"), ("网格党支部", "1 个"), ("楼栋党小组", "1 个"),
                           ("党员居民（人次）", "1 人"), ("下沉干部（人次）", "1 人")]
    assert [(o.name, o.secretary, len(o.members)) for o in data.orgs] == [
        ("幸福社区联合党委", "陈下沉", 1), ("一网格党支部", "", 0), ("3号楼党小组", "张党员", 1)]
    out = io.BytesIO()
    assert reports.render(data, out) == 1
    from pypdf import PdfReader
    text = PdfReader(out).pages[0].extract_text()
    for word in ("党组织设置一览表", "幸福社区联合党委", "一网格党支部", "（未配备书记）", "张党员", "下沉干部"):
        assert word in text


def test_an_empty_ledger_prints_a_roster_that_says_so(ledger):
    data = rd.gather(ledger, rd.ReportRequest("party"))
    out = io.BytesIO()
    reports.render(data, out)
    from pypdf import PdfReader
    assert "尚未建立党组织" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize("text, found", [
    ("张" * 20000, set()),           # a pasted page: no "LIKE or GLOB pattern too complex"
    ("%", set()), ("_", set()),       # match themselves
    ("\u200b陈\x00下沉", {"陈下沉"}),   # invisible and control characters dropped
    ("", {"陈下沉", "张党员", "李标签"}),
])
def test_candidates_take_any_text(ledger, town, tree, text, found):
    assert {c["name"] for c in party.candidates(ledger, tree["top"], text)} == found
