"""志愿服务 page: record an activity with three participants by typing names, see the hours follow."""

import datetime as dt

import pytest
from PIL import Image
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDoubleSpinBox, QFileDialog, QMessageBox

from models.volunteers import activities
from models.grids import hierarchy as grids
from models.residents import records as residents
from models.volunteers import records as volunteers
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.pages.volunteers import VolunteersPage
from ui.pages.volunteers.activity_dialog import ActivityDialog

# the offscreen platform cannot raise windows or grab the keyboard for the completer's popup
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise",
                                       "does not support grabbing the keyboard")


def _resident(ledger, name, room, phone, grid="一网格"):
    household = grids.ensure_place(ledger, grids.Place(None, grid, "3号楼", "1单元", room))
    return residents.add_resident(ledger, {"name": name, "phone": phone, "household_id": household,
                                           "relation": "户主"})


@pytest.fixture
def ctx(ledger):
    _resident(ledger, "张秀英", "101", "13800000001")
    _resident(ledger, "李建国", "102", "13800000002")
    _resident(ledger, "李建华", "103", "13800000003", grid="二网格")
    volunteers.add_org(ledger, volunteers.OrgData("爱心互助加油站"))
    return AppContext(ledger)


@pytest.fixture
def page(qtbot, ctx):
    return show_widget(qtbot, VolunteersPage(ctx), 1234)


@pytest.fixture
def answers(monkeypatch):
    """Patch the message boxes: questions answer Yes; everything shown is recorded."""
    seen = []

    def question(_parent, title, text, *a, **k):
        seen.append(("question", title, text))
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda _p, title, text, *a, _kind=kind, **k: seen.append((_kind, title, text))))
    return seen


def _fill_activity(qtbot, typer, dialog, title, day, start, end, grid_text):
    typer(dialog.title_edit, title)
    dialog.type_box.setCurrentText("义诊进社区")
    dialog.date_edit.setDate(QDate.fromString(day, "yyyy-MM-dd"))
    dialog.start_edit.setTime(QTime.fromString(start, "HH:mm"))
    dialog.end_edit.setTime(QTime.fromString(end, "HH:mm"))
    dialog.grid_box.setCurrentIndex(dialog.grid_box.findText(grid_text))
    typer(dialog.place_edit, "社区广场")


def _add_by_enter(qtbot, typer, dialog, name):
    dialog.lookup.clear()
    typer(dialog.lookup, name)
    qtbot.keyClick(dialog.lookup, Qt.Key_Return)


