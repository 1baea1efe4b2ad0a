"""A 网格员 sees only the grids of their account (issue 10): search, lists, counts, home figures,
exports, import rows and printouts contain nothing from other grids — applied below the UI."""

import csv

import pytest

from models.core import accounts as A
from models.core.db import Operator
from models.core.permissions import PermissionDenied
from models.importing import import_file
from models.importing.residents import SPEC as RESIDENTS_SPEC
from models.matters import records as M
from models.meetings import records as MT
from models.reporting import data as RD
from models.residents import export as RE
from models.residents import records as R
from models.residents import search as S
from models.visits import records as V
from models.volunteers import activities as ACT
from models.grids import hierarchy as H
from tests.models.helpers_residents import household, person_id
from tests.models.import_books import ledger_book, row


@pytest.fixture
def two_grids(ledger):
    """第一网格 with 张一 (and a matter, a visit, a meeting, an activity); 第二网格 the same with 王二."""
    out = {}
    for grid, person in (("第一网格", "张一"), ("第二网格", "王二")):
        hh = household(ledger, grid=grid, building=f"{grid}楼")
        rid = R.add_resident(ledger, {"name": person, "gender": "男", "id_number": person_id(),
                                      "household_id": hh, "relation": "户主", "tags": ["独居老人"]})
        grid_id = ledger.scalar("SELECT grid_id FROM households WHERE id = ?", [hh])
        mid = M.register_matter(ledger, {"source": "来电", "category": "路灯照明", "level": "小事",
                                         "description": f"{grid}路灯不亮", "household_id": hh})
        vid = V.record_visit(ledger, visited_on="2026-10-10", staff_name=f"{grid}网格员", way="入户",
                             household_ids=[hh], notes=f"走访{person}")
        MT.add_meeting(ledger, {"kind": "联席会议", "level": "网格", "grid_id": grid_id,
                                "held_at": "2026-10-12 09:00", "topic": f"{grid}议题"})
        ACT.add_activity(ledger, ACT.ActivityData(title=f"{grid}义诊", on_date="2026-10-11", grid_id=grid_id))
        out[grid] = {"grid": grid_id, "resident": rid, "matter": mid, "visit": vid, "name": person}
    A.create_first_admin(ledger, username="admin", display_name="王主任", password="admin-pass1")
    A.create_user(ledger, username="grid1", display_name="张网格员", role="网格员", password="grid-pass1",
                  grid_ids=[out["第一网格"]["grid"]], must_change_password=False)
    A.authenticate(ledger, "grid1", "grid-pass1")
    return out


def test_the_operator_is_scoped(ledger, two_grids):
    assert ledger.operator.scoped_grids == frozenset({two_grids["第一网格"]["grid"]})


@pytest.mark.parametrize("text", ["", "张", "王", "王二", "zy", "第二网格楼"])
def test_resident_search_and_count(ledger, two_grids, text):
    flt = S.ResidentFilter(text=text)
    rows, _ = S.search_page(ledger, flt)
    assert {r["name"] for r in rows} <= {"张一"}
    assert S.count(ledger, flt) == len(rows)
    assert list(S.iter_ids(ledger, flt)) == [r["id"] for r in rows]
    # another grid picked explicitly in the filter: still nothing
    other = S.ResidentFilter(text=text, grid_id=two_grids["第二网格"]["grid"])
    assert S.search_page(ledger, other)[0] == [] and S.count(ledger, other) == 0


def test_the_admin_sees_both(ledger, two_grids):
    A.authenticate(ledger, "admin", "admin-pass1")
    assert S.count(ledger, S.ResidentFilter()) == 2
    assert M.count(ledger) == 2 and len(V.search_page(ledger)[0]) == 2


def test_lists_counts_and_home_figures(ledger, two_grids):
    mine, theirs = two_grids["第一网格"], two_grids["第二网格"]
    assert [m["id"] for m in M.search_page(ledger)[0]] == [mine["matter"]]
    assert M.count(ledger) == 1
    assert M.count(ledger, M.MatterFilter(grid_id=theirs["grid"])) == 0
    home = M.home_summary(ledger)
    assert sum(home["by_level"].values()) == 1
    assert sum(t["registered"] for t in home["trend"]) == 1
    assert [v["id"] for v in V.search_page(ledger)[0]] == [mine["visit"]] and V.count(ledger) == 1
    assert [m["topic"] for m in MT.list_meetings(ledger)] == ["第一网格议题"]
    assert [a["title"] for a in ACT.activities_page(ledger, ACT.ActivityFilter())] == ["第一网格义诊"]
    assert ACT.activities_totals(ledger, ACT.ActivityFilter())["activities"] == 1
    assert [g["name"] for g in H.grids(ledger)] == ["第一网格"]
    assert [g["name"] for g in H.grid_summaries(ledger)] == ["第一网格"]


def test_records_of_another_grid_are_refused_by_id(ledger, two_grids):
    theirs = two_grids["第二网格"]
    with pytest.raises(PermissionDenied):
        R.get_resident(ledger, theirs["resident"])
    with pytest.raises(PermissionDenied):
        M.get_matter(ledger, theirs["matter"])
    with pytest.raises(PermissionDenied):
        V.get_visit(ledger, theirs["visit"])
    with pytest.raises(PermissionDenied):       # … and so is handling it
        M.apply_action(ledger, theirs["matter"], "分派", assignee_name="李强")
    assert R.get_resident(ledger, two_grids["第一网格"]["resident"])["name"] == "张一"


def test_export_holds_only_their_grid(ledger, two_grids, tmp_path):
    out = tmp_path / "居民.csv"
    assert RE.export_residents(ledger, out) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert "张一" in text and "王二" not in text


