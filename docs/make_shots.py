"""Make the user guide's screenshots from a demo ledger (offscreen, 1366×768).

    python docs/make_shots.py            # every picture into docs/images/
    python docs/make_shots.py home matters   # only these

Every picture the guide shows is made here from the real window on a demo ledger at a
fixed moment (2026-10-31 18:00), so the pictures are regenerated whenever the UI changes
and always match the program.  ``tests/test_user_guide.py`` fails when the guide names a
picture that does not exist, or a chapter has none.

Each shot is a function ``(window) -> QWidget`` returning what to photograph (the main
window, or a dialog it opened); dialogs are closed after their picture.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget  # noqa: E402

IMAGES = ROOT / "docs" / "images"
SIZE = (1366, 768)
NOW = dt.datetime(2026, 10, 31, 18, 0)
#: the month the evaluation page opens on (the last month that has ended)
LAST_MONTH = "2026-09"
#: a folder for the files a shot needs (the clerk's spreadsheet to import); set by :func:`main`
SCRATCH = tempfile.gettempdir()
#: how long a page gets to load its first rows (worker threads) before its picture
SETTLE_MS = 700
#: pictures larger than this are re-compressed (256 colours, optimised PNG)
MAX_BYTES = 200_000

#: name → (what it shows, how to get it); filled by :func:`shot`
SHOTS: dict[str, tuple[str, Callable]] = {}


def shot(name: str, caption: str):
    """Register ``fn(window) -> QWidget`` as the picture ``docs/images/<name>.png``."""
    def register(fn):
        SHOTS[name] = (caption, fn)
        return fn
    return register


def settle(ms: int = SETTLE_MS) -> None:
    QTest.qWait(ms)


def wait_until(condition: Callable[[], bool], timeout_ms: int = 20000) -> None:
    """Process events until ``condition()`` holds (a page's worker thread has finished)."""
    waited = 0
    while not condition():
        if waited > timeout_ms:
            raise RuntimeError("等待超时：界面没有在规定时间内完成")
        QTest.qWait(50)
        waited += 50


def capture(opener: Callable[[], object], dialog_type: type,
            prepare: Callable[[QDialog], None] | None = None) -> QPixmap:
    """Photograph the ``dialog_type`` that ``opener()`` opens, then dismiss it.

    Works for dialogs opened with ``open()``/``show()`` and for those run modally with
    ``exec()`` — also Qt's own static ``QMessageBox.question`` — because the picture is
    taken by a timer inside the dialog's own event loop.  ``prepare(dialog)`` drives the
    dialog to the state to show first."""
    taken: list[QPixmap] = []

    def poll():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, dialog_type) and widget.isVisible():
                if prepare is not None:
                    prepare(widget)
                settle()
                taken.append(widget.grab())
                dismiss(widget)
                return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    opener()
    wait_until(lambda: bool(taken))
    settle(100)
    return taken[0]


def dismiss(dialog: QDialog) -> None:
    """Close a dialog as 取消 would (a message box by its escape button: nothing happens)."""
    if isinstance(dialog, QMessageBox) and dialog.escapeButton() is not None:
        dialog.escapeButton().click()
    else:
        QDialog.done(dialog, QDialog.Rejected)       # not reject(): a form would ask 保存/不保存 first


def ledger_of(window):
    return window.ctx.ledger


def one(window, sql: str, params=()) -> dict:
    rows = ledger_of(window).query(sql, params)
    if not rows:
        raise RuntimeError(f"演示台账中找不到截图所需的数据：{sql}")
    return rows[0]


# -- the pictures (in the order of the guide) ---------------------------------------------------

@shot("first-start", "第一次启动：开始使用")
def first_start(window):
    from ui.dialogs.first_start import FirstStartDialog

    dialog = FirstStartDialog(None, window)
    dialog.show()
    return dialog


@shot("login", "登录（演示台账列出演示账号）")
def login(window):
    from ui.dialogs.login import LoginDialog

    dialog = LoginDialog(window.ctx, "admin", window)
    dialog.show()
    return dialog


@shot("page-home", "首页")
def home(window):
    window.show_page("home")
    return window


