"""Who may do what: the one permission table of the ledger (SPEC §3).

Every rule of the form "only these roles may …" is a row of :data:`PERMISSIONS`.  Models
call :func:`require` at the start of an operation (so the rule holds below the UI, for the
CLI and for every window alike); the UI asks :func:`may` to hide or disable what the
operator cannot do.  Nothing else in the code base compares role names.

Roles:
    管理员: everything.
    工作人员: the community office's clerks: records, the matter loop, scoring, printouts.
    网格员: grid staff: records and the matter loop, never scoring (they must not score
        their own grids) and never personal data beyond their work.
    督导员: a read-only supervisor who issues 督办 and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.core.errors import WorkflowError

ROLES = ("管理员", "工作人员", "网格员", "督导员")

ADMIN, CLERK, GRID_STAFF, SUPERVISOR = ROLES


@dataclass(frozen=True)
class Permission:
    """One row of the table: an action, what the refusal calls it, and the roles allowed."""

    action: str
    what: str
    roles: frozenset[str]


#: The table, one action a line: the action, what a refusal calls it, the roles that may.
#: Matter workflow actions are ``matter.<动作>`` (``models.matters.records.ACTIONS``, plus 登记/修改).
_TABLE = """
records.edit              修改台账                 管理员 工作人员 网格员
matter.登记               登记事项                 管理员 工作人员 网格员
matter.修改               修改事项                 管理员 工作人员 网格员
matter.分派               分派事项                 管理员 工作人员 网格员
matter.上报               上报事项                 管理员 工作人员 网格员
matter.办结               办结事项                 管理员 工作人员 网格员
matter.回访               回访事项                 管理员 工作人员 网格员
matter.延期               延期事项                 管理员 工作人员 网格员
matter.作废               作废事项                 管理员 工作人员 网格员
matter.督办               督办事项                 管理员 督导员
personal.see_sensitive    查看重点人员标签         管理员 工作人员
personal.full_ids         导出或打印完整身份证号   管理员 工作人员
evaluation.adjust         加减分                   管理员 工作人员
evaluation.publish        定稿                     管理员 工作人员
evaluation.scheme         修改评比方案             管理员 工作人员
reports.issuer            修改通报落款单位         管理员 工作人员
ledger.restore            恢复台账                 管理员
backup.configure          修改备份设置             管理员
"""


def _parse(table: str) -> dict[str, Permission]:
    rows = {}
    for line in table.strip().splitlines():
        action, what, *roles = line.split()
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"permission {action}: unknown roles {sorted(unknown)}")
        rows[action] = Permission(action, what, frozenset(roles))
    return rows


#: action → who may (records: residents, grids and households, staff, visits, meetings,
#: volunteers; personal data under 个人信息保护法; evaluation: 网格员 must not score their
#: own grids, 督导员 only reads)
PERMISSIONS: dict[str, Permission] = _parse(_TABLE)


def may(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown action is a bug: KeyError)."""
    return role in PERMISSIONS[action].roles


def refusal(role: str | None, action: str) -> str:
    """The clerk's message when ``role`` may not do ``action``."""
    perm = PERMISSIONS[action]
    allowed = [r for r in ROLES if r in perm.roles]
    allowed = "或".join(filter(None, ["、".join(allowed[:-1]), allowed[-1]]))
    return f"只有{allowed}可以{perm.what}（当前角色：{role or '未登录'}）。"


def require(ledger, action: str) -> None:
    """Refuse ``action`` unless the ledger's operator may do it.

    Raises:
        PermissionDenied: with :func:`refusal`'s message.
    """
    role = ledger.operator.role
    if not may(role, action):
        raise PermissionDenied(refusal(role, action))


class PermissionDenied(WorkflowError):
    """The operator's role may not do this (a :class:`WorkflowError`, shown as it is)."""