def test_record_activity_with_three_participants_and_see_totals(qtbot, typer, page, ctx, answers):
    dialog = page.activities.new_activity()
    qtbot.waitExposed(dialog)
    _fill_activity(qtbot, typer, dialog, "重阳节义诊", "2026-10-10", "09:00", "11:30", "一网格")
    assert dialog.span_label.text() == "共 2.5 小时"

    # 1) a resident by full name + Enter
    _add_by_enter(qtbot, typer, dialog, "张秀英")
    # 2) a resident picked from the drop-down: two 李建… — choose the second suggestion
    typer(dialog.lookup, "李建")
    qtbot.waitUntil(lambda: dialog.lookup.completer_.popup().isVisible())
    popup = dialog.lookup.completer_.popup()
    assert popup.model().rowCount() == 2
    labels = [popup.model().index(i, 0).data() for i in range(2)]
    assert all("138****" in text for text in labels)
    target = next(i for i, text in enumerate(labels) if text.startswith("李建华"))
    for _ in range(target + 1):
        qtbot.keyClick(popup, Qt.Key_Down)
    qtbot.keyClick(popup, Qt.Key_Return)
    # 3) an outside person (the question is answered Yes)
    _add_by_enter(qtbot, typer, dialog, "周医生")
    assert any(kind == "question" and "社区外志愿者" in text for kind, _t, text in answers)

    names = [r["name"] for r in dialog.participants.rows]
    assert names == ["张秀英", "李建华", "周医生"]
    assert [r["hours"] for r in dialog.participants.rows] == [2.5, 2.5, 2.5]
    assert dialog.total_label.text() == "共 3 人，合计 7.5 小时"

    # the same person twice is refused
    _add_by_enter(qtbot, typer, dialog, "张秀英")
    assert len(dialog.participants.rows) == 3

    # the doctor stayed an hour longer: edit her hours in the table
    view = dialog.participants_view
    index = dialog.participants.index(2, 3)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.findChild(QDoubleSpinBox)
    assert editor is not None and editor.suffix() == " 小时"
    editor.selectAll()
    qtbot.keyClicks(editor, "3.5")
    qtbot.keyClick(editor, Qt.Key_Return)          # the view commits on the next event-loop turn
    qtbot.waitUntil(lambda: dialog.participants.rows[2]["hours"] == 3.5)
    # a later end time moves the hours that follow the span, not the typed one
    dialog.end_edit.setTime(QTime(12, 0))
    assert [r["hours"] for r in dialog.participants.rows] == [3.0, 3.0, 3.5]

    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)

    # the activity list shows it
    model = page.activities.model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in (0, 1, 2, 4, 7, 8)] == \
        ["2026-10-10", "09:00–12:00", "重阳节义诊", "一网格", "3", "9.5"]
    assert "服务 9.5 小时" in page.activities.totals_label.text()

    # the volunteer's page: total hours for the period
    page.tabs.setCurrentWidget(page.volunteers)
    vt = page.volunteers
    vt.period.set_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    typer(vt.search, "张秀英")
    qtbot.waitUntil(lambda: vt.model.rowCount() == 1)
    assert vt.name_label.text() == "张秀英"
    assert vt.hours_label.text().endswith("参加 1 次活动，服务时长合计 3 小时")

    # a second activity changes her total
    page.tabs.setCurrentWidget(page.activities)
    dialog = page.activities.new_activity()
    _fill_activity(qtbot, typer, dialog, "法律小讲堂", "2026-10-20", "14:00", "16:00", "全社区（不计入单个网格）")
    _add_by_enter(qtbot, typer, dialog, "张秀英")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    page.tabs.setCurrentWidget(page.volunteers)
    qtbot.waitUntil(lambda: vt.hours_label.text().endswith("参加 2 次活动，服务时长合计 5 小时"))
    assert vt.history.rowCount() == 2
    # one identity: 张秀英 is one volunteer, a resident
    assert ctx.ledger.scalar("SELECT COUNT(*) FROM volunteers WHERE name = '张秀英'") == 1
    # and only the first activity counts for 一网格
    g1 = grids.ensure_grid(ctx.ledger, grids.own_community_id(ctx.ledger), "一网格")
    assert activities.grid_hours(ctx.ledger, "2026-10") == {g1: 9.5}


def test_grid_must_be_chosen_and_title_given(qtbot, typer, page, answers):
    dialog = page.activities.new_activity()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert answers[-1][0] == "warning" and "请选择所属网格" in answers[-1][2]
    dialog.grid_box.setCurrentIndex(dialog.grid_box.findText("全社区（不计入单个网格）"))
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert answers[-1][0] == "warning" and "请填写活动名称" in answers[-1][2]


def _png(path, size=(2400, 1800)):
    Image.new("RGB", size, (30, 120, 200)).save(path)
    return str(path)


def test_photos_strip_add_preview_remove(qtbot, typer, page, ctx, answers, tmp_path, monkeypatch):
    dialog = page.activities.new_activity()
    typer(dialog.title_edit, "环境清洁")
    dialog.grid_box.setCurrentIndex(dialog.grid_box.findText("一网格"))
    bad = tmp_path / "说明.txt"
    bad.write_text("不是图片", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([_png(tmp_path / "现场.png"), str(bad)], "")))
    qtbot.mouseClick(dialog.add_photo_button, Qt.LeftButton)
    assert dialog.photo_strip.count() == 1
    assert answers[-1][0] == "warning" and "说明.txt" in answers[-1][2] and "不是能识别的图片文件" in answers[-1][2]
    icon_size = dialog.photo_strip.item(0).icon().availableSizes()
    assert icon_size and max(icon_size[0].width(), icon_size[0].height()) == 240
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    activity_id = dialog.activity_id
    assert [a["kind"] for a in activities.attachments(ctx.ledger, activity_id)] == ["照片"]
    assert page.activities.model.index(0, 10).data() == "1"

    again = page.activities.open_activity(activity_id)
    assert again.photo_strip.count() == 1
    again.photo_strip.setCurrentRow(0)
    preview = again.preview_selected()
    assert preview.image.pixmap().width() > 0 and "1600 × 1200" in preview.findChildren(
        type(preview.image))[-1].text()
    preview.close()
    qtbot.mouseClick(again.remove_photo_button, Qt.LeftButton)
    assert answers[-1][0] == "question" and "现场.png" not in answers[-1][2] and "现场.jpg" in answers[-1][2]
    assert again.photo_strip.count() == 0
    with qtbot.waitSignal(again.saved):
        qtbot.mouseClick(again.save_button, Qt.LeftButton)
    assert activities.attachments(ctx.ledger, activity_id) == []


