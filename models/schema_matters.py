"""Schema of matters (民情事项), their events, visits (走访) and meetings (SPEC §3–4).

The matter's current state is derived from its events; the ``state`` and the
``*_at`` columns of ``matters`` are a cache of that derivation, rewritten in the
same transaction as every event (models/matters.py), so lists and filters need
no event scan.  The evaluation (SPEC §5) reads event times, never the cache.
"""

from sqlite_utils.migrations import Migrations

from models.schema_core import STAMPS

migrations = Migrations("gridledger.matters")


@migrations()
def m001_matters(db):
    db.executescript(f"""
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
