"""Typing a name to find a person: volunteers first, then residents of the ledger."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from models.volunteers import records as vol_model
from ui.widgets.forms import KEEPS_ENTER


class PersonLookup(QLineEdit):
    """Type a name, an ID number or a phone; a drop-down lists matching volunteers and residents.

    Signals:
        chosen(object): a :class:`models.volunteers.records.Candidate` picked from the list.
    """

    chosen = Signal(object)
    CandidateRole = Qt.UserRole + 2

    def __init__(self, ctx, placeholder: str = "输入姓名、身份证号或手机号查找", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setProperty(KEEPS_ENTER, True)   # Enter adds the person typed (ui.widgets.forms)
        self.model = QStandardItemModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer_.setMaxVisibleItems(12)
        self.completer_.setWidget(self)
        self.completer_.activated[QModelIndex].connect(self._activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.lookup)
        self.textEdited.connect(lambda _t: self._timer.start())
        self.candidates: list[vol_model.Candidate] = []

    def lookup(self) -> list:
        """Find people for the current text and show them in the drop-down."""
        self._timer.stop()
        text = self.text().strip()
        self.candidates = vol_model.find_candidates(self.ctx.ledger, text) if text else []
        self.model.clear()
        for cand in self.candidates:
            item = QStandardItem(cand.label)
            item.setData(cand, self.CandidateRole)
            item.setEditable(False)
            self.model.appendRow(item)
        if self.candidates and self.hasFocus():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()
        return self.candidates

    def _activated(self, index: QModelIndex) -> None:
        cand = index.data(self.CandidateRole)
        if cand is not None:
            self.completer_.popup().hide()
            self.chosen.emit(cand)