def test_delete_activity_asks_first(qtbot, page, ctx, answers):
    vid = volunteers.add_outside_volunteer(ctx.ledger, "周医生")
    activities.add_activity(ctx.ledger, activities.ActivityData("文艺演出", "2026-10-01"), [(vid, 2)])
    ctx.notify("volunteers")
    page.activities.view.selectRow(0)
    qtbot.mouseClick(page.activities.delete_button, Qt.LeftButton)
    assert answers[-1][0] == "question" and "1 条志愿者服务时长记录" in answers[-1][2]
    assert page.activities.model.rowCount() == 0


def test_filters_by_grid_org_and_type(qtbot, page, ctx):
    ledger = ctx.ledger
    g1 = grids.ensure_grid(ledger, grids.own_community_id(ledger), "一网格")
    org = volunteers.ensure_org(ledger, "爱心互助加油站")
    activities.add_activity(ledger, activities.ActivityData("义诊", "2026-10-01", type="义诊进社区", grid_id=g1))
    activities.add_activity(ledger, activities.ActivityData("演出", "2026-10-02", type="文艺演出", org_id=org))
    ctx.notify("volunteers")
    tab = page.activities
    assert tab.model.rowCount() == 2
    tab.grid_box.setCurrentIndex(tab.grid_box.findText("全社区活动"))
    assert [tab.model.row_dict(i)["title"] for i in range(tab.model.rowCount())] == ["演出"]
    tab.grid_box.setCurrentIndex(0)
    tab.type_box.setCurrentIndex(tab.type_box.findText("义诊进社区"))
    assert [tab.model.row_dict(i)["title"] for i in range(tab.model.rowCount())] == ["义诊"]
    tab.type_box.setCurrentIndex(0)
    tab.org_box.setCurrentIndex(tab.org_box.findText("爱心互助加油站"))
    assert tab.model.rowCount() == 1
    tab.date_from.setDate(QDate(2026, 10, 2))
    tab.org_box.setCurrentIndex(0)
    assert tab.model.rowCount() == 1


