"""帮助 ▸ 快捷键 (the guide itself, 帮助 ▸ 使用说明, is :mod:`ui.dialogs.user_guide`)."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

#: (keys, what they do): the shortcuts every page and form shares (ui/widgets/forms.py, the pages)
SHORTCUTS = [
    ("Ctrl+N", "在当前页面新增：登记事项（首页、民情事项）、新增居民、新增走访记录……"),
    ("Ctrl+F", "到当前页面的搜索框"),
    ("Ctrl+O", "打开台账"),
    ("Ctrl+Q", "退出"),
    ("回车 / Tab", "表单中到下一项（回车不会保存）"),
    ("Shift+Tab", "表单中回到上一项"),
    ("Shift+回车", "多行文字中换行"),
    ("Ctrl+S", "保存当前表单"),
    ("Esc", "关闭当前表单；有未保存的内容时先询问“保存 / 不保存 / 取消”"),
    ("Alt+带下划线的字母", "跳到对应的栏目或按钮，如 Alt+C 到“类别”"),
    ("↓ 然后回车", "在反映人等查找框中选中第一个候选人"),
    ("日期、时间", "可直接输入 20261130、2026.11.30、11-30（本年）；时间 1130、11.30、11:30"),
    ("回车（列表中）", "打开选中的记录"),
]


class ShortcutsDialog(QDialog):
    """快捷键: :data:`SHORTCUTS` in a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("快捷键")
        self.table = QTableWidget(len(SHORTCUTS), 2)
        self.table.setHorizontalHeaderLabels(["按键", "作用"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, (keys, meaning) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(meaning))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 460)
