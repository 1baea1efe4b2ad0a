"""A street ledger: communities and keys, importing packages (every refusal, nothing written),
the street's ranking over pooled counts, its annual assessment and its ranking export."""

import json
from fractions import Fraction

import pytest

from models.core import signing
from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied
from models.core.db import Operator
from models.evaluation.adjustments import add_adjustment
from models.evaluation.counts import Counts, month_counts
from models.evaluation.monthly import month_figures
from models.evaluation.publications import latest_publication
from models.evaluation.publishing import publish
from models.evaluation.scoring import assign_ranks, figures_of
from models.evaluation.scheme import current_scheme
from models.street import ranking, registry
from models.street.package import PackageRefused, package_bytes
from tests.models.street.street_helpers import MONTH, NOW, community, street


@pytest.fixture
def world(clock):
    clock.set(*NOW.timetuple()[:5])
    a = community("幸福社区", 3, clock)
    b = community("和平社区", 4, clock)
    s = street(clock)
    yield a, b, s
    for led in (a, b, s):
        led.close()


def _file(led, name=None, month=MONTH):
    return (name or f"{led.community_name}_{month}.glpkg", package_bytes(led, month), "")


def _state(s):
    return [s.query(f"SELECT * FROM {t} ORDER BY id") for t in ("street_communities", "street_packages")]


def test_init_makes_an_empty_ledger_a_street_ledger(clock, ledger):
    s = street(clock)
    assert registry.is_street(s) and registry.street_name(s) == "长江路街道"
    with pytest.raises(ValidationError, match="已经是街道台账"):
        registry.init_street(s, "别的街道")
    with pytest.raises(ValidationError, match="社区台账"):
        registry.init_street(ledger, "长江路街道")       # the 幸福社区 ledger of the fixture
    assert not registry.is_street(ledger)
    s.close()


def test_importing_into_a_community_ledger_is_refused(world):
    a, b, _s = world
    with pytest.raises(ValidationError, match="不是街道台账"):
        registry.import_packages(b, [_file(a)], trust=True)


def test_an_unknown_community_needs_the_clerks_confirmation(world):
    a, _b, s = world
    with pytest.raises(PackageRefused, match="尚未登记.*" + signing.fingerprint(signing.public_key(a))):
        registry.import_packages(s, [_file(a)])
    assert _state(s) == [[], []]
    result = registry.import_packages(s, [_file(a)], trust=True)
    assert result.registered == [("幸福社区", signing.fingerprint(signing.public_key(a)))]
    # as many grids as the community ranked that month (the demo splits a grid mid-month)
    grids = len(month_figures(a, MONTH).grids)
    assert result.imported == 1 and f"已导入，{grids} 个网格" in result.lines[0]
    c = registry.communities(s)[0]
    assert (c.name, c.registered_how) == ("幸福社区", "首次导入核对指纹")


def test_a_community_registered_beforehand_with_its_key_file(world):
    a, _b, s = world
    key_file = signing.key_file_text("幸福社区", signing.public_key(a))
    c = registry.add_community(s, "幸福社区", key_file)
    assert c.fingerprint == signing.fingerprint(signing.public_key(a)) and c.registered_how == "公钥文件"
    assert registry.import_packages(s, [_file(a)]).imported == 1      # no --trust needed
    with pytest.raises(ValidationError, match="已经登记过"):
        registry.add_community(s, "幸福社区", key_file)
    with pytest.raises(ValidationError, match="已登记为“幸福社区”"):
        registry.add_community(s, "别的社区", key_file)
    with pytest.raises(ValidationError, match="公钥文件格式不正确"):
        registry.add_community(s, "和平社区", "hello")


def test_a_package_signed_by_another_key_than_the_registered_one_is_refused(world, clock):
    a, _b, s = world
    registry.import_packages(s, [_file(a)], trust=True)
    impostor = community("幸福社区", 11, clock)          # same name, its own key
    try:
        before = _state(s)
        with pytest.raises(PackageRefused, match="公钥不一致"):
            registry.import_packages(s, [_file(impostor, "假的.glpkg")], trust=True)
        assert _state(s) == before
    finally:
        impostor.close()


