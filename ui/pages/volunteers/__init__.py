"""志愿服务: activities, volunteers, organisations and hour summaries (issue 5).

Four tabs, one module each, and a module per dialog:

* 活动 (:mod:`.activities`) — the activity list (filters: date range, grid,
  organisation, type, text) → :class:`.activity_dialog.ActivityDialog`, where
  participants are added by typing a name (:mod:`.person_lookup`: resident look-up;
  an outside person is allowed), hours default to the activity's span
  (:mod:`.participants`), and photos / sign-in sheets sit in a thumbnail strip
  (:mod:`.photo_preview`).
* 志愿者 (:mod:`.volunteers_tab`) — the volunteer list with hours for a chosen
  period; the selected volunteer's details, organisations and service history
  beside it; :mod:`.volunteer_dialog` registers or edits one.
* 组织 (:mod:`.organisations`) — organisations, their details and members
  (:mod:`.org_dialog`).
* 统计 (:mod:`.statistics`) — hours by volunteer, organisation, grid and month,
  exported to xlsx.
* 待确认 (:mod:`.pending`) — imported volunteers whose name several residents share:
  the clerk picks which resident each one is (``confirm_volunteer``).

All data comes from ``models.volunteers.records`` / ``models.volunteers.activities``;
every change is one operation there (permission, one transaction, ``Changes``),
run through ``LedgerOp``, which tells every page what changed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from models.core.errors import LedgerError
from models.volunteers import records as vol_model
from ui.errors import show_error
from ui.pages.volunteers.activities import ActivitiesTab
from ui.pages.volunteers.organisations import OrgsTab
from ui.pages.volunteers.pending import PendingTab
from ui.pages.volunteers.statistics import StatsTab
from ui.pages.volunteers.volunteers_tab import VolunteersTab

__all__ = ["ActivitiesTab", "OrgsTab", "PendingTab", "StatsTab", "VolunteersPage", "VolunteersTab"]

#: ``ctx.changed`` areas that make the tabs stale
WATCHED = ("volunteers", "grids", "residents", "settings", "*")


class VolunteersPage(QWidget):
    """志愿服务: 活动 / 志愿者 / 组织 / 统计 / 待确认."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.activities = ActivitiesTab(ctx)
        self.volunteers = VolunteersTab(ctx)
        self.orgs = OrgsTab(ctx)
        self.stats = StatsTab(ctx)
        self.pending = PendingTab(ctx)
        self.tabs.addTab(self.activities, "活动")
        self.tabs.addTab(self.volunteers, "志愿者")
        self.tabs.addTab(self.orgs, "组织")
        self.tabs.addTab(self.stats, "统计")
        self.tabs.addTab(self.pending, "待确认")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self._dirty: set[int] = set()
        self.tabs.currentChanged.connect(self._tab_shown)
        ctx.changed.connect(self._on_changed)
        self.refresh()

    def _tabs(self):
        return [self.activities, self.volunteers, self.orgs, self.stats, self.pending]

    def refresh(self) -> None:
        """Reload the visible tab now; the others when they are shown."""
        self._apply_role()
        self._dirty = set(range(len(self._tabs())))
        self._tab_shown(self.tabs.currentIndex())
        self._count_pending()

    def _count_pending(self) -> None:
        """The 待确认 tab's title says how many are waiting (待确认 (3))."""
        try:
            waiting = vol_model.count_pending(self.ctx.ledger)
        except LedgerError:
            return
        self.tabs.setTabText(self.tabs.indexOf(self.pending), f"待确认（{waiting}）" if waiting else "待确认")

    def _apply_role(self) -> None:
        """A 督导员 (read-only supervisor) sees everything and changes nothing."""
        editable = self.ctx.may("records.edit")
        for button in (self.activities.new_button, self.activities.delete_button, self.activities.import_button,
                       self.volunteers.new_button, self.volunteers.edit_button, self.volunteers.delete_button,
                       self.orgs.new_button, self.orgs.delete_button, self.orgs.save_button,
                       self.pending.confirm_button):
            button.setVisible(editable)
        self.activities.open_button.setText("查看/编辑" if editable else "查看")
        self.orgs.member_lookup.setVisible(editable)
        self.orgs.remove_member_button.setVisible(editable)

    def _tab_shown(self, index: int) -> None:
        if index in self._dirty:
            self._dirty.discard(index)
            try:
                self._tabs()[index].refresh()
            except LedgerError as exc:
                show_error(self, exc)

    def _on_changed(self, area: str) -> None:
        if area in WATCHED:
            self._dirty = set(range(len(self._tabs())))
            self._count_pending()
            if self.isVisible():
                self._tab_shown(self.tabs.currentIndex())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._tab_shown(self.tabs.currentIndex())
