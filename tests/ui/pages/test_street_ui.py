"""The street office in the window (issue 12): 报送 on the 月度评比 page, 导入报送 with the fingerprint
confirmation, the street's ranking, export and bulletin, 年度考评, the street window, a new street
ledger, 设置 ▸ 签名密钥."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from models.core import signing
from models.core.db import Operator
from models.ledger import open_db
from models.street import ranking, registry
from models.street.package import package_bytes, read_package
from tests.models.street.street_helpers import MONTH, NOW, community, street
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.pages.evaluation import EvaluationPage
from ui.pages.street import StreetReportsPage
from ui.pages.street_ranking import StreetAnnualPage, StreetRankingPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda parent, title, text, *a, _k=kind, **kw: seen.append((_k, title, text)))
    return seen


@pytest.fixture
def world(clock, tmp_path):
    clock.set(*NOW.timetuple()[:5])
    a = community("幸福社区", 3, clock)
    b = community("和平社区", 4, clock)
    files = []
    for led in (a, b):
        path = tmp_path / f"{led.community_name}.glpkg"
        path.write_bytes(package_bytes(led, MONTH))
        files.append(path)
    s = street(clock)
    yield a, b, s, files
    for led in (a, b, s):
        led.close()


def _answer(monkeypatch, answer, asked):
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: asked.append(text) or answer)


def test_the_package_button_exports_a_published_month(qtbot, world, tmp_path, monkeypatch, messages):
    a, _b, _s, _files = world
    page = show_widget(qtbot, EvaluationPage(AppContext(a)))
    page.set_month("2026-09")                     # not published: no package
    assert not page.package_button.isEnabled()
    page.set_month(MONTH)
    assert page.package_button.isEnabled()
    out = tmp_path / "报送.glpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(page.package_button, Qt.LeftButton)
    received = read_package(out.read_bytes())
    assert (received.community, received.month, received.version) == ("幸福社区", MONTH, 1)
    kind, title, text = messages[-1]
    assert title == "报送" and signing.fingerprint(signing.public_key(a)) in text


def test_the_package_button_warns_when_data_changed_since_publishing(qtbot, world, tmp_path, monkeypatch,
                                                                    messages):
    from models.evaluation.adjustments import add_adjustment
    from models.evaluation.publications import latest_publication

    a, _b, _s, _files = world
    grid_id = latest_publication(a, MONTH).evaluation.grids[0].grid_id
    add_adjustment(a, MONTH, 2, "事后补记", grid_id=grid_id)
    page = show_widget(qtbot, EvaluationPage(AppContext(a)))
    page.set_month(MONTH)
    out = tmp_path / "报送.glpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    asked = []
    _answer(monkeypatch, QMessageBox.No, asked)
    qtbot.mouseClick(page.package_button, Qt.LeftButton)
    assert "与定稿相比有" in asked[0] and not out.exists()
    _answer(monkeypatch, QMessageBox.Yes, asked)
    qtbot.mouseClick(page.package_button, Qt.LeftButton)
    sent = read_package(out.read_bytes()).package       # the published figures, not the new ones
    assert sent["publication"]["version"] == 1 and "事后补记" not in out.read_text(encoding="utf-8")


def test_a_grid_staff_member_may_not_send_the_package(qtbot, world):
    a, _b, _s, _files = world
    a.operator = Operator("网格员小王", role="网格员")
    page = show_widget(qtbot, EvaluationPage(AppContext(a)))
    page.set_month(MONTH)
    assert not page.package_button.isEnabled()


def test_import_confirms_the_fingerprints_then_imports(qtbot, world, monkeypatch, messages):
    a, b, s, files = world
    page = show_widget(qtbot, StreetReportsPage(AppContext(s)))
    assert page.communities_model.rowCount() == 0 and "还没有登记任何社区" in page.summary.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    asked = []
    _answer(monkeypatch, QMessageBox.No, asked)          # the clerk does not confirm: nothing imported
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    assert signing.fingerprint(signing.public_key(a)) in asked[0]
    assert signing.fingerprint(signing.public_key(b)) in asked[0]
    assert registry.communities(s) == []
    _answer(monkeypatch, QMessageBox.Yes, asked)
    with qtbot.waitSignal(page.imported):
        qtbot.mouseClick(page.import_button, Qt.LeftButton)
    assert messages[-1][0] == "information" and "共导入 2 份报送" in messages[-1][2]
    page.set_month(MONTH)
    rows = [page.communities_model.row_dict(r) for r in range(page.communities_model.rowCount())]
    assert [(r["社区"], r["本月报送"]) for r in rows] == [("和平社区", "第 1 版"), ("幸福社区", "第 1 版")]
    assert page.history_model.rowCount() == 2
    assert "2 / 2 个社区已报送" in page.summary.text()


def test_a_refused_file_is_listed_and_nothing_is_imported(qtbot, world, tmp_path, monkeypatch, messages):
    _a, _b, s, files = world
    bad = tmp_path / "坏的.glpkg"
    data = bytearray(files[1].read_bytes())
    data[300] ^= 1
    bad.write_bytes(bytes(data))
    page = show_widget(qtbot, StreetReportsPage(AppContext(s)))
    asked = []
    _answer(monkeypatch, QMessageBox.Yes, asked)
    page.import_paths([files[0], bad])
    assert asked == [] and messages[-1][0] == "warning" and "坏的.glpkg" in messages[-1][2]
    assert registry.communities(s) == [] and page.communities_model.rowCount() == 0


def test_registering_a_community_with_its_key_file(qtbot, world, tmp_path, monkeypatch):
    a, _b, s, _files = world
    key = tmp_path / "幸福社区公钥.txt"
    key.write_text(signing.key_file_text("幸福社区", signing.public_key(a)), encoding="utf-8")
    page = show_widget(qtbot, StreetReportsPage(AppContext(s)))
    from ui.dialogs.street_community import AddCommunityDialog

    dialog = AddCommunityDialog(page.ctx, page)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(key), ""))
    dialog.browse()
    assert dialog.name.text() == "幸福社区"
    assert dialog.fingerprint.text() == signing.fingerprint(signing.public_key(a))
    dialog.save()
    assert [c.name for c in registry.communities(s)] == ["幸福社区"]
    assert page.communities_model.row_dict(0)["本月报送"] == "未报送"


def test_the_street_ranking_page(qtbot, world, tmp_path, monkeypatch, messages, qtmodeltester):
    a, b, s, files = world
    registry.import_packages(s, registry.read_files(files), trust=True)
    page = show_widget(qtbot, StreetRankingPage(AppContext(s)))
    page.set_month(MONTH)
    expected = ranking.street_month(s, MONTH)
    shown = [page.communities_model.row(r) for r in range(page.communities_model.rowCount())]
    assert [(c.name, c.total) for c in shown] == [(c.name, c.total) for c in expected.communities]
    assert page.grids_model.rowCount() == len(expected.grids) > 0
    header = [page.grids_model.headerData(c, Qt.Horizontal) for c in range(page.grids_model.columnCount())]
    assert header[:4] == ["排名", "名次变化", "社区", "网格"] and header[-1] == "总分"
    assert "2 / 2 个社区已报送" in page.status.text()
    qtmodeltester.check(page.communities_model)
    qtmodeltester.check(page.grids_model)

    page.tabs.setCurrentIndex(1)
    out = tmp_path / "网格排名.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows.pop(0)[0].startswith("长江路街道2026-10网格排名　已报送 2 个社区")
    assert rows[0][:3] == ["排名", "社区", "网格"] and len(rows) == len(expected.grids) + 1

    pdf = tmp_path / "街道通报.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    assert pdf.read_bytes().startswith(b"%PDF") and "通报已生成" in messages[-1][2]


def test_who_has_not_reported_is_shown(qtbot, world):
    a, b, s, files = world
    registry.add_community(s, "和平社区", signing.key_file_text("和平社区", signing.public_key(b)))
    registry.import_packages(s, registry.read_files(files[:1]), trust=True)
    page = show_widget(qtbot, StreetRankingPage(AppContext(s)))
    page.set_month(MONTH)
    assert "未报送：和平社区" in page.status.text() and page.communities_model.rowCount() == 1


def test_the_annual_page(qtbot, world, tmp_path, monkeypatch, messages):
    _a, _b, s, files = world
    registry.import_packages(s, registry.read_files(files), trust=True)
    page = show_widget(qtbot, StreetAnnualPage(AppContext(s)))
    assert page.model.rowCount() == 2
    row = page.model.row_dict(0)
    assert row["10月"] != "—" and row["9月"] == "—" and row["报送月数"] == 1 and row["等次"]
    pdf = tmp_path / "考评.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    assert pdf.read_bytes().startswith(b"%PDF") and "考评表已生成" in messages[-1][2]


def test_a_street_ledger_opens_in_a_street_window(qtbot, tmp_path, clock):
    from ui.main_window import MainWindow

    clock.set(*NOW.timetuple()[:5])
    led = street(clock, path=tmp_path / "街道.db")
    ctx = AppContext(led)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
        assert titles == ["报送情况", "月度评比", "年度考评", "用户管理", "操作日志"]
        assert "长江路街道" in window.windowTitle() and "街道台账" in window.windowTitle()
        # opening a community ledger in the same window brings the community's pages back
        other = open_db(tmp_path / "社区.db", community_name="幸福社区", clock=clock)
        ctx.replace_ledger(other)
        titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
        assert titles[0] == "首页" and "月度评比" in titles and "报送情况" not in titles
    finally:
        ctx.ledger.close()


def test_a_new_ledger_can_be_a_street_ledger(qtbot, tmp_path):
    from ui.dialogs.first_start import NewLedgerForm

    form = NewLedgerForm(tmp_path / "街道.db")
    qtbot.addWidget(form)
    form.street_kind.setChecked(True)
    assert form.name_label.text() == "街道名称："
    form.community.setText("长江路街道")
    led = form.create()
    try:
        assert registry.is_street(led) and registry.street_name(led) == "长江路街道"
        assert led.community_name == ""
    finally:
        led.close()


def test_the_signing_key_dialog(qtbot, ledger, tmp_path, monkeypatch, messages):
    from ui.dialogs.signing_key import SigningKeyDialog

    dialog = SigningKeyDialog(AppContext(ledger))
    qtbot.addWidget(dialog)
    assert dialog.fingerprint.text() == signing.fingerprint(signing.public_key(ledger))
    out = tmp_path / "公钥.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    dialog.export_key()
    assert signing.read_key_file(out.read_text(encoding="utf-8")) == signing.public_key(ledger)
    assert "PRIVATE" not in out.read_text(encoding="utf-8").upper()


def test_the_street_sets_its_own_scheme_and_issuer(qtbot, world, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox

    from models.core.issuer import issuer_name
    from models.evaluation.scheme import current_scheme
    from models.street.bulletin import street_bulletin_data
    from ui.dialogs import evaluation as dialogs

    _a, _b, s, files = world
    registry.import_packages(s, registry.read_files(files), trust=True)
    page = show_widget(qtbot, StreetRankingPage(AppContext(s)))
    page.set_month(MONTH)
    before = [c.total for c in page.result.communities]
    seen = {}

    def exec_(dialog):
        seen["issuer"] = dialog.issuer.text()
        dialog.weights["on_time"].setText("20")
        dialog.weights["visit_coverage"].setText("30")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        return dialog.result()

    monkeypatch.setattr(dialogs.SchemeDialog, "exec", exec_)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    assert seen["issuer"] == "长江路街道办事处" == issuer_name(s)
    assert current_scheme(s).indicator("on_time").weight == 20
    assert [c.total for c in page.result.communities] != before        # rescored with the street's scheme
    assert all(r.other_scheme for r in page.result.reports.values())
    assert "已按街道方案计算" in page.status.text()
    assert street_bulletin_data(s, MONTH).issuing_body == "长江路街道办事处"
