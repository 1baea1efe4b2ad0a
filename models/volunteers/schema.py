"""Schema of volunteer organisations, volunteers, activities and their photos (SPEC §3).

Hours are stored per participant per activity; a volunteer's total is always
computed (never typed).  Photos live inside the ledger file as BLOBs, downscaled,
with a thumbnail, so one file is the whole ledger.
"""

from sqlite_utils.migrations import Migrations

from models.core.schema import run_script, STAMPS

migrations = Migrations("gridledger.volunteers")


@migrations()
def m001_volunteers(db):
    run_script(db, f"""
    CREATE TABLE volunteer_orgs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,               -- 星光艺术团
        type TEXT NOT NULL DEFAULT '',
        leader TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        founded_on TEXT,
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );

    CREATE TABLE volunteers (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER UNIQUE REFERENCES residents(id),   -- NULL: an outside person
        name TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        id_number TEXT,                          -- outside people only; residents use theirs
        skills TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );
    CREATE INDEX volunteers_name ON volunteers (name);

    CREATE TABLE volunteer_org_members (
        org_id INTEGER NOT NULL REFERENCES volunteer_orgs(id),
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        PRIMARY KEY (org_id, volunteer_id)
    ) WITHOUT ROWID;

    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,                     -- 义诊进社区
        type TEXT NOT NULL DEFAULT '',
        on_date TEXT NOT NULL,
        start_time TEXT,                         -- HH:MM
        end_time TEXT,
        place TEXT NOT NULL DEFAULT '',
        community_id INTEGER REFERENCES communities(id),
        grid_id INTEGER REFERENCES grids(id),    -- NULL: community-wide (counts for no single grid)
        org_id INTEGER REFERENCES volunteer_orgs(id),
        people_served INTEGER NOT NULL DEFAULT 0,
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );
    CREATE INDEX activities_date ON activities (on_date);
    CREATE INDEX activities_grid_date ON activities (grid_id, on_date);

    CREATE TABLE activity_participants (
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        hours REAL NOT NULL CHECK (hours >= 0),
        PRIMARY KEY (activity_id, volunteer_id)
    ) WITHOUT ROWID;
    CREATE INDEX activity_participants_volunteer ON activity_participants (volunteer_id);

    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        kind TEXT NOT NULL DEFAULT '照片' CHECK (kind IN ('照片', '签到表')),
        filename TEXT NOT NULL,
        mime TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        data BLOB NOT NULL,
        thumbnail BLOB,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX attachments_activity ON attachments (activity_id);
    """)


@migrations()
def m002_org_members_by_volunteer(db):
    # "Which organisations is this volunteer in?" is asked for every row of the volunteer
    # list; without this index each answer scanned the whole membership table (20 s for
    # 14,000 volunteers on the 200,000-household demo).
    db.execute("CREATE INDEX IF NOT EXISTS volunteer_org_members_volunteer"
               " ON volunteer_org_members (volunteer_id, org_id)")


@migrations()
def m003_pending_volunteers_importfix(db):
    # 待确认 volunteers (issue 15): an imported name that several present residents share,
    # and that neither the activity's grid nor its place (building) settles, keeps its row
    # and hours on a volunteer marked pending, linked to no resident but to the candidates
    # the clerk chooses from later (models.volunteers.records.confirm_volunteer).
    run_script(db, """
    ALTER TABLE volunteers ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE volunteer_candidates (
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        PRIMARY KEY (volunteer_id, resident_id)
    ) WITHOUT ROWID;
    CREATE INDEX volunteers_pending ON volunteers (pending) WHERE pending = 1;
    """)
