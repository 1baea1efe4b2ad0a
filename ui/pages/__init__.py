"""The navigation sidebar's sections, in order: (key, title, "module:Class").

A page class takes ``(ctx: AppContext, parent=None)`` and has ``refresh()``.
Only sections that work are listed here.
"""

PAGES: list[tuple[str, str, str]] = [
    ("home", "首页", "ui.pages.home:HomePage"),
    ("residents", "居民台账", "ui.pages.residents:ResidentsPage"),
    ("grids", "网格管理", "ui.pages.grids:GridsPage"),
    ("matters", "民情事项", "ui.pages.matters:MattersPage"),
    ("visits", "走访日志", "ui.pages.visits:VisitsPage"),
    ("meetings", "会议", "ui.pages.meetings:MeetingsPage"),
    ("volunteers", "志愿服务", "ui.pages.volunteers:VolunteersPage"),
    ("evaluation", "月度评比", "ui.pages.evaluation:EvaluationPage"),
    ("reports", "报表", "ui.pages.reports:ReportsPage"),
    ("users", "用户管理", "ui.pages.users:UsersPage"),
    ("audit", "操作日志", "ui.pages.audit:AuditPage"),
    ("settings", "设置", "ui.pages.settings:SettingsPage"),
]

#: pages only some roles see (a row of models.core.permissions); the others are everyone's
PAGE_PERMISSIONS: dict[str, str] = {
    "users": "users.manage",
    "audit": "audit.view",
}

#: the sections of a street (街道) ledger's window (issue 12): only what the packages carry
STREET_PAGES: list[tuple[str, str, str]] = [
    ("street_reports", "报送情况", "ui.pages.street:StreetReportsPage"),
    ("street_ranking", "月度评比", "ui.pages.street_ranking:StreetRankingPage"),
    ("street_annual", "年度考评", "ui.pages.street_ranking:StreetAnnualPage"),
    ("users", "用户管理", "ui.pages.users:UsersPage"),
    ("audit", "操作日志", "ui.pages.audit:AuditPage"),
]


def pages_for(ledger) -> list[tuple[str, str, str]]:
    """The sections for ``ledger``: a street ledger's, or a community's."""
    from models.street.registry import is_street

    return list(STREET_PAGES if is_street(ledger) else PAGES)
