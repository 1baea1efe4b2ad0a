"""Helpers for the window's tests (a module of its own: ``conftest`` names collide)."""


def show_widget(qtbot, widget, width: int = 1200, height: int = 700):
    """Show ``widget`` (closed by qtbot after the test) at ``width`` × ``height``; returns it."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    return widget


def make_id(birth: str, seq: int, region: str = "110101") -> str:
    """A valid 18-digit ID number (GB 11643 check character) for ``birth`` (YYYYMMDD)."""
    body = f"{region}{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


#: (name, birth, seq (odd = 男), phone, grid, building, unit, room, relation, tags)
PEOPLE = [
    ("张三", "19800101", 11, "13800138001", "第一网格", "1号楼", "1单元", "101", "户主", ["党员"]),
    ("李四", "19820202", 22, "13800138002", "第一网格", "1号楼", "1单元", "101", "配偶", []),
    ("张小明", "20100303", 31, "", "第一网格", "1号楼", "1单元", "101", "子", ["留守儿童"]),
    ("王五", "19450404", 41, "13900139003", "第一网格", "2号楼", "1单元", "202", "户主", ["独居老人", "高龄老人"]),
    ("赵六", "19700505", 51, "0551-1234567", "第二网格", "8号楼", "2单元", "301", "户主", ["社区矫正"]),
    ("单田芳", "19340606", 61, "13700137004", "第二网格", "8号楼", "2单元", "302", "户主", ["退役军人"]),
    ("曾小红", "19950707", 72, "13600136005", "第二网格", "9号楼", "1单元", "101", "户主", []),
]


def populate(ledger) -> dict[str, int]:
    """A small ledger: two grids, a few households and the people above.  Returns name → id."""
    from models.grids import hierarchy as grids_model
    from models.residents import records as residents_model

    ids = {}
    for name, birth, seq, phone, grid, building, unit, room, relation, tags in PEOPLE:
        household = grids_model.ensure_place(ledger, grids_model.Place(None, grid, building, unit, room))
        ids[name] = residents_model.add_resident(ledger, {
            "name": name, "id_number": make_id(birth, seq), "phone": phone, "household_id": household,
            "relation": relation, "ethnicity": "汉族", "residence_type": "户籍人口", "tags": tags,
            "moved_in_on": "不详",
        })
    return ids


def log_in_quietly(ctx, parent=None, remembered=""):
    """Stands in for ``ui.dialogs.login.log_in`` in tests that are not about logging in: the
    ledger's first 管理员 ``admin`` (display name 测试员) is created or logged in, as the
    command line's tests do (tests/conftest.py's CLI_USER/CLI_PASSWORD)."""
    from models.core import accounts
    from tests.conftest import CLI_PASSWORD, CLI_USER

    if not accounts.has_accounts(ctx.ledger):
        accounts.create_first_admin(ctx.ledger, username=CLI_USER, display_name="测试员", password=CLI_PASSWORD)
    else:
        accounts.authenticate(ctx.ledger, CLI_USER, CLI_PASSWORD)
    return True
