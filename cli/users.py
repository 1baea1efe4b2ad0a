"""``user add|list|disable|enable|reset-password|grant-sensitive|role`` (管理员 only, issue 10)."""

from __future__ import annotations


from cli import EXIT_OK, open_ledger
from cli.login import USER_PASSWORD_VARIABLE, ask_password
from models.core import accounts
from models.core.db import Ledger


def _grids(ledger: Ledger, text: str | None) -> list[int]:
    names = [n.strip() for n in (text or "").replace("，", ",").split(",") if n.strip()]
    return accounts.grid_ids_by_names(ledger, names)


def _new_password(name: str) -> str:
    return ask_password(f"用户“{name}”的初始密码：", USER_PASSWORD_VARIABLE, twice=True)


def _describe(user: accounts.User, grid_names: dict[int, str]) -> str:
    state = "在用" if user.active else "已停用"
    extra = []
    if user.role == "网格员":
        extra.append("网格：" + "、".join(grid_names.get(g, str(g)) for g in user.grid_ids))
    if user.sensitive:
        extra.append("可查看敏感信息")
    if user.must_change_password:
        extra.append("须修改密码")
    if user.locked_until is not None:
        extra.append(f"锁定至 {user.locked_until:%Y-%m-%d %H:%M}")
    return "  ".join([user.username, user.display_name, user.role, state, *extra])


def run_user(args) -> int:
    ledger = open_ledger(args, create=False)
    try:
        action = args.user_action
        if action == "list":
            names = {g["id"]: g["name"] for g in ledger.query("SELECT id, name FROM grids")}
            users = accounts.list_users(ledger)
            for user in users:
                print(_describe(user, names))
            print(f"共 {len(users)} 个账号。")
            return EXIT_OK
        if action == "add":
            grid_ids = _grids(ledger, args.grids)
            # the permission first: nobody is asked for a password the role may not give
            accounts.require_manage(ledger)
            password = _new_password(args.name)
            accounts.create_user(ledger, username=args.name, display_name=args.display or args.name,
                                 role=args.role, password=password, grid_ids=grid_ids)
            print(f"已新增用户“{args.name}”（{args.role}），首次登录时须修改密码。")
            return EXIT_OK
        user_id = accounts.user_id_by_name(ledger, args.name)
        if action == "disable":
            accounts.disable_user(ledger, user_id)
            print(f"已停用用户“{args.name}”。")
        elif action == "enable":
            accounts.enable_user(ledger, user_id)
            print(f"已启用用户“{args.name}”。")
        elif action == "reset-password":
            accounts.require_manage(ledger)
            accounts.reset_password(ledger, user_id, _new_password(args.name))
            print(f"已重置用户“{args.name}”的密码，下次登录时须修改。")
        elif action == "grant-sensitive":
            accounts.set_sensitive(ledger, user_id, not args.revoke)
            print(f"已{'收回' if args.revoke else '授予'}用户“{args.name}”查看敏感信息的权限。")
        elif action == "role":
            accounts.change_role(ledger, user_id, args.role, _grids(ledger, args.grids))
            print(f"用户“{args.name}”的角色已改为{args.role}。")
        return EXIT_OK
    finally:
        ledger.close()