def _import_wizard(window, step: str):
    from ui.dialogs.import_wizard import PAGE_PREVIEW, ImportWizard

    path = Path(SCRATCH) / "一网格居民台账.xlsx"
    if not path.exists():
        _clerk_workbook(window, path)
    wizard = ImportWizard(window.ctx, "residents", window)
    wizard.show()
    wizard.open_file(path)
    if step == "preview":
        wizard.go_next()
        wait_until(lambda: wizard.stack.currentIndex() == PAGE_PREVIEW and wizard.job is None)
    return wizard


def _clerk_workbook(window, path: Path) -> None:
    """A clerk's own sheet: a title row, 公民身份号码, 楼号/房号 columns, a wrong ID and a merged cell."""
    import xlsxwriter

    from models.core.idcard import make_id

    place = one(window, """SELECT g.name AS grid, b.name AS building FROM buildings b
                           JOIN grids g ON g.id = b.grid_id ORDER BY g.id, b.id LIMIT 1""")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("一网格")
    sheet.merge_range("A1:H1", "幸福社区居民信息台账（2026年10月）")
    sheet.write_row(1, 0, ["序号", "姓名", "性别", "公民身份号码", "手机号", "网格", "楼号", "房号"])
    people = [("韩晓东", "男", dt.date(1968, 3, 12), "13905510101", "1101"),
              ("韩晓东之妻", "女", dt.date(1970, 7, 2), "", "1101"),
              ("钱一鸣", "男", dt.date(1991, 11, 23), "13705510303", "1102"),
              ("孙丽娟", "女", dt.date(1985, 5, 6), "1580551", "1103"),
              ("周建国", "男", dt.date(1952, 1, 30), "13605510505", "1104")]
    for i, (name, sex, born, phone, room) in enumerate(people, 1):
        number = make_id("340104", born, 10 + 2 * i + (0 if sex == "女" else 1))
        if i == 2:
            name = "王秀英"
        if i == 5:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")   # a wrong check digit
        sheet.write_row(1 + i, 0, [i, name, sex, number, phone, place["grid"], place["building"], room])
    sheet.set_column(0, 7, 14)
    book.close()


@shot("import-mapping", "导入向导：核对列的对应")
def import_mapping(window):
    return _import_wizard(window, "mapping")


@shot("import-preview", "导入向导：导入前的检查结果")
def import_preview(window):
    return _import_wizard(window, "preview")


@shot("page-residents", "居民台账")
def residents(window):
    window.show_page("residents")
    return window


@shot("resident-form", "居民信息表")
def resident_form(window):
    from ui.dialogs.resident_form import ResidentForm

    resident = one(window, """SELECT r.id FROM residents r WHERE r.status = '在册' AND r.phone != ''
                              AND r.relation = '户主' ORDER BY r.id LIMIT 1 OFFSET 3""")
    form = ResidentForm(window.ctx, resident["id"], window)
    form.show()
    return form


@shot("page-grids", "网格管理（选中一个网格，右侧列出它的工作人员）")
def grids(window):
    page = window.show_page("grids")
    community = page.tree.topLevelItem(0)
    community.setExpanded(True)
    page.tree.setCurrentItem(community.child(0))
    return window


@shot("grid-redivide", "网格调整：把楼栋调到另一个网格")
def grid_redivide(window):
    from ui.pages.grid_redivision import RedivisionDialog

    grid = one(window, "SELECT id FROM grids ORDER BY id LIMIT 1")["id"]
    dialog = RedivisionDialog(window.ctx, grid, window)
    dialog.show()
    if dialog.buildings.count():
        dialog.buildings.item(dialog.buildings.count() - 1).setCheckState(Qt.Checked)
    if dialog.target.count() > 1:
        dialog.target.setCurrentIndex(1)
    return dialog


@shot("page-matters", "民情事项列表")
def matters(window):
    window.show_page("matters")
    return window


