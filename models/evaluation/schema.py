"""Schema of the monthly evaluation: score adjustments and published (定稿) months (SPEC §5).

The scheme in force lives in ``settings`` (key ``evaluation_scheme``) and is copied
into each publication, so a published month always shows the scheme it was scored by.
"""

import json
from decimal import Decimal, InvalidOperation

from sqlite_utils.migrations import Migrations

from models.core.schema import run_script, STAMPS

migrations = Migrations("gridledger.evaluation")


@migrations()
def m001_evaluation(db):
    run_script(db, f"""
    CREATE TABLE score_adjustments (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,                    -- 'YYYY-MM' (monthly) or 'YYYY' (annual)
        grid_id INTEGER REFERENCES grids(id),
        community_id INTEGER REFERENCES communities(id),
        points REAL NOT NULL,
        reason TEXT NOT NULL,
        author TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '手工' CHECK (source IN ('手工', '督办')),
        matter_event_id INTEGER,                 -- the 督办 event behind an automatic adjustment
        {STAMPS},
        CHECK ((grid_id IS NULL) <> (community_id IS NULL))
    );
    CREATE INDEX score_adjustments_period ON score_adjustments (period);

    CREATE TABLE evaluation_publications (
        id INTEGER PRIMARY KEY,
        month TEXT NOT NULL,                     -- 'YYYY-MM'
        version INTEGER NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',         -- required when republishing
        scheme TEXT NOT NULL,                    -- JSON: the scheme in force
        figures TEXT NOT NULL,                   -- JSON: every grid's counts, scores, totals, ranks
        UNIQUE (month, version)
    );
    """)


@migrations()
def m002_evaluation_resident_indexes(db):
    """Two covering partial indexes for the month-end counts of the evaluation.

    A "static" resident (no move-in date, still 在册) is present at every month end, a
    "dynamic" one (the others) depends on the month.  models/evaluation.py sums the static
    residents per household once and, per month, only the dynamic ones: each pass reads
    its own small index in household order instead of every resident row (see
    ``_household_counts`` there).  The WHERE clauses must stay word for word what the
    queries there say, or SQLite will not use the indexes.
    """
    run_script(db, """
    CREATE INDEX IF NOT EXISTS evaluation_residents_static
        ON residents (status, moved_in_on, household_id, grid_id, id_number, phone)
     WHERE moved_in_on IS NULL;
    CREATE INDEX IF NOT EXISTS evaluation_residents_dynamic
        ON residents (household_id, grid_id, moved_in_on, status, status_date, id_number, phone)
     WHERE moved_in_on IS NOT NULL OR status <> '在册';
    """)


#: SPEC §5's default scheme as it was when m003 was written (frozen here: a migration
#: never calls code that may change later)
_M003_DEFAULT_SCHEME = {
    "indicators": [
        {"key": "on_time", "name": "按期办结率", "weight": 30.0, "target": None},
        {"key": "satisfaction", "name": "群众满意率", "weight": 25.0, "target": None},
        {"key": "visit_coverage", "name": "走访覆盖率", "weight": 20.0, "target": None},
        {"key": "discovery", "name": "问题发现", "weight": 10.0, "target": 1.0},
        {"key": "volunteer", "name": "志愿服务", "weight": 10.0, "target": 10.0},
        {"key": "completeness", "name": "台账完整率", "weight": 5.0, "target": None},
    ],
    "card_points": {"黄牌": -1.0, "红牌": -2.0},
    "grades": [["优秀", 90.0], ["良好", 80.0], ["合格", 60.0]],
}


def _m003_card_point(value) -> float | None:
    """A card's points as the scheme accepts them (a number, not positive), else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() and number <= 0 else None


@migrations()
def m003_card_points_in_the_scheme(db):
    """The 督办 card points are kept once, in the scheme (setting ``evaluation_scheme``).

    Before, they were also a setting ``card_points`` (read by the matters area too), which
    won over the scheme's own when set.  Fold it into the scheme, so a ledger shows the
    same scheme as before, and drop it.  A nonsensical ``card_points`` (a positive or
    non-numeric value) was ignored before and is dropped.
    """
    row = db.execute("SELECT value FROM settings WHERE key = 'card_points'").fetchone()
    if row is None:
        return
    cards = json.loads(row[0]) or {}
    wanted = {card: _m003_card_point(cards[card]) for card in ("黄牌", "红牌") if card in cards}
    if wanted and None not in wanted.values():
        stored = db.execute("SELECT value FROM settings WHERE key = 'evaluation_scheme'").fetchone()
        scheme = json.loads(stored[0]) if stored and json.loads(stored[0]) else \
            json.loads(json.dumps(_M003_DEFAULT_SCHEME))
        merged = {**scheme.get("card_points", {}), **wanted}
        if merged != scheme.get("card_points"):
            scheme["card_points"] = merged
            db.execute(
                "INSERT INTO settings (key, value, updated_at, updated_by)"
                " SELECT 'evaluation_scheme', ?, updated_at, updated_by FROM settings WHERE key = 'card_points'"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by", [json.dumps(scheme, ensure_ascii=False)])
    db.execute("DELETE FROM settings WHERE key = 'card_points'")
