"""Migrations: a new ledger gets every one; an old ledger is upgraded with its data intact."""

import sqlite3

import pytest
import sqlite_utils

from models.residents import records as R
from models.core.db import Ledger, Operator
from models.ledger import migrate, open_db
from models.core.idcard import make_id


def _names(db, table):
    return {r["name"] for r in db.query(f"SELECT name FROM {table}")}


def test_fresh_ledger_has_every_migration_and_table(tmp_path):
    led = open_db(tmp_path / "new.db", community_name="幸福社区")
    applied = {(r["migration_set"], r["name"]) for r in led.query("SELECT * FROM _sqlite_migrations")}
    assert ("gridledger.core", "m001_core") in applied
    assert ("gridledger.core", "m002_resident_search") in applied
    tables = set(led.db.table_names())
    assert {"residents", "households", "resident_search", "resident_status_events", "audit_log"} <= tables
    indexes = {r["name"] for r in led.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"residents_name", "residents_birth_date", "residents_status", "households_room"} <= indexes
    assert led.community_name == "幸福社区"
    led.close()
    # opening again applies nothing twice
    again = open_db(tmp_path / "new.db")
    assert len(again.query("SELECT * FROM _sqlite_migrations")) == len(applied)
    again.close()


def test_m002_upgrades_a_ledger_with_residents(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m002_resident_search"])
    assert "resident_search" not in db.table_names()
    now = "2026-01-01 08:00:00"
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)",
               [now, now])
    db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, '第一网格', ?, ?)",
               [now, now])
    db.execute("INSERT INTO buildings (grid_id, name, compound, created_at, updated_at)"
               " VALUES (1, '3号楼', '幸福家园', ?, ?)", [now, now])
    db.execute("INSERT INTO units (building_id, name, created_at, updated_at) VALUES (1, '1单元', ?, ?)", [now, now])
    db.execute("INSERT INTO households (unit_id, building_id, grid_id, room, created_at, updated_at)"
               " VALUES (1, 1, 1, '301', ?, ?)", [now, now])
    number = make_id("340104", __import__("datetime").date(1961, 2, 3), 11)
    people = [("单田芳", number, "13812345678"), ("曾小贤", None, ""), ("王五", None, "0551-7654321")]
    for name, idn, phone in people:
        db.execute("INSERT INTO residents (household_id, grid_id, building_id, name, id_number, phone,"
                   " created_at, updated_at) VALUES (1, 1, 1, ?, ?, ?, ?, ?)", [name, idn, phone, now, now])
    conn.commit()
    conn.close()

    led = open_db(path, operator=Operator("测试员"))     # upgrades in place
    assert isinstance(led, Ledger)
    assert led.scalar("SELECT COUNT(*) FROM residents") == 3
    assert "m002_resident_search" in {r["name"] for r in led.query("SELECT name FROM _sqlite_migrations")}

    def found(text):
        return [r["name"] for r in R.search_page(led, R.ResidentFilter(text=text))[0]]

    assert found("stf") == ["单田芳"] and found("dtf") == ["单田芳"]
    assert found("cxx") == ["曾小贤"]
    assert found(number[-4:]) == ["单田芳"]
    assert found("4321") == ["王五"]
    assert found("3号楼") == ["单田芳", "曾小贤", "王五"]
    # and new writes keep working on the upgraded ledger
    rid = R.add_resident(led, {"name": "赵六", "household_id": 1})
    assert found("zl") == ["赵六"] and rid == 4
    led.close()