@shot("matter-form", "登记民情事项（已选反映人、类别和承办人）")
def matter_form(window):
    from ui.dialogs.matter_form import MatterForm

    form = MatterForm(window.ctx, window)
    form.show()
    reporter = one(window, """SELECT r.name FROM residents r JOIN households h ON h.id = r.household_id
                              WHERE r.status = '在册' AND r.phone != '' ORDER BY r.id LIMIT 1""")
    rows = form.reporter_edit.find_residents(reporter["name"])
    if rows:
        form.reporter_edit.choose(rows[0])
    form.source_box.setCurrentText("来电")
    form.category_box.setCurrentText("路灯照明")
    form.location_edit.setText("楼前小广场")
    form.description_edit.setPlainText("楼前小广场两盏路灯不亮，晚上老人散步看不清路，希望尽快修好。")
    for i in range(form.assignee_box.count()):
        if "网格员" in form.assignee_box.itemText(i):
            form.assignee_box.setCurrentIndex(i)
            break
    return form


def _matter_detail(window, where: str):
    from ui.dialogs.matter_detail import open_matter_detail

    matter = one(window, f"SELECT id FROM matters WHERE {where} ORDER BY registered_at DESC LIMIT 1")
    return open_matter_detail(window.ctx, matter["id"], window)


@shot("matter-detail", "事项页：办理过程（已办结、回访、督办）")
def matter_detail(window):
    return _matter_detail(window, "state = '已回访' AND supervision != ''")


@shot("matter-close", "办结事项：填写办理结果")
def matter_close(window):
    from ui.dialogs.matter_detail import CloseDialog

    detail = _matter_detail(window, "state = '已分派'")
    settle()
    try:
        def fill(dialog):
            dialog.result_edit.setPlainText("已联系物业更换灯泡，当晚恢复照明；已电话告知反映人。")
        return capture(lambda: detail.action_buttons["办结"].click(), CloseDialog, fill)
    finally:
        detail.close()


@shot("matter-followup", "回访：选择满意度")
def matter_followup(window):
    from ui.dialogs.matter_detail import FollowUpDialog

    detail = _matter_detail(window, "state = '已办结'")
    settle()
    try:
        def fill(dialog):
            dialog.note_edit.setText("电话回访，居民表示灯已修好，很满意")
        return capture(lambda: detail.action_buttons["回访"].click(), FollowUpDialog, fill)
    finally:
        detail.close()


@shot("page-visits", "走访日志")
def visits(window):
    window.show_page("visits")
    return window


@shot("visit-form", "记录走访：勾选走访过的住户")
def visit_form(window):
    from ui.pages.visits import VisitDialog

    building = one(window, """SELECT b.id AS building, b.grid_id AS grid FROM buildings b
                              JOIN units u ON u.building_id = b.id JOIN households h ON h.unit_id = u.id
                              GROUP BY b.id HAVING COUNT(*) >= 6 ORDER BY b.id LIMIT 1""")
    dialog = VisitDialog(window.ctx, window)
    dialog.show()
    dialog.place.set_path(grid=building["grid"], building=building["building"])
    settle(200)
    for i in range(min(3, dialog.rooms.count())):
        dialog.rooms.item(i).setCheckState(Qt.Checked)
    if dialog.staff_box.count() > 1:
        dialog.staff_box.setCurrentIndex(1)
    dialog.notes_edit.setPlainText("入户了解老人身体和生活情况，宣传防诈骗知识；3 户均在家，无困难诉求。")
    dialog.notes_edit.setFocus()
    return dialog


@shot("page-volunteers", "志愿服务：活动列表")
def volunteers(window):
    window.show_page("volunteers")
    return window


@shot("activity-form", "记录一次志愿活动（参加的志愿者和服务时长）")
def activity_form(window):
    from ui.pages.volunteers.activity_dialog import ActivityDialog

    activity = one(window, """SELECT a.id FROM activities a JOIN activity_participants p ON p.activity_id = a.id
                              WHERE a.grid_id IS NOT NULL GROUP BY a.id HAVING COUNT(*) >= 4
                              ORDER BY a.on_date DESC LIMIT 1""")
    dialog = ActivityDialog(window.ctx, activity["id"], window)
    dialog.show()
    return dialog


@shot("volunteers-pending", "待确认志愿者：选定是哪一位居民")
def volunteers_pending(window):
    page = window.show_page("volunteers")
    page.tabs.setCurrentWidget(page.pending)
    settle()
    if page.pending.model.rowCount():
        page.pending.view.selectRow(0)
        page.pending.show_at(0)
    if page.pending.candidates.rowCount():
        page.pending.candidates_view.selectRow(0)
    return window


