"""``demo``: build a realistic demo ledger (``python main.py --db F demo --households N``)."""

from __future__ import annotations

import sys
import time

from cli import EXIT_OK, EXIT_USAGE, open_ledger, resolve_db


def run_demo(args) -> int:
    from models.core import accounts
    from models.core.db import Operator
    from models.demo import AREA_TITLES, DEFAULT_COMMUNITY, DEMO_PASSWORD, DEMO_USERS, build_demo, is_demo_ledger

    if args.households < 1 or args.households > 2_000_000:
        print("用法错误：--households 必须在 1 到 2000000 之间。", file=sys.stderr)
        return EXIT_USAGE
    if args.months < 1 or args.months > 120:
        print("用法错误：--months 必须在 1 到 120 之间。", file=sys.stderr)
        return EXIT_USAGE
    path = resolve_db(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    # a new ledger is built by its demo 管理员 (build_demo creates the accounts); a ledger that
    # already has accounts needs a login like every other command.  It is named below, after the
    # check that it is not a street ledger (issue 12: a street ledger takes no personal data)
    ledger = open_ledger(args, login=False, operator=Operator(DEMO_USERS[0][1], role="管理员"))
    if accounts.has_accounts(ledger):
        ledger.close()
        ledger = open_ledger(args)
    try:
        from models.grids.hierarchy import set_own_community
        from models.street.registry import refuse_personal_data

        refuse_personal_data(ledger)          # a street ledger holds no residents (issue 12)
        if not ledger.community_name:
            set_own_community(ledger, (args.community or "").strip() or DEFAULT_COMMUNITY)

        def progress(message: str) -> None:
            print(f"[{time.perf_counter() - start:6.1f}s] {message}", flush=True)

        progress(f"生成演示台账：{path}（{args.households} 户，种子 {args.seed}，{args.months} 个月）")
        timings = build_demo(ledger, households=args.households, seed=args.seed, months=args.months,
                             progress=progress)
        progress("分项用时：" + "，".join(f"{AREA_TITLES.get(name, name)} {seconds:.1f} 秒"
                                      for name, seconds in timings.items()))
        residents = ledger.scalar("SELECT COUNT(*) FROM residents")
        households = ledger.scalar("SELECT COUNT(*) FROM households")
        grids = ledger.scalar("SELECT COUNT(*) FROM grids")
        demo_accounts = accounts.list_users(ledger) if is_demo_ledger(ledger) else []
    finally:
        ledger.close()
    print(f"完成：{grids} 个网格，{households} 户，{residents} 名居民，用时 {time.perf_counter() - start:.1f} 秒。")
    if demo_accounts:
        print(f"演示账号（密码都是 {DEMO_PASSWORD}，仅用于演示台账）：")
        for user in demo_accounts:
            print(f"  {user.username:<6} {user.role}  {user.display_name}")
    return EXIT_OK