def test_export_uses_exactly_the_lists_filters(qtbot, typer, page, ctx, tmp_path, monkeypatch, answers):
    import openpyxl

    ledger = ctx.ledger
    g1 = grids.ensure_grid(ledger, grids.own_community_id(ledger), "一网格")
    g2 = grids.ensure_grid(ledger, grids.own_community_id(ledger), "二网格")
    org = volunteers.ensure_org(ledger, "爱心互助加油站")
    doc, lawyer = (volunteers.add_outside_volunteer(ledger, n) for n in ("周医生", "吴律师"))
    add = activities.add_activity
    add(ledger, activities.ActivityData("义诊进楼栋", "2026-10-03", type="义诊进社区", grid_id=g1, org_id=org,
                                        place="3号楼"), [(doc, 3), (lawyer, 1)])
    add(ledger, activities.ActivityData("义诊进广场", "2026-10-10", type="义诊进社区", grid_id=g1, org_id=org,
                                        place="广场"), [(doc, 2)])
    add(ledger, activities.ActivityData("义诊（二网格）", "2026-10-11", type="义诊进社区", grid_id=g2, org_id=org,
                                        place="3号楼"), [(doc, 2)])
    add(ledger, activities.ActivityData("楼栋普法", "2026-10-12", type="法律服务", grid_id=g1, org_id=org,
                                        place="3号楼"), [(lawyer, 2)])
    add(ledger, activities.ActivityData("义诊无组织", "2026-10-13", type="义诊进社区", grid_id=g1,
                                        place="3号楼"), [(doc, 1)])
    add(ledger, activities.ActivityData("九月义诊", "2026-09-20", type="义诊进社区", grid_id=g1, org_id=org,
                                        place="3号楼"), [(doc, 1)])
    ctx.notify("volunteers")
    tab = page.activities
    # the clerk narrows the list in its own widgets
    tab.date_from.setDate(QDate(2026, 10, 1))
    tab.date_to.setDate(QDate(2026, 10, 31))
    tab.grid_box.setCurrentIndex(tab.grid_box.findText("一网格"))
    tab.org_box.setCurrentIndex(tab.org_box.findText("爱心互助加油站"))
    tab.type_box.setCurrentIndex(tab.type_box.findText("义诊进社区"))
    typer(tab.search, "楼")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.row_dict(0)["title"] == "义诊进楼栋"

    out = tmp_path / "志愿服务导出"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(tab.export_button, Qt.LeftButton)
    sheet = openpyxl.load_workbook(tmp_path / "志愿服务导出.xlsx").active
    # the title line says which activities the file holds, as the clerk narrowed the list
    assert sheet["A1"].value.startswith("幸福社区志愿服务活动记录　活动日期：2026-10-01 至 2026-10-31　网格：一网格"
                                        "　组织：爱心互助加油站　类型：义诊进社区　搜索“楼”　共 2 行")
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert sorted((r[0], r[2], r[5], r[6], r[7]) for r in rows) == sorted([
        ("义诊进楼栋", "2026-10-03", "一网格", "爱心互助加油站", "周医生"),
        ("义诊进楼栋", "2026-10-03", "一网格", "爱心互助加油站", "吴律师")])
    assert answers[-1][0] == "information" and "已导出 2 行" in answers[-1][2]

    # widen the list again (only the grid filter left): the export follows
    tab.search.clear()
    tab.org_box.setCurrentIndex(0)
    tab.type_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 4)
    listed = {tab.model.row_dict(i)["title"] for i in range(tab.model.rowCount())}
    qtbot.mouseClick(tab.export_button, Qt.LeftButton)
    sheet = openpyxl.load_workbook(tmp_path / "志愿服务导出.xlsx").active
    exported = {r[0] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert exported == listed == {"义诊进楼栋", "义诊进广场", "楼栋普法", "义诊无组织"}


def test_orgs_tab_create_and_add_member(qtbot, typer, page, ctx, answers):
    page.tabs.setCurrentWidget(page.orgs)
    dialog = page.orgs.new_org()
    typer(dialog.form.name_edit, "星光艺术团")
    dialog.save()
    tab = page.orgs
    row = next(i for i in range(tab.model.rowCount()) if tab.model.row_dict(i)["name"] == "星光艺术团")
    tab.view.selectRow(row)
    assert tab.form.name_edit.text() == "星光艺术团"
    typer(tab.member_lookup, "张秀")
    tab.member_lookup.lookup()
    qtbot.waitUntil(lambda: tab.member_lookup.completer_.popup().isVisible())
    popup = tab.member_lookup.completer_.popup()
    qtbot.keyClick(popup, Qt.Key_Down)
    qtbot.keyClick(popup, Qt.Key_Return)
    qtbot.waitUntil(lambda: tab.members.rowCount() == 1)
    assert tab.members.index(0, 0).data() == "张秀英"
    org_id = volunteers.ensure_org(ctx.ledger, "星光艺术团")
    assert [m["name"] for m in volunteers.org_members(ctx.ledger, org_id)] == ["张秀英"]


def test_stats_tab_and_export(qtbot, page, ctx, tmp_path, monkeypatch, answers):
    vid = volunteers.add_outside_volunteer(ctx.ledger, "周医生")
    activities.add_activity(ctx.ledger, activities.ActivityData("文艺演出", "2026-10-01"), [(vid, 2)])
    page.tabs.setCurrentWidget(page.stats)
    page.stats.period.this_month()
    assert page.stats.models["volunteer"].index(0, 0).data() == "周医生"
    assert page.stats.models["grid"].index(0, 1).data() == "全社区活动（不计入网格）"
    out = tmp_path / "统计"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(page.stats.export_button, Qt.LeftButton)
    assert (tmp_path / "统计.xlsx").exists()
    assert answers[-1][0] == "information" and "导出完成" in answers[-1][1]


def test_every_item_model_passes_modeltester(qtbot, typer, page, ctx, qtmodeltester):
    vid = volunteers.add_outside_volunteer(ctx.ledger, "周医生")
    org = volunteers.ensure_org(ctx.ledger, "爱心互助加油站")
    volunteers.add_member(ctx.ledger, org, vid)
    aid = activities.add_activity(ctx.ledger, activities.ActivityData("文艺演出", "2026-10-01", org_id=org,
                                                                      start_time="09:00", end_time="10:00"),
                                  [(vid, None)])
    ctx.notify("volunteers")
    for tab in (page.volunteers, page.orgs, page.stats):
        page.tabs.setCurrentWidget(tab)
    page.stats.period.everything()
    qtmodeltester.check(page.activities.model)
    qtmodeltester.check(page.volunteers.model)
    qtmodeltester.check(page.volunteers.history)
    qtmodeltester.check(page.orgs.model)
    qtmodeltester.check(page.orgs.members)
    for model in page.stats.models.values():
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    dialog = ActivityDialog(ctx, aid, page)
    qtbot.addWidget(dialog)
    assert dialog.participants.rowCount() == 1
    qtmodeltester.check(dialog.participants)
    typer(dialog.lookup, "张")
    dialog.lookup.lookup()
    qtmodeltester.check(dialog.lookup.model)


def test_new_volunteer_dialog_resident_and_outside(qtbot, typer, page, ctx, answers):
    page.tabs.setCurrentWidget(page.volunteers)
    dialog = page.volunteers.new_volunteer()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    typer(dialog.lookup, "张秀")
    dialog.lookup.lookup()
    qtbot.waitUntil(lambda: dialog.lookup.completer_.popup().isVisible())
    qtbot.keyClick(dialog.lookup.completer_.popup(), Qt.Key_Down)
    qtbot.keyClick(dialog.lookup.completer_.popup(), Qt.Key_Return)
    assert dialog.found_label.text().startswith("已选择：张秀英")
    typer(dialog.skills_edit, "测血压")
    next(c for c in dialog.org_checks if c.text() == "爱心互助加油站").setChecked(True)
    assert dialog.save()
    vt = page.volunteers
    qtbot.waitUntil(lambda: vt.model.rowCount() == 1)
    assert vt.name_label.text() == "张秀英"
    assert "所属组织：爱心互助加油站" in vt.info_label.text() and "技能特长：测血压" in vt.info_label.text()

    # an outside person with a bad phone: a Chinese message, nothing written
    dialog = vt.new_volunteer()
    dialog.outside_check.setChecked(True)
    typer(dialog.name_edit, "钱律师")
    typer(dialog.phone_edit, "12345")
    next(c for c in dialog.org_checks if c.text() == "爱心互助加油站").setChecked(True)
    assert not dialog.save()
    assert answers[-1][0] == "warning" and "联系电话" in answers[-1][2]
    assert ctx.ledger.scalar("SELECT COUNT(*) FROM volunteers") == 1
    dialog.phone_edit.clear()
    typer(dialog.phone_edit, "13912345678")
    assert dialog.save()
    qtbot.waitUntil(lambda: vt.model.rowCount() == 2)
    kinds = {vt.model.row_dict(i)["name"]: vt.model.index(i, 1).data() for i in range(2)}
    assert kinds == {"张秀英": "居民", "钱律师": "社区外"}


def test_certificate_pdf_from_the_volunteer_page(qtbot, page, ctx, tmp_path, monkeypatch, answers):
    from pypdf import PdfReader

    vid = volunteers.add_outside_volunteer(ctx.ledger, "周医生")
    activities.add_activity(ctx.ledger, activities.ActivityData("义诊", "2026-10-01"), [(vid, 2.5)])
    page.tabs.setCurrentWidget(page.volunteers)
    page.volunteers.period.set_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert page.volunteers.name_label.text() == "周医生"
    out = tmp_path / "证明"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(page.volunteers.certificate_button, Qt.LeftButton)
    pdf = tmp_path / "证明.pdf"
    assert pdf.exists() and answers[-1][0] == "information"
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "周医生" in text and "2.5" in text


def test_supervisor_sees_but_cannot_change(qtbot, ledger):
    from models.core.db import Operator

    vid = volunteers.add_outside_volunteer(ledger, "周医生")
    aid = activities.add_activity(ledger, activities.ActivityData("义诊", "2026-10-01"), [(vid, 2)])
    ledger.operator = Operator("督导员甲", role="督导员")
    widget = VolunteersPage(AppContext(ledger))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.activities.model.rowCount() == 1
    assert not widget.activities.new_button.isVisible() and not widget.activities.delete_button.isVisible()
    assert widget.activities.open_button.text() == "查看"
    dialog = widget.activities.open_activity(aid)
    assert not dialog.save_button.isEnabled() and not dialog.save()


def test_saving_runs_on_the_worker_with_the_ledgers_clock(qtbot, typer, ledger_path, clock, answers, tmp_path,
                                                          monkeypatch):
    """On a ledger file the form's save is one operation on the worker thread; the page follows."""
    from models.core.db import Operator
    from models.ledger import open_db

    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        _resident(led, "张秀英", "101", "13800000001")
        ctx = AppContext(led)
        page = show_widget(qtbot, VolunteersPage(ctx), 1234)
        dialog = page.activities.new_activity()
        assert dialog.date_edit.date() == QDate(2026, 10, 15)          # the ledger's today, not the wall clock's
        _fill_activity(qtbot, typer, dialog, "环境清洁", "2026-10-12", "09:00", "10:30", "一网格")
        _add_by_enter(qtbot, typer, dialog, "张秀英")
        monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                            staticmethod(lambda *a, **k: ([_png(tmp_path / "现场.png", (800, 600))], "")))
        qtbot.mouseClick(dialog.add_photo_button, Qt.LeftButton)
        with qtbot.waitSignal(dialog.saved, timeout=10000):
            qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: page.activities.model.rowCount() == 1, timeout=10000)
        assert page.activities.model.row(0)["photos"] == 1
        assert led.scalar("SELECT created_at FROM activities") == "2026-10-15 09:30:00"
        assert led.scalar("SELECT COUNT(*) FROM volunteers WHERE resident_id IS NOT NULL") == 1
        # a refusal from the worker is shown in Chinese and nothing is written
        dialog = page.activities.new_activity()
        _fill_activity(qtbot, typer, dialog, "", "2026-10-13", "09:00", "10:00", "一网格")
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: bool(answers) and answers[-1][0] == "warning", timeout=10000)
        assert "请填写活动名称" in answers[-1][2] and dialog.isVisible()
        assert led.scalar("SELECT COUNT(*) FROM activities") == 1
    finally:
        led.close()


