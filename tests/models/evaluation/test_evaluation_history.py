"""History never rewrites a published month (issue 11): each case evaluates, publishes, makes
the change, evaluates again and compares — every published month stays what it was, and the
change shows from its date on.

Cases as a table: (name, the story, what the later month shows).  A story gets the ledger, the
clock and ``publish(month)``; it returns what to check after (a dict checked by ``expect``).
"""

from __future__ import annotations

import pytest

from models.core.presence import covers_sql, grid_at_sql
from models.evaluation import counts, monthly, publishing
from models.evaluation.publications import latest_publication
from models.grids import hierarchy as grids
from models.residents import records as residents
from tests.models.evaluation.evaluation_builders import act, grid_id, household, matter, resident


def per_grid(ledger, month: str) -> dict[str, tuple[int, int]]:
    """{grid name: (active households, present residents)} at the end of ``month``."""
    found = counts.household_counts(ledger, month)
    names = {g["id"]: g["name"] for g in grids.grids(ledger)}
    return {names[g]: (v[0], v[1]) for g, v in found.items()}


def people_of_grids_on(ledger, day: str) -> dict[str, int]:
    """{grid name: residents present} at the end of ``day`` (any day, not only month ends)."""
    rows = ledger.query(
        f"""SELECT g.name, COUNT(*) AS n FROM residence_spells s JOIN households h ON h.id = s.household_id
              JOIN grids g ON g.id = {grid_at_sql('h.building_id', ':d')}
             WHERE {covers_sql('s', ':d')} GROUP BY g.name""", {"d": day})
    return {r["name"]: r["n"] for r in rows}


def move_out_and_return(ledger, clock, publish):
    clock.set(2026, 9, 10, 9, 0, 0)
    home = household(ledger, "一网格", "101")
    resident(ledger, home, "常住甲")
    leaver = resident(ledger, household(ledger, "一网格", "102"), "迁出又回乙")
    clock.set(2026, 10, 5, 9, 0, 0)
    residents.move_out(ledger, leaver, "2026-10-01")
    publish("2026-09")
    clock.set(2026, 11, 2, 9, 0, 0)
    publish("2026-10")
    clock.set(2026, 11, 20, 9, 0, 0)
    residents.restore_active(ledger, leaver, "2026-11-20", "返回")
    clock.set(2026, 12, 2, 9, 0, 0)
    return {"2026-09": {"一网格": (2, 2)}, "2026-10": {"一网格": (1, 1)}, "2026-11": {"一网格": (2, 2)}}


def move_between_grids(ledger, clock, publish):
    clock.set(2026, 10, 10, 9, 0, 0)
    a = household(ledger, "一网格", "101")
    b = household(ledger, "二网格", "201")
    mover = resident(ledger, a, "搬家甲")
    resident(ledger, a, "留下乙")
    resident(ledger, b, "二网格丙")
    clock.set(2026, 11, 2, 9, 0, 0)
    publish("2026-10")
    clock.set(2026, 11, 25, 9, 0, 0)
    residents.move_to_household(ledger, mover, b, "其他", "2026-11-20")
    clock.set(2026, 12, 2, 9, 0, 0)
    return {"2026-10": {"一网格": (1, 2), "二网格": (1, 1)}, "2026-11": {"一网格": (1, 1), "二网格": (1, 2)}}


def redivision_on_the_15th(ledger, clock, publish):
    clock.set(2026, 10, 10, 9, 0, 0)
    resident(ledger, household(ledger, "一网格", "101", building="1号楼"), "一号楼甲")
    resident(ledger, household(ledger, "一网格", "101", building="2号楼"), "二号楼乙")
    resident(ledger, household(ledger, "一网格", "102", building="2号楼"), "二号楼丙")
    clock.set(2026, 11, 2, 9, 0, 0)
    publish("2026-10")
    clock.set(2026, 11, 20, 9, 0, 0)
    building = ledger.scalar("SELECT id FROM buildings WHERE name = '2号楼'")
    grids.redivide(ledger, [building], "2026-11-15", new_grid_name="新三网格")
    assert people_of_grids_on(ledger, "2026-11-14") == {"一网格": 3}
    assert people_of_grids_on(ledger, "2026-11-15") == {"一网格": 1, "新三网格": 2}
    clock.set(2026, 12, 2, 9, 0, 0)
    return {"2026-10": {"一网格": (3, 3)}, "2026-11": {"一网格": (1, 1), "新三网格": (2, 2)}}