def _ledger_before(path, migration: str, settings: dict):
    """A ledger file made by the migrations before ``migration``, with ``settings`` (JSON values)."""
    import json

    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, stop_before=[migration])
    for key, value in settings.items():
        db.execute("INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                   [key, json.dumps(value, ensure_ascii=False), "2026-05-01 10:00:00", "老文员"])
    db.conn.commit()
    db.conn.close()


_DEFAULT_CARDS = {"黄牌": -1.0, "红牌": -2.0}


@pytest.mark.parametrize("settings, cards, weight", [
    # the old card setting won over the scheme's own points: the same scheme after the upgrade
    ({"card_points": {"黄牌": -0.5, "红牌": -3}}, {"黄牌": -0.5, "红牌": -3.0}, 30.0),
    ({"card_points": {"红牌": -4}}, {"黄牌": -1.0, "红牌": -4.0}, 30.0),
    ({"card_points": {"黄牌": -1.5, "红牌": -2}, "evaluation_scheme": "custom"}, {"黄牌": -1.5, "红牌": -2.0}, 35.0),
    # a nonsensical card setting was ignored, and is dropped
    ({"card_points": {"黄牌": 2, "红牌": -2}, "evaluation_scheme": "custom"}, {"黄牌": -0.25, "红牌": -0.75}, 35.0),
    ({"card_points": {"黄牌": "一分"}}, _DEFAULT_CARDS, 30.0),
    ({"card_points": {"黄牌": -1, "红牌": -2}}, _DEFAULT_CARDS, 30.0),
    ({}, _DEFAULT_CARDS, 30.0),
])
def test_m003_keeps_the_card_points_once_in_the_scheme(tmp_path, settings, cards, weight):
    from models.evaluation.scheme import current_scheme, default_scheme

    custom = default_scheme().to_dict()
    custom["indicators"][0]["weight"], custom["indicators"][1]["weight"] = 35.0, 20.0
    custom["card_points"] = {"黄牌": -0.25, "红牌": -0.75}
    settings = {k: (custom if v == "custom" else v) for k, v in settings.items()}
    path = tmp_path / "old.db"
    _ledger_before(path, "m003_card_points_in_the_scheme", settings)
    led = open_db(path, operator=Operator("测试员"))
    try:
        scheme = current_scheme(led)
        assert scheme.card_points == cards and scheme.indicator("on_time").weight == weight
        assert led.get_setting("card_points") is None
        stored = led.query("SELECT updated_by FROM settings WHERE key = 'evaluation_scheme'")
        changed = settings.get("evaluation_scheme", {}).get("card_points") != cards and cards != _DEFAULT_CARDS
        assert [r["updated_by"] for r in stored] == (["老文员"] if "evaluation_scheme" in settings or changed else [])
    finally:
        led.close()


# -- self-contained migrations: a search index is marked for rebuilding, never filled by live code --------

def _matter_rows(db):
    now = "2026-10-01 09:00:00"
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)",
               [now, now])
    db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, '一网格', ?, ?)",
               [now, now])
    db.execute("INSERT INTO matters (number, registered_at, source, category, level, description, grid_id,"
               " deadline, created_at, updated_at) VALUES ('2026-10-0001', ?, '来电', '其他', '小事', '楼道漏水',"
               " 1, '2026-10-01 23:59:59', ?, ?)", [now, now, now])


def test_an_index_migration_marks_its_index_and_the_ledger_rebuilds_it(tmp_path):
    from models.core import schema as schema_core
    from models.ledger import rebuild_pending
    from models.matters import records as M
    from models.matters import schema as schema_matters

    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "old.db"))
    migrate(db, stop_before=["m003_matter_list_indexes"])
    _matter_rows(db)
    schema_core.migrations.apply(db)
    schema_matters.migrations.apply(db)      # the migrations alone, without the rebuild step
    assert [r[0] for r in db.execute("SELECT name FROM pending_rebuilds ORDER BY rowid")] == [
        "matter_fts", "visit_fts"]
    assert db.execute("SELECT COUNT(*) FROM matter_fts").fetchone()[0] == 0   # marked, not filled
    assert rebuild_pending(db) == ["matter_fts", "visit_fts"]
    assert db.execute("SELECT COUNT(*) FROM pending_rebuilds").fetchone()[0] == 0
    assert M.count(Ledger(db, None), M.MatterFilter(text="漏水")) == 1
    assert rebuild_pending(db) == []


def test_an_interrupted_rebuild_is_done_again_at_the_next_opening(tmp_path, monkeypatch):
    from models import ledger as ledger_module
    from models.matters import records as M

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, stop_before=["m003_matter_list_indexes"])
    _matter_rows(db)
    db.conn.commit()
    db.conn.close()

    def broken(conn):
        raise OSError("磁盘出错")

    monkeypatch.setitem(ledger_module.REBUILDS, "matter_fts", broken)
    with pytest.raises(OSError):
        open_db(path)
    monkeypatch.undo()
    led = open_db(path)
    try:
        assert led.scalar("SELECT COUNT(*) FROM pending_rebuilds") == 0
        assert M.count(led, M.MatterFilter(text="漏水")) == 1
        applied = {r["name"] for r in led.query("SELECT name FROM _sqlite_migrations")}
        assert {"m003_matter_list_indexes", "m004_visit_list_indexes"} <= applied
    finally:
        led.close()


