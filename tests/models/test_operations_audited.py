"""Every operation that changes data writes its audit rows (issue 10: who, when, record, old → new).

:data:`AUDITED` lists, for every ``@operation`` of models/ (found by walking the packages, so a
new operation without a line here fails), the audit rows (action, record type) it writes when
it changes something.  :data:`SCENARIO` runs each once on a small demo ledger, in order; the
test looks at the rows each call appended, by the operator, masked.
"""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest

import models
from models.core.db import Operator
from models.core.idcard import make_id
from models.demo import build_demo
from models.ledger import open_db

NOW = __import__("datetime").datetime(2026, 10, 15, 9, 30)   # the tests stand on a fixed day
NUMBER = make_id("340104", __import__("datetime").date(1961, 2, 3), 11)
PHONE = "13812345678"


def _tiny_png() -> bytes:
    """A valid 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def all_operations() -> dict[str, object]:
    """``module.function`` → every function of models/ made an operation by ``@operation``."""
    found = {}
    for info in pkgutil.walk_packages(models.__path__, "models."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "op") and hasattr(value, "permissions") \
                    and getattr(value, "__module__", None) == info.name:
                found[f"{info.name.removeprefix('models.')}.{name}"] = value
    return found


#: operation → the audit rows (action, table) one change by it writes (at least these)
AUDITED: dict[str, set[tuple[str, str]]] = {
    "core.issuer.set_report_issuer": {("设置", "settings")},
    "core.accounts.create_user": {("新增用户", "users")},
    "core.accounts.set_display_name": {("修改显示名", "users")},
    "core.accounts.set_sensitive": {("授予敏感信息权限", "users")},
    "core.accounts.change_role": {("修改角色", "users")},
    "core.accounts.reset_password": {("重置密码", "users")},
    "core.accounts.disable_user": {("停用用户", "users")},
    "core.accounts.enable_user": {("启用用户", "users")},
    "core.accounts.change_own_password": {("修改密码", "users")},
    "core.accounts.create_first_admin": {("新增用户", "users")},
    "grids.hierarchy.add_grid": {("新增", "grids")},
    "grids.hierarchy.rename_grid": {("修改", "grids")},
    "grids.hierarchy.add_building": {("新增", "buildings")},
    "grids.hierarchy.rename_building": {("修改", "buildings")},
    "grids.hierarchy.redivide": {("网格调整", "grids"), ("新增", "grids")},
    "grids.hierarchy.close_grid": {("撤销网格", "grids")},
    "grids.hierarchy.add_unit": {("新增", "units")},
    "grids.hierarchy.rename_unit": {("修改", "units")},
    "grids.hierarchy.add_household": {("新增", "households")},
    "grids.hierarchy.rename_household": {("修改", "households")},
    "grids.hierarchy.add_staff": {("新增", "staff")},
    "grids.hierarchy.assign_staff": {("分配", "staff_assignments")},
    "grids.hierarchy.unassign_staff": {("取消分配", "staff_assignments")},
    "residents.records.add_resident": {("新增", "residents")},
    "residents.records.update_resident": {("修改", "residents")},
    "residents.records.reveal_id_number": {("查看完整身份证号", "residents")},
    "residents.records.move_out": {("迁出", "residents")},
    "residents.records.restore_active": {("恢复在册", "residents")},
    "residents.records.record_death": {("死亡", "residents")},
    "residents.records.move_to_household": {("调整户", "residents")},
    "residents.records.set_household_head": {("设为户主", "households")},
    "matters.records.register_matter": {("登记", "matters")},
    "matters.records.register_history": {("登记", "matters")},
    "matters.records.update_matter": {("修改", "matters")},
    "matters.records.apply_action": {("分派", "matters")},
    "visits.records.record_visit": {("新增", "visits")},
    "visits.records.update_visit": {("修改", "visits")},
    "visits.records.visit_problem_to_matter": {("登记", "matters")},
    "visits.records.save_visit": {("新增", "visits"), ("登记", "matters")},
    "visits.records.delete_visit": {("删除", "visits")},
    "meetings.records.add_meeting": {("新增", "meetings")},
    "meetings.records.update_meeting": {("修改", "meetings")},
    "meetings.records.link_matter": {("关联事项", "meetings")},
    "meetings.records.unlink_matter": {("取消关联", "meetings")},
    "meetings.records.escalate": {("上报", "matters")},
    "meetings.records.delete_meeting": {("删除", "meetings")},
    "volunteers.records.add_org": {("新增", "volunteer_orgs")},
    "volunteers.records.update_org": {("修改", "volunteer_orgs")},
    "volunteers.records.save_org": {("新增", "volunteer_orgs")},
    "volunteers.records.add_outside_volunteer": {("新增", "volunteers")},
    "volunteers.records.volunteer_for_resident": {("新增", "volunteers")},
    "volunteers.records.volunteer_for_candidate": {("新增", "volunteers")},
    "volunteers.records.update_volunteer": {("修改", "volunteers")},
    "volunteers.records.save_volunteer": {("新增", "volunteers")},
    "volunteers.records.add_member": {("加入组织", "volunteer_org_members")},
    "volunteers.records.join_org": {("加入组织", "volunteer_org_members")},
    "volunteers.records.confirm_volunteer": {("确认", "volunteers")},
    "volunteers.records.remove_member": {("退出组织", "volunteer_org_members")},
    "volunteers.records.delete_volunteer": {("删除", "volunteers")},
    "volunteers.records.delete_org": {("删除", "volunteer_orgs")},
    "volunteers.activities.set_activity_types": {("修改", "office_lists")},
    "backup.configure_backups": {("设置", "settings")},
    "volunteers.activities.add_activity": {("新增", "activities")},
    "volunteers.activities.update_activity": {("修改", "activities")},
    "volunteers.activities.add_participant": {("添加志愿者", "activity_participants")},
    "volunteers.activities.remove_participant": {("移除志愿者", "activity_participants")},
    "volunteers.activities.add_attachment": {("添加附件", "attachments")},
    "volunteers.activities.delete_attachment": {("删除附件", "attachments")},
    "volunteers.activities.save_activity": {("新增", "activities")},
    "volunteers.activities.delete_activity": {("删除", "activities")},
    "importing.execute": {("导入", "residents")},
    "evaluation.scheme.save_scheme": {("设置", "settings")},
    "evaluation.adjustments.add_adjustment": {("新增", "score_adjustments")},
    "evaluation.adjustments.remove_adjustment": {("删除", "score_adjustments")},
    "evaluation.publishing.publish": {("定稿", "evaluation_publications")},
    # issue 12: the package a community sends, and the street ledger that receives it
    "street.package.export_package": {("报送", "evaluation_publications")},
    "street.registry.init_street": {("设置", "settings")},
    "street.registry.add_community": {("登记社区", "street_communities")},
    "street.registry.import_packages": {("导入报送", "street_packages"), ("登记社区", "street_communities")},
    # issue 13: the office's lists, the 督办 window, party organisation, deliberation stages
    "core.lists.add_item": {("新增", "office_lists")},
    "core.lists.rename_item": {("修改", "office_lists")},
    "core.lists.move_item": {("调整顺序", "office_lists")},
    "core.lists.retire_item": {("停用", "office_lists")},
    "core.lists.restore_item": {("恢复", "office_lists")},
    "core.lists.delete_item": {("删除", "office_lists")},
    "core.lists.set_category_rule": {("修改", "office_lists")},
    "core.lists.set_names": {("修改", "office_lists")},
    "core.lists.add_tag": {("新增", "tags")},
    "core.lists.update_tag": {("修改", "tags")},
    "core.lists.move_tag": {("调整顺序", "tags")},
    "core.lists.retire_tag": {("停用", "tags")},
    "core.lists.restore_tag": {("恢复", "tags")},
    "core.lists.delete_tag": {("删除", "tags")},
    "core.lists.set_idle_lock_minutes": {("设置", "settings")},
    "matters.records.set_supervision_window": {("设置", "settings")},
    "evaluation.scheme.save_supervision_rules": {("设置", "settings")},
    "residents.party.add_org": {("新增", "party_orgs")},
    "residents.party.add_member": {("新增", "party_members")},
    "residents.party.set_duty": {("修改", "party_members")},
    "residents.party.remove_member": {("删除", "party_members")},
    "residents.party.delete_org": {("删除", "party_orgs")},
    "meetings.records.record_stage": {("新增", "meeting_stages")},
    "meetings.records.remove_last_stage": {("删除", "meeting_stages")},
}

#: operations of the scenario that run on another ledger than the demo's (see _scenario)
ELSEWHERE = {"core.accounts.create_first_admin": "fresh", "street.registry.init_street": "street",
             "street.registry.add_community": "street", "street.registry.import_packages": "street"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("audited") / "demo.db"
    ledger = open_db(path, operator=Operator("测试员"), clock=lambda: NOW, community_name="幸福社区")
    build_demo(ledger, households=30, months=2)
    ledger.close()
    return path


def _scenario(ledger, tmp_path):
    """(operation name, call) in an order where each call finds what it needs."""
    from models.core import accounts, issuer
    from models.evaluation import adjustments, publishing, scheme
    from models.grids import hierarchy as H
    from models.importing import import_file, load_spec
    from models.matters import records as M
    from models.meetings import records as MT
    from models.residents import records as R
    from models.visits import records as V
    from models.volunteers import activities as A
    from models.volunteers import records as VR
    from tests.models.import_books import ledger_book, row

    s: dict = {}
    q = ledger.scalar
    import datetime as dt

    month = (ledger.now().date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")   # a finished month
    from models.demo import DEMO_PASSWORD

    accounts.authenticate(ledger, "admin", DEMO_PASSWORD)   # the demo's 管理员 works through the scenario
    fresh = open_db(None, operator=Operator("测试员"), clock=lambda: NOW)   # a ledger without accounts
    s["fresh"] = fresh
    s["street"] = open_db(None, operator=Operator("测试员"), clock=lambda: NOW)   # becomes a street ledger
    from models.core import signing
    from models.street import package, registry
    steps = [
        ("core.accounts.create_first_admin", lambda: accounts.create_first_admin(
            fresh, username="first", display_name="第一位管理员", password="admin2026")),
        ("core.accounts.create_user", lambda: s.setdefault("user", accounts.create_user(
            ledger, username="auditee", display_name="王芳", role="工作人员", password="clerk2026"))),
        ("core.accounts.set_display_name", lambda: accounts.set_display_name(ledger, s["user"], "王芳芳")),
        ("core.accounts.set_sensitive", lambda: accounts.set_sensitive(ledger, s["user"], True)),
        ("core.accounts.change_role", lambda: accounts.change_role(ledger, s["user"], "督导员")),
        ("core.accounts.reset_password", lambda: accounts.reset_password(ledger, s["user"], "clerk2027")),
        ("core.accounts.disable_user", lambda: accounts.disable_user(ledger, s["user"])),
        ("core.accounts.enable_user", lambda: accounts.enable_user(ledger, s["user"])),
        ("core.accounts.change_own_password", lambda: accounts.change_own_password(ledger, DEMO_PASSWORD, "admin2027")),
        ("core.issuer.set_report_issuer", lambda: issuer.set_report_issuer(ledger, "幸福社区居委会（审计）")),
        ("grids.hierarchy.add_grid", lambda: s.setdefault("grid", H.add_grid(ledger, "审计网格"))),
        ("grids.hierarchy.rename_grid", lambda: H.rename_grid(ledger, s["grid"], "审计网格二")),
        ("grids.hierarchy.add_building", lambda: s.setdefault("building", H.add_building(ledger, s["grid"], "99号楼"))),
        ("grids.hierarchy.rename_building", lambda: H.rename_building(ledger, s["building"], "98号楼")),
        ("grids.hierarchy.add_unit", lambda: s.setdefault("unit", H.add_unit(ledger, s["building"], "1单元"))),
        ("grids.hierarchy.rename_unit", lambda: H.rename_unit(ledger, s["unit"], "2单元")),
        ("grids.hierarchy.add_household", lambda: s.setdefault("home", H.add_household(ledger, s["unit"], "101"))),
        ("grids.hierarchy.rename_household", lambda: H.rename_household(ledger, s["home"], "102")),
        ("grids.hierarchy.add_staff", lambda: s.setdefault("staff", H.add_staff(ledger, "审计员", "网格员", PHONE))),
        ("grids.hierarchy.assign_staff", lambda: s.setdefault("assignment", H.assign_staff(
            ledger, s["staff"], grid_id=s["grid"]))),
        ("grids.hierarchy.unassign_staff", lambda: H.unassign_staff(ledger, s["assignment"])),
        ("grids.hierarchy.redivide", lambda: H.redivide(ledger, [s["building"]], NOW.date().isoformat(),
                                                        new_grid_name="审计新网格")),
        ("grids.hierarchy.close_grid", lambda: H.close_grid(ledger, s["grid"], NOW.date().isoformat())),
        ("residents.records.add_resident", lambda: s.setdefault("resident", R.add_resident(
            ledger, {"name": "审计甲", "household_id": s["home"], "id_number": NUMBER, "phone": PHONE,
                     "relation": "户主"}))),
        ("residents.records.reveal_id_number", lambda: R.reveal_id_number(ledger, s["resident"])),
        ("residents.records.update_resident", lambda: R.update_resident(ledger, s["resident"],
                                                                        {"phone": "13900001111"})),
        ("residents.records.move_out", lambda: R.move_out(ledger, s["resident"], ledger.now().date().isoformat())),
        ("residents.records.restore_active", lambda: R.restore_active(ledger, s["resident"],
                                                                      ledger.now().date().isoformat())),
        ("residents.records.move_to_household", lambda: R.move_to_household(
            ledger, s.setdefault("second", R.add_resident(ledger, {"name": "审计乙", "household_id": s["home"]})),
            q("SELECT id FROM households WHERE id <> ? ORDER BY id LIMIT 1", [s["home"]]), "其他",
            ledger.now().date().isoformat())),
        ("residents.records.set_household_head", lambda: R.set_household_head(
            ledger, q("SELECT household_id FROM residents WHERE id = ?", [s["second"]]), s["second"])),
        ("residents.records.record_death", lambda: R.record_death(ledger, s["second"],
                                                                  ledger.now().date().isoformat())),
        ("matters.records.register_matter", lambda: s.setdefault("matter", M.register_matter(ledger, {
            "source": "来电", "category": "路灯照明", "level": "小事", "description": "审计路灯",
            "household_id": s["home"]}))),
        ("matters.records.register_history", lambda: M.register_history(ledger, {
            "source": "来电", "category": "路灯照明", "level": "小事", "description": "审计历史",
            "household_id": s["home"], "assignee_name": "审计员"},
            [("办结", ledger.now(), "", {"result": "已修好"})])),
        ("matters.records.update_matter", lambda: M.update_matter(ledger, s["matter"], {"description": "审计路灯坏"})),
        ("matters.records.apply_action", lambda: M.apply_action(ledger, s["matter"], "分派",
                                                                assignee_name="审计员")),
        ("visits.records.record_visit", lambda: s.setdefault("visit", V.record_visit(
            ledger, visited_on=ledger.now().date().isoformat(), staff_name="审计员", way="入户",
            household_ids=[s["home"]]))),
        ("visits.records.update_visit", lambda: V.update_visit(ledger, s["visit"], notes="已走访")),
        ("visits.records.visit_problem_to_matter", lambda: V.visit_problem_to_matter(ledger, s["visit"], {
            "category": "路灯照明", "level": "小事", "description": "走访发现"})),
        ("visits.records.save_visit", lambda: V.save_visit(
            ledger, None, {"visited_on": ledger.now().date().isoformat(), "staff_name": "审计员", "way": "入户",
                           "household_ids": [s["home"]]},
            {"category": "路灯照明", "level": "小事", "description": "又发现"})),
        ("visits.records.delete_visit", lambda: V.delete_visit(ledger, V.record_visit(
            ledger, visited_on=ledger.now().date().isoformat(), staff_name="审计员", way="入户",
            household_ids=[s["home"]]))),
        ("meetings.records.add_meeting", lambda: s.setdefault("meeting", MT.add_meeting(
            ledger, {"kind": "联席会议", "held_at": ledger.now_ts(), "topic": "审计会议"}))),
        ("meetings.records.update_meeting", lambda: MT.update_meeting(ledger, s["meeting"], {"topic": "审计会议二"})),
        ("meetings.records.link_matter", lambda: MT.link_matter(ledger, s["meeting"], s["matter"])),
        ("meetings.records.unlink_matter", lambda: MT.unlink_matter(ledger, s["meeting"], s["matter"])),
        ("meetings.records.escalate", lambda: MT.escalate(ledger, M.register_matter(ledger, {
            "source": "来电", "category": "路灯照明", "level": "大事", "description": "审计大事",
            "household_id": s["home"], "assignee_name": "审计员"}), meeting_id=s["meeting"])),
        ("meetings.records.delete_meeting", lambda: MT.delete_meeting(ledger, MT.add_meeting(
            ledger, {"kind": "联席会议", "held_at": ledger.now_ts(), "topic": "删掉的会"}))),
        ("volunteers.records.add_org", lambda: s.setdefault("org", VR.add_org(ledger, VR.OrgData("审计志愿队")))),
        ("volunteers.records.update_org", lambda: VR.update_org(ledger, s["org"], VR.OrgData("审计志愿队二"))),
        ("volunteers.records.save_org", lambda: VR.save_org(ledger, None, VR.OrgData("审计志愿队三"))),
        ("volunteers.records.add_outside_volunteer", lambda: s.setdefault("volunteer", VR.add_outside_volunteer(
            ledger, "审计志愿者", PHONE))),
        ("volunteers.records.volunteer_for_resident", lambda: VR.volunteer_for_resident(ledger, s["resident"])),
        ("volunteers.records.volunteer_for_candidate", lambda: VR.volunteer_for_candidate(
            ledger, VR.Candidate("审计丙", "审计丙", resident_id=R.add_resident(
                ledger, {"name": "审计丙", "household_id": s["home"]})))),
        ("volunteers.records.update_volunteer", lambda: VR.update_volunteer(ledger, s["volunteer"], skills="理发")),
        ("volunteers.records.save_volunteer", lambda: VR.save_volunteer(ledger, None, VR.VolunteerData("审计丁"))),
        ("volunteers.records.add_member", lambda: VR.add_member(ledger, s["org"], s["volunteer"])),
        ("volunteers.records.remove_member", lambda: VR.remove_member(ledger, s["org"], s["volunteer"])),
        ("volunteers.records.join_org", lambda: VR.join_org(ledger, s["org"], VR.Candidate(
            "审计志愿者", "审计志愿者", volunteer_id=s["volunteer"]))),
        ("volunteers.records.confirm_volunteer", lambda: VR.confirm_volunteer(
            ledger, VR.add_pending_volunteer(ledger, "审计甲", "", (s["resident"],)), s["resident"])),
        ("volunteers.records.delete_volunteer", lambda: VR.delete_volunteer(
            ledger, VR.add_outside_volunteer(ledger, "删掉的志愿者"))),
        ("volunteers.records.delete_org", lambda: VR.delete_org(ledger, VR.add_org(ledger, VR.OrgData("删掉的队")))),
        ("volunteers.activities.set_activity_types", lambda: A.set_activity_types(ledger, ["审计活动", "环境整治"])),
        ("backup.configure_backups", lambda: __import__("models.backup").backup.configure_backups(
            ledger, rule={"days": 9, "weeks": 8, "months": 12})),
        ("volunteers.activities.add_activity", lambda: s.setdefault("activity", A.add_activity(
            ledger, A.ActivityData("审计活动", ledger.now().date().isoformat(), type="审计活动",
                                   start_time="09:00", end_time="11:00")))),
        ("volunteers.activities.update_activity", lambda: A.update_activity(
            ledger, s["activity"], A.ActivityData("审计活动二", ledger.now().date().isoformat(), type="审计活动",
                                                  start_time="09:00", end_time="11:00"))),
        ("volunteers.activities.add_participant", lambda: A.add_participant(ledger, s["activity"], s["volunteer"])),
        ("volunteers.activities.remove_participant", lambda: A.remove_participant(
            ledger, s["activity"], s["volunteer"])),
        ("volunteers.activities.add_attachment", lambda: s.setdefault("attachment", A.add_attachment(
            ledger, s["activity"], _tiny_png(), filename="签到.png"))),
        ("volunteers.activities.delete_attachment", lambda: A.delete_attachment(ledger, s["attachment"])),
        ("volunteers.activities.save_activity", lambda: A.save_activity(
            ledger, None, A.ActivityData("审计活动三", ledger.now().date().isoformat(), type="审计活动"), [])),
        ("volunteers.activities.delete_activity", lambda: A.delete_activity(ledger, A.add_activity(
            ledger, A.ActivityData("删掉的活动", ledger.now().date().isoformat(), type="审计活动")))),
        ("importing.execute", lambda: import_file(ledger, ledger_book(tmp_path / "导入.xlsx", {"一网格": [
            row(1, "审计导入", id_number=make_id("340104", __import__("datetime").date(1970, 1, 1), 21),
                grid="审计网格二", building="98号楼", unit="2单元", room="301")]}), load_spec(
            "models.importing.residents:SPEC"))),
        ("evaluation.scheme.save_scheme", lambda: scheme.save_scheme(ledger, scheme.default_scheme())),
        ("evaluation.adjustments.add_adjustment", lambda: s.setdefault("adjustment", adjustments.add_adjustment(
            ledger, month, 2, "审计加分", grid_id=s["grid"]))),
        ("evaluation.adjustments.remove_adjustment", lambda: adjustments.remove_adjustment(ledger, s["adjustment"])),
        ("evaluation.publishing.publish", lambda: publishing.publish(ledger, month)),
        ("street.package.export_package", lambda: package.export_package(ledger, month, tmp_path / "报送.glpkg")),
        ("street.registry.init_street", lambda: registry.init_street(s["street"], "审计街道")),
        ("street.registry.add_community", lambda: registry.add_community(
            s["street"], "别的社区", signing.key_file_text("别的社区", signing.public_key(fresh)))),
        ("street.registry.import_packages", lambda: registry.import_packages(
            s["street"], registry.read_files([tmp_path / "报送.glpkg"]), trust=True)),
    ]
    return steps + _issue13_steps(ledger, s), s


def _issue13_steps(ledger, s):
    """The operations of issue 13 (the office's lists, the 督办 window, party organisation, stages)."""
    from models.core import lists
    from models.evaluation import scheme
    from models.grids import hierarchy as H
    from models.matters import records as M
    from models.meetings import records as MT
    from models.residents import party

    q = ledger.scalar
    today = ledger.now().date().isoformat()
    return [
        ("core.lists.add_item", lambda: s.setdefault("item", lists.add_item(ledger, "matter_source", "审计来源"))),
        ("core.lists.rename_item", lambda: lists.rename_item(ledger, s["item"], "审计来源二")),
        ("core.lists.move_item", lambda: lists.move_item(ledger, s["item"], -1)),
        ("core.lists.retire_item", lambda: lists.retire_item(ledger, s["item"])),
        ("core.lists.restore_item", lambda: lists.restore_item(ledger, s["item"])),
        ("core.lists.delete_item", lambda: lists.delete_item(ledger, s["item"])),
        ("core.lists.set_category_rule", lambda: lists.set_category_rule(ledger, q(
            "SELECT id FROM office_lists WHERE kind = 'matter_category' AND name = '违章建筑'"), "大事", 20)),
        ("core.lists.set_names", lambda: lists.set_names(ledger, "matter_source", ["来电", "来访", "其他"])),
        ("core.lists.add_tag", lambda: s.setdefault("tag", lists.add_tag(ledger, "审计标签"))),
        ("core.lists.update_tag", lambda: lists.update_tag(ledger, s["tag"], sensitive=True)),
        ("core.lists.move_tag", lambda: lists.move_tag(ledger, s["tag"], -1)),
        ("core.lists.retire_tag", lambda: lists.retire_tag(ledger, s["tag"])),
        ("core.lists.restore_tag", lambda: lists.restore_tag(ledger, s["tag"])),
        ("core.lists.delete_tag", lambda: lists.delete_tag(ledger, s["tag"])),
        ("core.lists.set_idle_lock_minutes", lambda: lists.set_idle_lock_minutes(ledger, 20)),
        ("matters.records.set_supervision_window", lambda: M.set_supervision_window(ledger, 5)),
        ("evaluation.scheme.save_supervision_rules", lambda: scheme.save_supervision_rules(
            ledger, 6, {"黄牌": -1, "红牌": -3})),
        ("residents.party.add_org", lambda: s.setdefault("party", party.add_org(ledger, "联合党委"))),
        ("residents.party.add_member", lambda: s.setdefault("party_member", party.add_member(
            ledger, s["party"], staff_id=H.add_staff(ledger, "审计下沉", "网格员", sinking_cadre=True)))),
        ("residents.party.set_duty", lambda: party.set_duty(ledger, s["party_member"], "书记")),
        ("residents.party.remove_member", lambda: party.remove_member(ledger, s["party_member"])),
        ("residents.party.delete_org", lambda: party.delete_org(ledger, s["party"])),
        ("meetings.records.record_stage", lambda: MT.record_stage(ledger, s["meeting"], "党组织提议", today,
                                                                  outcome="审计提议")),
        ("meetings.records.remove_last_stage", lambda: MT.remove_last_stage(ledger, s["meeting"])),
    ]


def test_every_operation_has_a_line_in_the_table():
    assert set(all_operations()) == set(AUDITED)


def test_every_operation_writes_its_audit_rows_masked(demo, tmp_path):
    import shutil

    path = tmp_path / "ledger.db"
    shutil.copyfile(demo, path)
    ledger = open_db(path, operator=Operator("测试员"), clock=lambda: NOW)
    try:
        steps, others = _scenario(ledger, tmp_path)
        assert {name for name, _ in steps} == set(AUDITED)
        missing = {}
        for name, call in steps:
            where = others[ELSEWHERE[name]] if name in ELSEWHERE else ledger
            before = where.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
            call()
            rows = where.query("SELECT operator, action, table_name, old_value, new_value FROM audit_log"
                                " WHERE id > ?", [before])
            written = {(r["action"], r["table_name"]) for r in rows}
            if not AUDITED[name] <= written:
                missing[name] = sorted(written)
            text = json.dumps(rows, ensure_ascii=False)
            assert NUMBER not in text and PHONE not in text, name
            assert all(r["operator"] for r in rows), name
        assert missing == {}
        others["fresh"].close()
        others["street"].close()
    finally:
        ledger.close()
