"""Migrations: a new ledger gets every one; an old ledger is upgraded with its data intact."""

import sqlite3

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