def test_a_new_ledger_has_nothing_left_to_rebuild(tmp_path):
    led = open_db(tmp_path / "new.db")
    try:
        assert led.scalar("SELECT COUNT(*) FROM pending_rebuilds") == 0
    finally:
        led.close()


def _schema_modules():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return sorted(root.glob("models/*/schema.py"))


@pytest.mark.parametrize("path", _schema_modules(), ids=lambda p: p.parent.name)
def test_migrations_import_no_code_that_may_change(path):
    """A migration module imports the standard library, sqlite-utils and models.core.schema only,
    at the top or inside a migration."""
    import ast
    import sys

    allowed = {"models.core.schema", "sqlite_utils", "sqlite_utils.migrations", "__future__"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.lineno))
    wrong = [f"{path.name}:{line} imports {name}" for name, line in found
             if name not in allowed and name.split(".")[0] not in sys.stdlib_module_names]
    assert wrong == []


#: the presence rule before the residence spells (core m003), frozen here to compare with
OLD_PRESENT = ("((r.moved_in_on IS NULL OR r.moved_in_on <= :de)"
               " AND (r.status = '在册' OR (r.status_date IS NOT NULL AND r.status_date > :de)))")


def test_m003_gives_every_resident_a_spell_and_every_building_its_grid_with_the_same_month_ends(tmp_path):
    """An old ledger upgraded to the residence history counts the same people, households and
    grids at every month end as the old rule did on its columns."""
    import random

    from models.evaluation import counts

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m003_residence_history_spells"])
    assert "residence_spells" not in db.table_names()
    now = "2026-01-01 08:00:00"
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)",
               [now, now])
    rng = random.Random(11)
    for g in (1, 2):
        db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, ?, ?, ?)",
                   [f"第{g}网格", now, now])
        db.execute("INSERT INTO buildings (grid_id, name, created_at, updated_at) VALUES (?, '1号楼', ?, ?)",
                   [g, now, now])
        db.execute("INSERT INTO units (building_id, name, created_at, updated_at) VALUES (?, '1单元', ?, ?)",
                   [g, now, now])
        for room in range(1, 9):
            db.execute("INSERT INTO households (unit_id, building_id, grid_id, room, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", [g, g, g, str(room), now, now])
    expected_rows = []
    for k in range(120):
        hid = rng.randint(1, 16)
        grid = 1 if hid <= 8 else 2
        moved_in = None if rng.random() < 0.5 else f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        status = rng.choice(["在册", "在册", "迁出", "死亡"])
        status_date = None
        if status != "在册":
            status_date = None if rng.random() < 0.05 else f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        db.execute("INSERT INTO residents (household_id, grid_id, building_id, name, status, status_date,"
                   " moved_in_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [hid, grid, grid, f"居民{chr(0x4e00 + k)}", status, status_date, moved_in, now, now])
        expected_rows.append(k)
    conn.commit()
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    before = {}
    for month in months:
        p = counts.month_params(month)
        before[month] = {row[0]: (row[1], row[2]) for row in conn.execute(
            f"SELECT r.grid_id, COUNT(DISTINCT r.household_id), COUNT(*) FROM residents r"
            f" WHERE {OLD_PRESENT} GROUP BY r.grid_id", p)}
    conn.close()

    led = open_db(path, operator=Operator("测试员"))
    assert led.scalar("SELECT COUNT(*) FROM residence_spells") == 120
    assert led.query("SELECT building_id, grid_id, from_date, to_date FROM building_grids ORDER BY building_id") == [
        {"building_id": 1, "grid_id": 1, "from_date": None, "to_date": None},
        {"building_id": 2, "grid_id": 2, "from_date": None, "to_date": None}]
    for month in months:
        after = {g: (v[0], v[1]) for g, v in counts.household_counts(led, month).items()}
        assert after == before[month], month
    with counts.StaticHouseholds(led) as static:
        for month in months:
            batch = {g: (v[0], v[1]) for g, v in counts.household_counts(led, month, static).items()}
            assert batch == before[month], month


def test_m003_accounts_upgrades_a_ledger_with_a_user(tmp_path):
    """A ledger from before the accounts (issue 10) keeps its users row, gains the new columns
    (an old row is neither sensitive nor locked) and the user_grids table."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m003_accounts_auth"])
    assert "user_grids" not in db.table_names()
    now = "2026-01-01 08:00:00"
    db.execute("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)"
               " VALUES ('old', '老用户', '工作人员', NULL, ?, ?)", [now, now])
    conn.commit()
    conn.close()

    led = open_db(path, operator=Operator("测试员"))
    row = led.query("SELECT * FROM users")[0]
    assert (row["username"], row["display_name"], row["role"]) == ("old", "老用户", "工作人员")
    assert (row["sensitive"], row["must_change_password"], row["failed_logins"], row["locked_until"]) == \
        (0, 0, 0, None)
    assert "user_grids" in led.db.table_names()
    from models.core import accounts
    assert accounts.has_accounts(led)
    with pytest.raises(accounts.LoginRefused):     # no password hash: nobody can log in as it
        accounts.authenticate(led, "old", "")
    led.close()


def test_every_new_building_gets_its_grid_from_the_beginning_whoever_writes_it(ledger):
    """The trigger of core m003: a building inserted by any writer (here plain SQL, as the
    import's bulk writer does) is in its grid for every past month."""
    community = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
    with ledger.write():
        grid = ledger.db["grids"].insert(ledger.stamp({"community_id": community, "name": "一网格"},
                                                      creating=True)).last_rowid
        building = ledger.db["buildings"].insert(ledger.stamp({"grid_id": grid, "name": "1号楼"},
                                                              creating=True)).last_rowid
    assert ledger.query("SELECT grid_id, from_date, to_date FROM building_grids WHERE building_id = ?",
                        [building]) == [{"grid_id": grid, "from_date": None, "to_date": None}]


def test_m004_perf_indexes_upgrade_a_ledger_with_its_spells_intact(tmp_path):
    """A ledger with residence spells from before core m004 gains the evaluation's indexes;
    its spells stay as they were and every month end counts the same, alone or in a batch."""
    from models.evaluation import counts

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m004_perf_indexes"])
    assert "residence_spells_month_end" not in _names(db, "sqlite_master")
    now = "2026-01-01 08:00:00"
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)",
               [now, now])
    db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, '第1网格', ?, ?)", [now, now])
    db.execute("INSERT INTO buildings (grid_id, name, created_at, updated_at) VALUES (1, '1号楼', ?, ?)", [now, now])
    db.execute("INSERT INTO units (building_id, name, created_at, updated_at) VALUES (1, '1单元', ?, ?)", [now, now])
    for room in range(1, 5):
        db.execute("INSERT INTO households (unit_id, building_id, grid_id, room, created_at, updated_at)"
                   " VALUES (1, 1, 1, ?, ?, ?)", [str(room), now, now])
    spells = [(1, None, None), (1, "2026-03-10", None), (2, None, "2026-05-01"), (3, "2026-02-01", "2026-04-15"),
              (4, "2026-06-30", None), (2, "2026-05-01", None)]
    for k, (hid, start, end) in enumerate(spells):
        rid = db.execute("INSERT INTO residents (household_id, grid_id, building_id, name, phone, status,"
                         " moved_in_on, created_at, updated_at) VALUES (?, 1, 1, ?, ?, '在册', ?, ?, ?)",
                         [hid, f"居民{k}", "13800000000" if k % 2 else "", start, now, now]).lastrowid
        db.execute("INSERT INTO residence_spells (resident_id, household_id, from_date, to_date, began,"
                   " created_at) VALUES (?, ?, ?, ?, '迁入', ?)", [rid, hid, start, end, now])
    conn.commit()
    before = list(conn.execute("SELECT * FROM residence_spells ORDER BY id"))
    conn.close()

    led = open_db(path, operator=Operator("测试员"))
    try:
        assert {"residence_spells_month_end", "residence_spells_from", "residence_spells_to"} <= \
            _names(led.db, "sqlite_master")
        assert list(led.conn.execute("SELECT * FROM residence_spells ORDER BY id")) == before
        months = [f"2026-{m:02d}" for m in range(1, 9)]
        alone = {m: counts.household_counts(led, m) for m in months}
        assert alone["2026-01"] == {1: (2, 2, 0, 0)} and alone["2026-07"] == {1: (3, 4, 0, 0)}
        assert counts.households_of_months(led, months) == alone
    finally:
        led.close()


