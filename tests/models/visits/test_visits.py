"""走访: recording visits to several households, problems found becoming matters, the list."""

import pytest

from models.grids import hierarchy as grids
from models.matters import records as matters
from models.visits import records as V
from models.core.errors import NotFound, ValidationError


@pytest.fixture
def place(ledger):
    rooms = [grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", unit, room))
             for unit in ("1单元", "2单元") for room in ("101", "102", "201")]
    other = grids.ensure_place(ledger, grids.Place(None, "二网格", "9号楼", "1单元", "101"))
    staff = grids.add_staff(ledger, "王芳", "网格员")
    return {"rooms": rooms, "other": other, "staff": staff}


def test_record_visit_to_several_households(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                              household_ids=place["rooms"][:3], notes="了解独居老人情况")
    visit = V.get_visit(ledger, visit_id)
    assert visit["staff_name"] == "王芳"
    assert visit["grid_name"] == "一网格"
    assert visit["household_ids"] == place["rooms"][:3]
    assert [h["label"] for h in visit["households"]] == ["3号楼1单元101", "3号楼1单元102", "3号楼1单元201"]
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'visits'") == 1


def test_staff_kept_by_name(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026/10/14", staff_name="临时志愿者", way="电话",
                              household_ids=[place["rooms"][0]])
    visit = V.get_visit(ledger, visit_id)
    assert (visit["staff_id"], visit["staff_name"], visit["visited_on"]) == (None, "临时志愿者", "2026-10-14")


@pytest.mark.parametrize("kwargs,field", [
    ({"visited_on": "2026-10-16"}, "visited_on"),
    ({"visited_on": "十月"}, "visited_on"),
    ({"way": "上门"}, "way"),
    ({"staff_id": None, "staff_name": ""}, "staff_id"),
    ({"staff_id": 99}, "staff_id"),
    ({"household_ids": []}, "household_ids"),
    ({"household_ids": [12345]}, "household_ids"),
    ({"household_ids": "mixed"}, "household_ids"),
])
def test_bad_visits_rejected(ledger, place, kwargs, field):
    args = {"visited_on": "2026-10-15", "staff_id": place["staff"], "way": "入户",
            "household_ids": place["rooms"][:2]}
    if kwargs.get("household_ids") == "mixed":
        kwargs = {"household_ids": [place["rooms"][0], place["other"]]}
    args.update(kwargs)
    with pytest.raises(ValidationError) as err:
        V.record_visit(ledger, **args)
    assert err.value.field == field
    assert ledger.scalar("SELECT COUNT(*) FROM visits") == 0


def test_problem_becomes_matter_in_one_step(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                              household_ids=[place["rooms"][1]])
    matter_id = V.visit_problem_to_matter(ledger, visit_id, {"category": "安全隐患", "level": "小事",
                                                             "description": "楼道电动车充电"})
    matter = matters.get_matter(ledger, matter_id)
    assert (matter["source"], matter["visit_id"], matter["household_id"]) == ("巡查走访", visit_id,
                                                                            place["rooms"][1])
    assert matter["location_text"] == "3号楼1单元102"
    assert (matter["state"], matter["assignee_name"]) == ("已分派", "王芳")
    assert V.get_visit(ledger, visit_id)["matter_ids"] == [matter_id]


def test_problem_household_must_be_visited(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                              household_ids=place["rooms"][:2])
    with pytest.raises(ValidationError, match="不在这次走访"):
        V.visit_problem_to_matter(ledger, visit_id, {"category": "其他", "level": "小事", "description": "x",
                                                     "household_id": place["rooms"][4]})
    # several households and none chosen: the matter belongs to the visit's grid
    matter_id = V.visit_problem_to_matter(ledger, visit_id, {"category": "其他", "level": "小事",
                                                             "description": "楼道灯坏"})
    assert matters.get_matter(ledger, matter_id)["household_id"] is None
    with pytest.raises(NotFound):
        V.visit_problem_to_matter(ledger, 999, {"category": "其他", "level": "小事", "description": "x"})


def test_households_of_building(ledger, place):
    building = ledger.scalar("SELECT building_id FROM households WHERE id = ?", [place["rooms"][0]])
    rows = V.households_of_building(ledger, building)
    assert [(r["unit"], r["room"]) for r in rows] == [("1单元", "101"), ("1单元", "102"), ("1单元", "201"),
                                                     ("2单元", "101"), ("2单元", "102"), ("2单元", "201")]


def test_update_visit(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                              household_ids=place["rooms"][:2])
    V.update_visit(ledger, visit_id, way="电话", household_ids=place["rooms"][2:4], notes="改")
    visit = V.get_visit(ledger, visit_id)
    assert (visit["way"], visit["household_ids"], visit["notes"]) == ("电话", place["rooms"][2:4], "改")


