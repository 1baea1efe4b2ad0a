"""Schema of matters (民情事项), their events, visits (走访) and meetings (SPEC §3–4).

The matter's current state is derived from its events; the ``state`` and the
``*_at`` columns of ``matters`` are a cache of that derivation, rewritten in the
same transaction as every event (models/matters.py), so lists and filters need
no event scan.  The evaluation (SPEC §5) reads event times, never the cache.
"""

import sqlite3

from sqlite_utils.migrations import Migrations

from models.core.schema import run_script, STAMPS, mark_rebuild

migrations = Migrations("gridledger.matters")


def _create_fts(db, table: str) -> None:
    """Create the contentless FTS5 table ``table`` and mark it for filling; without FTS5 in
    this SQLite (a few builds) nothing is created and searches use LIKE alone
    (``models.matters.records.has_search_index``).  Frozen: m003 and m004 depend on it."""
    try:
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(body, content='')")
    except sqlite3.OperationalError:   # "no such module: fts5"
        return
    mark_rebuild(db, table)


def _analyse(db, table: str) -> None:
    """An analysed ledger (the demo, a big import) gets statistics for the new indexes of
    ``table`` too, or the planner may prefer a worse one.  Frozen: m003 and m004 depend on it."""
    if db["sqlite_stat1"].exists():
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute(f"ANALYZE {table}")


@migrations()
def m001_matters(db):
    run_script(db, f"""
    CREATE TABLE matters (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,             -- 2026-10-0042
        registered_at TEXT NOT NULL,
        source TEXT NOT NULL,                    -- 巡查走访 / 微信群 / QQ群 / 来电 / 来访 / 12345热线 / 其他
        category TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('小事', '私事', '大事')),
        description TEXT NOT NULL,
        grid_id INTEGER NOT NULL REFERENCES grids(id),
        building_id INTEGER REFERENCES buildings(id),
        unit_id INTEGER REFERENCES units(id),
        household_id INTEGER REFERENCES households(id),
        location_text TEXT NOT NULL DEFAULT '',
        reporter_resident_id INTEGER REFERENCES residents(id),
        reporter_name TEXT NOT NULL DEFAULT '',
        reporter_phone TEXT NOT NULL DEFAULT '',
        assignee_staff_id INTEGER REFERENCES staff(id),
        assignee_name TEXT NOT NULL DEFAULT '',
        deadline TEXT NOT NULL,                  -- timestamp; moved by 延期 events
        visit_id INTEGER,                        -- the visit it was found on (source 巡查走访)
        -- cache of the event-derived state:
        state TEXT NOT NULL DEFAULT '登记'
            CHECK (state IN ('登记', '已分派', '已上报', '已办结', '已回访', '作废')),
        closed_at TEXT,
        result TEXT NOT NULL DEFAULT '',
        followed_up_at TEXT,
        satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction IN ('满意', '基本满意', '不满意')),
        cancelled_at TEXT,
        supervision TEXT NOT NULL DEFAULT '',    -- highest 督办 issued: '' / 普通 / 黄牌 / 红牌
        {STAMPS}
    );
    CREATE INDEX matters_grid_registered ON matters (grid_id, registered_at);
    CREATE INDEX matters_registered ON matters (registered_at);
    CREATE INDEX matters_state_deadline ON matters (state, deadline);
    CREATE INDEX matters_deadline ON matters (deadline);
    CREATE INDEX matters_closed ON matters (closed_at);
    CREATE INDEX matters_followed ON matters (followed_up_at);
    CREATE INDEX matters_assignee ON matters (assignee_staff_id);

    CREATE TABLE matter_events (
        id INTEGER PRIMARY KEY,
        matter_id INTEGER NOT NULL REFERENCES matters(id),
        at TEXT NOT NULL,
        action TEXT NOT NULL,     -- 登记 / 分派 / 上报 / 办结 / 回访 / 延期 / 督办 / 作废
        from_state TEXT,
        to_state TEXT NOT NULL,
        operator TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        data TEXT                 -- JSON: satisfaction, new deadline, card colour, meeting id …
    );
    CREATE INDEX matter_events_matter ON matter_events (matter_id, at);
    CREATE INDEX matter_events_action_at ON matter_events (action, at);

    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        visited_on TEXT NOT NULL,
        staff_id INTEGER REFERENCES staff(id),
        staff_name TEXT NOT NULL,                -- kept by name when not on the staff list
        way TEXT NOT NULL CHECK (way IN ('入户', '电话', '微信')),
        grid_id INTEGER NOT NULL REFERENCES grids(id),
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );
    CREATE INDEX visits_grid_date ON visits (grid_id, visited_on);
    CREATE INDEX visits_date ON visits (visited_on);

    CREATE TABLE visit_households (
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        household_id INTEGER NOT NULL REFERENCES households(id),
        PRIMARY KEY (visit_id, household_id)
    ) WITHOUT ROWID;
    CREATE INDEX visit_households_household ON visit_households (household_id);

    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('联席会议', '红色议事厅')),
        level TEXT NOT NULL CHECK (level IN ('社区', '网格', '小区')),
        grid_id INTEGER REFERENCES grids(id),
        compound TEXT NOT NULL DEFAULT '',
        held_at TEXT NOT NULL,
        place TEXT NOT NULL DEFAULT '',
        host TEXT NOT NULL DEFAULT '',
        topic TEXT NOT NULL,
        attendees TEXT NOT NULL DEFAULT '',      -- names, as recorded
        attendance INTEGER NOT NULL DEFAULT 0,   -- head count
        resolution TEXT NOT NULL DEFAULT '',
        stage TEXT NOT NULL DEFAULT '',          -- 四议两公开 stage
        {STAMPS}
    );
    CREATE INDEX meetings_held ON meetings (held_at);

    CREATE TABLE meeting_matters (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        matter_id INTEGER NOT NULL REFERENCES matters(id),
        PRIMARY KEY (meeting_id, matter_id)
    ) WITHOUT ROWID;
    CREATE INDEX meeting_matters_matter ON meeting_matters (matter_id);
    """)


