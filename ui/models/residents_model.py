"""The residents table: a :class:`~ui.models.paged_model.PagedTableModel` over
``models.residents.records.search_page`` (100 rows a page, filtered and sorted in SQL).

``DisplayRole`` gives display strings; ``Qt.UserRole`` the raw value (the tags
as a list); ``ID_ROLE`` the resident's id; residents no longer 在册 are grey.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor

from models.residents import records as residents_model
from ui.models.paged_model import PagedTableModel
from ui.models.rows_model import ID_ROLE, Column

__all__ = ["COLUMNS", "ID_ROLE", "PAGE_SIZE", "ResidentsTableModel", "column_of"]

PAGE_SIZE = 100

#: (row key, column title, sort key for models.residents.records.search_page or None)
COLUMNS: list[tuple[str, str, str | None]] = [
    ("name", "姓名", "name"),
    ("gender", "性别", "gender"),
    ("id_masked", "身份证号", None),
    ("birth_date", "出生日期", "birth_date"),
    ("phone", "联系电话", None),
    ("grid", "网格", "grid"),
    ("building", "楼栋", "building"),
    ("unit", "单元", None),
    ("room", "房号", None),
    ("relation", "与户主关系", None),
    ("residence_type", "人口类型", "residence_type"),
    ("status", "状态", "status"),
    ("status_date", "变动日期", None),
    ("tags", "标签", None),
]
COLUMN_KEYS = [c[0] for c in COLUMNS]
GONE_BRUSH = QBrush(QColor("#8a8f98"))


def column_of(key: str) -> int:
    return COLUMN_KEYS.index(key)


def _gone(row: dict):
    return GONE_BRUSH if row.get("status") != "在册" else None


def _status_date(row: dict) -> str:
    return "" if row.get("status") == "在册" else str(row.get("status_date") or "")


class ResidentsTableModel(PagedTableModel):
    """Residents matching a :class:`models.residents.records.ResidentFilter`, fetched page by page.

    Args:
        ctx: the AppContext (``ctx.ledger`` is read on every query, so a replaced
            ledger is picked up by :meth:`reload`).

    Attributes:
        hidden_tags: tag names not shown (重点人员 tags for an operator who may not see them).
    """

    TEXT_TOOLTIPS = True

    def __init__(self, ctx, parent=None):
        texts = {"status_date": _status_date, "tags": lambda row: "、".join(self._tags(row.get("tags")))}
        raws = {"tags": lambda row: self._tags(row.get("tags"))}
        columns = [Column(title, key, texts.get(key), raw=raws.get(key), sort=sort, foreground=_gone)
                   for key, title, sort in COLUMNS]
        super().__init__(lambda: ctx.ledger, columns, residents_model.ResidentFilter(), sort_key="id",
                         descending=False, parent=parent)
        self.ctx = ctx
        self.hidden_tags: set[str] = set()

    def fetch_page(self, after):
        return residents_model.search_page(self.ledger, self.filter, sort=self.sort_key,
                                           descending=self.descending, after=after, limit=PAGE_SIZE)

    def set_sort(self, key: str, descending: bool = False) -> None:
        if key not in residents_model.SORTABLE:
            raise ValueError(f"cannot sort by {key!r}")
        self.sort_key, self.descending = key, descending
        self.reload()

    def _tags(self, value) -> list[str]:
        if not value:
            return []
        names = value if isinstance(value, (list, tuple)) else str(value).replace("、", ",").split(",")
        return [n.strip() for n in names if n and n.strip() and n.strip() not in self.hidden_tags]

    # -- access --------------------------------------------------------------------------------
    resident_id = PagedTableModel.row_id

    def row_dict(self, row: int) -> dict | None:
        """A copy of row ``row`` (None outside the list)."""
        return dict(self.rows[row]) if 0 <= row < len(self.rows) else None