def test_a_duplicate_and_an_older_version_are_refused(world):
    a, _b, s = world
    v1 = _file(a)
    registry.import_packages(s, [v1], trust=True)
    before = _state(s)
    with pytest.raises(PackageRefused, match="已经导入过"):
        registry.import_packages(s, [v1])
    with pytest.raises(PackageRefused, match="已经导入过"):     # twice in one batch, too
        s2 = street(a.clock)
        try:
            registry.import_packages(s2, [v1, v1], trust=True)
        finally:
            s2.close()
    publish(a, MONTH, "更正走访记录")
    registry.import_packages(s, [_file(a)])
    with pytest.raises(PackageRefused, match="已导入更新的第 2 版"):
        registry.import_packages(s, [v1])
    assert len(_state(s)[1]) == len(before[1]) + 1


def test_a_newer_version_supersedes_the_older_and_the_change_is_listed(world):
    a, _b, s = world
    registry.import_packages(s, [_file(a)], trust=True)
    first_total = ranking.street_month(s, MONTH).communities[0].total
    pub = latest_publication(a, MONTH)
    add_adjustment(a, MONTH, 2, "社区获评消防安全示范", community_id=pub.evaluation.communities[0].community_id)
    publish(a, MONTH, "补记社区加分")
    result = registry.import_packages(s, [_file(a)])
    assert "取代第 1 版" in result.lines[0] and "补记社区加分" in result.lines[0] and "0 → 2" in result.lines[0]
    month = ranking.street_month(s, MONTH)
    assert month.reports["幸福社区"].version == 2
    assert month.communities[0].total == pytest.approx(first_total + 2)
    history = registry.package_history(s, MONTH)
    assert [(h["version"], h["superseded_by_version"]) for h in history] == [(2, None), (1, 2)]


def test_a_future_month_is_refused(world, clock):
    a, _b, s = world
    clock.set(2026, 12, 2, 9, 0)
    publish(a, "2026-11")
    clock.set(2026, 11, 20, 9, 0)      # the street's clock: November has not ended
    with pytest.raises(PackageRefused, match="尚未结束"):
        registry.import_packages(s, [_file(a, month="2026-11")], trust=True)
    assert _state(s) == [[], []]


def test_one_bad_file_in_a_batch_and_nothing_is_written(world):
    a, b, s = world
    bad = bytearray(package_bytes(b, MONTH))
    bad[200] ^= 1
    with pytest.raises(PackageRefused) as refused:
        registry.import_packages(s, [_file(a), ("坏的.glpkg", bytes(bad), ""),
                                     ("没了.glpkg", None, "无法读取“没了.glpkg”")], trust=True)
    text = str(refused.value)
    assert "没有导入任何文件" in text and "坏的.glpkg" in text and "没了.glpkg" in text
    assert "幸福社区" not in text.split("\n", 1)[1]      # the good file is not listed as refused
    assert _state(s) == [[], []]


def test_a_supervisor_may_not_import(world):
    a, _b, s = world
    s.operator = Operator("督导", role="督导员")
    with pytest.raises(PermissionDenied):
        registry.import_packages(s, [_file(a)], trust=True)


def _direct(ledgers):
    """The ranking computed straight from the community ledgers' own counts, pooled per community."""
    scheme = current_scheme(ledgers[0])
    rows = []
    for led in ledgers:
        counts = month_counts(led, MONTH)
        pooled = Counts()
        for k in counts.grids.values():
            pooled.add(k)
        pooled.hours += sum(counts.community_hours.values(), Fraction(0))
        pub = latest_publication(led, MONTH).evaluation.communities[0]
        rows.append(figures_of("社区", None, led.community_name, 0, led.community_name, pooled, scheme,
                               pub.adjustment_items))
    assign_ranks(rows)
    return [(r.name, r.total, r.rank) for r in rows]


