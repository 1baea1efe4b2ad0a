"""Schema of the monthly evaluation: score adjustments and published (定稿) months (SPEC §5).

The scheme in force lives in ``settings`` (key ``evaluation_scheme``) and is copied
into each publication, so a published month always shows the scheme it was scored by.
"""

from sqlite_utils.migrations import Migrations

from models.core.schema import STAMPS

migrations = Migrations("gridledger.evaluation")


@migrations()
def m001_evaluation(db):
    db.executescript(f"""
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
    db.executescript("""
    CREATE INDEX IF NOT EXISTS evaluation_residents_static
        ON residents (status, moved_in_on, household_id, grid_id, id_number, phone)
     WHERE moved_in_on IS NULL;
    CREATE INDEX IF NOT EXISTS evaluation_residents_dynamic
        ON residents (household_id, grid_id, moved_in_on, status, status_date, id_number, phone)
     WHERE moved_in_on IS NOT NULL OR status <> '在册';
    """)
