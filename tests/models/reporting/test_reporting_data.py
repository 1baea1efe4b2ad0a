"""What the 台账 printouts gather (models.reporting.data): plain data, asserted without any PDF."""

from __future__ import annotations

import pytest

from models.core.db import Operator
from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied
from models.reporting import data as rd
from models.reporting import evaluation_data as rev


@pytest.mark.parametrize("request_args, kind, check", [
    (dict(kind="monthly", month="2026-10"), rev.BulletinData,
     lambda d: [(r.name, r.total) for r in d.rows] == [("第一网格", 77.08), ("第二网格", 15.0)]),
    (dict(kind="scorecards", month="2026-10"), rev.ScorecardData, lambda d: len(d.cards) == 2),
    (dict(kind="annual", year=2026), rev.AnnualData, lambda d: d.months[-1] == "2026-10" and len(d.rows) == 2),
    (dict(kind="ledger", month="2026-10"), rd.MonthLedgers,
     lambda d: (d.month, len(d.matters.rows), len(d.patrol.rows), d.service.activities) == ("2026-10", 4, 1, 2)),
    (dict(kind="matters", date_from="2026-10-01", date_to="2026-10-15"), rd.MattersLedgerData,
     lambda d: [r.registered_at[:10] for r in d.rows] == ["2026-10-08", "2026-10-08", "2026-10-12"]),
    (dict(kind="patrol", date_from="2026-10-01", date_to="2026-10-31"), rd.PatrolLogData,
     lambda d: d.totals.visits == 1),
    (dict(kind="service", date_from="2026-10-01", date_to="2026-10-31"), rd.ServiceLedgerData,
     lambda d: (d.activities, d.volunteer_count, d.hours, d.people_served) == (2, 2, 6.0, 65)),
    (dict(kind="special", as_of="2026-10-31"), rd.SpecialRosterData, lambda d: d.people == 2),
])
def test_gather_returns_each_kind_as_plain_data(ledger, sample, request_args, kind, check):
    data = rd.gather(ledger, rd.ReportRequest(**request_args))
    assert type(data) is kind
    assert check(data)


def test_gather_a_grid_a_roster_and_a_certificate(ledger, sample):
    g1 = sample["grids"]["g1"]
    roster = rd.gather(ledger, rd.ReportRequest("roster", grid_id=g1, as_of="2026-10-31"))
    assert (roster.residents, roster.households, roster.full_ids) == (4, 3, False)
    service = rd.gather(ledger, rd.ReportRequest("service", date_from="2026-10-01", date_to="2026-10-31",
                                                 grid_id=sample["grids"]["g2"]))
    assert service.rows == [] and service.header.scope == "第二网格"
    cert = rd.gather(ledger, rd.ReportRequest("certificate", date_from="2026-01-01", date_to="2026-10-31",
                                              volunteer_id=sample["volunteers"]["zhou"]))
    assert (cert.name, cert.total_hours, cert.issuer) == ("周志愿", 2.0, "幸福社区居民委员会")
    assert cert.number == f"志证〔2026〕{sample['volunteers']['zhou']:05d}号"


def test_every_printout_starts_with_the_same_header(ledger, sample, clock):
    clock.set(2026, 11, 2, 9, 5, 30)
    ledger.operator = Operator("李文员", role="工作人员")
    data = rd.patrol_log(ledger, "2026-10-01", "2026-10-31", grid_id=sample["grids"]["g1"])
    assert data.header == rd.ReportHeader(issuer="幸福社区居民委员会", community="幸福社区",
                                          period_label="2026年10月", scope="第一网格",
                                          printed_at="2026-11-02 09:05", operator="李文员")


@pytest.mark.parametrize("date_from, date_to, label", [
    ("2026-10-01", "2026-10-31", "2026年10月"),
    ("2026-02-01", "2026-02-28", "2026年2月"),
    ("2026-10-01", "2026-10-15", "2026年10月1日至2026年10月15日"),
    ("2026-10-05", "2026-10-05", "2026年10月5日"),
    ("2026-09-01", "2026-10-31", "2026年9月1日至2026年10月31日"),
])
def test_period_labels(date_from, date_to, label):
    assert rd.period_label(date_from, date_to) == label


@pytest.mark.parametrize("date_from, date_to, message", [
    ("2026-10-32", "2026-10-31", "开始日期“2026-10-32”格式不对"),
    ("2026-10-01", "", "结束日期“”格式不对"),
    ("2026-10-31", "2026-10-01", "开始日期不能晚于结束日期"),
])
def test_periods_are_checked(date_from, date_to, message):
    with pytest.raises(ValidationError, match=message):
        rd.check_period(date_from, date_to)