def test_the_community_ranking_is_the_formulas_over_the_pooled_counts(world):
    a, b, s = world
    registry.import_packages(s, [_file(a), _file(b)], trust=True)
    month = ranking.street_month(s, MONTH)
    assert [(c.name, c.total, c.rank) for c in month.communities] == _direct([a, b])
    # and each community's figures at the street are its own published ones
    for led in (a, b):
        own = latest_publication(led, MONTH).evaluation
        at_street = next(c for c in month.communities if c.name == led.community_name)
        assert at_street.total == own.communities[0].total
        mine = {(g.community_name, g.name): g.total for g in month.grids}
        assert {(led.community_name, g.name): g.total for g in own.grids}.items() <= mine.items()
    # all grids of all communities ranked together
    ranked = sum(len(month_figures(led, MONTH).grids) for led in (a, b))  # each community's own
    assert len(month.grids) == ranked and [g.rank for g in month.grids] == sorted(g.rank for g in month.grids)
    assert month.not_reported == [] and not any(r.other_scheme for r in month.reports.values())


def test_who_has_not_reported(world):
    a, b, s = world
    registry.add_community(s, "和平社区", signing.key_file_text("和平社区", signing.public_key(b)))
    registry.import_packages(s, [_file(a)], trust=True)
    month = ranking.street_month(s, MONTH)
    assert month.not_reported == ["和平社区"] and [c.name for c in month.communities] == ["幸福社区"]
    assert ranking.street_month(s, "2026-09").not_reported == ["和平社区", "幸福社区"]


def test_the_street_ranks_with_its_own_scheme_and_flags_another(world):
    from models.evaluation.scheme import save_scheme

    a, b, s = world
    data = current_scheme(a).to_dict()
    data["indicators"][0]["weight"], data["indicators"][1]["weight"] = 25.0, 30.0
    save_scheme(a, data)
    publish(a, "2026-09")                      # scored with its new scheme
    publish(b, "2026-09")
    registry.import_packages(s, [_file(a, month="2026-09"), _file(b, month="2026-09")], trust=True)
    month = ranking.street_month(s, "2026-09")
    assert month.reports["幸福社区"].other_scheme and not month.reports["和平社区"].other_scheme
    assert month.scheme == current_scheme(s)


def test_the_annual_assessment_over_communities(world, clock):
    a, b, s = world
    clock.set(2026, 11, 5, 9, 0)
    publish(a, "2026-09")
    registry.import_packages(s, [_file(a), _file(b), _file(a, month="2026-09")], trust=True)
    year = ranking.street_year(s, 2026)
    rows = {r.community: r for r in year.rows}
    oct_ = {c.name: c.total for c in ranking.street_month(s, MONTH).communities}
    sep = {c.name: c.total for c in ranking.street_month(s, "2026-09").communities}
    assert rows["幸福社区"].months_counted == 2
    assert rows["幸福社区"].total == pytest.approx(round((oct_["幸福社区"] + sep["幸福社区"]) / 2 + 1e-9, 2))
    assert rows["和平社区"].months_counted == 1 and rows["和平社区"].total == oct_["和平社区"]
    assert "2026-09" in year.not_reported["和平社区"]
    assert sum(n for _g, n in year.grade_counts) == 2


def test_the_ranking_export_by_community_and_by_grid(world, tmp_path):
    import csv

    a, b, s = world
    registry.import_packages(s, [_file(a), _file(b)], trust=True)
    assert ranking.export_street_ranking(s, tmp_path / "c.csv", MONTH, "community") == 2
    ranked = sum(len(month_figures(led, MONTH).grids) for led in (a, b))
    assert ranking.export_street_ranking(s, tmp_path / "g.csv", MONTH, "grid") == ranked
    with open(tmp_path / "c.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    title = rows.pop(0)[0]
    assert "社区排名" in title and "已报送 2 个社区" in title and "导出：" in title
    assert rows[0] == ["排名", "社区", "按期办结率", "群众满意率", "走访覆盖率", "问题发现", "志愿服务", "台账完整率",
                       "加减分", "总分"]
    month = ranking.street_month(s, MONTH)
    assert [(r[0], r[1], float(r[-1])) for r in rows[1:]] == [(str(c.rank), c.name, c.total)
                                                             for c in month.communities]
    with open(tmp_path / "g.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    assert rows[0][:3] == ["排名", "社区", "网格"] and len(rows) == ranked + 1
    assert [(r[1], r[2]) for r in rows[1:]] == [(g.community_name, g.name) for g in month.grids]
