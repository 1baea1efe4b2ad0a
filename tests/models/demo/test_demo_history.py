"""The demo ledger has a residence history: moves, returns and one grid re-division (issue 11)."""

from models.demo import build_demo


def test_demo_has_moves_returns_and_one_redivision_with_caches_in_step(ledger, clock):
    clock.set(2026, 11, 20, 10, 0, 0)
    build_demo(ledger, households=1500, seed=3, months=6)
    began = {r["began"]: r["n"] for r in ledger.query(
        "SELECT began, COUNT(*) AS n FROM residence_spells GROUP BY began")}
    assert began.get("户内调整", 0) > 0 and began.get("返回", 0) > 0
    assert ledger.scalar("SELECT COUNT(*) FROM residence_spells") == \
        ledger.scalar("SELECT COUNT(*) FROM residents") + began["户内调整"] + began["返回"]
    redivided = ledger.query("SELECT DISTINCT from_date FROM building_grids WHERE from_date IS NOT NULL")
    assert len(redivided) == 1 and redivided[0]["from_date"].endswith("-15")
    new_grid = ledger.query("SELECT name, established_on FROM grids WHERE established_on IS NOT NULL")
    assert new_grid == [{"name": "第4网格", "established_on": redivided[0]["from_date"]}]
    # the residents' columns are a cache of the last spell, the buildings' of the open grid spell
    assert ledger.scalar(
        "SELECT COUNT(*) FROM residents r JOIN residence_spells s ON s.id ="
        " (SELECT MAX(id) FROM residence_spells WHERE resident_id = r.id)"
        " WHERE s.household_id IS NOT r.household_id OR (s.to_date IS NULL) <> (r.status = '在册')") == 0
    assert ledger.scalar("SELECT COUNT(*) FROM buildings b JOIN building_grids bg ON bg.building_id = b.id"
                         " AND bg.to_date IS NULL WHERE bg.grid_id <> b.grid_id") == 0
    assert ledger.scalar("SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id"
                         " WHERE r.grid_id <> h.grid_id") == 0
