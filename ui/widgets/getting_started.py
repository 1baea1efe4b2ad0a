"""开始使用: what a new, empty ledger offers first (issue 13) — shown on 首页 until the ledger has grids.

Registering a matter in a ledger without grids only said "请选择事项所在的网格" over an empty list.
The panel offers the three ways in: 导入居民台账 (the import builds grids, buildings and households
from the sheet), 建立网格 (the 网格管理 page) and 打开演示台账.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class GettingStarted(QFrame):
    """The panel.  Signals say which way the clerk chose.

    Signals:
        import_residents(): 导入居民台账.
        build_grids(): 建立网格.
        open_demo(): 打开演示台账.
    """

    import_residents = Signal()
    build_grids = Signal()
    open_demo = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gettingStarted")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("QFrame#gettingStarted { background: #fff8e1; border: 1px solid #f0b429;"
                           " border-radius: 4px; }")
        title = QLabel("开始使用：这个台账还没有网格")
        title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        hint = QLabel("登记事项、走访和评比都要先有网格。请选一种方式开始：")
        hint.setWordWrap(True)
        self.import_button = QPushButton("导入居民台账…")
        self.import_button.setObjectName("primary")
        self.import_button.setToolTip("从 Excel 或 CSV 导入居民，网格、楼栋和户随之建立")
        self.grids_button = QPushButton("建立网格")
        self.grids_button.setToolTip("到“网格管理”逐个新增网格、楼栋和工作人员")
        self.demo_button = QPushButton("打开演示台账")
        self.demo_button.setToolTip("打开一个虚构的示例台账，先熟悉功能")
        self.import_button.clicked.connect(self.import_residents)
        self.grids_button.clicked.connect(self.build_grids)
        self.demo_button.clicked.connect(self.open_demo)
        buttons = QHBoxLayout()
        for button in (self.import_button, self.grids_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(buttons)
