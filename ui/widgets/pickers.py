"""Combo boxes for choosing a place in the hierarchy: grid → building (→ unit → household).

Used as filters (first entry 全部…, value None) and in forms (first entry 请选择…).
Every level is filled from ``models.grids.hierarchy`` when the level above changes.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy, QWidget

from models.grids import hierarchy as grids_model

LEVELS = ("grid", "building", "unit", "household")
ALL_TEXT = {"grid": "全部网格", "building": "全部楼栋", "unit": "全部单元", "household": "全部房号"}
CHOOSE_TEXT = {"grid": "选择网格", "building": "选择楼栋", "unit": "选择单元", "household": "选择房号"}


def building_text(row: dict) -> str:
    return f"{row.get('compound') or ''}{row['name']}"


def unit_text(row: dict) -> str:
    return row["name"] or "（无单元）"


class HierarchyPicker(QWidget):
    """Combos for the first ``depth`` levels of grid → building → unit → household.

    Args:
        ctx: anything with a ``ledger`` attribute (the AppContext), read on every refill
            so a replaced ledger is picked up.
        depth: 2 (grid, building) for filters, 4 for choosing a household.
        for_filter: first entries read 全部… (True) or 选择… (False).

    Signals:
        changed(): any level changed (after the levels below were refilled).
    """

    changed = Signal()

    def __init__(self, ctx, depth: int = 2, *, for_filter: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.levels = LEVELS[:depth]
        self.for_filter = for_filter
        self.combos: dict[str, QComboBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for level in self.levels:
            combo = QComboBox()
            combo.setObjectName(f"{level}Combo")
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            # a building is often a compound and a number: "梧桐公寓1号楼" was cut at 6 (issue 13)
            combo.setMinimumContentsLength({"grid": 6, "building": 8}.get(level, 4))
            combo.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
            combo.currentIndexChanged.connect(lambda _i, lv=level: self._level_changed(lv))
            self.combos[level] = combo
            layout.addWidget(combo)
        self._filling = False
        self.reload()

    # -- values --------------------------------------------------------------------------
    def value(self, level: str) -> int | None:
        combo = self.combos.get(level)
        return None if combo is None else combo.currentData()

    def grid_id(self) -> int | None:
        return self.value("grid")

    def building_id(self) -> int | None:
        return self.value("building")

    def unit_id(self) -> int | None:
        return self.value("unit")

    def household_id(self) -> int | None:
        return self.value("household")

    def set_path(self, **ids: int | None) -> None:
        """Select e.g. ``set_path(grid=3, building=12, unit=40, household=900)``."""
        self._refill(ids)
        self.changed.emit()

    def set_household(self, household_id: int | None) -> None:
        if household_id is None:
            self.set_path()
            return
        place = grids_model.household_place(self.ctx.ledger, household_id)
        self.set_path(grid=place["grid_id"], building=place["building_id"], unit=place["unit_id"],
                      household=household_id)

    # -- filling ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Refill every level from the ledger, keeping the current choice when it still exists."""
        self._refill({level: self.value(level) for level in self.levels})

    def _refill(self, wanted: dict[str, int | None]) -> None:
        """Refill every level from the top, choosing ``wanted[level]`` where it is listed (else the first entry)."""
        self._filling = True
        try:
            self._fill(self.levels[0])
            for level in self.levels:
                combo = self.combos[level]
                value = wanted.get(level)
                combo.setCurrentIndex(max(combo.findData(value) if value is not None else 0, 0))
                below = self._below(level)
                if below:
                    self._fill(below)
        finally:
            self._filling = False

    def _below(self, level: str) -> str | None:
        i = self.levels.index(level)
        return self.levels[i + 1] if i + 1 < len(self.levels) else None

    def _above(self, level: str) -> str | None:
        i = self.levels.index(level)
        return self.levels[i - 1] if i > 0 else None

    def _items(self, level: str) -> list[tuple[str, int]]:
        ledger = self.ctx.ledger
        if level == "grid":
            rows = grids_model.grids(ledger)
            several = len({r["community_id"] for r in rows}) > 1
            return [((f"{r['community']} · {r['name']}" if several else r["name"]), r["id"]) for r in rows]
        parent = self.value(self._above(level))
        if parent is None:
            return []
        if level == "building":
            return [(building_text(r), r["id"]) for r in grids_model.buildings(ledger, parent)]
        if level == "unit":
            return [(unit_text(r), r["id"]) for r in grids_model.units(ledger, parent)]
        return [(r["room"], r["id"]) for r in grids_model.households(ledger, parent)]

    def _fill(self, level: str) -> None:
        combo = self.combos[level]
        was = self._filling
        self._filling = True
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL_TEXT[level] if self.for_filter else CHOOSE_TEXT[level], None)
        items = self._items(level)
        for text, value in items:
            combo.addItem(text, value)
        above = self._above(level)
        combo.setEnabled(above is None or self.value(above) is not None)
        if not self.for_filter and len(items) == 1 and level == "unit":
            combo.setCurrentIndex(1)  # a building without stairwells: nothing to choose
        combo.blockSignals(False)
        self._filling = was
        below = self._below(level)
        if below:
            self._fill(below)

    def _level_changed(self, level: str) -> None:
        if self._filling:
            return
        below = self._below(level)
        if below:
            self._fill(below)
        self.changed.emit()
