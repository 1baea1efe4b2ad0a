"""街道台账 · 报送情况: the street's communities, who has reported which month, 导入报送.

导入报送 accepts many ``.glpkg`` files at once.  The files are checked first (nothing
written): a refused file (changed after signing, another key than the registered one, a
version already imported, a month not ended, not a package) is listed and nothing is
imported; a community not yet registered shows its key's fingerprint, which the clerk
confirms by phone before it is registered.  Then every file is imported in one operation
(``models.street.registry.import_packages``) and the changes are listed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHeaderView, QLabel, QMessageBox, QTabWidget, QWidget

from models.core.periods import month_text
from models.street import registry
from models.street.package import SUFFIX
from models.street.registry import is_street
from ui.dialogs.street_community import AddCommunityDialog
from ui.models.evaluation_models import RowsModel
from ui.ops import LedgerOp
from ui.widgets.layout import hbox, vbox
from ui.widgets.list_page import action_button, read_only_view
from ui.widgets.month_box import EndedMonthBox

COMMUNITY_COLUMNS = ["社区", "本月报送", "定稿时间", "定稿人", "导入时间", "公钥指纹", "登记方式"]
HISTORY_COLUMNS = ["社区", "月份", "版本", "定稿时间", "定稿人", "重新定稿原因", "导入时间", "导入人", "状态"]
PACKAGE_FILTER = f"报送文件 (*{SUFFIX});;所有文件 (*)"


def _load(ledger, month: str) -> dict:
    """What the page shows (a read, run as a LedgerOp)."""
    reported = registry.reported(ledger, month)
    rows = []
    for c in registry.communities(ledger):
        r = reported.get(c.name)
        rows.append({"社区": c.name, "本月报送": f"第 {r['version']} 版" if r else "未报送",
                     "定稿时间": r["published_at"][:16] if r else "", "定稿人": r["published_by"] if r else "",
                     "导入时间": r["imported_at"][:16] if r else "", "公钥指纹": c.fingerprint,
                     "登记方式": c.registered_how})
    history = [{"社区": h["community"], "月份": month_text(h["month"]), "版本": f"第 {h['version']} 版",
                "定稿时间": h["published_at"][:16], "定稿人": h["published_by"], "重新定稿原因": h["reason"],
                "导入时间": h["imported_at"][:16], "导入人": h["imported_by"],
                "状态": f"已被第 {h['superseded_by_version']} 版取代" if h["superseded_by_version"] else "现行"}
               for h in registry.package_history(ledger)]
    return {"month": month, "communities": rows, "history": history, "street": registry.street_name(ledger),
            "missing": [r["社区"] for r in rows if r["本月报送"] == "未报送"]}


class StreetReportsPage(QWidget):
    """Signals:
        loaded(): the lists are on screen (tests wait for it).
        imported(object): an import finished (its :class:`~models.street.registry.ImportResult`).
    """

    loaded = Signal()
    imported = Signal(object)
    REFRESH_AREAS = {"street", "settings", "*"}

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._job = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.month = EndedMonthBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.import_button = action_button("导入报送…", self.import_files, primary=True,
                                           tooltip="选择各社区报送的 .glpkg 文件（可多选）")
        self.add_button = action_button("登记社区…", self.add_community,
                                        tooltip="用社区交来的公钥文件预先登记社区")
        self.communities_model = RowsModel(COMMUNITY_COLUMNS, self)
        self.communities_view = _view(self.communities_model)
        self.communities_view.setObjectName("streetCommunities")
        self.history_model = RowsModel(HISTORY_COLUMNS, self)
        self.history_view = _view(self.history_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.communities_view, "各社区报送情况")
        self.tabs.addTab(self.history_view, "导入记录")
        hint = QLabel("首次导入某社区的报送时，会显示该社区的公钥指纹：请与社区电话核对（社区在“设置 ▸ 签名密钥”"
                      "或其月度评比通报的“评比办法”中可以看到），一致才确认。街道台账只保存报送中的统计数字，不含居民个人信息。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        vbox(hbox((self.title, 1), "月份：", self.month, self.add_button, self.import_button),
             self.summary, (self.tabs, 1), hint, parent=self)
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.changed.connect(self._on_changed)
        ctx.ledger_replaced.connect(self._fill_months)
        self._apply_role()
        self.refresh()

    def _apply_role(self) -> None:
        self.ctx.enable_if_allowed(self.import_button, "street.import", self.import_button.toolTip())
        self.ctx.enable_if_allowed(self.add_button, "street.manage", self.add_button.toolTip())

    def _fill_months(self) -> None:
        self.month.fill(self.ctx.ledger.now())

    def current_month(self) -> str:
        return self.month.month()

    def set_month(self, month: str) -> None:
        if not self.month.select(month):
            self.refresh()

    def refresh(self) -> None:
        month = self.current_month()
        if not month or not is_street(self.ctx.ledger):   # a page left over from a street ledger
            return
        self._job = LedgerOp(self.ctx, lambda ledger: _load(ledger, month), parent=self,
                             title="读取报送情况").success(self._show).run()

    def _show(self, data: dict) -> None:
        self.title.setText(f"{data['street']} · 报送情况")
        self.communities_model.set_rows(data["communities"], COMMUNITY_COLUMNS)
        self.history_model.set_rows(data["history"], HISTORY_COLUMNS)
        total = len(data["communities"])
        missing = data["missing"]
        if not total:
            self.summary.setText("还没有登记任何社区。点“导入报送…”导入社区交来的报送文件，或先“登记社区…”。")
        else:
            text = f"{month_text(data['month'])}：{total - len(missing)} / {total} 个社区已报送。"
            if missing:
                text += f"未报送：{'、'.join(missing)}。"
            self.summary.setText(text)
        self.loaded.emit()

    def _on_changed(self, area: str) -> None:
        if area in self.REFRESH_AREAS:
            self.refresh()

    # -- actions -----------------------------------------------------------------------------------
    def import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "导入报送（可多选）", "", PACKAGE_FILTER)
        if files:
            self.import_paths([Path(f) for f in files])

    def import_paths(self, paths: list[Path]) -> None:
        """Check ``paths``, ask the clerk to confirm new communities' fingerprints, then import."""
        contents = registry.read_files(paths)
        LedgerOp(self.ctx, lambda ledger: registry.preview_import(ledger, contents), parent=self,
                 title="检查报送文件").success(lambda preview: self._confirm(contents, preview)).run()

    def _confirm(self, contents, preview) -> None:
        if preview.refused:
            QMessageBox.warning(self, "导入报送",
                                "以下报送未通过检查，本次没有导入任何文件：\n\n" + "\n\n".join(preview.refused))
            return
        trust = False
        if preview.new:
            lines = "\n".join(f"{name}：{fingerprint}" for name, fingerprint in preview.new)
            answer = QMessageBox.question(
                self, "确认指纹",
                f"以下社区是第一次报送，将登记它们的签名公钥：\n\n{lines}\n\n"
                "请打电话与社区核对指纹（社区的“设置 ▸ 签名密钥”或其月度评比通报的“评比办法”一节），"
                "完全一致再点“是”。不一致请点“否”，本次不导入任何文件。")
            if answer != QMessageBox.Yes:
                return
            trust = True
        LedgerOp(self.ctx, lambda ledger: registry.import_packages.op(ledger, contents, trust=trust), parent=self,
                 title="导入报送").disabling(self.import_button).success(self._imported).run()

    def _imported(self, changes) -> None:
        result = changes.result
        QMessageBox.information(self, "导入报送", f"共导入 {result.imported} 份报送：\n\n" + "\n".join(result.lines))
        self.imported.emit(result)

    def add_community(self) -> None:
        dialog = AddCommunityDialog(self.ctx, self)
        self.last_dialog = dialog
        dialog.exec()


def _view(model):
    view = read_only_view(model)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view