def test_the_service_history_shows_the_activity_name_whole_at_1366(qtbot, ctx):
    """Issue 13: at 1366×768 the 活动名称 column of a volunteer's history was one character wide ("动名")."""
    page = show_widget(qtbot, VolunteersPage(ctx), 1366 - 140, 768 - 60)
    view = page.volunteers.history_view
    column = page.volunteers.history.column_of("title")
    qtbot.waitUntil(lambda: view.isVisible() or True)
    needed = view.horizontalHeader().fontMetrics().horizontalAdvance("活动名称") + 16
    assert view.columnWidth(column) >= needed


def test_pending_tab_lists_and_settles_an_ambiguous_volunteer(qtbot, page, ctx, answers, qtmodeltester):
    """An imported 李建国 that two residents share: the 待确认 tab lists it with both candidates
    (phones and IDs masked); the clerk picks the second and presses 确认是此人."""
    other = _resident(ctx.ledger, "李建国", "201", "13900000009", grid="二网格")
    first = ctx.ledger.scalar("SELECT id FROM residents WHERE name = '李建国' AND id <> ?", [other])
    pending = volunteers.add_pending_volunteer(ctx.ledger, "李建国", "", (first, other))
    activities.add_activity(ctx.ledger, activities.ActivityData("清洁家园", "2026-10-03"), [(pending, 2.5)])
    ctx.notify("volunteers")
    assert page.tabs.tabText(page.tabs.indexOf(page.pending)) == "待确认（1）"
    page.tabs.setCurrentWidget(page.pending)
    tab = page.pending
    assert tab.model.rowCount() == 1 and tab.model.index(0, 0).data() == "李建国"
    assert tab.model.index(0, 4).data() == "2.5" and tab.model.index(0, 1).data() == "2026-10-03 清洁家园"
    assert "2026-10-03 清洁家园" in tab.services.text()
    assert tab.candidates.rowCount() == 2
    labels = [tab.candidates.index(i, 2).data() for i in range(2)]
    assert "139****0009" in labels[1] and "13900000009" not in labels[1]
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.candidates)
    tab.candidates_view.selectRow(1)
    qtbot.mouseClick(tab.confirm_button, Qt.LeftButton)
    assert volunteers.volunteer_for_resident(ctx.ledger, other) == pending
    assert volunteers.volunteer_hours(ctx.ledger, pending) == 2.5
    assert tab.model.rowCount() == 0 and tab.count_label.text() == "没有待确认的志愿者"
    assert page.tabs.tabText(page.tabs.indexOf(page.pending)) == "待确认"
    assert not [a for a in answers if a[0] in ("warning", "critical")]


def test_pending_tab_without_a_choice_asks_to_pick(qtbot, page, ctx, answers):
    page.tabs.setCurrentWidget(page.pending)
    page.pending.confirm_current()
    assert answers[-1][:2] == ("information", "确认志愿者")