def _evaluation(window):
    page = window.show_page("evaluation")
    wait_until(lambda: page.evaluation is not None and not (page._job and page._job.is_running()), 60000)
    return page


@shot("page-evaluation", "月度评比：排名表")
def evaluation(window):
    _evaluation(window)
    return window


@shot("evaluation-trace", "计分依据：本月没有走访到的住户")
def evaluation_trace(window):
    from PySide6.QtCore import Qt as _Qt

    from ui.dialogs.evaluation import TraceDialog

    page = _evaluation(window)
    model = page.model
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, _Qt.Horizontal, _Qt.DisplayRole) == "走访覆盖率")
    index = model.index(model.rowCount() - 1, column)
    return capture(lambda: page.open_trace(index), TraceDialog, lambda dialog: dialog.only_missed.setChecked(True))


@shot("evaluation-publish", "定稿前的确认")
def evaluation_publish(window):
    page = _evaluation(window)
    return capture(page.publish, QDialog)


@shot("report-bulletin", "报表：月度评比通报的预览")
def report_bulletin(window):
    page = window.show_page("reports")
    done: list[int] = []
    page.rendered.connect(done.append)
    page.doc_number.setText("幸社评〔2026〕9号")
    page.zoom.setCurrentIndex(page.zoom.findData("page"))
    page.preview("monthly", month=LAST_MONTH)
    wait_until(lambda: bool(done), 60000)
    return window


