"""Accounts: who may open the ledger, with which role, grids and sensitive-data flag (issue 10).

Every ledger opened by the command line or the window is worked on by a logged-in
account: :func:`authenticate` checks the user name and password and returns the
:class:`~models.core.db.Operator` that every models/ function then reads (its role for the
permission table, its grids for a 网格员's scoping, its 可查看敏感信息 flag, its display
name for 制表人 and the audit log).

The rules, one place each:

- the password rule: :func:`password_problem` (at least :data:`MIN_PASSWORD_LENGTH`
  characters, not all digits, not the user name);
- hashing: argon2id (``argon2-cffi``'s :class:`~argon2.PasswordHasher`, :data:`HASHER`);
  the password itself is never stored, logged or audited;
- lockout: :data:`LOCKOUT_TRIES` wrong passwords in a row lock the account for
  :data:`LOCKOUT_MINUTES` minutes, counted in the ``users`` row (a restart does not reset it);
- at least one active 管理员 always remains (:func:`_keep_an_admin`);
- a new account (or one whose password a 管理员 reset) must change its password at its
  first login (``Operator.must_change_password``; the window and the command line ask).

Writers are operations (``users.manage``, 管理员 only) and are audited; login successes,
failures and locks are audit rows too.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from models.core.db import Ledger, Operator, parse_ts, ts
from models.core.errors import LedgerError, NotFound, ValidationError, WorkflowError
from models.core.ops import operation
from models.core.permissions import ADMIN, GRID_STAFF, ROLES, require

#: argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, t=3, p=4)
DEFAULT_HASHER = PasswordHasher()
#: the hasher in use (tests swap in a cheap argon2id one: tests/conftest.py)
HASHER = DEFAULT_HASHER

MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 32
LOCKOUT_TRIES = 5
LOCKOUT_MINUTES = 15

#: what a wrong user name and a wrong password both say (no hint which one was wrong)
WRONG = "用户名或密码错误。"

_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]+$")


class LoginRefused(LedgerError):
    """A login was refused: wrong name or password, a locked or a disabled account.

    Attributes:
        locked_until: when a locked account may try again (None when not locked).
    """

    def __init__(self, message: str, locked_until: _dt.datetime | None = None):
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class User:
    """One account as 用户管理 shows it (never its password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    sensitive: bool
    grid_ids: tuple[int, ...]
    must_change_password: bool
    locked_until: _dt.datetime | None

    def operator(self) -> Operator:
        """The operator this account works as."""
        return Operator(self.display_name, user_id=self.id, role=self.role,
                        grid_ids=frozenset(self.grid_ids), sensitive=self.sensitive,
                        username=self.username, must_change_password=self.must_change_password)


# -- rules ------------------------------------------------------------------------------------
def password_problem(username: str, password: str) -> str | None:
    """What is wrong with ``password`` for ``username``, in Chinese; None when it is acceptable."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    if password.isdigit():
        return "密码不能全是数字。"
    if password.strip().casefold() == (username or "").strip().casefold():
        return "密码不能与用户名相同。"
    if password != password.strip():
        return "密码首尾不能是空格。"
    return None


def username_problem(username: str) -> str | None:
    """What is wrong with a new user name, in Chinese; None when it is acceptable."""
    username = username or ""
    if not username.strip():
        return "请填写用户名。"
    if len(username) > MAX_USERNAME_LENGTH:
        return f"用户名最多 {MAX_USERNAME_LENGTH} 个字符。"
    if not _USERNAME.match(username):
        return "用户名只能包含汉字、字母、数字、下划线、点和减号，不能有空格。"
    return None


def _hasher() -> PasswordHasher:
    return HASHER


def hash_password(password: str) -> str:
    """The argon2id hash stored for ``password``."""
    return _hasher().hash(password)


def _verify(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# a hash to verify against when the user name is unknown, so that both cost the same time
_DUMMY_HASH: str | None = None


def _burn_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher().hash("没有这个用户的占位密码")
    _verify(_DUMMY_HASH, password)


# -- reading ----------------------------------------------------------------------------------
_USER_COLUMNS = ("id, username, display_name, role, active, sensitive, must_change_password,"
                 " locked_until, (SELECT group_concat(grid_id) FROM"
                 " (SELECT grid_id FROM user_grids g WHERE g.user_id = users.id ORDER BY grid_id))"
                 " AS grid_list")


def _user(row: dict) -> User:
    grids = tuple(int(g) for g in (row["grid_list"] or "").split(",") if g)
    return User(id=row["id"], username=row["username"], display_name=row["display_name"],
                role=row["role"], active=bool(row["active"]), sensitive=bool(row["sensitive"]),
                grid_ids=grids, must_change_password=bool(row["must_change_password"]),
                locked_until=parse_ts(row["locked_until"]) if row["locked_until"] else None)


def has_accounts(ledger: Ledger) -> bool:
    """Whether the ledger has any account (else its first opening creates the 管理员)."""
    return ledger.scalar("SELECT 1 FROM users LIMIT 1") is not None


def list_users(ledger: Ledger) -> list[User]:
    """Every account, active ones first, by role then user name."""
    rows = ledger.query(f"SELECT {_USER_COLUMNS} FROM users")
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted((_user(r) for r in rows),
                  key=lambda u: (not u.active, order.get(u.role, 9), u.username.casefold()))


def get_user(ledger: Ledger, user_id: int) -> User:
    """One account by id (``NotFound`` with the clerk's message when there is none)."""
    return _user(ledger.one(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", [user_id],
                            missing=f"用户不存在（编号 {user_id}）。"))


def find_user(ledger: Ledger, username: str) -> User | None:
    """The account called ``username`` (case-insensitive), or None."""
    rows = ledger.query(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ? COLLATE NOCASE",
                        [(username or "").strip()])
    return _user(rows[0]) if rows else None


def user_id_by_name(ledger: Ledger, username: str) -> int:
    """The id of the account called ``username`` (``NotFound`` in Chinese otherwise)."""
    user = find_user(ledger, username)
    if user is None:
        raise NotFound(f"没有用户“{username}”。")
    return user.id


def grid_ids_by_names(ledger: Ledger, names: Iterable[str]) -> list[int]:
    """The ids of the grids named (the own community's first), for ``--grids 第一网格,第二网格``.

    Raises:
        ValidationError: a name that is no grid.
    """
    ids = []
    for name in names:
        grid_id = ledger.scalar("SELECT g.id FROM grids g JOIN communities c ON c.id = g.community_id"
                                " WHERE g.name = ? ORDER BY c.is_own DESC, g.id LIMIT 1", [name.strip()])
        if grid_id is None:
            raise ValidationError(f"没有名为“{name.strip()}”的网格。", field="grid_ids")
        ids.append(grid_id)
    return ids


def require_manage(ledger: Ledger) -> None:
    """Refuse unless the operator may manage users (before asking anyone for a password)."""
    require(ledger, "users.manage")


# -- checks shared by the writers -----------------------------------------------------------------
def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(f"角色必须是{'、'.join(ROLES)}之一。", field="role")


def _check_grids(ledger: Ledger, role: str, grid_ids: Iterable[int]) -> tuple[int, ...]:
    grids = tuple(sorted({int(g) for g in grid_ids or ()}))
    if role != GRID_STAFF:
        return ()
    if not grids:
        raise ValidationError("网格员至少要负责一个网格。", field="grid_ids")
    known = {r["id"] for r in ledger.query(
        f"SELECT id FROM grids WHERE id IN ({','.join('?' * len(grids))})", list(grids))}
    missing = [g for g in grids if g not in known]
    if missing:
        raise ValidationError(f"网格不存在（编号 {'、'.join(map(str, missing))}）。", field="grid_ids")
    return grids


def _set_grids(ledger: Ledger, user_id: int, grids: tuple[int, ...]) -> None:
    ledger.db.execute("DELETE FROM user_grids WHERE user_id = ?", [user_id])
    for grid_id in grids:
        ledger.db.execute("INSERT INTO user_grids (user_id, grid_id) VALUES (?, ?)", [user_id, grid_id])


def _keep_an_admin(ledger: Ledger) -> None:
    """Refuse (inside the transaction, so nothing is written) when no active 管理员 would remain."""
    if not ledger.scalar("SELECT 1 FROM users WHERE role = ? AND active = 1 LIMIT 1", [ADMIN]):
        raise WorkflowError("至少要保留一个在用的管理员账号。")


def _grid_names(ledger: Ledger, grids: Iterable[int]) -> list[str]:
    grids = list(grids)
    if not grids:
        return []
    rows = ledger.query(f"SELECT name FROM grids WHERE id IN ({','.join('?' * len(grids))}) ORDER BY id", grids)
    return [r["name"] for r in rows]


def _public(user: User, ledger: Ledger) -> dict:
    """What the audit log keeps of an account (never its hash)."""
    return {"用户名": user.username, "显示名": user.display_name, "角色": user.role,
            "在用": user.active, "可查看敏感信息": user.sensitive,
            "网格": "、".join(_grid_names(ledger, user.grid_ids))}


def _insert_user(ledger: Ledger, *, username: str, display_name: str, role: str, password: str,
                 grid_ids: Iterable[int], sensitive: bool | None, must_change_password: bool) -> int:
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    problem = username_problem(username)
    if problem:
        raise ValidationError(problem, field="username")
    if not display_name:
        raise ValidationError("请填写显示名（打印在报表“制表人”处的名字）。", field="display_name")
    if len(display_name) > 32:
        raise ValidationError("显示名最多 32 个字符。", field="display_name")
    _check_role(role)
    problem = password_problem(username, password)
    if problem:
        raise ValidationError(problem, field="password")
    if find_user(ledger, username) is not None:
        raise ValidationError(f"用户名“{username}”已被使用。", field="username")
    grids = _check_grids(ledger, role, grid_ids)
    sensitive = (role == ADMIN) if sensitive is None else bool(sensitive)
    record = ledger.stamp({"username": username, "display_name": display_name, "role": role,
                           "password_hash": hash_password(password), "active": 1,
                           "sensitive": int(sensitive),
                           "must_change_password": int(bool(must_change_password))}, creating=True)
    user_id = ledger.db["users"].insert(record).last_rowid
    _set_grids(ledger, user_id, grids)
    ledger.audit("新增用户", "users", user_id, None, _public(get_user(ledger, user_id), ledger))
    return user_id


# -- writers (管理员: users.manage) ------------------------------------------------------------
@operation("users.manage", "users")
def create_user(ledger: Ledger, *, username: str, display_name: str, role: str, password: str,
                grid_ids: Iterable[int] = (), sensitive: bool | None = None,
                must_change_password: bool = True) -> int:
    """Add an account (用户管理 → 新增用户).

    Args:
        username: the login name (unique, case-insensitive; letters, digits, 汉字, ``_.-``).
        display_name: the name printed as 制表人 and written on every record.
        role: one of :data:`~models.core.permissions.ROLES`.
        password: the first password (:func:`password_problem` must pass).
        grid_ids: the grids a 网格员 covers (required for a 网格员, ignored otherwise).
        sensitive: 可查看敏感信息; None means the role's default (on for 管理员 only).
        must_change_password: the user must change the password at the first login.

    Returns:
        the new account's id.

    Raises:
        PermissionDenied: the operator is not a 管理员.
        ValidationError: a field breaks its rule (``field`` names it).
    """
    return _insert_user(ledger, username=username, display_name=display_name, role=role,
                        password=password, grid_ids=grid_ids, sensitive=sensitive,
                        must_change_password=must_change_password)


@operation("users.manage", "users")
def disable_user(ledger: Ledger, user_id: int) -> None:
    """Disable an account (never deleted: the records it wrote keep its name).

    Raises:
        WorkflowError: it is the last active 管理员.
    """
    before = get_user(ledger, user_id)
    if not before.active:
        return
    ledger.db.execute("UPDATE users SET active = 0, updated_at = ?, updated_by = ? WHERE id = ?",
                      [ledger.now_ts(), ledger.operator.name, user_id])
    _keep_an_admin(ledger)
    ledger.audit("停用用户", "users", user_id, {"用户名": before.username, "在用": True},
                 {"用户名": before.username, "在用": False})


@operation("users.manage", "users")
def enable_user(ledger: Ledger, user_id: int) -> None:
    """Enable a disabled account again."""
    before = get_user(ledger, user_id)
    if before.active:
        return
    ledger.db.execute("UPDATE users SET active = 1, failed_logins = 0, locked_until = NULL,"
                      " updated_at = ?, updated_by = ? WHERE id = ?",
                      [ledger.now_ts(), ledger.operator.name, user_id])
    ledger.audit("启用用户", "users", user_id, {"用户名": before.username, "在用": False},
                 {"用户名": before.username, "在用": True})


@operation("users.manage", "users")
def reset_password(ledger: Ledger, user_id: int, new_password: str) -> None:
    """Give an account a new password that must be changed at its next login; lifts a lock."""
    user = get_user(ledger, user_id)
    problem = password_problem(user.username, new_password)
    if problem:
        raise ValidationError(problem, field="password")
    ledger.db.execute("UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0,"
                      " locked_until = NULL, updated_at = ?, updated_by = ? WHERE id = ?",
                      [hash_password(new_password), ledger.now_ts(), ledger.operator.name, user_id])
    ledger.audit("重置密码", "users", user_id, None, {"用户名": user.username})


@operation("users.manage", "users")
def change_role(ledger: Ledger, user_id: int, role: str, grid_ids: Iterable[int] = ()) -> None:
    """Change an account's role and (for a 网格员) the grids it covers.

    Raises:
        ValidationError: an unknown role, a 网格员 without grids, a grid that does not exist.
        WorkflowError: no active 管理员 would remain.
    """
    before = get_user(ledger, user_id)
    _check_role(role)
    grids = _check_grids(ledger, role, grid_ids)
    ledger.db.execute("UPDATE users SET role = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                      [role, ledger.now_ts(), ledger.operator.name, user_id])
    _set_grids(ledger, user_id, grids)
    _keep_an_admin(ledger)
    after = get_user(ledger, user_id)
    if (before.role, before.grid_ids) != (after.role, after.grid_ids):
        ledger.audit("修改角色", "users", user_id,
                     {"角色": before.role, "网格": "、".join(_grid_names(ledger, before.grid_ids))},
                     {"角色": after.role, "网格": "、".join(_grid_names(ledger, after.grid_ids))})


@operation("users.manage", "users")
def set_sensitive(ledger: Ledger, user_id: int, allowed: bool) -> None:
    """Grant or withdraw 可查看敏感信息 (重点人员 tags, full ID numbers)."""
    before = get_user(ledger, user_id)
    if before.sensitive == bool(allowed):
        return
    ledger.db.execute("UPDATE users SET sensitive = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                      [int(bool(allowed)), ledger.now_ts(), ledger.operator.name, user_id])
    ledger.audit("授予敏感信息权限" if allowed else "收回敏感信息权限", "users", user_id,
                 {"用户名": before.username, "可查看敏感信息": before.sensitive},
                 {"用户名": before.username, "可查看敏感信息": bool(allowed)})


@operation("users.manage", "users")
def set_display_name(ledger: Ledger, user_id: int, display_name: str) -> None:
    """Change an account's display name (records already written keep the old one)."""
    before = get_user(ledger, user_id)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError("请填写显示名（打印在报表“制表人”处的名字）。", field="display_name")
    ledger.db.execute("UPDATE users SET display_name = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                      [display_name, ledger.now_ts(), ledger.operator.name, user_id])
    ledger.audit("修改显示名", "users", user_id, {"显示名": before.display_name}, {"显示名": display_name})


@operation(None, "users")
def change_own_password(ledger: Ledger, old: str, new: str) -> None:
    """The logged-in user changes their own password (also the first-login change).

    Raises:
        WorkflowError: nobody is logged in.
        ValidationError: the old password is wrong (``field="old"``), or the new one breaks
            the rule or equals the old one (``field="new"``).
    """
    user_id = ledger.operator.user_id
    if user_id is None:
        raise WorkflowError("请先登录。")
    user = get_user(ledger, user_id)
    stored = ledger.scalar("SELECT password_hash FROM users WHERE id = ?", [user_id])
    if not _verify(stored, old or ""):
        raise ValidationError("原密码不正确。", field="old")
    problem = password_problem(user.username, new)
    if problem:
        raise ValidationError(problem, field="new")
    if new == old:
        raise ValidationError("新密码不能与原密码相同。", field="new")
    ledger.db.execute("UPDATE users SET password_hash = ?, must_change_password = 0,"
                      " updated_at = ?, updated_by = ? WHERE id = ?",
                      [hash_password(new), ledger.now_ts(), ledger.operator.name, user_id])
    ledger.audit("修改密码", "users", user_id, None, {"用户名": user.username})
    ledger.operator.must_change_password = False


@operation(None, "users")
def create_first_admin(ledger: Ledger, *, username: str, display_name: str, password: str) -> Operator:
    """Create the 管理员 of a ledger without accounts and log in as them.

    Refused once the ledger has any account (then 用户管理 adds users).

    Returns:
        the new 管理员's operator (also set as ``ledger.operator``).
    """
    if has_accounts(ledger):
        raise WorkflowError("这个台账已经有账号了，请登录。")
    creator = ledger.operator
    ledger.operator = Operator((display_name or "").strip() or username, role=None)
    try:
        user_id = _insert_user(ledger, username=username, display_name=display_name, role=ADMIN,
                               password=password, grid_ids=(), sensitive=True,
                               must_change_password=False)
    except BaseException:
        ledger.operator = creator
        raise
    operator = get_user(ledger, user_id).operator()
    ledger.operator = operator
    return operator


# -- logging in -------------------------------------------------------------------------------
def _lock_message(username: str, until: _dt.datetime) -> str:
    return (f"账号“{username}”连续输错密码 {LOCKOUT_TRIES} 次，已锁定，"
            f"请于 {until.strftime('%Y-%m-%d %H:%M')} 以后再试，或请管理员重置密码。")


def _audit_as(ledger: Ledger, who: Operator, action: str, user_id: int | None, new: dict) -> None:
    current = ledger.operator
    ledger.operator = who
    try:
        ledger.audit(action, "users", user_id, None, new)
    finally:
        ledger.operator = current


def authenticate(ledger: Ledger, username: str, password: str) -> Operator:
    """Log in: check the user name and password and make the account the ledger's operator.

    Every attempt is an audit row (登录成功 / 登录失败 / 账号锁定); the
    :data:`LOCKOUT_TRIES`-th wrong password in a row locks the account for
    :data:`LOCKOUT_MINUTES` minutes (stored in the ledger).  While locked, even the right
    password is refused.

    Returns:
        the account's :class:`Operator` (also set as ``ledger.operator``); its
        ``must_change_password`` says whether the password must be changed first.

    Raises:
        LoginRefused: a wrong user name or password, a locked or a disabled account, with
            the Chinese message (and ``locked_until`` when locked).
    """
    username = (username or "").strip()
    user = find_user(ledger, username) if username else None
    now = ledger.now()
    if user is None:
        _burn_time(password or "")
        with ledger.write():
            _audit_as(ledger, Operator(username or "（空）", role=None), "登录失败", None,
                      {"用户名": username, "原因": "用户名不存在"})
        raise LoginRefused(WRONG)
    who = Operator(user.display_name, user_id=user.id, role=None)
    if user.locked_until is not None and user.locked_until > now:
        with ledger.write():
            _audit_as(ledger, who, "登录失败", user.id, {"用户名": user.username, "原因": "账号已锁定"})
        raise LoginRefused(_lock_message(user.username, user.locked_until), user.locked_until)
    stored = ledger.scalar("SELECT password_hash FROM users WHERE id = ?", [user.id])
    if not _verify(stored, password or ""):
        with ledger.write():
            failed = (ledger.scalar("SELECT failed_logins FROM users WHERE id = ?", [user.id]) or 0) + 1
            if failed >= LOCKOUT_TRIES:
                until = now + _dt.timedelta(minutes=LOCKOUT_MINUTES)
                ledger.db.execute("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
                                  [ts(until), user.id])
                _audit_as(ledger, who, "登录失败", user.id, {"用户名": user.username, "原因": "密码错误"})
                _audit_as(ledger, who, "账号锁定", user.id, {"用户名": user.username, "锁定至": ts(until)})
            else:
                until = None
                ledger.db.execute("UPDATE users SET failed_logins = ?, locked_until = NULL WHERE id = ?",
                                  [failed, user.id])
                _audit_as(ledger, who, "登录失败", user.id, {"用户名": user.username, "原因": "密码错误"})
        if until is not None:
            raise LoginRefused(_lock_message(user.username, until), until)
        left = LOCKOUT_TRIES - failed
        raise LoginRefused(f"{WRONG}再输错 {left} 次，账号将被锁定 {LOCKOUT_MINUTES} 分钟。")
    if not user.active:
        with ledger.write():
            _audit_as(ledger, who, "登录失败", user.id, {"用户名": user.username, "原因": "账号已停用"})
        raise LoginRefused(f"账号“{user.username}”已停用，请联系管理员。")
    with ledger.write():
        ledger.db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
                          " WHERE id = ?", [ts(now), user.id])
        if _hasher().check_needs_rehash(stored):
            ledger.db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                              [hash_password(password), user.id])
        _audit_as(ledger, who, "登录成功", user.id, {"用户名": user.username})
    operator = get_user(ledger, user.id).operator()
    ledger.operator = operator
    return operator


def refresh_operator(ledger: Ledger) -> Operator:
    """Re-read the logged-in account (role, grids, flag changed by a 管理员) into ``ledger.operator``.

    Raises:
        LoginRefused: the account has been disabled meanwhile.
    """
    user_id = ledger.operator.user_id
    if user_id is None:
        return ledger.operator
    user = get_user(ledger, user_id)
    if not user.active:
        raise LoginRefused(f"账号“{user.username}”已停用，请联系管理员。")
    ledger.operator = user.operator()
    return ledger.operator