def test_m003_office_lists_keeps_the_lists_a_ledger_had(tmp_path):
    """A ledger with its own categories, deadline days and activity types (settings), a matter
    and a tagged resident: the lists become rows with those names, nothing else changes."""
    import json

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m003_office_lists_orgs", "m004_party_orgs_orgs"])
    assert "office_lists" not in db.table_names()
    now = "2026-01-01 08:00:00"
    for key, value in (("matter_categories", ["路灯照明", "电梯故障", "违章建筑"]),
                       ("matter_deadline_days", {"违章建筑": 60, "默认": 20}),
                       ("activity_types", ["读书会", "义诊进社区"])):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [key, json.dumps(value, ensure_ascii=False)])
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)", [now, now])
    db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, '第一网格', ?, ?)", [now, now])
    db.execute("INSERT INTO residents (name, created_at, updated_at) VALUES ('张三', ?, ?)", [now, now])
    db.execute("INSERT INTO resident_tags (resident_id, tag_id) SELECT 1, id FROM tags WHERE name = '党员'")
    db.execute("INSERT INTO matters (number, registered_at, source, category, level, description, grid_id,"
               " deadline, created_at, updated_at) VALUES ('2026-01-0001', ?, '来电', '电梯故障', '小事', '电梯停运',"
               " 1, '2026-01-01 23:59:59', ?, ?)", [now, now, now])
    conn.commit()
    conn.close()

    led = open_db(path, operator=Operator("测试员"))
    from models.core import lists
    from models.matters import records as M
    assert M.categories(led) == ["路灯照明", "电梯故障", "违章建筑"]
    assert lists.category_rule(led, "违章建筑") == {"level": "大事", "deadline_days": 60}
    assert lists.category_rule(led, "电梯故障") == {"level": "小事", "deadline_days": None}
    assert M.deadline_days(led, "电梯故障") == 20 and M.deadline_days(led, "违章建筑") == 60
    assert lists.names(led, "activity_type") == ["读书会", "义诊进社区"]
    assert lists.names(led, "visit_way") == ["入户", "电话", "微信"]
    assert led.query("SELECT category, description FROM matters") == [{"category": "电梯故障", "description": "电梯停运"}]
    assert [(t["name"], t["retired"], t["used"]) for t in lists.tags(led) if t["used"]] == [("党员", 0, 1)]
    assert {"party_orgs", "party_members"} <= set(led.db.table_names())
    led.close()


def test_m006_meeting_stages_keeps_the_meetings_and_their_stage(tmp_path):
    """Meetings recorded before: a 联席会议 and a 红色议事厅 with a 四议两公开 stage keep 四议两公开;
    a 红色议事厅 with no stage starts on the 六步工作法."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m006_meeting_stages_orgs"])
    now = "2026-01-01 08:00:00"
    for kind, stage in (("联席会议", "两委会商议"), ("红色议事厅", "决议公开"), ("红色议事厅", "")):
        db.execute("INSERT INTO meetings (kind, level, held_at, topic, stage, created_at, updated_at)"
                   " VALUES (?, '社区', ?, '议题', ?, ?, ?)", [kind, now, stage, now, now])
    conn.commit()
    conn.close()
    led = open_db(path, operator=Operator("测试员"))
    from models.meetings import records as MT
    assert [(m["kind"], m["stage"], m["method"]) for m in led.query("SELECT * FROM meetings ORDER BY id")] == [
        ("联席会议", "两委会商议", "四议两公开"), ("红色议事厅", "决议公开", "四议两公开"), ("红色议事厅", "", "六步工作法")]
    assert [s["stage"] for s in MT.get_meeting(led, 3)["stages"]][0] == "民事民提"
    led.close()
