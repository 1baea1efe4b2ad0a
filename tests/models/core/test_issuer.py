"""The issuing body (通报落款单位): the committee by default, or the setting; who may change it."""

from __future__ import annotations

import pytest

from models.core.errors import ValidationError
from models.core.issuer import default_issuer, issuer_name, set_report_issuer
from models.core.permissions import PermissionDenied


def test_report_issuer_defaults_to_the_residents_committee_and_can_be_set(ledger):
    assert issuer_name(ledger) == default_issuer(ledger) == "幸福社区居民委员会"
    audits = ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'")
    assert set_report_issuer(ledger, "幸福社区居民委员会") == "幸福社区居民委员会"  # unchanged: no write
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'") == audits
    assert ledger.get_setting("report_issuer") is None
    changes = set_report_issuer.op(ledger, "  幸福街道幸福社区居民委员会 ")
    assert (changes.areas, changes.result) == ({"settings"}, "幸福街道幸福社区居民委员会")
    assert ledger.get_setting("report_issuer") == "幸福街道幸福社区居民委员会"
    assert issuer_name(ledger) == "幸福街道幸福社区居民委员会"
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'") == audits + 1


def test_a_ledger_without_a_community_name_is_signed_by_the_committee(ledger):
    ledger.db.execute("DELETE FROM settings WHERE key = 'community_name'")
    assert issuer_name(ledger) == "社区居民委员会"


@pytest.mark.parametrize("text, message", [
    ("", "不能为空"),
    ("   ", "不能为空"),
    ("委" * 41, "最多 40 个字（现有 41 个）"),
    ("幸福社区\n居民委员会", "只能写一行"),
    ("幸福社区\t居民委员会", "只能写一行"),
])
def test_report_issuer_refuses_bad_names(ledger, text, message):
    with pytest.raises(ValidationError, match=message.replace("（", "\\（").replace("）", "\\）")):
        set_report_issuer(ledger, text)
    assert ledger.get_setting("report_issuer") is None


def test_report_issuer_accepts_forty_characters_and_only_from_the_office(ledger):
    assert set_report_issuer(ledger, "委" * 40) == "委" * 40
    ledger.operator.role = "督导员"
    with pytest.raises(PermissionDenied, match="可以修改通报落款单位（当前角色：督导员）"):
        set_report_issuer(ledger, "另一个单位")
    assert issuer_name(ledger) == "委" * 40