@shot("file-menu", "文件菜单（备份台账）")
def file_menu(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
    menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    settle(300)
    for action in menu.actions():
        if action.text().startswith("备份台账"):
            menu.setActiveAction(action)
    settle(200)
    picture = menu.grab()
    menu.hide()
    return picture


@shot("page-users", "用户管理")
def users(window):
    window.show_page("users")
    return window


@shot("user-add", "新增用户（网格员，勾选负责的网格）")
def user_add(window):
    page = window.show_page("users")
    dialog = page.new_user()
    dialog.username_edit.setText("wangli")
    dialog.display_edit.setText("王丽")
    dialog.role_box.setCurrentText("网格员")
    if dialog.grids.count():
        dialog.grids.item(0).setCheckState(Qt.Checked)
    dialog.password_edit.setText("chushi2026")
    dialog.confirm_edit.setText("chushi2026")
    return dialog


@shot("page-audit", "操作日志")
def audit(window):
    window.show_page("audit")
    return window


@shot("page-meetings", "会议")
def meetings(window):
    window.show_page("meetings")
    return window


@shot("page-settings", "设置")
def settings(window):
    window.show_page("settings")
    return window


@shot("street-package", "社区：定稿后点“报送…”")
def street_package(window):
    """The community publishes September (定稿) and its 报送 button is ready."""
    from models.evaluation import publishing

    publishing.publish.op(ledger_of(window), LAST_MONTH)
    page = window.show_page("evaluation")
    page.refresh()
    wait_until(lambda: page.publication is not None and not (page._job and page._job.is_running()), 60000)
    settle()
    return window


#: the street ledger (made by :func:`street_ledger` the first time a street picture needs it)
_STREET: dict = {}


def street_ledger(window):
    """A street ledger (长江路街道) beside the demo, with the packages of two communities for
    September: the demo's own (幸福社区, published above) and a second, smaller demo (和平社区).
    The window switches to it, as 文件 ▸ 打开台账 would."""
    if "ledger" in _STREET:
        return _STREET["ledger"]
    from models.core.db import Operator
    from models.demo import build_demo
    from models.evaluation import publishing
    from models.ledger import open_db
    from models.street import package, registry

    from models.evaluation.publications import published_version

    folder = Path(SCRATCH)
    if published_version(ledger_of(window), LAST_MONTH) is None:      # made alone: street-package not run
        publishing.publish.op(ledger_of(window), LAST_MONTH)
    files = [folder / "幸福社区_2026-09_第1版.glpkg"]
    package.export_package.op(ledger_of(window), LAST_MONTH, files[0])
    other = open_db(folder / "和平社区.db", operator=Operator("和平社区文书", role="管理员"), clock=lambda: NOW,
                    community_name="和平社区")
    build_demo(other, households=300, seed=7, months=3)
    other.operator = Operator("和平社区文书", role="管理员")
    publishing.publish.op(other, LAST_MONTH)
    files.append(folder / "和平社区_2026-09_第1版.glpkg")
    package.export_package.op(other, LAST_MONTH, files[1])
    other.close()
    street = open_db(folder / "长江路街道.db", operator=Operator("街道文书", role="管理员"), clock=lambda: NOW)
    registry.init_street.op(street, "长江路街道")
    _STREET.update(ledger=street, files=files, community=ledger_of(window))
    window.use_ledger(street)
    settle()
    return street


@shot("street-import", "街道：导入报送，第一次报送的社区核对公钥指纹")
def street_import(window):
    street_ledger(window)
    page = window.show_page("street_reports")
    settle()
    return capture(lambda: page.import_paths(_STREET["files"]), QMessageBox)


@shot("street-reports", "街道：各社区报送情况")
def street_reports(window):
    from models.street import registry

    street = street_ledger(window)
    if not registry.reported(street, LAST_MONTH):
        registry.import_packages.op(street, registry.read_files(_STREET["files"]), trust=True)
    page = window.show_page("street_reports")
    page.set_month(LAST_MONTH)
    page.refresh()      # imported here, not through the page: it reloads as after its own import
    settle(1500)
    return window


@shot("street-ranking", "街道：社区和全街道网格的月度评比")
def street_ranking(window):
    street_ledger(window)
    from PySide6.QtWidgets import QTabWidget

    page = window.show_page("street_ranking")
    page.set_month(LAST_MONTH)
    page.refresh()
    settle(1500)
    page.findChild(QTabWidget).setCurrentIndex(1)     # 网格排名（全街道）: every grid of every community
    settle(300)
    return window


# -- running -------------------------------------------------------------------------------

def demo_ledger(folder: Path):
    """A demo ledger of 600 households at :data:`NOW`, as the CLI's ``demo`` makes it, opened
    by its 管理员 ``admin`` (王主任), with a day's work on it (see :func:`todays_work`)."""
    from models.core import accounts
    from models.core.db import Operator
    from models.demo import DEFAULT_COMMUNITY, DEMO_PASSWORD, build_demo
    from models.ledger import open_db

    path = folder / "演示台账.db"
    ledger = open_db(path, operator=Operator("演示管理员"), clock=lambda: NOW,
                     community_name=DEFAULT_COMMUNITY)
    build_demo(ledger, households=600, seed=1, months=12)
    accounts.authenticate(ledger, "admin", DEMO_PASSWORD)
    todays_work(ledger)
    return ledger


def todays_work(ledger) -> None:
    """What a clerk did today, through the same operations as the buttons: two matters
    registered this afternoon (one still open: 今日到期 on the 首页), one closed, and a 加分
    for September, so the pictures show real content (and the 操作日志 real rows)."""
    from models.evaluation import adjustments
    from models.matters import records as matters

    household = ledger.query("""SELECT h.id, r.id AS resident, r.name, r.phone FROM households h
                                JOIN residents r ON r.household_id = h.id AND r.relation = '户主'
                                WHERE r.status = '在册' AND r.phone != '' ORDER BY h.id LIMIT 1 OFFSET 7""")[0]
    staff = ledger.query("""SELECT s.id FROM staff s JOIN staff_assignments a ON a.staff_id = s.id
                            JOIN households h ON h.id = ? JOIN units u ON u.id = h.unit_id
                            JOIN buildings b ON b.id = u.building_id
                            WHERE a.grid_id = b.grid_id AND s.role = '网格员' LIMIT 1""", [household["id"]])
    assignee = {"assignee_staff_id": staff[0]["id"]} if staff else {"assignee_name": "值班网格员"}
    base = {"household_id": household["id"], "reporter_resident_id": household["resident"],
            "reporter_name": household["name"], "reporter_phone": household["phone"]}
    matters.register_matter.op(ledger, {
        **base, **assignee, "registered_at": NOW - dt.timedelta(hours=3), "source": "来电",
        "category": "环境卫生", "level": "小事", "description": "单元门口堆放装修垃圾两天无人清运"})
    leak = matters.register_matter.op(ledger, {
        **base, **assignee, "registered_at": NOW - dt.timedelta(hours=5), "source": "来访",
        "category": "物业服务", "level": "小事", "description": "楼道顶灯不亮，老人上下楼不便"}).result
    matters.apply_action.op(ledger, leak, "办结", at=NOW - dt.timedelta(hours=1),
                            result="物业已更换灯管，当场恢复照明")
    grid = ledger.query("SELECT id FROM grids ORDER BY id LIMIT 1 OFFSET 1")[0]["id"]
    adjustments.add_adjustment.op(ledger, LAST_MONTH, 1, "协助街道完成人口普查入户登记，表现突出", grid_id=grid)
    volunteer_sheet(ledger)


def volunteer_sheet(ledger) -> None:
    """A community-wide activity imported from a sheet, as the clerk's import wizard does it: one
    of its volunteers shares the name of two residents of different grids (no phone, no ID
    number), so the import records them as 待确认."""
    import xlsxwriter

    from models import importing

    twin = ledger.query("""SELECT name FROM residents WHERE status = '在册' GROUP BY name
                          HAVING COUNT(DISTINCT household_id) >= 2 ORDER BY COUNT(*) DESC, name LIMIT 1""")
    others = [r["name"] for r in ledger.query("""SELECT name FROM residents WHERE status = '在册' GROUP BY name
                                                HAVING COUNT(*) = 1 ORDER BY name LIMIT 3""")]
    path = Path(SCRATCH) / "志愿服务活动.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("10月")
    sheet.write_row(0, 0, ["活动名称", "活动类型", "活动日期", "地点", "所属网格", "组织单位", "志愿者姓名", "服务时长(小时)",
                           "服务人数"])
    for i, name in enumerate([twin[0]["name"], *others] if twin else others, 1):
        sheet.write_row(i, 0, ["重阳节敬老服务", "爱心互助", "2026-10-29", "社区文化广场", "", "爱心互助加油站", name, 2.5, 60])
    book.close()
    spec = importing.load_spec("activities")
    plan = importing.analyse(ledger, path, spec)
    importing.execute.op(ledger, plan)


def save_png(picture: QPixmap, target: Path) -> tuple[int, int]:
    """Save ``picture`` as a PNG, re-compressed with Pillow when it is large."""
    picture.save(str(target))
    if target.stat().st_size > MAX_BYTES:
        from PIL import Image

        with Image.open(target) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)
    return picture.width(), picture.height()


