"""Every form (dialog with fields) of the window, built on a small ledger, for the tests of the
rules every form keeps (tests/ui/widgets/test_forms.py) and for the screenshots.

``FORMS``: name → ``factory(ctx, env)``; ``env`` comes from :func:`form_env`.
"""

from PySide6.QtWidgets import QApplication

from models.matters import records as matters_model
from models.residents import records as residents_model
from tests.ui.matters_helpers import build_place, register
from tests.ui.ui_helpers import make_id
from ui.dialogs import matter_detail
from ui.dialogs.evaluation import AdjustmentDialog, SchemeDialog
from ui.dialogs.first_start import NewLedgerDialog
from ui.dialogs.household import HouseholdDialog, MoveDialog
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.matter_form import MatterForm
from ui.dialogs.resident_form import ResidentForm, StatusDialog
from ui.pages import grids as grids_page
from ui.pages.meetings import MeetingDialog
from ui.pages.visits import VisitDialog
from ui.pages.volunteers.activity_dialog import ActivityDialog
from ui.pages.volunteers.org_dialog import OrgDialog
from ui.pages.volunteers.volunteer_dialog import VolunteerEditDialog


def form_env(ledger) -> dict:
    """Two grids with staff (tests.ui.matters_helpers.build_place), a resident and an open matter."""
    place = build_place(ledger)
    resident = residents_model.add_resident(ledger, {
        "name": "王大妈", "id_number": make_id("19560101", 12), "phone": "13800138001",
        "household_id": place["rooms"]["101"], "relation": "户主"})
    matter_id = register(ledger, place)
    return {**place, "resident": resident, "matter": matters_model.get_matter(ledger, matter_id)}


def _resident_with_excel_id(ctx, env):
    """新增居民 with an ID number that went through Excel as a number (its longest message)."""
    form = ResidentForm(ctx)
    form.id_number.setText("1.10101E+17")
    form.touched.add("id_number")
    form.validate()
    return form


def _action(name):
    return lambda ctx, env: matter_detail.ACTION_DIALOGS[name](ctx, env["matter"])


FORMS = {
    "登记民情事项": lambda ctx, env: MatterForm(ctx),
    "新增居民": lambda ctx, env: ResidentForm(ctx),
    "编辑居民": lambda ctx, env: ResidentForm(ctx, env["resident"]),
    "新增居民（Excel 身份证号）": _resident_with_excel_id,
    "迁出登记": lambda ctx, env: StatusDialog(ctx, env["resident"], "王大妈", "迁出"),
    "户信息": lambda ctx, env: HouseholdDialog(ctx, env["rooms"]["101"]),
    "移户": lambda ctx, env: MoveDialog(ctx, "王大妈"),
    **{f"事项{name}": _action(name) for name in matter_detail.ACTION_DIALOGS},
    "修改事项信息": lambda ctx, env: matter_detail.EditDialog(ctx, env["matter"]),
    "走访记录": lambda ctx, env: VisitDialog(ctx),
    "会议记录": lambda ctx, env: MeetingDialog(ctx),
    "新增楼栋": lambda ctx, env: grids_page.BuildingDialog("第一网格"),
    "新增工作人员": lambda ctx, env: grids_page.StaffDialog(),
    "分配工作人员": lambda ctx, env: grids_page.AssignDialog(
        [{"id": env["worker"], "name": "李网格员", "role": "网格员"}], "第一网格"),
    "评比调整": lambda ctx, env: AdjustmentDialog(ctx, "2026-09", [(env["grid1"], "第一网格")]),
    "评比方案": lambda ctx, env: SchemeDialog(ctx),
    "志愿者": lambda ctx, env: VolunteerEditDialog(ctx),
    "志愿组织": lambda ctx, env: OrgDialog(ctx),
    "志愿活动": lambda ctx, env: ActivityDialog(ctx),
    "导入居民": lambda ctx, env: ImportWizard(ctx, "residents"),
    "新建台账": lambda ctx, env: NewLedgerDialog(),
}


def open_form(qtbot, ctx, env, name):
    """Open the form ``name`` of :data:`FORMS` as the clerk would: shown and active."""
    dialog = FORMS[name](ctx, env)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog
