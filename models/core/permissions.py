"""Who may do what: the one permission table of the ledger (SPEC §3).

Every rule of the form "only these roles may …" is a row of :data:`PERMISSIONS`.  Models
call :func:`require` at the start of an operation (so the rule holds below the UI, for the
CLI and for every window alike); the UI asks :func:`may` to hide or disable what the
operator cannot do.  Nothing else in the code base compares role names.

Roles (issue 10):
    管理员: everything: users, the evaluation scheme, settings, 定稿, restore, the audit log.
    工作人员: the community office's clerks: residents, matters, visits, activities, imports,
        exports, reports, adjustments and 定稿; no user management, no scheme, no restore.
    网格员: grid staff: only the grids of their account (``Operator.scoped_grids``, applied
        by every query) — records, matters and visits there; no 定稿, no scheme, no
        adjustments, no full ID numbers.
    督导员: reads everything (ID numbers masked), issues 督办 (and its cards), writes nothing else.

The account flag 可查看敏感信息 (``Operator.sees_sensitive``) is needed on top of the role
for the rows in :data:`FLAGGED` (重点人员 tags, full ID numbers).
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
grids.redivide            网格调整                 管理员 工作人员
matter.登记               登记事项                 管理员 工作人员 网格员
matter.修改               修改事项                 管理员 工作人员 网格员
matter.分派               分派事项                 管理员 工作人员 网格员
matter.上报               上报事项                 管理员 工作人员 网格员
matter.办结               办结事项                 管理员 工作人员 网格员
matter.回访               回访事项                 管理员 工作人员 网格员
matter.延期               延期事项                 管理员 工作人员 网格员
matter.作废               作废事项                 管理员 工作人员 网格员
matter.督办               督办事项                 管理员 督导员
personal.see_sensitive    查看重点人员标签         管理员 工作人员 网格员 督导员
personal.full_ids         查看、导出或打印完整身份证号 管理员 工作人员
evaluation.adjust         加减分                   管理员 工作人员
evaluation.publish        定稿                     管理员 工作人员
evaluation.scheme         修改评比方案             管理员
reports.issuer            修改通报落款单位         管理员 工作人员
users.manage              管理用户                 管理员
audit.view                查看操作日志             管理员
ledger.restore            从备份恢复台账           管理员
settings.edit             修改设置                 管理员
evaluation.package        报送月度评比             管理员 工作人员
street.manage             管理街道台账             管理员 工作人员
street.import             导入社区报送             管理员 工作人员
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


#: rows that also need the account's 可查看敏感信息 flag (``Operator.sees_sensitive``)
FLAGGED = frozenset({"personal.see_sensitive", "personal.full_ids"})

#: the refusal when the role may but the account lacks the flag
NO_FLAG = "您的账号没有“可查看敏感信息”权限，不能{what}。请联系管理员授予。"


def may(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown action is a bug: KeyError)."""
    return role in PERMISSIONS[action].roles


def allowed(operator, action: str) -> bool:
    """Whether ``operator`` (a ``models.core.db.Operator``) may do ``action``: the role's row, and
    for :data:`FLAGGED` rows the account's 可查看敏感信息 flag."""
    if not may(operator.role, action):
        return False
    return action not in FLAGGED or bool(operator.sees_sensitive)


def refusal_for(operator, action: str) -> str:
    """The clerk's message when ``operator`` may not do ``action`` (role or flag)."""
    if may(operator.role, action):
        return NO_FLAG.format(what=PERMISSIONS[action].what)
    return refusal(operator.role, action)


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
    operator = ledger.operator
    if not allowed(operator, action):
        raise PermissionDenied(refusal_for(operator, action))


def markdown_table() -> str:
    """The table as the user guide prints it (one row per action, ✓ per role); the guide is
    tested to contain exactly this, so it cannot drift from the rules."""
    lines = ["| 操作 | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for perm in PERMISSIONS.values():
        marks = ["✓" if role in perm.roles else "—" for role in ROLES]
        what = perm.what + ("（另需“可查看敏感信息”）" if perm.action in FLAGGED else "")
        lines.append(f"| {what} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


class PermissionDenied(WorkflowError):
    """The operator's role may not do this (a :class:`WorkflowError`, shown as it is)."""
