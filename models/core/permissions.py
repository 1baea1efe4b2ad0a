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
_OFFICE = frozenset({ADMIN, CLERK})
_WRITERS = frozenset({ADMIN, CLERK, GRID_STAFF})


@dataclass(frozen=True)
class Permission:
    """One row of the table: an action, what the refusal calls it, and the roles allowed."""

    action: str
    what: str
    roles: frozenset[str]


#: action → who may.  Matter workflow actions are ``matter.<动作>`` (see models.matters).
PERMISSIONS: dict[str, Permission] = {p.action: p for p in (
    # records: residents, grids and households, staff, visits, meetings, volunteers
    Permission("records.edit", "修改台账", _WRITERS),
    Permission("matter.登记", "登记事项", _WRITERS),
    Permission("matter.修改", "修改事项", _WRITERS),
    Permission("matter.分派", "分派事项", _WRITERS),
    Permission("matter.上报", "上报事项", _WRITERS),
    Permission("matter.办结", "办结事项", _WRITERS),
    Permission("matter.回访", "回访事项", _WRITERS),
    Permission("matter.延期", "延期事项", _WRITERS),
    Permission("matter.作废", "作废事项", _WRITERS),
    Permission("matter.督办", "督办事项", frozenset({ADMIN, SUPERVISOR})),
    # personal data (个人信息保护法): 重点人员 tags and full ID numbers
    Permission("personal.see_sensitive", "查看重点人员标签", _OFFICE),
    Permission("personal.full_ids", "导出或打印完整身份证号", _OFFICE),
    # evaluation: 网格员 must not score their own grids, 督导员 only reads
    Permission("evaluation.adjust", "加减分", _OFFICE),
    Permission("evaluation.publish", "定稿", _OFFICE),
    Permission("evaluation.scheme", "修改评比方案", _OFFICE),
    Permission("reports.issuer", "修改通报落款单位", _OFFICE),
)}


def may(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown action is a bug: KeyError)."""
    return role in PERMISSIONS[action].roles


def refusal(role: str | None, action: str) -> str:
    """The clerk's message when ``role`` may not do ``action``."""
    perm = PERMISSIONS[action]
    allowed = "或".join(r for r in ROLES if r in perm.roles)
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
