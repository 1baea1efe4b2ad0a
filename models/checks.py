"""Ledger-level consistency checks beyond SQLite's own (used by ``main.py check``)."""

from __future__ import annotations

from models.db import Ledger


def ledger_problems(ledger: Ledger) -> list[str]:
    """Rule checks in Chinese; empty when the ledger is consistent."""
    problems: list[str] = []
    bad = ledger.scalar(
        "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id"
        " WHERE r.grid_id IS NOT h.grid_id OR r.building_id IS NOT h.building_id")
    if bad:
        problems.append(f"{bad} 名居民的网格/楼栋与其所在户不一致")
    bad = ledger.scalar(
        "SELECT COUNT(*) FROM households h JOIN units u ON u.id = h.unit_id"
        " JOIN buildings b ON b.id = u.building_id"
        " WHERE h.building_id <> u.building_id OR h.grid_id <> b.grid_id")
    if bad:
        problems.append(f"{bad} 户的楼栋/网格与其单元不一致")
    bad = ledger.scalar("SELECT COUNT(*) FROM residents WHERE status <> '在册' AND status_date IS NULL")
    if bad:
        problems.append(f"{bad} 名已迁出或死亡的居民缺少变动日期")
    bad = ledger.scalar("SELECT COUNT(*) FROM households h WHERE h.head_resident_id IS NOT NULL AND NOT EXISTS"
                        " (SELECT 1 FROM residents r WHERE r.id = h.head_resident_id AND r.household_id = h.id)")
    if bad:
        problems.append(f"{bad} 户的户主不在本户")
    return problems
