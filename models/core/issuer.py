"""The issuing body (通报落款单位) printed on every report: a ledger-wide setting.

It lives here, below every area, because two areas set or read it: the evaluation
stores it together with the scheme (``models.evaluation.scheme.save_scheme``), and
every printout of ``models.reporting`` puts it in its header or signature block.
"""

from __future__ import annotations

from models.core.errors import ValidationError
from models.core.ops import operation

#: the setting holding the issuing body (通报落款单位) printed on reports
REPORT_ISSUER_KEY = "report_issuer"
#: the longest issuing body accepted (characters)
ISSUER_MAX_CHARS = 40


def default_issuer(ledger) -> str:
    """``<社区>居民委员会`` (what reports print while ``report_issuer`` is not set); for a street
    ledger (issue 12: settings ``ledger_kind`` = ``street``, see ``models.street.registry``)
    ``<街道>办事处``."""
    if ledger.get_setting("ledger_kind") == "street":
        street = (ledger.get_setting("street_name", "") or "").strip()
        return f"{street}办事处" if street else "街道办事处"
    community = (ledger.community_name or "").strip()
    return f"{community}居民委员会" if community else "社区居民委员会"


def issuer_name(ledger) -> str:
    """The issuing body printed on reports: the setting ``report_issuer``, else ``<社区>居民委员会``."""
    custom = (ledger.get_setting(REPORT_ISSUER_KEY, "") or "").strip()
    return custom or default_issuer(ledger)


def check_report_issuer(text: str | None) -> str:
    """The issuing body as it will be stored (trimmed).

    Raises:
        ValidationError: blank, longer than :data:`ISSUER_MAX_CHARS` characters, or on several lines.
    """
    value = (text or "").strip()
    if not value:
        raise ValidationError("通报落款单位不能为空。", field="report_issuer")
    if len(value) > ISSUER_MAX_CHARS:
        raise ValidationError(f"通报落款单位最多 {ISSUER_MAX_CHARS} 个字（现有 {len(value)} 个）。",
                              field="report_issuer")
    if any(ch in value for ch in "\r\n\t"):
        raise ValidationError("通报落款单位只能写一行。", field="report_issuer")
    return value


@operation("reports.issuer", "settings")
def set_report_issuer(ledger, text: str) -> str:
    """Store the issuing body (通报落款单位) printed on reports; audited via ``set_setting``.

    Nothing is written when ``text`` is what reports already print.

    Returns:
        the stored (trimmed) name.

    Raises:
        PermissionDenied: the operator may not (``reports.issuer``).
        ValidationError: see :func:`check_report_issuer`.
    """
    value = check_report_issuer(text)
    if value != issuer_name(ledger):
        ledger.set_setting(REPORT_ISSUER_KEY, value)
    return value
