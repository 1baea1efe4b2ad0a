"""Small helpers shared by the volunteer-area tests: residents and grids through their own models."""

from models.grids import hierarchy as grids
from models.residents import records as residents


def add_resident(ledger, name, *, grid="一网格", building="1号楼", unit="1单元", room="101",
                 phone="", id_number=None, status="在册"):
    """Register a resident with the resident ledger's own API (so the search index knows them)."""
    household = grids.ensure_place(ledger, grids.Place(None, grid, building, unit, room))
    data = {"name": name, "phone": phone, "id_number": id_number, "household_id": household,
            "relation": "户主" if not ledger.scalar("SELECT 1 FROM residents WHERE household_id = ?",
                                                   [household]) else "其他"}
    if status != "在册":
        data.update(status=status, status_date="2026-01-01")
    return residents.add_resident(ledger, data)


def grid_id(ledger, name):
    return grids.ensure_grid(ledger, grids.ensure_community(ledger, None), name)
