"""Residents ledger at scale: demo build time, search first page p50/p95 per query class, memory.

Usage::

    .venv/bin/python benchmarks/bench_residents.py [--db /work/demo200k.db] [--households 200000]
                                                   [--reuse] [--samples 40] [--write-docs]

1. builds the demo ledger with ``main.py demo`` in a child process (timed; bar < 120 s)
   unless ``--reuse`` and the file exists;
2. measures the first page (100 rows) of :func:`models.residents.records.search_page` for each
   query class on SQLite as shipped with this Python (3.40) and on a newer SQLite
   (``pysqlite3-binary``, pinned in ``benchmarks/requirements-bench.txt``, installed into
   a private folder so the application's own venv keeps the stdlib module), against the
   same file; the baseline in the same run is a bare keyset page
   ``SELECT … FROM residents WHERE id > ? ORDER BY id LIMIT 100``;
3. prints peak RSS of each measuring process (bar < 400 MB).

With ``--write-docs`` the figures replace the residents section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SITE = Path(os.environ.get("GRIDLEDGER_BENCH_SITE",
                                 Path.home() / ".cache" / "gridledger-bench" / "site"))
REQUIREMENTS = ROOT / "benchmarks" / "requirements-bench.txt"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- residents:begin -->", "<!-- residents:end -->"

CLASSES = ["1个汉字", "2个汉字", "拼音首字母", "身份证号尾号", "电话尾号", "地址片段", "网格筛选+1个汉字",
           "网格筛选+拼音"]


DESIGN_NOTES = [
    "怎么做到的（详见 `models/search.py`）：",
    "",
    "- 自建查询索引表 `resident_search(token, resident_id)`（WITHOUT ROWID，迁移 `m002_resident_search`），"
    "不用 FTS5：trigram 分词对少于 3 个字的查询无结果，SQLite 3.40 上 trigram 表的 `LIKE` 还会静默返回空。",
    "- 词条：姓名每个字 `c:`、非首字 `g:`、相邻两字 `b:`、拼音首字母的每个前缀 `p:`（姓氏取全部读音：单 dan/shan/chan、"
    "曾 zeng/ceng、解 jie/xie、区 qu/ou…）、身份证号末 8 位倒序 `i:`、电话倒序 `t:`（尾号查询变成前缀范围）。"
    "地址不进索引：楼栋/单元先在小表里解析成编号，再走 households/residents 的索引，改楼栋名无需重建索引。",
    "- 自己的查询计划：每个查询词和筛选条件是一个“单元”（列出编号的方法、逐人判断的方法、上限 3000 的计数）。"
    "结果少就从最少的单元出发再排序；按编号排序时精确词条本身就是有序的，第一页读到 100 行就停；"
    "结果多就沿排序列的索引走并逐人判断；按姓名排序搜一个常见字时，合并“以该字开头”（姓名索引的一段）和 `g:` 两路有序结果。",
    "- 翻页一律用键集（排序值, 编号），从不用 OFFSET。",
]


# -- the measuring worker (runs in a child process, one per SQLite build) --------------------

def _queries(ledger, rng: random.Random, samples: int) -> dict[str, list[tuple[str, int | None]]]:
    from models.residents import search

    max_id = ledger.scalar("SELECT MAX(id) FROM residents")
    picks = [rng.randint(1, max_id) for _ in range(samples * 3)]
    rows = ledger.query(f"SELECT id, name, id_number, phone, grid_id FROM residents WHERE id IN"
                        f" ({','.join(map(str, picks))})")
    names = [r["name"] for r in rows]
    grids = [r["grid_id"] for r in rows if r["grid_id"]]
    out: dict[str, list[tuple[str, int | None]]] = {c: [] for c in CLASSES}
    for _ in range(samples):
        name = rng.choice(names)
        out["1个汉字"].append((rng.choice(name), None))
        i = rng.randrange(max(1, len(name) - 1))
        out["2个汉字"].append((name[i:i + 2], None))
        initials = rng.choice(search.initials_of(rng.choice(names)) or ["zs"])
        out["拼音首字母"].append((initials[:rng.choice((2, 3))], None))
        ids = [r["id_number"] for r in rows if r["id_number"]]
        out["身份证号尾号"].append((rng.choice(ids)[-rng.choice((4, 6)):], None))
        phones = [r["phone"].replace("-", "") for r in rows if r["phone"]]
        out["电话尾号"].append((rng.choice(phones)[-4:], None))
        out["地址片段"].append((rng.choice((f"{rng.randint(1, 12)}号楼", f"{rng.randint(1, 6)}0{rng.randint(1, 3)}",
                                          f"{rng.randint(1, 9)}号楼{rng.randint(1, 3)}单元",
                                          f"{rng.randint(1, 9)}-{rng.randint(1, 2)}-{rng.randint(1, 6)}0{rng.randint(1, 2)}")),
                               None))
        out["网格筛选+1个汉字"].append((rng.choice(rng.choice(names)), rng.choice(grids)))
        out["网格筛选+拼音"].append((rng.choice(search.initials_of(rng.choice(names)) or ["w"])[:2],
                                   rng.choice(grids)))
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def worker(db: str, flavour: str, samples: int) -> dict:
    sys.path.insert(0, str(ROOT))
    if flavour == "pysqlite3":
        sys.path.insert(0, str(BENCH_SITE))
        import pysqlite3.dbapi2 as driver  # noqa: F401 - the newer SQLite

        import models.core.db

        models.core.db.sqlite3 = driver
    else:
        import sqlite3 as driver
    from models.residents import records as R
    from models.ledger import open_db

    start = time.perf_counter()
    ledger = open_db(db, create=False)
    open_ms = (time.perf_counter() - start) * 1000
    version = ledger.scalar("SELECT sqlite_version()")
    rng = random.Random(20261126)
    queries = _queries(ledger, rng, samples)
    result = {"flavour": flavour, "sqlite": version, "open_ms": open_ms, "classes": {}}

    max_id = ledger.scalar("SELECT MAX(id) FROM residents")
    base = []
    for _ in range(samples):
        after = rng.randint(1, max_id)
        t = time.perf_counter()
        ledger.conn.execute("SELECT id, name, gender, birth_date, phone, grid_id FROM residents WHERE id > ?"
                            " ORDER BY id LIMIT 100", [after]).fetchall()
        base.append((time.perf_counter() - t) * 1000)
    result["baseline"] = {"p50": _pct(base, 50), "p95": _pct(base, 95)}

    for sort in ("id", "name"):
        for cls, items in queries.items():
            times, hits = [], []
            R.search_page(ledger, R.ResidentFilter(text=items[0][0], grid_id=items[0][1]), sort=sort)  # warm
            for text, grid in items:
                flt = R.ResidentFilter(text=text, grid_id=grid)
                t = time.perf_counter()
                rows, _cursor = R.search_page(ledger, flt, sort=sort)
                times.append((time.perf_counter() - t) * 1000)
                hits.append(len(rows))
            result["classes"][f"{cls}|{sort}"] = {
                "p50": _pct(times, 50), "p95": _pct(times, 95), "max": max(times),
                "hits": statistics.mean(hits), "example": items[0][0]}
    t = time.perf_counter()
    R.search_page(ledger, R.ResidentFilter())
    result["unfiltered_ms"] = (time.perf_counter() - t) * 1000
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ledger.close()
    return result


# -- the driver ----------------------------------------------------------------------------------

def ensure_pysqlite3() -> bool:
    """Install pysqlite3-binary into the private folder (once).  False when it cannot be had."""
    probe = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import pysqlite3", str(BENCH_SITE)]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return True
    BENCH_SITE.mkdir(parents=True, exist_ok=True)
    print(f"安装 pysqlite3-binary 到 {BENCH_SITE} ……", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(BENCH_SITE),
                           "-r", str(REQUIREMENTS)])
    return done.returncode == 0


def build(db: Path, households: int) -> dict:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.unlink()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(db), "demo",
                             "--households", str(households)], cwd=ROOT, text=True, encoding="utf-8",
                            stdout=subprocess.PIPE)
    parts = ""
    for line in proc.stdout:
        print(line, end="", flush=True)
        if "分项用时" in line:
            parts = line.split("分项用时：", 1)[1].strip()
    if proc.wait() != 0:
        raise SystemExit("演示台账生成失败")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "parts": parts}


def measure(db: Path, flavour: str, samples: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", flavour, "--db", str(db),
                           "--samples", str(samples)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(f"{flavour} 测量失败")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: list[dict], sort: str) -> list[str]:
    head = "| 查询类别 | 示例 | " + " | ".join(f"SQLite {r['sqlite']} p50 / p95 (ms)" for r in results) + " |"
    lines = [head, "|" + "---|" * (2 + len(results))]
    for cls in CLASSES:
        key = f"{cls}|{sort}"
        cells = [f"{r['classes'][key]['p50']:.1f} / **{r['classes'][key]['p95']:.1f}**" for r in results]
        lines.append(f"| {cls} | `{results[0]['classes'][key]['example']}` | " + " | ".join(cells) + " |")
    base = [f"{r['baseline']['p50']:.2f} / {r['baseline']['p95']:.2f}" for r in results]
    lines.append("| 基线：`WHERE id > ? ORDER BY id LIMIT 100` | — | " + " | ".join(base) + " |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="/work/demo200k.db")
    ap.add_argument("--households", type=int, default=200_000)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--reuse", action="store_true", help="reuse an existing ledger instead of building it")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.db, args.worker, args.samples), ensure_ascii=False))
        return
    db = Path(args.db)
    built = None
    if not (args.reuse and db.exists()):
        print(f"== 生成演示台账 {args.households} 户 → {db}", flush=True)
        built = build(db, args.households)
        built["households"] = args.households
        print(f"生成用时 {built['seconds']:.1f} s（目标 < 120 s；其中 CPU {built['cpu_seconds']:.1f} s），"
              f"峰值内存 {built['peak_rss_mb']:.0f} MB", flush=True)
        Path(str(db) + ".build.json").write_text(json.dumps(built), encoding="utf-8")
    elif Path(str(db) + ".build.json").exists():
        built = json.loads(Path(str(db) + ".build.json").read_text(encoding="utf-8"))   # from the run that built it
    import sqlite3

    conn = sqlite3.connect(db)
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("grids", "households", "residents", "resident_search")}
    conn.close()
    size_mb = db.stat().st_size / 1024 / 1024
    print(f"台账：{counts['grids']} 个网格，{counts['households']} 户，{counts['residents']} 名居民，"
          f"索引 {counts['resident_search']} 行，文件 {size_mb:.0f} MB", flush=True)
    results = [measure(db, "stdlib", args.samples)]
    if ensure_pysqlite3():
        results.append(measure(db, "pysqlite3", args.samples))
    else:
        print("（无法安装 pysqlite3-binary：只测了系统自带的 SQLite）")
    lines = [f"每类 {args.samples} 个随机查询，首页 100 行，按编号排序（默认）："] + [""] + table(results, "id")
    lines += ["", "同样的查询按姓名排序（点击“姓名”列标题）："] + [""] + table(results, "name")
    lines += [""] + [f"- SQLite {r['sqlite']}：打开台账 {r['open_ms']:.0f} ms，无筛选首页 {r['unfiltered_ms']:.1f} ms，"
                     f"测量进程峰值内存 {r['peak_rss_mb']:.0f} MB" for r in results]
    print("\n".join(lines))
    if args.write_docs:
        section = [BEGIN, "## 居民台账（benchmarks/bench_residents.py）", "",
                   f"测量时间 {time.strftime('%Y-%m-%d %H:%M')}，机器：{os.cpu_count()} 核（与其他任务共用）。", "",
                   f"- 台账：{counts['grids']} 个网格，{counts['households']} 户，{counts['residents']} 名居民；"
                   f"查询索引 {counts['resident_search']} 行；文件 {size_mb:.0f} MB。"]
        if built:
            section.append(f"- 生成演示台账（`main.py demo --households {built.get('households', args.households)}`）："
                           f"**{built['seconds']:.1f} s**（{built.get('parts') or '—'}）"
                           f"（目标 < 120 s）；进程 CPU 时间 {built.get('cpu_seconds', 0):.1f} s"
                           f"（机器与其他任务共用时，墙钟时间会明显长于 CPU 时间），峰值内存 {built['peak_rss_mb']:.0f} MB。")
        section += [""] + lines + ["", *DESIGN_NOTES, "", END]
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# 性能测量\n\n"
        if BEGIN in text:
            text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), "\n".join(section), text, flags=re.S)
        else:
            text = text.rstrip() + "\n\n" + "\n".join(section) + "\n"
        DOC.write_text(text, encoding="utf-8")
        print(f"已写入 {DOC}")


if __name__ == "__main__":
    main()
