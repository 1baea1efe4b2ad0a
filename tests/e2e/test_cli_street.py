"""The street office end to end, through ``main.py`` (issue 12's "done when").

Two community ledgers made by ``demo`` (different seeds and names) each publish October
and export their package; a street ledger imports both; its community ranking equals the
ranking computed by pooling the two ledgers' own counts; a package with one byte changed,
the same package again and a package signed by a third ledger's key are refused with exit
1 and the street ledger unchanged.
"""

import csv
from fractions import Fraction

import pytest

from models.evaluation.counts import Counts, month_counts
from models.evaluation.publications import latest_publication
from models.evaluation.scheme import default_scheme
from models.evaluation.scoring import assign_ranks, figures_of
from models.ledger import open_db

MONTH = "2026-10"


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-11-05T09:00")


def _community(cli, tmp_path, name, seed):
    db = tmp_path / f"{name}.db"
    assert cli("--db", db, "demo", "--households", 300, "--months", 2, "--seed", seed,
               "--community", name).returncode == 0
    done = cli("--db", db, "publish", "--month", MONTH)
    assert done.returncode == 0, done.stderr
    assert "已定稿：第 1 版" in done.stdout
    out = tmp_path / f"{name}.glpkg"
    done = cli("--db", db, "package", "export", "--month", MONTH, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "公钥指纹" in done.stdout
    return db, out


def _snapshot(path):
    """What an import may write: communities, packages and their audit rows (every command's own
    login is audited too, issue 10: those rows are not the import's)."""
    led = open_db(path, create=False)
    try:
        return [led.query(f"SELECT * FROM {t} ORDER BY id") for t in ("street_communities", "street_packages")] \
            + [led.query("SELECT * FROM audit_log WHERE table_name IN ('street_communities', 'street_packages')"
                         " ORDER BY id")]
    finally:
        led.close()


def _pooled_ranking(paths):
    rows = []
    for path in paths:
        led = open_db(path, create=False)
        try:
            counts = month_counts(led, MONTH)
            pooled = Counts()
            for k in counts.grids.values():
                pooled.add(k)
            pooled.hours += sum(counts.community_hours.values(), Fraction(0))
            own = latest_publication(led, MONTH).evaluation.communities[0]
            rows.append(figures_of("社区", None, led.community_name, 0, led.community_name, pooled,
                                   default_scheme(), own.adjustment_items))
        finally:
            led.close()
    assign_ranks(rows)
    return [(str(r.rank), r.name, f"{r.total}") for r in rows]


def test_two_communities_report_to_the_street(cli, tmp_path, now):
    a_db, a_pkg = _community(cli, tmp_path, "幸福社区", 3)
    b_db, b_pkg = _community(cli, tmp_path, "和平社区", 4)
    street = tmp_path / "街道.db"
    assert cli("--db", street, "street", "init", "--name", "长江路街道").returncode == 0

    # an unknown community needs the clerk's confirmation of its fingerprint
    done = cli("--db", street, "package", "import", a_pkg, b_pkg)
    assert done.returncode == 1 and "尚未登记" in done.stderr and "--trust" in done.stderr
    done = cli("--db", street, "package", "import", a_pkg, b_pkg, "--trust")
    assert done.returncode == 0, done.stderr
    assert "已登记社区“幸福社区”" in done.stdout and "共导入 2 份报送" in done.stdout

    out = tmp_path / "社区排名.csv"
    done = cli("--db", street, "export", "ranking", "--level", "community", "--month", MONTH, "--out", out)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    assert rows[0] == ["排名", "社区", "按期办结率", "群众满意率", "走访覆盖率", "问题发现", "志愿服务", "台账完整率",
                       "加减分", "总分"]
    assert [(r[0], r[1], r[-1]) for r in rows[1:]] == _pooled_ranking([a_db, b_db])

    grids = tmp_path / "网格排名.xlsx"
    assert cli("--db", street, "export", "ranking", "--month", MONTH, "--out", grids).returncode == 0

    before = _snapshot(street)
    # one byte changed
    tampered = tmp_path / "改过.glpkg"
    data = bytearray(a_pkg.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    done = cli("--db", street, "package", "import", tampered)
    assert done.returncode == 1 and "错误：" in done.stderr
    # the same package again
    done = cli("--db", street, "package", "import", a_pkg)
    assert done.returncode == 1 and "已经导入过" in done.stderr
    # a third ledger calling itself 幸福社区, signing with its own key
    c_db = tmp_path / "冒名.db"
    assert cli("--db", c_db, "demo", "--households", 300, "--months", 2, "--seed", 5,
               "--community", "幸福社区").returncode == 0
    assert cli("--db", c_db, "publish", "--month", MONTH).returncode == 0
    assert cli("--db", c_db, "publish", "--month", MONTH, "--reason", "更正").returncode == 0
    c_pkg = tmp_path / "冒名.glpkg"
    assert cli("--db", c_db, "package", "export", "--month", MONTH, "--out", c_pkg).returncode == 0
    done = cli("--db", street, "package", "import", c_pkg, "--trust")
    assert done.returncode == 1 and "公钥不一致" in done.stderr
    # a malformed file, and a file that is not there
    junk = tmp_path / "乱码.glpkg"
    junk.write_bytes(b"\x00\x01not a package")
    assert cli("--db", street, "package", "import", junk).returncode == 1
    assert cli("--db", street, "package", "import", tmp_path / "没有.glpkg").returncode == 1
    assert _snapshot(street) == before


def test_republishing_from_the_command_line_needs_a_reason_and_supersedes(cli, tmp_path, now):
    a_db, a_pkg = _community(cli, tmp_path, "幸福社区", 3)
    street = tmp_path / "街道.db"
    assert cli("--db", street, "street", "init", "--name", "长江路街道").returncode == 0
    key = tmp_path / "幸福社区公钥.txt"
    done = cli("--db", a_db, "package", "key", "--out", key)
    assert done.returncode == 0 and "公钥指纹" in done.stdout
    done = cli("--db", street, "street", "add-community", "--name", "幸福社区", "--key", key)
    assert done.returncode == 0, done.stderr
    assert cli("--db", street, "package", "import", a_pkg).returncode == 0     # registered: no --trust

    done = cli("--db", a_db, "publish", "--month", MONTH)
    assert done.returncode == 1 and "必须填写原因" in done.stderr
    done = cli("--db", a_db, "publish", "--month", MONTH, "--reason", "更正走访记录")
    assert done.returncode == 0 and "第 2 版" in done.stdout
    v2 = tmp_path / "v2.glpkg"
    assert cli("--db", a_db, "package", "export", "--month", MONTH, "--out", v2).returncode == 0
    done = cli("--db", street, "package", "import", v2)
    assert done.returncode == 0 and "取代第 1 版" in done.stdout and "更正走访记录" in done.stdout
    listed = cli("--db", street, "street", "communities")
    assert "幸福社区" in listed.stdout and "公钥文件" in listed.stdout
    done = cli("--db", street, "report", "monthly", "--month", MONTH, "--out", tmp_path / "街道通报.pdf")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "街道通报.pdf").read_bytes().startswith(b"%PDF")
    done = cli("--db", street, "report", "annual", "--year", 2026, "--out", tmp_path / "年度.pdf")
    assert done.returncode == 0 and (tmp_path / "年度.pdf").read_bytes().startswith(b"%PDF")
    done = cli("--db", street, "report", "scorecards", "--month", MONTH, "--out", tmp_path / "卡.pdf")
    assert done.returncode == 2 and "街道台账只能生成" in done.stderr


def test_refusals_of_the_commands(cli, tmp_path, now, ledger_path):
    # an unpublished month has no package; a future month cannot be published
    done = cli("--db", ledger_path, "package", "export", "--month", "2026-09", "--out", tmp_path / "x.glpkg")
    assert done.returncode == 1 and "尚未定稿" in done.stderr
    done = cli("--db", ledger_path, "publish", "--month", "2026-11")
    assert done.returncode == 1 and "尚未结束" in done.stderr
    assert cli("--db", ledger_path, "publish", "--month", "2026-13").returncode == 2
    assert cli("--db", ledger_path, "package", "export", "--month", MONTH, "--out", tmp_path / "x.zip").returncode == 2
    # a community ledger is not a street ledger, and does not become one
    done = cli("--db", ledger_path, "street", "init", "--name", "长江路街道")
    assert done.returncode == 1 and "社区台账" in done.stderr
    done = cli("--db", ledger_path, "package", "import", tmp_path / "x.glpkg")
    assert done.returncode == 1
    done = cli("--db", ledger_path, "export", "ranking", "--level", "community", "--month", MONTH,
               "--out", tmp_path / "r.csv")
    assert done.returncode == 2 and "街道台账" in done.stderr


def test_the_commands_from_a_real_process(tmp_path):
    """``python main.py`` itself: a new street ledger, and a community ledger's key fingerprint."""
    from tests.e2e.cli_helpers import main_py

    env = {"GRIDLEDGER_NOW": "2026-11-05T09:00"}
    done = main_py("--db", tmp_path / "街道.db", "street", "init", "--name", "长江路街道", env=env)
    assert done.returncode == 0 and "已建立街道台账：长江路街道" in done.stdout
    community = tmp_path / "社区.db"
    assert main_py("--db", community, "demo", "--households", 20, "--months", 1, "--community", "和平社区",
                   env=env).returncode == 0
    done = main_py("--db", community, "package", "key", "--out", tmp_path / "公钥.txt", env=env)
    led = open_db(community, create=False)
    try:
        from models.core import signing

        assert led.community_name == "和平社区"
        assert signing.fingerprint(signing.public_key(led)) in done.stdout
    finally:
        led.close()
    done = main_py("--db", tmp_path / "街道.db", "street", "add-community", "--name", "和平社区",
                   "--key", tmp_path / "公钥.txt", env=env)
    assert done.returncode == 0 and "已登记社区“和平社区”" in done.stdout


def test_a_street_ledger_takes_no_personal_data(cli, tmp_path, now):
    street = tmp_path / "街道.db"
    assert cli("--db", street, "street", "init", "--name", "长江路街道").returncode == 0
    done = cli("--db", street, "demo", "--households", 10, "--months", 1)
    assert done.returncode == 1 and "不保存居民等个人信息" in done.stderr
    book = tmp_path / "居民.csv"
    book.write_text("姓名,身份证号,网格,楼栋,单元,门牌号\n张三,,第一网格,1号楼,1单元,101\n", encoding="utf-8-sig")
    done = cli("--db", street, "import", "residents", book)
    assert done.returncode == 1 and "不保存居民等个人信息" in done.stderr
    led = open_db(street, create=False)
    try:
        assert led.scalar("SELECT COUNT(*) FROM residents") == 0 and led.scalar("SELECT COUNT(*) FROM grids") == 0
        assert led.community_name == ""
    finally:
        led.close()
