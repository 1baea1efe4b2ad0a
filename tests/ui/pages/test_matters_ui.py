"""民情事项 screens: the paged list, the registration form and a matter's page with its actions."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QMessageBox, QPlainTextEdit

from models.matters import records as matters_model
from models.meetings import records as meetings_model
from tests.ui.matters_helpers import register
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.dialogs import matter_detail
from ui.pages import matters as matters_page
from ui.pages.matters import MattersPage, MattersTableModel

# the offscreen platform says these when windows and popups are shown
pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support"),
              pytest.mark.usefixtures("close_matter_windows")]


@pytest.fixture
def page(qtbot, ctx, place):
    return show_widget(qtbot, MattersPage(ctx))


def _column(name):
    return [c[0] for c in matters_page.COLUMNS].index(name)


def _shown(model, column="number"):
    return [model.index(r, _column(column)).data() for r in range(model.rowCount())]


# -- the item model --------------------------------------------------------------------------

def test_model_passes_modeltester_and_pages(qtmodeltester, ledger, place, monkeypatch):
    monkeypatch.setattr(matters_page, "PAGE_SIZE", 2)
    for i in range(5):
        register(ledger, place, description=f"事项{i}")
    model = MattersTableModel(ledger)
    model.reload()
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 5 and not model.canFetchMore()
    # newest first: the last registered comes first (numbers of one month grow)
    assert _shown(model) == [f"2026-10-000{i}" for i in (5, 4, 3, 2, 1)]
    assert model.index(0, 0).data(Qt.UserRole) == model.matter_id(0)
    qtmodeltester.check(model)


def test_the_registration_date_range_starts_on_the_ledgers_today(qtbot, ctx, place, clock):
    clock.set(2027, 3, 31, 23, 59, 0)
    page = show_widget(qtbot, MattersPage(ctx))
    assert (page.date_from.date(), page.date_to.date()) == (QDate(2027, 2, 28), QDate(2027, 3, 31))
    assert not page.date_check.isChecked()   # offered, not applied


def test_sorting_by_deadline_happens_in_sql(ledger, place, clock):
    small = register(ledger, place, description="小事")
    big = register(ledger, place, description="大事", level="大事", category="违章建筑")
    model = MattersTableModel(ledger)
    model.sort(_column("deadline"), Qt.AscendingOrder)
    assert model.sort_key == "deadline" and not model.descending
    assert [model.matter_id(r) for r in range(2)] == [small, big]
    model.sort(_column("description"), Qt.AscendingOrder)   # not sortable: nothing changes
    assert model.sort_key == "deadline"


def test_overdue_rows_are_red_with_a_badge(ledger, place, clock):
    late = register(ledger, place, description="昨天的路灯")
    clock.set(2026, 10, 16, 8, 0, 0)
    fresh = register(ledger, place, description="今天的路灯")
    model = MattersTableModel(ledger)
    model.reload()
    rows = {model.matter_id(r): r for r in range(model.rowCount())}
    state = model.index(rows[late], _column("state"))
    assert state.data() == "登记·超期"
    assert state.data(Qt.ForegroundRole).color() == QColor(matters_page.OVERDUE_COLOR)
    assert "已超过办理时限" in model.index(rows[late], 0).data(Qt.ToolTipRole)
    assert model.index(rows[fresh], _column("state")).data() == "登记"
    assert model.index(rows[fresh], 0).data(Qt.ForegroundRole) is None


def test_the_state_column_says_everything_in_its_tooltip(ledger, place, clock):
    """Issue 13: "已分派 · 超期 · …" was cut before the 督办 card; the tool tip holds it whole."""
    late = register(ledger, place, description="昨天的路灯")
    matters_model.apply_action(ledger, late, "督办", card="黄牌", note="抓紧")
    clock.set(2026, 10, 16, 8, 0, 0)
    model = MattersTableModel(ledger)
    model.reload()
    state = model.index(0, _column("state"))
    assert state.data() == "登记·超期·黄牌督办"
    assert state.data(Qt.ToolTipRole) == "状态：登记\n已超过办理时限（2026-10-15 23:59）\n已黄牌督办"


# -- the list page ----------------------------------------------------------------------------

def test_filters_and_search_drive_the_list(page, ledger, place, clock, typer, qtbot):
    register(ledger, place, description="楼上漏水", level="私事", category="邻里纠纷")
    big = register(ledger, place, description="私搭乱建", level="大事", category="违章建筑",
                   assignee_staff_id=place["head"])
    register(ledger, place, description="垃圾满溢", category="环境卫生", household_id=place["other"])
    page.refresh()
    assert page.model.rowCount() == 3
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 件")

    typer(page.search, "漏水")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert _shown(page.model, "description") == ["楼上漏水"]
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)

    page.level_box.setCurrentIndex(page.level_box.findText("大事"))
    assert [page.model.matter_id(r) for r in range(page.model.rowCount())] == [big]
    page.level_box.setCurrentIndex(0)
    page.state_box.setCurrentIndex(page.state_box.findText("已分派"))
    assert page.model.rowCount() == 1
    page.state_box.setCurrentIndex(0)
    page.grid_box.setCurrentIndex(page.grid_box.findData(place["grid2"]))
    assert _shown(page.model, "description") == ["垃圾满溢"]
    page.grid_box.setCurrentIndex(0)
    page.assignee_box.setCurrentIndex(page.assignee_box.findData(place["head"]))
    assert _shown(page.model, "description") == ["私搭乱建"]
    page.clear_filters()
    assert page.model.rowCount() == 3

    clock.set(2026, 10, 16, 8, 0, 0)
    page.refresh()
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 件，其中 2 件已超期")
    qtbot.mouseClick(page.overdue_check, Qt.LeftButton)
    assert sorted(_shown(page.model, "description")) == ["垃圾满溢", "楼上漏水"]
    qtbot.waitUntil(lambda: page.count_label.text() == "共 2 件")
    qtbot.mouseClick(page.overdue_check, Qt.LeftButton)

    page.date_check.setChecked(True)
    page.date_from.setDate(page.date_from.date().fromString("2026-10-16", "yyyy-MM-dd"))
    page.date_to.setDate(page.date_to.date().fromString("2026-10-31", "yyyy-MM-dd"))
    assert page.model.rowCount() == 0
    qtbot.waitUntil(lambda: page.count_label.text() == "共 0 件")


def test_header_clicks_sort_only_sortable_columns(page, ledger, place, qtbot):
    register(ledger, place)
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(_column("deadline")) + 10
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    assert page.model.sort_key == "deadline"
    x = header.sectionViewportPosition(_column("category")) + 10
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    assert page.model.sort_key == "deadline"
    assert header.sortIndicatorSection() == _column("deadline")


def test_show_only_is_what_the_home_screen_asks_for(page, ledger, place):
    done = register(ledger, place, assignee_staff_id=place["head"])
    matters_model.apply_action(ledger, done, "办结", result="已修好")
    register(ledger, place, description="还没办")
    page.show_only(awaiting_follow_up=True)
    assert page.follow_up_check.isChecked() and not page.overdue_check.isChecked()
    assert [page.model.matter_id(r) for r in range(page.model.rowCount())] == [done]


# -- registration ----------------------------------------------------------------------------

def test_register_with_the_keyboard_alone(page, ledger, place, qtbot, typer):
    qtbot.keyClick(page.view, Qt.Key_N, Qt.ControlModifier)
    form = page.form
    assert form is not None and form.isVisible()
    assert form.registered_edit.dateTime().toPython().strftime("%Y-%m-%d %H:%M") == "2026-10-15 09:30"
    assert form.source_box.currentText() == "来访"
    typer(form.reporter_edit, "老李")           # not a resident: free text
    typer(form.phone_edit, "13812345678")
    grid = form.place.combos["grid"]
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key_Down)          # 第一网格
    assert grid.currentText() == "第一网格"
    category = form.category_box
    qtbot.keyClick(category, Qt.Key_Down)      # 环境卫生 → level follows (小事)
    assert form.level_box.currentText() == "小事"
    assert "当日办结" in form.deadline_label.text()
    typer(form.description_edit, "垃圾桶满溢")
    # the cursor moves in reading order
    assert form.description_edit.tabChangesFocus()
    qtbot.keyClick(form.description_edit, Qt.Key_Return)   # Enter moves on, never saves (issue 13)
    assert form.isVisible() and matters_model.count(ledger) == 0
    qtbot.keyClick(form.assignee_box, Qt.Key_S, Qt.ControlModifier)   # Ctrl+S saves

    assert not form.isVisible()
    matter = matters_model.get_matter(ledger, form.matter_id)
    assert (matter["reporter_name"], matter["reporter_phone"], matter["grid_id"], matter["category"],
            matter["level"], matter["source"], matter["state"]) == (
        "老李", "13812345678", place["grid1"], "环境卫生", "小事", "来访", "登记")
    assert matter["registered_at"] == "2026-10-15 09:30:00"
    assert page.model.matter_id(0) == form.matter_id


def test_tab_order_follows_the_form(page):
    form = page.register_matter()
    chain, widget = [], form.registered_edit
    for _ in range(20):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while widget is not form.registered_edit and not (widget.focusPolicy() & Qt.TabFocus):
            widget = widget.nextInFocusChain()
        if widget is form.registered_edit:
            break
    expected = [form.registered_edit, form.source_box, form.reporter_edit, form.phone_edit,
                *form.place.combos.values(), form.location_edit, form.category_box, form.level_box,
                form.description_edit, form.assignee_box, form.save_button]
    assert [w for w in chain if w in expected] == expected


def test_enter_never_saves_and_ctrl_s_names_missing_fields(page, ledger, place, qtbot, typer):
    form = page.register_matter()
    typer(form.phone_edit, "13812345678")
    qtbot.keyClick(form.phone_edit, Qt.Key_Return)
    assert form.isVisible() and form.error_label.text() == ""      # Enter moved on (issue 13)
    qtbot.keyClick(form.phone_edit, Qt.Key_S, Qt.ControlModifier)
    assert form.error_label.text() == "请选择事项所在的网格。"
    form.place.set_path(grid=place["grid1"])
    qtbot.keyClick(form.category_box, Qt.Key_Return)    # Enter on a closed combo box does not save either
    assert form.error_label.text() == "请选择事项所在的网格。"
    qtbot.keyClick(form.category_box, Qt.Key_S, Qt.ControlModifier)
    assert form.error_label.text() == "请填写事项描述。"
    assert matters_model.count(ledger) == 0


def test_model_refusal_is_shown_on_the_form(page, ledger, place, qtbot, typer):
    form = page.register_matter()
    form.place.set_path(grid=place["grid1"])
    typer(form.description_edit, "未来的事")
    form.registered_edit.setDateTime(form.registered_edit.dateTime().addDays(2))
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert form.isVisible()
    assert form.error_label.text() == "登记时间不能晚于当前时间。"


def test_assignee_given_at_registration_assigns(page, ledger, place, qtbot, typer):
    form = page.register_matter()
    form.place.set_household(place["rooms"]["102"])
    assert form.place.grid_id() == place["grid1"]
    assert form.assignee_box.itemText(1) == "张网格长（网格长）"   # the grid's staff first
    form.assignee_box.setCurrentIndex(1)
    typer(form.description_edit, "噪音")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    matter = matters_model.get_matter(ledger, form.matter_id)
    assert (matter["state"], matter["assignee_name"], matter["household_id"]) == (
        "已分派", "张网格长", place["rooms"]["102"])


def test_reporter_is_found_by_name_or_phone(qtbot, ledger, typer):
    from models.grids import hierarchy as grids_model
    from models.residents import records as residents_model
    from ui.dialogs.matter_form import MatterForm

    ids = {}
    for name, phone, building, room in (("王五", "13900139003", "2号楼", "202"),
                                         ("王小五", "13900138888", "3号楼", "301")):
        household = grids_model.ensure_place(ledger, grids_model.Place(None, "第一网格", building, "1单元", room))
        ids[name] = residents_model.add_resident(ledger, {"name": name, "phone": phone,
                                                          "household_id": household, "relation": "户主"})
    form = MatterForm(AppContext(ledger))
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    typer(form.reporter_edit, "王")
    form.reporter_edit.lookup()
    suggestions = form.reporter_edit.suggestions
    assert suggestions.rowCount() == 2
    form.reporter_edit.clear()
    typer(form.reporter_edit, "9003")             # the last digits of 王五's phone
    form.reporter_edit.lookup()
    assert suggestions.rowCount() == 1
    assert suggestions.item(0).text().startswith("王五　13900139003　2号楼1单元202")
    popup = form.reporter_edit.completer_.popup()
    qtbot.waitUntil(popup.isVisible)
    rect = popup.visualRect(suggestions.index(0, 0))
    qtbot.mouseClick(popup.viewport(), Qt.LeftButton, pos=rect.center())
    assert form.reporter_edit.text() == "王五"
    assert form.reporter_edit.resident_id == ids["王五"]
    assert form.phone_edit.text() == "13900139003"
    assert form.place.combos["household"].currentText() == "202"
    assert form.place.combos["grid"].currentText() == "第一网格"
    # typing again makes it free text
    typer(form.reporter_edit, "的家属")
    assert form.reporter_edit.resident_id is None


# -- a matter's page and its actions --------------------------------------------------------

def _act(qtbot, detail, action):
    button = detail.action_buttons[action]
    assert button.isVisibleTo(detail), f"{action} should be offered"
    qtbot.mouseClick(button, Qt.LeftButton)
    dialog = detail.action_dialog
    assert dialog is not None and dialog.action == action and dialog.isVisible()
    return dialog


def _offered(detail):
    return [a for a, b in detail.action_buttons.items() if b.isVisibleTo(detail)]


def _fill(field, text):
    if isinstance(field, QComboBox):
        field.setEditText(text)
    elif isinstance(field, QPlainTextEdit):
        field.setPlainText(text)
    else:
        field.setText(text)


@pytest.mark.parametrize("dialog_class, field, message", [
    (matter_detail.AssignDialog, "staff_box", "请选择或填写承办人。"),
    (matter_detail.CloseDialog, "result_edit", "请填写办理结果。"),
    (matter_detail.ExtendDialog, "reason_edit", "延期必须写明理由。"),
    (matter_detail.SuperviseDialog, "note_edit", "请填写督办意见。"),
    (matter_detail.CancelDialog, "reason_box", "作废必须写明理由。"),
])
def test_action_dialogs_name_their_empty_required_field(qtbot, ctx, ledger, place, dialog_class, field, message):
    dialog = dialog_class(ctx, matters_model.get_matter(ledger, register(ledger, place)))
    qtbot.addWidget(dialog)
    _fill(getattr(dialog, field), " \n ")
    assert dialog.problem() == message
    _fill(getattr(dialog, field), " 已写 ")
    assert dialog.problem() is None
    if dialog_class is matter_detail.ExtendDialog:   # then the new deadline must be later
        dialog.deadline_edit.setDateTime(dialog.deadline_edit.dateTime().addDays(-30))
        assert dialog.problem() == "新时限必须晚于原时限。"
        _fill(dialog.reason_edit, "")
        assert dialog.problem() == message


def test_register_assign_close_follow_up(page, ledger, place, qtbot, typer, clock):
    form = page.register_matter()
    form.place.set_household(place["rooms"]["103"])
    typer(form.reporter_edit, "王大妈")
    typer(form.description_edit, "楼道灯不亮")
    qtbot.keyClick(form.description_edit, Qt.Key_S, Qt.ControlModifier)
    matter_id = form.matter_id

    page.view.setCurrentIndex(page.model.index(0, 0))
    qtbot.mouseClick(page.open_button, Qt.LeftButton)
    detail = matter_detail.OPEN_DETAILS[-1]
    assert detail.matter_id == matter_id and detail.isVisible()
    assert detail.state_badge.text() == "登记"
    assert _offered(detail) == ["分派", "延期", "督办", "作废"]

    clock.advance(minutes=5)
    dialog = _act(qtbot, detail, "分派")
    assert dialog.staff_box.currentText() == "李网格员（网格员）"   # the grid's 网格员 (issue 13)
    dialog.staff_box.setCurrentIndex(dialog.staff_box.findText("李网格员（网格员）"))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.state_badge.text() == "已分派"
    assert detail.fields["assignee_name"].text() == "李网格员"
    assert _offered(detail) == ["分派", "办结", "延期", "督办", "作废"]   # 上报 is for big matters only
    assert detail.action_buttons["分派"].text() == "改派(&P)"

    clock.advance(hours=2)
    dialog = _act(qtbot, detail, "办结")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)           # no result yet
    assert dialog.isVisible() and dialog.error_label.text() == "请填写办理结果。"
    typer(dialog.result_edit, "已更换灯泡")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.state_badge.text() == "已办结"
    assert detail.result_label.text() == "已更换灯泡"
    assert _offered(detail) == ["回访"]

    clock.advance(days=1)
    dialog = _act(qtbot, detail, "回访")
    qtbot.mouseClick(dialog.satisfaction_buttons["基本满意"], Qt.LeftButton)
    typer(dialog.note_edit, "电话回访")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.state_badge.text() == "已回访"
    assert detail.fields["satisfaction"].text() == "基本满意"
    assert _offered(detail) == []
    assert detail.no_action_label.isVisibleTo(detail)

    timeline = [(detail.timeline.item(r, 1).text(), detail.timeline.item(r, 3).text())
                for r in range(detail.timeline.rowCount())]
    assert timeline == [("登记", "测试员"), ("分派", "测试员"), ("办结", "测试员"), ("回访", "测试员")]
    assert "满意度：基本满意" in detail.timeline.item(3, 4).text()
    assert "电话回访" in detail.timeline.item(3, 4).text()
    # the list followed (ctx.notify)
    assert page.model.index(0, _column("state")).data() == "已回访"
    matter = matters_model.get_matter(ledger, matter_id)
    assert (matter["state"], matter["satisfaction"], matter["result"]) == ("已回访", "基本满意", "已更换灯泡")


def test_overdue_matter_page_is_marked(page, ledger, place, clock):
    matter_id = register(ledger, place)
    detail = page.open_matter(matter_id)
    assert not detail.overdue_badge.isVisibleTo(detail)
    clock.set(2026, 10, 16, 0, 0, 1)
    detail.refresh()
    assert detail.overdue_badge.isVisibleTo(detail)
    assert detail.fields["deadline"].text() == "2026-10-15 23:59　已超期"
    assert "c0392b" in detail.fields["deadline"].styleSheet()


def test_cancel_needs_a_reason_and_a_confirmation(page, ledger, place, qtbot, typer, monkeypatch):
    matter_id = register(ledger, place)
    detail = page.open_matter(matter_id)
    answers = [QMessageBox.No, QMessageBox.Yes]
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: (asked.append(text), answers.pop(0))[1])
    dialog = _act(qtbot, detail, "作废")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.error_label.text() == "作废必须写明理由。" and not asked
    typer(dialog.reason_box.lineEdit(), "重复登记")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert "重复登记" in asked[0]
    assert matters_model.get_matter(ledger, matter_id)["state"] == "登记"   # answered 否

    dialog = _act(qtbot, detail, "作废")
    typer(dialog.reason_box.lineEdit(), "重复登记")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert matters_model.get_matter(ledger, matter_id)["state"] == "作废"
    assert detail.state_badge.text() == "作废"
    assert _offered(detail) == []


def test_extend_and_supervise(page, ledger, place, qtbot, typer, clock, monkeypatch):
    matter_id = register(ledger, place, level="大事", category="违章建筑", assignee_staff_id=place["head"])
    detail = page.open_matter(matter_id)
    assert "上报" in _offered(detail)
    dialog = _act(qtbot, detail, "延期")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.error_label.text() == "延期必须写明理由。"
    typer(dialog.reason_edit, "需协调城管")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    matter = matters_model.get_matter(ledger, matter_id)
    assert matter["deadline"] > "2026-11-14 23:59:59"
    assert detail.timeline.item(2, 1).text() == "延期"
    assert "需协调城管" in detail.timeline.item(2, 4).text()

    refused = []
    monkeypatch.setattr(matter_detail.QMessageBox, "warning", lambda *a: refused.append(a[2]))
    dialog = _act(qtbot, detail, "督办")
    assert "3 天内" in dialog.window_note.text()
    typer(dialog.note_edit, "提前催办")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)        # a month before the deadline: refused
    assert len(refused) == 1 and "既未超期，也不在到期前 3 天内" in refused[0]
    assert matters_model.get_matter(ledger, matter_id)["supervision"] == ""
    dialog.reject()
    day = dt.date.fromisoformat(matter["deadline"][:10]) - dt.timedelta(days=2)
    clock.set(day.year, day.month, day.day, 9, 0, 0)
    dialog = _act(qtbot, detail, "督办")
    dialog.card_box.setCurrentIndex(dialog.card_box.findData("黄牌"))
    typer(dialog.note_edit, "进度太慢")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.supervision_badge.text() == "黄牌督办"
    assert matters_model.get_matter(ledger, matter_id)["supervision"] == "黄牌"


def test_escalate_to_a_new_joint_meeting(page, ledger, place, qtbot, typer):
    matter_id = register(ledger, place, level="大事", category="违章建筑", description="楼顶加盖",
                         assignee_staff_id=place["head"])
    detail = page.open_matter(matter_id)
    dialog = _act(qtbot, detail, "上报")
    assert dialog.new_radio.isChecked() and not dialog.existing_radio.isEnabled()
    assert dialog.topic_edit.text() == "研究楼顶加盖"
    typer(dialog.place_edit, "社区会议室")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    matter = matters_model.get_matter(ledger, matter_id)
    assert matter["state"] == "已上报"
    meeting = meetings_model.get_meeting(ledger, matter["meeting_ids"][0])
    assert (meeting["kind"], meeting["topic"], meeting["place"]) == ("联席会议", "研究楼顶加盖", "社区会议室")
    assert "研究楼顶加盖" in detail.fields["meeting"].text()
    assert "会议：联席会议" in detail.timeline.item(2, 4).text()

    # a second big matter goes to the existing meeting
    other = register(ledger, place, level="大事", category="违章建筑", description="院内违建",
                     assignee_staff_id=place["head"])
    detail2 = page.open_matter(other)
    dialog = _act(qtbot, detail2, "上报")
    assert dialog.existing_radio.isChecked()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert meetings_model.get_meeting(ledger, meeting["id"])["matter_ids"] == [matter_id, other]


def test_a_refused_action_is_explained(page, ledger, place, qtbot, typer, warnings):
    matter_id = register(ledger, place, assignee_staff_id=place["head"])
    detail = page.open_matter(matter_id)
    # someone else closes it meanwhile; this window still offers 办结
    matters_model.apply_action(ledger, matter_id, "办结", result="别人办了")
    dialog = _act(qtbot, detail, "办结")
    typer(dialog.result_edit, "我也办了")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert len(warnings) == 1 and "已办结的事项不能再办结" in warnings[0]
    assert matters_model.get_matter(ledger, matter_id)["result"] == "别人办了"


def test_the_same_matter_opens_one_window(page, ledger, place):
    matter_id = register(ledger, place)
    first = page.open_matter(matter_id)
    assert page.open_matter(matter_id) is first
    first.close()
    second = page.open_matter(matter_id)
    assert second is not first and second.isVisible()


# -- 修改: correcting a matter's descriptive fields ---------------------------------------------

def _open_edit(qtbot, detail):
    assert detail.edit_button.isVisibleTo(detail) and detail.edit_button.isEnabled()
    qtbot.mouseClick(detail.edit_button, Qt.LeftButton)
    dialog = detail.action_dialog
    assert dialog is not None and dialog.action == "修改" and dialog.isVisible()
    return dialog


def test_edit_matter_fields_validated_saved_and_audited(page, ledger, ctx, place, qtbot, typer):
    import json

    matter_id = register(ledger, place, description="路灯不亮", reporter_name="王大妈",
                         reporter_phone="13800001234")
    detail = page.open_matter(matter_id)
    changed = []
    ctx.changed.connect(changed.append)
    dialog = _open_edit(qtbot, detail)
    # prefilled with what the matter says
    assert dialog.source_box.currentText() == "来电"
    assert dialog.category_box.currentText() == "路灯照明"
    assert dialog.description_edit.toPlainText() == "路灯不亮"
    assert (dialog.reporter_edit.text(), dialog.phone_edit.text()) == ("王大妈", "13800001234")

    dialog.description_edit.clear()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error_label.text() == "请填写事项描述。"
    typer(dialog.description_edit, "1号楼门前路灯闪烁")
    dialog.phone_edit.clear()
    typer(dialog.phone_edit, "12345")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error_label.text().startswith("联系电话有误")
    assert matters_model.get_matter(ledger, matter_id)["description"] == "路灯不亮"   # nothing saved yet

    dialog.phone_edit.clear()
    typer(dialog.phone_edit, "13900002222")
    dialog.source_box.setCurrentText("微信群")
    dialog.category_box.setCurrentText("安全隐患")
    assert dialog.location_edit.text() == "1号楼1单元101"        # the default: the household
    dialog.location_edit.clear()
    typer(dialog.location_edit, "小区东门")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert not dialog.isVisible()

    m = matters_model.get_matter(ledger, matter_id)
    assert (m["source"], m["category"], m["description"], m["location_text"], m["reporter_phone"]) == (
        "微信群", "安全隐患", "1号楼门前路灯闪烁", "小区东门", "13900002222")
    assert m["level"] == "小事" and m["state"] == "登记"        # not editable here, untouched
    assert changed == ["matters"]
    # the page shows the new values at once
    assert detail.fields["source"].text() == "微信群"
    assert detail.fields["category"].text() == "安全隐患"
    assert detail.fields["reporter_phone"].text() == "13900002222"
    assert "小区东门" in detail.fields["place"].text()
    assert detail.description_label.text() == "1号楼门前路灯闪烁"
    last = detail.timeline.rowCount() - 1
    assert detail.timeline.item(last, 1).text() == "修改"
    assert detail.timeline.item(last, 3).text() == ledger.operator.name
    assert "来源：来电 → 微信群" in detail.timeline.item(last, 4).text()
    assert "事项描述：路灯不亮 → 1号楼门前路灯闪烁" in detail.timeline.item(last, 4).text()
    audit = ledger.query("SELECT old_value, new_value FROM audit_log WHERE table_name = 'matters'"
                         " AND action = '修改' AND row_id = ?", [matter_id])
    assert len(audit) == 1
    assert json.loads(audit[0]["old_value"])["description"] == "路灯不亮"
    assert json.loads(audit[0]["new_value"])["source"] == "微信群"

    # saving unchanged fields writes nothing
    dialog = _open_edit(qtbot, detail)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE action = '修改' AND row_id = ?", [matter_id]) == 1


def test_edit_refused_by_the_model_is_explained(page, ledger, place, qtbot, typer, warnings):
    matter_id = register(ledger, place)
    detail = page.open_matter(matter_id)
    dialog = _open_edit(qtbot, detail)
    dialog.reporter_edit.resident_id = 987654       # a resident removed meanwhile
    typer(dialog.description_edit, "，已报修")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error_label.text() == "所选的反映人不在居民名单中。"
    assert matters_model.get_matter(ledger, matter_id)["description"] == "路灯不亮"

    # cancelled meanwhile in another window: the refusal is shown, nothing changes
    dialog.reporter_edit.resident_id = None
    matters_model.apply_action(ledger, matter_id, "作废", note="重复登记")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert len(warnings) == 1 and "已作废" in warnings[0]
    assert matters_model.get_matter(ledger, matter_id)["description"] == "路灯不亮"


def test_edit_disabled_for_supervisor_and_cancelled(page, ledger, place):
    from models.core.db import Operator

    cancelled = register(ledger, place)
    matters_model.apply_action(ledger, cancelled, "作废", note="重复登记")
    detail = page.open_matter(cancelled)
    assert not detail.edit_button.isEnabled() and "作废" in detail.edit_button.toolTip()
    detail.close()

    open_one = register(ledger, place, description="井盖缺失")
    detail = page.open_matter(open_one)
    assert detail.edit_button.isEnabled()
    ledger.operator = Operator("督导", role="督导员")
    detail.refresh()
    assert not detail.edit_button.isEnabled() and "督导员" in detail.edit_button.toolTip()


@pytest.mark.parametrize("role,offered,can_register", [
    ("管理员", ["分派", "办结", "延期", "督办", "作废"], True),
    ("工作人员", ["分派", "办结", "延期", "作废"], True),
    ("网格员", ["分派", "办结", "延期", "作废"], True),
    ("督导员", ["督办"], False),
])
def test_buttons_follow_the_role(qtbot, ledger, place, role, offered, can_register):
    from models.core.db import Operator

    matter_id = register(ledger, place, assignee_staff_id=place["worker"])
    ledger.operator = Operator("某人", role=role, grid_ids=frozenset(r["id"] for r in ledger.query("SELECT id FROM grids")))
    page = show_widget(qtbot, MattersPage(AppContext(ledger)))
    assert page.new_button.isEnabled() == can_register
    assert (page.register_matter() is not None) == can_register
    if not can_register:
        assert page.new_button.toolTip() == "只有管理员、工作人员或网格员可以登记事项（当前角色：督导员）。"
    detail = page.open_matter(matter_id)
    assert _offered(detail) == offered
    closed = register(ledger, place, description="已办", assignee_staff_id=place["worker"]) if can_register else None
    if closed:
        matters_model.apply_action(ledger, closed, "办结", result="好")
        assert _offered(page.open_matter(closed)) == ["回访"]


def test_a_supervisor_sees_why_nothing_is_offered(qtbot, ledger, place):
    from models.core.db import Operator

    matter_id = register(ledger, place, assignee_staff_id=place["worker"])
    matters_model.apply_action(ledger, matter_id, "办结", result="已修好")
    ledger.operator = Operator("督导", role="督导员")
    detail = MattersPage(AppContext(ledger)).open_matter(matter_id)
    assert _offered(detail) == []
    assert detail.no_action_label.isVisibleTo(detail)
    assert detail.no_action_label.text() == "督导员不能办理本事项的当前环节。"


def test_escalating_to_a_new_meeting_is_one_operation(page, ledger, place, qtbot, typer):
    matter_id = register(ledger, place, "违建", level="大事", category="违章建筑", assignee_staff_id=place["worker"])
    detail = page.open_matter(matter_id)
    dialog = _act(qtbot, detail, "上报")
    assert dialog.new_radio.isChecked()   # no joint meeting yet
    dialog.topic_edit.setText("")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.error_label.text() == "请填写会议议题。"
    typer(dialog.topic_edit, "研究违建")
    heard = []
    page.ctx.changed.connect(heard.append)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.state_badge.text() == "已上报"
    assert sorted(heard) == ["matters", "meetings"]
    (meeting,) = meetings_model.list_meetings(ledger)
    assert meeting["topic"] == "研究违建" and meeting["matter_count"] == 1


def test_a_closing_typed_the_next_morning_takes_yesterdays_real_time(qtbot, ledger, place, clock):
    """办结 and 回访 take the real time (default now, never later, never before the step before);
    the event keeps when it was typed too."""
    from PySide6.QtCore import QDateTime

    clock.set(2026, 10, 14, 16, 0, 0)
    matter_id = register(ledger, place, assignee_staff_id=place["worker"])   # a 小事: due by the end of the day
    clock.set(2026, 10, 15, 9, 30, 0)
    detail = MattersPage(AppContext(ledger)).open_matter(matter_id)
    qtbot.addWidget(detail)
    dialog = _act(qtbot, detail, "办结")
    edit = dialog.time_edit
    assert edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-10-15 09:30"          # default: now
    assert edit.maximumDateTime().toString("yyyy-MM-dd HH:mm") == "2026-10-15 09:30"   # never later
    assert edit.minimumDateTime().toString("yyyy-MM-dd HH:mm") == "2026-10-14 16:00"   # never before
    edit.setDateTime(QDateTime.fromString("2026-10-16 10:00", "yyyy-MM-dd HH:mm"))
    assert edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-10-15 09:30"
    edit.setDateTime(QDateTime.fromString("2026-10-14 17:30", "yyyy-MM-dd HH:mm"))
    dialog.result_edit.setPlainText("已更换灯泡")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert detail.state_badge.text() == "已办结"
    matter = matters_model.get_matter(ledger, matter_id)
    assert matter["closed_at"] == "2026-10-14 17:30:00" and matter["closed_at"] <= matter["deadline"]
    assert ledger.query("SELECT at, recorded_at FROM matter_events WHERE action = '办结'") == [
        {"at": "2026-10-14 17:30:00", "recorded_at": "2026-10-15 09:30:00"}]
    dialog = _act(qtbot, detail, "回访")                  # left at now: the time of typing
    assert dialog.time_edit.minimumDateTime().toString("yyyy-MM-dd HH:mm") == "2026-10-14 17:30"
    dialog.satisfaction_buttons["满意"].setChecked(True)   # no default satisfaction (issue 13)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert ledger.query("SELECT at, recorded_at FROM matter_events WHERE action = '回访'") == [
        {"at": "2026-10-15 09:30:00", "recorded_at": "2026-10-15 09:30:00"}]


def test_import_and_export_from_the_page(page, ledger, place, qtbot, tmp_path, monkeypatch):
    """The page had no 导入/导出 (only the command line); the export re-imports as it is."""
    from PySide6.QtWidgets import QFileDialog

    from models.importing import import_file
    from models.importing.matters import SPEC
    from ui.pages import file_buttons

    register(ledger, place)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _p, title, text, *a, **k:
                                                                 shown.append((title, text))))
    out = tmp_path / "事项.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(page.files.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "已导出 1 条民情事项记录" in shown[0][1]
    plan, summary = import_file(ledger, out, SPEC, dry_run=True)
    assert (summary.imported, summary.skipped, summary.rejected) == (0, 1, 0)    # already in the ledger

    opened = []
    monkeypatch.setattr(file_buttons.ImportWizard, "exec", lambda wizard: opened.append(wizard.kind))
    qtbot.mouseClick(page.files.import_button, Qt.LeftButton)
    assert opened == ["matters"]