def test_export_titles_name_their_grid(ledger, two_grids, tmp_path):
    from models.importing.matters import export_matters

    RE.export_residents(ledger, tmp_path / "r.csv")
    export_matters(ledger, tmp_path / "m.csv", "2026-10")
    for name, subject in (("r.csv", "幸福社区居民台账"), ("m.csv", "幸福社区民情事项台账　登记月份：2026-10")):
        title = next(csv.reader((tmp_path / name).open(encoding="utf-8-sig")))[0]
        assert title.startswith(subject) and "范围：第一网格" in title and "第二网格" not in title
        assert title.endswith("张网格员")


def test_printouts_hold_only_their_grid(ledger, two_grids):
    with pytest.raises(PermissionDenied):
        RD.resident_roster(ledger, two_grids["第二网格"]["grid"], as_of="2026-10-31")
    roster = RD.resident_roster(ledger, two_grids["第一网格"]["grid"], as_of="2026-10-31")
    assert [r.name for g in roster.groups for r in g.rows] == ["张一"]
    special = RD.special_roster(ledger, as_of="2026-10-31")
    assert {p.name for g in special.groups for p in g.rows} == {"张一"}


def test_import_rows_for_another_grid_are_rejected_with_row_and_reason(ledger, two_grids, tmp_path):
    book = ledger_book(tmp_path / "import.xlsx", {"居民": [
        row(1, "新甲", id_number=person_id(1990), grid="第一网格", building="第一网格楼"),
        row(2, "新乙", id_number=person_id(1991), grid="第二网格", building="第二网格楼"),
    ]})
    plan, summary = import_file(ledger, book, RESIDENTS_SPEC)
    rejected = plan.rejected()
    assert len(rejected) == 1
    assert rejected[0].messages == ["所属网格“第二网格”不是您负责的网格，网格员只能导入自己网格的数据。"]
    assert rejected[0].row_number == 5 and rejected[0].sheet == "居民"      # title, 填报单位, header, 新甲, 新乙
    names = {r["name"] for r in ledger.query("SELECT name FROM residents")}
    assert "新甲" in names and "新乙" not in names


def test_a_grid_staff_operator_without_grids_sees_nothing(ledger, two_grids):
    ledger.operator = Operator("无网格", role="网格员")
    assert S.count(ledger, S.ResidentFilter()) == 0 and M.count(ledger) == 0 and H.grids(ledger) == []


def test_matter_visit_and_activity_exports_hold_only_their_grid(ledger, two_grids, tmp_path):
    from models.importing.matters import export_matters
    from models.importing.visits import export_visits

    assert export_matters(ledger, tmp_path / "m.csv") == 1
    assert export_visits(ledger, tmp_path / "v.csv") == 1
    ACT.export_activities(ledger, tmp_path / "a.csv", date_from="2026-01-01", date_to="2026-12-31")
    for name in ("m.csv", "v.csv", "a.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert "第二网格" not in text and "王二" not in text, name
    assert "第一网格" in (tmp_path / "m.csv").read_text(encoding="utf-8-sig")


def test_writes_in_another_grid_are_refused(ledger, two_grids):
    theirs = two_grids["第二网格"]
    other_household = ledger.scalar("SELECT household_id FROM residents WHERE id = ?", [theirs["resident"]])
    mine_household = ledger.scalar("SELECT household_id FROM residents WHERE id = ?",
                                   [two_grids["第一网格"]["resident"]])
    with pytest.raises(PermissionDenied):
        R.add_resident(ledger, {"name": "新人", "household_id": other_household, "relation": "子"})
    with pytest.raises(PermissionDenied):
        R.update_resident(ledger, theirs["resident"], {"phone": "13800000009"})
    with pytest.raises(PermissionDenied):    # nor move one of theirs into another grid
        R.update_resident(ledger, two_grids["第一网格"]["resident"], {"household_id": other_household})
    with pytest.raises(PermissionDenied):
        M.register_matter(ledger, {"source": "来电", "category": "路灯照明", "level": "小事",
                                   "description": "灯不亮", "household_id": other_household})
    with pytest.raises(PermissionDenied):
        V.record_visit(ledger, visited_on="2026-10-10", staff_name="某人", way="入户",
                       household_ids=[other_household])
    with pytest.raises(PermissionDenied):    # nor one without a household (outside every grid)
        R.add_resident(ledger, {"name": "无户的人"})
    assert R.add_resident(ledger, {"name": "新人", "household_id": mine_household, "relation": "子"})


def test_the_other_printouts_cover_only_their_grid(ledger, two_grids):
    mine, theirs = two_grids["第一网格"], two_grids["第二网格"]
    patrol = RD.patrol_log(ledger, "2026-10-01", "2026-10-31")          # no grid chosen: theirs
    assert {r.grid for r in patrol.rows} == {"第一网格"}
    disputes = RD.matters_ledger(ledger, "2026-10-01", "2026-10-31")
    assert "第二网格" not in repr(disputes)
    service = RD.service_ledger(ledger, "2026-10-01", "2026-10-31")
    assert "第二网格" not in repr(service)
    for fn in (RD.patrol_log, RD.matters_ledger, RD.service_ledger):
        with pytest.raises(PermissionDenied):
            fn(ledger, "2026-10-01", "2026-10-31", grid_id=theirs["grid"])
    A.authenticate(ledger, "admin", "admin-pass1")
    assert {r.grid for r in RD.patrol_log(ledger, "2026-10-01", "2026-10-31").rows} == {"第一网格", "第二网格"}
    assert mine
