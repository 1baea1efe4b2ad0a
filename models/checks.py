"""Ledger-level consistency checks beyond SQLite's own (used by ``main.py check``).

Most rules are a count of the rows that break them and a message for that count:
they are rows of :data:`PLACE_RULES` and :data:`RESIDENT_RULES`.  Two rules need Python and
are functions: the ID numbers (GB 11643 and the ledger's clock) and the search index of names
that do not begin with an ASCII or CJK character (:func:`unindexed_residents`).
"""

from __future__ import annotations

from models.core.db import Ledger
from models.core.idcard import check_id, mask
from models.residents.search import clean_name

#: (rows breaking the rule, what the clerk reads — ``{}`` is the count): where people live
PLACE_RULES = (
    ("SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id"
     " WHERE r.grid_id IS NOT h.grid_id OR r.building_id IS NOT h.building_id",
     "{} 名居民的网格/楼栋与其所在户不一致"),
    ("SELECT COUNT(*) FROM households h JOIN units u ON u.id = h.unit_id"
     " JOIN buildings b ON b.id = u.building_id"
     " WHERE h.building_id <> u.building_id OR h.grid_id <> b.grid_id",
     "{} 户的楼栋/网格与其单元不一致"),
    ("SELECT COUNT(*) FROM residents WHERE status <> '在册' AND status_date IS NULL",
     "{} 名已迁出或死亡的居民缺少变动日期"),
    ("SELECT COUNT(*) FROM households h WHERE h.head_resident_id IS NOT NULL AND NOT EXISTS"
     " (SELECT 1 FROM residents r WHERE r.id = h.head_resident_id AND r.household_id = h.id)",
     "{} 户的户主不在本户"),
    ("SELECT COUNT(*) FROM residents WHERE household_id IS NULL"
     " AND (grid_id IS NOT NULL OR building_id IS NOT NULL)",
     "{} 名居民没有所在户，却记有网格或楼栋"),
    # the residents' and buildings' columns are a cache of the history (issue 11)
    ("SELECT COUNT(*) FROM residents r WHERE (r.status = '在册') <> EXISTS (SELECT 1 FROM residence_spells s"
     " WHERE s.resident_id = r.id AND s.to_date IS NULL)",
     "{} 名居民的在册状态与居住记录不一致"),
    ("SELECT COUNT(*) FROM residents r WHERE r.household_id IS NOT (SELECT s.household_id FROM residence_spells s"
     " WHERE s.resident_id = r.id ORDER BY s.id DESC LIMIT 1)",
     "{} 名居民的所在户与最近的居住记录不一致"),
    ("SELECT COUNT(*) FROM buildings b WHERE b.grid_id IS NOT (SELECT bg.grid_id FROM building_grids bg"
     " WHERE bg.building_id = b.id AND bg.to_date IS NULL ORDER BY bg.id DESC LIMIT 1)",
     "{} 栋楼的网格与网格调整记录不一致"),
)

#: the same, for a resident's own record (checked after the ID numbers)
RESIDENT_RULES = (
    ("SELECT COUNT(*) FROM residents WHERE status <> '在册' AND moved_in_on IS NOT NULL"
     " AND status_date < moved_in_on",
     "{} 名居民的迁出/死亡日期早于迁入日期"),
)

#: names whose first character SQLite's lower() folds as Python does (ASCII, CJK unified ideographs)
_PLAIN_FIRST = "(unicode(r.name) < 128 OR unicode(r.name) BETWEEN 13312 AND 40959)"


def broken(ledger: Ledger, rules) -> list[str]:
    """The message of every rule some rows break, in the rules' order."""
    return [message.format(count) for sql, message in rules if (count := ledger.scalar(sql))]


def invalid_id_numbers(ledger: Ledger) -> list[str]:
    """Stored ID numbers that are not valid GB 11643 numbers as of the ledger's today."""
    today = ledger.now().date()  # the ledger's clock: a child born "today" is valid (GRIDLEDGER_NOW, tests)
    invalid = [row[0] for row in ledger.conn.execute("SELECT id_number FROM residents WHERE id_number IS NOT NULL")
               if check_id(row[0], today).value != row[0]]
    if not invalid:
        return []
    shown = "、".join(mask(n) for n in invalid[:5])
    return [f"{len(invalid)} 个已存的身份证号不符合 GB 11643（如 {shown}）"]


def unindexed_residents(ledger: Ledger) -> list[str]:
    """Every resident is in the search index (the token of their name's first character).

    In SQL for names that begin with an ASCII or CJK character (nearly all); in Python for the
    others (Élise, Анна, a compatibility ideograph), whose token is ``clean_name``'s lowercase
    and NFKC, which SQLite's lower() does not compute.
    """
    missing = ledger.scalar(
        f"SELECT COUNT(*) FROM residents r WHERE {_PLAIN_FIRST} AND NOT EXISTS (SELECT 1 FROM resident_search s"
        " WHERE s.token = 'c:' || lower(substr(r.name, 1, 1)) AND s.resident_id = r.id)")
    for rid, name in ledger.conn.execute(f"SELECT r.id, r.name FROM residents r WHERE NOT {_PLAIN_FIRST}"):
        first = clean_name(name)[:1]
        if first and ledger.conn.execute("SELECT 1 FROM resident_search WHERE token = ? AND resident_id = ?",
                                         ["c:" + first, rid]).fetchone() is None:
            missing += 1
    return [f"{missing} 名居民不在查询索引中（查找时会漏掉他们）"] if missing else []


def ledger_problems(ledger: Ledger) -> list[str]:
    """Rule checks in Chinese; empty when the ledger is consistent."""
    return (broken(ledger, PLACE_RULES) + invalid_id_numbers(ledger) + broken(ledger, RESIDENT_RULES)
            + unindexed_residents(ledger))
