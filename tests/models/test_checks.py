"""``main.py check``'s own rules: each broken once in a small demo ledger, reported in order."""

import pytest

from models import checks, demo
from models.grids import hierarchy as grids
from models.ledger import open_db
from models.residents import records as R


@pytest.fixture
def small_demo(clock):
    led = open_db(None, community_name="幸福社区", clock=clock)
    demo.build_demo(led, households=6, seed=1, months=1)
    yield led
    led.close()


def _resident(ledger, where: str) -> int:
    return ledger.scalar(f"SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id WHERE {where}"
                         " ORDER BY r.id LIMIT 1")


def test_a_consistent_ledger_has_no_problems(small_demo):
    assert checks.ledger_problems(small_demo) == []


def test_every_rule_is_reported_in_order(small_demo):
    led = small_demo
    other_grid = grids.add_grid(led, "第九网格")
    not_head = "r.id <> h.head_resident_id"
    with led.write():
        x = led.db.execute
        x("UPDATE residents SET grid_id = NULL WHERE id = ?", [_resident(led, f"h.id = 1 AND {not_head}")])
        x("UPDATE households SET grid_id = ? WHERE id = 2", [other_grid])
        x("UPDATE residents SET grid_id = ? WHERE household_id = 2", [other_grid])
        x("UPDATE residents SET status = '迁出', status_date = NULL WHERE id = ?",
          [_resident(led, f"h.id = 3 AND {not_head}")])
        x("UPDATE households SET head_resident_id = (SELECT id FROM residents WHERE household_id = 5 LIMIT 1)"
          " WHERE id = 4")
        stray = _resident(led, f"h.id = 6 AND {not_head}")
        x("UPDATE residents SET household_id = NULL WHERE id = ?", [stray])
        x("UPDATE residents SET id_number = '110105194912310021' WHERE id = ?", [stray])
        x("UPDATE residents SET moved_in_on = '2026-06-11', status = '死亡', status_date = '2026-01-01'"
          " WHERE id = ?", [_resident(led, f"h.id = 5 AND {not_head}")])
        x("DELETE FROM resident_search WHERE resident_id = ?", [stray])
    assert checks.ledger_problems(led) == [
        "1 名居民的网格/楼栋与其所在户不一致",
        "1 户的楼栋/网格与其单元不一致",
        "1 名已迁出或死亡的居民缺少变动日期",
        "1 户的户主不在本户",
        "1 名居民没有所在户，却记有网格或楼栋",
        "2 名居民的在册状态与居住记录不一致",        # 迁出 (h3) and 死亡 (h5) written past the spells
        "1 名居民的所在户与最近的居住记录不一致",    # the stray taken out of household 6 by hand
        "1 个已存的身份证号不符合 GB 11643（如 110105********0021）",
        "1 名居民的迁出/死亡日期早于迁入日期",
        "1 名居民不在查询索引中（查找时会漏掉他们）",
    ]


def test_a_building_whose_grid_differs_from_its_grid_history_is_reported(small_demo):
    led = small_demo
    other_grid = grids.add_grid(led, "第九网格")
    with led.write():
        led.db.execute("DELETE FROM building_grids WHERE building_id = 1")
        led.db.execute("INSERT INTO building_grids (building_id, grid_id, from_date, created_at)"
                       " VALUES (1, ?, NULL, '')", [other_grid])
    assert checks.ledger_problems(led) == ["1 栋楼的网格与网格调整记录不一致"]


@pytest.mark.parametrize("name", ["Élise", "Анна", "\uf900字"])     # U+F900 becomes U+8C48 in NFKC
def test_names_beyond_ascii_and_cjk_are_checked_in_python(small_demo, name):
    led = small_demo
    rid = led.scalar("SELECT MIN(id) FROM residents")
    R.update_resident(led, rid, {"name": name})
    assert checks.ledger_problems(led) == []
    with led.write():
        led.db.execute("DELETE FROM resident_search WHERE resident_id = ?", [rid])
    assert checks.ledger_problems(led) == ["1 名居民不在查询索引中（查找时会漏掉他们）"]