def new_resident_today(ledger, clock, publish):
    clock.set(2026, 10, 10, 9, 0, 0)
    home = household(ledger, "一网格", "101")
    resident(ledger, home, "老住户甲")
    clock.set(2026, 12, 2, 9, 0, 0)
    publish("2026-11")
    residents.add_resident(ledger, {"name": "新来乙", "household_id": household(ledger, "一网格", "102")})
    return {"2026-11": {"一网格": (1, 1)}, "2026-12": {"一网格": (2, 2)}}


def closing_entered_next_day(ledger, clock, publish):
    clock.set(2026, 10, 1, 9, 0, 0)
    resident(ledger, household(ledger, "一网格", "101"), "住户甲")
    g = grid_id(ledger, "一网格")
    clock.set(2026, 10, 31, 8, 0, 0)
    m = matter(ledger, g, "2026-10-31 08:00:00")            # a 小事: due by the end of 31 Oct
    clock.set(2026, 11, 1, 10, 0, 0)                       # typed the next morning …
    act(ledger, m, "办结", "2026-10-31 17:30:00", result="已修复")   # … with the real time
    event = ledger.query("SELECT at, recorded_at FROM matter_events WHERE action = '办结'")[0]
    assert event == {"at": "2026-10-31 17:30:00", "recorded_at": "2026-11-01 10:00:00"}
    clock.set(2026, 11, 2, 9, 0, 0)
    publish("2026-10")
    october = monthly.evaluate(ledger, "2026-10").grid(g)
    assert october.indicators["on_time"].counts_text == "1/1"      # on time, not late
    return {"2026-10": {"一网格": (1, 1)}}


CASES = [
    ("迁出后返回", move_out_and_return),
    ("跨网格搬家", move_between_grids),
    ("15日网格调整", redivision_on_the_15th),
    ("新居民默认今天迁入", new_resident_today),
    ("次日补录昨日办结时间", closing_entered_next_day),
]


@pytest.mark.parametrize("story", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_published_months_stay_as_published(ledger, clock, story):
    published = {}

    def publish(month):
        pub = publishing.publish(ledger, month)
        published[month] = (pub.evaluation.figures_dict(), per_grid(ledger, month))

    expected = story(ledger, clock, publish)
    assert published
    for month, (figures, households) in published.items():
        assert publishing.diff_against_published(ledger, month) == [], month
        assert per_grid(ledger, month) == households, month
        fresh = monthly.evaluate(ledger, month, latest_publication(ledger, month).scheme)
        assert [(g.name, g.households, g.residents, g.total) for g in fresh.grids] == \
            [(g["name"], g["households"], g["residents"], g["total"]) for g in figures["grids"]], month
    for month, want in expected.items():
        assert per_grid(ledger, month) == want, month


def test_unknown_move_in_date_means_since_before_the_ledger_and_changes_the_published_month(ledger, clock):
    """The contrast to the default: a newcomer marked 不详 was there all along, so the clerk's
    statement changes November — which the 定稿 page's difference list then shows."""
    clock.set(2026, 10, 10, 9, 0, 0)
    resident(ledger, household(ledger, "一网格", "101"), "老住户甲")
    clock.set(2026, 12, 2, 9, 0, 0)
    publishing.publish(ledger, "2026-11")
    residents.add_resident(ledger, {"name": "早已居住乙", "household_id": household(ledger, "一网格", "102"),
                                    "moved_in_on": "不详"})
    assert per_grid(ledger, "2026-11") == {"一网格": (2, 2)}
    assert publishing.diff_against_published(ledger, "2026-11") != []


@pytest.mark.parametrize("day, warning", [
    ("2026-09-30", "这会改变已定稿的 2026年9月、2026年10月 评比结果。"),
    ("2026-10-01", "这会改变已定稿的 2026年10月 评比结果。"),
    ("2026-10-31", "这会改变已定稿的 2026年10月 评比结果。"),
    ("2026-11-01", ""),                   # November is not published: nothing to warn about
    (None, "这会改变已定稿的 2026年9月、2026年10月 评比结果。"),   # 不详: every published month
])
def test_the_warning_names_the_published_months_a_dated_change_alters(ledger, clock, day, warning):
    from models.evaluation.publications import published_change_warning

    clock.set(2026, 11, 2, 9, 0, 0)
    resident(ledger, household(ledger, "一网格", "101"), "住户甲")
    publishing.publish(ledger, "2026-09")
    publishing.publish(ledger, "2026-10")
    assert published_change_warning(ledger, day) == warning