def main(argv: list[str]) -> int:
    global SCRATCH
    from ui.app import create_application
    from ui.context import AppContext
    from ui.main_window import MainWindow

    wanted = argv[1:] or list(SHOTS)
    unknown = [n for n in wanted if n not in SHOTS]
    if unknown:
        print(f"没有这些截图：{', '.join(unknown)}；可选：{', '.join(SHOTS)}")
        return 2
    app = create_application()
    IMAGES.mkdir(parents=True, exist_ok=True)
    # one fixed folder, so the status bar's 台账文件 is the same in every run (pictures diff cleanly)
    folder = Path(tempfile.gettempdir()) / "网格台账截图"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    SCRATCH = str(folder)
    ledger = demo_ledger(folder)
    window = MainWindow(AppContext(ledger))
    window.resize(*SIZE)
    window.show()
    settle()
    failed = []
    for name in wanted:
        caption, make = SHOTS[name]
        try:
            target = make(window)
            if not isinstance(target, QPixmap):
                settle()
                picture = target.grab()
            else:
                picture = target
        except Exception as exc:  # noqa: BLE001 - one broken picture must not stop the others
            failed.append(name)
            print(f"{name}.png  失败：{exc!r}")
            continue
        width, height = save_png(picture, IMAGES / f"{name}.png")
        print(f"{name}.png  {caption}  {width}×{height}  {(IMAGES / f'{name}.png').stat().st_size // 1024} KB")
        if isinstance(target, QDialog):
            QDialog.done(target, QDialog.Rejected)   # not reject(): a form would ask 保存/不保存 first
            settle(100)
    window.close()
    ledger.close()
    for key in ("ledger", "community"):
        if key in _STREET and _STREET[key] is not ledger:
            _STREET[key].close()
    app.processEvents()
    shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
