"""定稿: versions, the figures of record, and the differences since the latest version."""

from __future__ import annotations

import pytest

from models.core.errors import ValidationError
from models.evaluation import adjustments, monthly, publications, publishing
from models.evaluation.figures import Difference
from models.evaluation.ranking_export import ranking_rows
from models.grids import hierarchy as grids
from tests.models.evaluation.evaluation_builders import MONTH


def test_publish_diff_and_republish(ledger, october):
    with pytest.raises(ValidationError, match="尚未结束"):
        publishing.publish(ledger, "2026-11")
    changes = publishing.publish.op(ledger, MONTH)
    pub = changes.result
    assert changes.areas == {"evaluation"}
    assert pub.version == 1 and publications.published_version(ledger, MONTH) == 1
    assert (pub.published_at, pub.published_by) == ("2026-11-20 12:00:00", "测试员")
    assert publishing.diff_against_published(ledger, MONTH) == []
    with pytest.raises(ValidationError, match="原因"):
        publishing.publish(ledger, MONTH)

    adjustments.add_adjustment(ledger, MONTH, -2, "迟报材料", grid_id=october["B"])
    diffs = {(d.name, d.field): (d.published, d.current) for d in publishing.diff_against_published(ledger, MONTH)}
    assert diffs[("二网格", "adjustments")] == (7.25, 5.25)
    assert diffs[("二网格", "total")] == (67.25, 65.25)
    assert diffs[("二网格", "rank")] == (2, 4)  # now below 四网格 (66.67)
    # the figures of record stay the published ones until republished
    assert monthly.month_figures(ledger, MONTH).grid(october["B"]).total == 67.25
    assert ranking_rows(ledger, MONTH)[2]["总分"] == 67.25

    pub2 = publishing.publish(ledger, MONTH, reason="补录扣分")
    assert pub2.version == 2 and pub2.reason == "补录扣分"
    assert [p.version for p in publications.publications(ledger, MONTH)] == [1, 2]
    assert publications.publications(ledger, MONTH)[0].evaluation.grid(october["B"]).total == 67.25
    assert monthly.month_figures(ledger, MONTH).grid(october["B"]).total == 65.25
    assert publishing.diff_against_published(ledger, MONTH) == []
    audit = ledger.query("SELECT new_value FROM audit_log WHERE action = '定稿' ORDER BY id")
    assert len(audit) == 2 and "补录扣分" in audit[1]["new_value"]


def test_a_publication_reads_back_as_computed(ledger, october):
    computed = monthly.evaluate(ledger, MONTH)
    stored = publishing.publish(ledger, MONTH).evaluation
    assert stored.figures_dict() == computed.figures_dict()
    assert (stored.published_version, stored.scheme) == (1, computed.scheme)
    assert publications.latest_publication(ledger, "2026-09") is None
    assert publications.published_version(ledger, "2026-09") is None


def test_community_adjustment_after_publishing_shows_as_a_difference(ledger, october):
    publishing.publish(ledger, MONTH)
    adjustments.add_adjustment(ledger, MONTH, 1.5, "补录社区加分", community_id=grids.own_community_id(ledger))
    assert publishing.diff_against_published(ledger, MONTH) == [
        Difference(None, "幸福社区（全社区）", "adjustments", "加减分", 0.0, 1.5),
        Difference(None, "幸福社区（全社区）", "total", "总分", 64.61, 66.11)]
    assert monthly.month_figures(ledger, MONTH).communities[0].total == 64.61  # of record until republished
    publishing.publish(ledger, MONTH, reason="补录社区加分")
    assert publishing.diff_against_published(ledger, MONTH) == []
    assert monthly.month_figures(ledger, MONTH).communities[0].total == 66.11


def test_a_grid_gone_or_new_since_the_publication_is_a_difference(ledger, october):
    publishing.publish(ledger, MONTH)
    ledger.db["grids"].update(october["C"], {"dissolved_on": "2026-10-15"})
    diffs = publishing.diff_against_published(ledger, MONTH)
    assert Difference(october["C"], "三网格", "grid", "网格", "参评", "（已不参评）") in diffs