@pytest.fixture
def logbook(ledger, place, clock):
    other_staff = grids.add_staff(ledger, "李强", "网格员")
    ids = []
    for day in range(1, 13):
        ids.append(V.record_visit(
            ledger, visited_on=f"2026-10-{day:02d}", staff_id=place["staff"] if day % 2 else other_staff,
            way=V.WAYS[day % 3], household_ids=[place["rooms"][day % 6]], notes=f"第{day}次走访"))
    ids.append(V.record_visit(ledger, visited_on="2026-10-05", staff_id=place["staff"], way="入户",
                              household_ids=[place["other"]], notes="二网格 独居老人"))
    return {"ids": ids, "other_staff": other_staff}


@pytest.mark.parametrize("flt,expected", [
    (V.VisitFilter(), 13),
    (V.VisitFilter(date_from="2026-10-05", date_to="2026-10-06"), 3),
    (V.VisitFilter(way="入户"), 5),
    (V.VisitFilter(text="独居"), 1),
    (V.VisitFilter(text="第1"), 4),
])
def test_visit_filters(ledger, logbook, flt, expected):
    assert V.count(ledger, flt) == expected
    rows, _ = V.search_page(ledger, flt)
    assert len(rows) == expected


def test_visit_filter_by_staff_and_grid(ledger, logbook, place):
    assert V.count(ledger, V.VisitFilter(staff_id=logbook["other_staff"])) == 6
    grid2 = ledger.scalar("SELECT grid_id FROM households WHERE id = ?", [place["other"]])
    rows, _ = V.search_page(ledger, V.VisitFilter(grid_id=grid2))
    assert [(r["grid_name"], r["households"], r["household_count"]) for r in rows] == [
        ("二网格", "9号楼1单元101", 1)]


def test_visit_paging(ledger, logbook):
    seen, cursor = [], None
    while True:
        rows, cursor = V.search_page(ledger, V.VisitFilter(), after=cursor, limit=5)
        seen += rows
        if cursor is None:
            break
    assert sorted(r["id"] for r in seen) == sorted(logbook["ids"])
    keys = [(r["visited_on"], r["id"]) for r in seen]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize("cap", [5000, 0])
@pytest.mark.parametrize("text,expected", [("第1", 4), ("第12次", 1), ("独居", 1), ("王芳", 7), ("李", 6),
                                           ("火星", 0), ("次第", 0)])
def test_visit_text_routes_agree(ledger, logbook, monkeypatch, cap, text, expected):
    monkeypatch.setattr(V, "SEARCH_CAP", cap)
    flt = V.VisitFilter(text=text)
    assert len(V.search_page(ledger, flt)[0]) == expected
    assert V.count(ledger, flt) == expected
    assert V.count(ledger, flt, cap=2) == min(2, expected)


def test_visit_search_index_follows_edits(ledger, logbook):
    visit_id = logbook["ids"][0]
    V.update_visit(ledger, visit_id, notes="发现楼道杂物")
    assert [r["id"] for r in V.search_page(ledger, V.VisitFilter(text="杂物"))[0]] == [visit_id]
    assert V.count(ledger, V.VisitFilter(text="第1次走访")) == 0
    ledger.conn.execute("INSERT INTO visit_fts (visit_fts) VALUES ('integrity-check')")


def test_m004_upgrade_indexes_old_visits(tmp_path):
    from models.core.db import Ledger
    from models.ledger import migrate
    from tests.ui.matters_helpers import OLD_STAMP, old_ledger

    db = old_ledger(tmp_path / "old.db", "m004_visit_list_indexes")
    assert not db["visit_fts"].exists()
    db["visits"].insert({"visited_on": "2026-10-01", "staff_name": "周九", "way": "入户", "grid_id": 1,
                         "notes": "独居老人身体不适", **OLD_STAMP})
    migrate(db)
    assert "visits_staff_date" in {i.name for i in db["visits"].indexes}
    ledger = Ledger(db, None)
    assert V.count(ledger, V.VisitFilter(text="不适")) == 1
    assert V.count(ledger, V.VisitFilter(text="周")) == 1


def test_delete_visit(ledger, place):
    visit_id = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                              household_ids=place["rooms"][:2], notes="录错了")
    found = V.record_visit(ledger, visited_on="2026-10-15", staff_id=place["staff"], way="入户",
                           household_ids=[place["rooms"][3]])
    V.visit_problem_to_matter(ledger, found, {"category": "其他", "level": "小事", "description": "井盖松动"})
    with pytest.raises(ValidationError, match="已登记了 1 件事项"):
        V.delete_visit(ledger, found)
    V.delete_visit(ledger, visit_id)
    with pytest.raises(NotFound):
        V.get_visit(ledger, visit_id)
    assert ledger.scalar("SELECT COUNT(*) FROM visit_households WHERE visit_id = ?", [visit_id]) == 0
    assert V.count(ledger, V.VisitFilter(text="录错")) == 0
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'visits' AND action = '删除'") == 1
    ledger.conn.execute("INSERT INTO visit_fts (visit_fts) VALUES ('integrity-check')")