@migrations()
def m002_matter_visit_index(db):
    """Matters found on a visit (民情日志 "problems found", the visit's page)."""
    db.execute("CREATE INDEX IF NOT EXISTS matters_visit ON matters (visit_id)")


@migrations()
def m003_matter_list_indexes(db):
    """What keeps the 民情事项 list fast on a year of a 200,000-household ledger.

    - one ``(column, registered_at)`` index per list filter, so a filtered first page
      walks an index in list order instead of sorting tens of thousands of rows, and
      a filtered count reads an index instead of the table;
    - ``(closed_at, deadline)`` covers the on-time count of the home screen's trend;
    - ``matter_fts``: a contentless FTS5 table over the single characters and
      character pairs of each matter's searchable text (see
      ``models.matters.records.search_tokens``): it tells how many matters a search can
      match and lists them, for one- and two-character queries too (FTS5's trigram
      tokenizer cannot, and its LIKE is broken on SQLite 3.40, STYLE.md); it is filled
      after migrating (marked for rebuilding).
    """
    run_script(db, """
    CREATE INDEX IF NOT EXISTS matters_state_registered ON matters (state, registered_at);
    CREATE INDEX IF NOT EXISTS matters_level_registered ON matters (level, registered_at);
    CREATE INDEX IF NOT EXISTS matters_category_registered ON matters (category, registered_at);
    CREATE INDEX IF NOT EXISTS matters_source_registered ON matters (source, registered_at);
    DROP INDEX IF EXISTS matters_assignee;
    CREATE INDEX IF NOT EXISTS matters_assignee_registered ON matters (assignee_staff_id, registered_at);
    DROP INDEX IF EXISTS matters_closed;
    CREATE INDEX IF NOT EXISTS matters_closed_deadline ON matters (closed_at, deadline);
    """)
    _create_fts(db, "matter_fts")
    _analyse(db, "matters")


@migrations()
def m004_visit_list_indexes(db):
    """The 走访日志 list on half a million visits: an index per filter in list order, and
    ``visit_fts`` (characters and character pairs of the notes and the visitor's name,
    as ``matter_fts``) so a search that matches little never reads every visit."""
    run_script(db, """
    CREATE INDEX IF NOT EXISTS visits_staff_date ON visits (staff_id, visited_on);
    CREATE INDEX IF NOT EXISTS visits_way_date ON visits (way, visited_on);
    """)
    _create_fts(db, "visit_fts")
    _analyse(db, "visits")


@migrations()
def m005_awaiting_follow_up_index(db):
    """The home screen's 待回访 list, longest-waiting (earliest closed) first, without a sort."""
    db.execute("CREATE INDEX IF NOT EXISTS matters_state_closed ON matters (state, closed_at)")


@migrations()
def m006_matter_event_recorded_at_history(db):
    """A matter event keeps both times: ``at`` the real time of the step (办结 yesterday at 17:00,
    the clerk's entry) and ``recorded_at`` when it was typed into the ledger.  Rows older than
    this migration have NULL: their typing time was their ``at``."""
    db.execute("ALTER TABLE matter_events ADD COLUMN recorded_at TEXT")


@migrations()
def m006_meeting_stages_orgs(db):
    """Issue 13: a meeting follows one method — 四议两公开 or 六步工作法 (红色议事厅) — and each
    stage reached is recorded with its date, participants and outcome.  Existing meetings keep
    四议两公开, except a 红色议事厅 with no stage yet, which starts on 六步工作法."""
    run_script(db, f"""
    ALTER TABLE meetings ADD COLUMN method TEXT NOT NULL DEFAULT '四议两公开';
    UPDATE meetings SET method = '六步工作法' WHERE kind = '红色议事厅' AND stage = '';
    CREATE TABLE meeting_stages (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        stage TEXT NOT NULL,
        on_date TEXT NOT NULL,
        participants TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL DEFAULT '',
        {STAMPS},
        UNIQUE (meeting_id, stage)
    );
    """)
