"""Small builders for resident tests (a grid, a few households, people with valid IDs)."""

import datetime as dt
import itertools

from models.grids import hierarchy as grids
from models.core.idcard import make_id

_seq = itertools.count(1)


def household(ledger, room="301", building="3号楼", unit="1单元", grid="第一网格", compound="幸福家园"):
    community = grids.own_community_id(ledger)
    grid_id = grids.ensure_grid(ledger, community, grid)
    building_id = grids.ensure_building(ledger, grid_id, building, compound)
    unit_id = grids.ensure_unit(ledger, building_id, unit)
    return grids.ensure_household(ledger, unit_id, room)


def person_id(year=1980, month=5, day=6, male=True, area="340104"):
    seq = next(_seq) % 499 * 2 + (1 if male else 0)
    return make_id(area, dt.date(year, month, day), seq)