def test_rosters_over_the_limit_ask_for_a_narrower_choice(ledger, sample, monkeypatch):
    monkeypatch.setattr(rd, "MAX_ROSTER_ROWS", 2)
    with pytest.raises(ValidationError, match="超过一次可打印的 2 人，请按楼栋打印"):
        rd.resident_roster(ledger, sample["grids"]["g1"], as_of="2026-10-31")
    # 张桂兰 独居老人 + 党员, 李建国 退役军人: 3 人次 of the non-sensitive tags
    with pytest.raises(ValidationError, match="所选范围有 3 人次.*请选择一个网格或一种人群"):
        rd.special_roster(ledger, as_of="2026-10-31")


def test_dispute_summary_counts(ledger, sample):
    data = rd.matters_ledger(ledger, "2026-10-01", "2026-10-31")
    by_type = {s.category: s for s in data.summary}
    assert set(by_type) == {"邻里纠纷", "家庭矛盾"}  # the street light is no dispute
    neighbour = by_type["邻里纠纷"]
    assert (neighbour.found, neighbour.handled, neighbour.success, neighbour.open) == (2, 1, 1, 1)
    assert neighbour.handled_rate == 0.5 and neighbour.success_rate == 1.0
    family = by_type["家庭矛盾"]
    assert (family.found, family.handled, family.success, family.unsatisfied) == (1, 1, 0, 1)
    assert family.success_rate == 0.0
    assert (data.total.found, data.total.handled, data.total.success) == (3, 2, 1)
    assert data.cancelled == 1
    assert len(data.rows) == 4
    late = {r.number: r.late for r in data.rows}
    assert late[data.rows[0].number] is False  # closed within the day
    assert late[data.rows[1].number] is True   # a private matter closed the next day


def test_patrol_log_counts(ledger, sample):
    data = rd.patrol_log(ledger, "2026-10-01", "2026-10-31")
    assert len(data.rows) == 1
    row = data.rows[0]
    assert (row.on_date, row.staff, row.grid) == ("2026-10-08", "刘网格", "第一网格")
    assert (row.visits, row.households, row.problems, row.solved, row.reported) == (1, 2, 2, 1, 1)
    empty = rd.patrol_log(ledger, "2026-09-01", "2026-09-30")
    assert empty.rows == [] and empty.totals.visits == 0



def test_full_ids_need_an_authorised_operator_and_are_audited(ledger, sample):
    ledger.operator = Operator("网格员小王", role="网格员")
    with pytest.raises(PermissionDenied, match="可以查看、导出或打印完整身份证号（当前角色：网格员）"):
        rd.resident_roster(ledger, sample["grids"]["g1"], full_ids=True)
    with pytest.raises(PermissionDenied, match="没有“可查看敏感信息”权限"):
        rd.special_roster(ledger, as_of="2026-10-31", include_sensitive=True)
    ledger.operator = Operator("管理员", role="管理员")
    data = rd.resident_roster(ledger, sample["grids"]["g1"], full_ids=True)
    assert data.groups[0].rows[0].id_number == sample["ids"]["zhang"]
    audit = ledger.query("SELECT action, new_value FROM audit_log WHERE action = '导出完整身份证号'")
    assert len(audit) == 1 and sample["ids"]["zhang"] not in audit[0]["new_value"]



@pytest.mark.parametrize("request_args, message", [
    (dict(kind="monthly"), "月份"),
    (dict(kind="monthly", month="2026-13"), "格式不正确"),
    (dict(kind="annual"), "年份"),
    (dict(kind="roster", as_of="2026-10-31"), "网格"),
    (dict(kind="certificate", date_from="2026-01-01", date_to="2026-10-31"), "志愿者"),
    (dict(kind="matters", date_from="2026-10-31", date_to="2026-10-01"), "不能晚于"),
    (dict(kind="nonsense"), "没有这种报表"),
])
def test_gather_refuses_incomplete_requests_in_chinese(ledger, request_args, message):
    with pytest.raises(ValidationError, match=message):
        rd.gather(ledger, rd.ReportRequest(**request_args))




@pytest.mark.parametrize("request_args, message", [
    (dict(kind="monthly", month="2026-11"), "2026年11月还没有到（今天是2026年10月15日），不能打印月度评比通报"),
    (dict(kind="scorecards", month="2027-01"), "2027年1月还没有到"),
    (dict(kind="ledger", month="2026-12"), "2026年12月还没有到"),
    (dict(kind="annual", year=2027), "2027年还没有到"),
    (dict(kind="matters", date_from="2026-10-16", date_to="2026-10-31"), "2026年10月16日起的期间还没有到"),
    (dict(kind="patrol", date_from="2026-11-01", date_to="2026-11-30"), "还没有到"),
])
def test_gather_refuses_periods_that_have_not_begun(ledger, request_args, message):
    with pytest.raises(ValidationError, match=message):
        rd.gather(ledger, rd.ReportRequest(**request_args))


@pytest.mark.parametrize("request_args", [
    dict(kind="monthly", month="2026-10"), dict(kind="annual", year=2026),
    dict(kind="matters", date_from="2026-10-15", date_to="2026-11-30"),
])
def test_gather_accepts_periods_that_have_begun(ledger, request_args):
    assert rd.gather(ledger, rd.ReportRequest(**request_args)) is not None
