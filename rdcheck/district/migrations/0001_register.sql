-- The bureau's register, version 1: rounds, one row per file per round, their findings, and the waivers.
-- Amounts are TEXT holding exact decimals in yuan (never REAL); times are ISO 8601 UTC.

CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY,
    year        INTEGER,                 -- the year most of the round's submissions are for (set when it finishes)
    number      INTEGER,                 -- 1, 2, 3 … within that year (set when it finishes)
    started     TEXT NOT NULL,
    finished    TEXT,                    -- NULL: the batch stopped before the end
    source      TEXT,                    -- the folder that was checked
    output      TEXT,                    -- the batch's -o folder
    rdcheck     TEXT NOT NULL,           -- rdcheck version
    config_key  TEXT NOT NULL,           -- sha256 of the configuration (and language) the round ran with
    changes     TEXT                     -- changes.json of the round
);

CREATE TABLE submissions (
    id                  INTEGER PRIMARY KEY,
    round_id            INTEGER NOT NULL REFERENCES rounds(id),
    file                TEXT NOT NULL,
    sha256              TEXT,
    received            TEXT NOT NULL,   -- the file's modification time
    checked             TEXT NOT NULL,   -- when rdcheck checked it (or took the result of an identical file)
    uscc                TEXT,
    name                TEXT,
    year                INTEGER,
    status              TEXT NOT NULL,   -- pass / warn / fail / error / superseded
    check_status        TEXT,            -- pass / warn / fail / error, also for a superseded file
    reused              INTEGER NOT NULL DEFAULT 0,  -- 1: same sha256, version and config as a file already checked
    rdcheck             TEXT NOT NULL,
    config_key          TEXT NOT NULL,
    waiver_key          TEXT NOT NULL DEFAULT '',  -- the waivers that applied when it was checked
    rd_spending         TEXT,            -- 107-2 line 7 (研究开发费用合计), computed
    intramural          TEXT,            -- 研发经费内部支出, computed
    intramural_reported TEXT,            -- 研发经费内部支出 as reported to statistics
    deduction_base      TEXT,            -- A107012 line 40
    deduction           TEXT,            -- A107012 line 51
    basic_research      TEXT,
    errors              INTEGER NOT NULL DEFAULT 0,
    warnings            INTEGER NOT NULL DEFAULT 0,
    feedback            TEXT,            -- the feedback workbook, relative to the round's output folder
    report              TEXT NOT NULL,   -- the file's line of results.jsonl (spec §6 JSON)
    UNIQUE (round_id, file)
);
CREATE INDEX submissions_by_sha ON submissions (sha256, rdcheck, config_key);
CREATE INDEX submissions_by_enterprise ON submissions (uscc, year);

CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    rule          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    sheet         TEXT,
    cell          TEXT,
    message       TEXT NOT NULL,
    waived        INTEGER NOT NULL DEFAULT 0,
    waiver        TEXT
);
CREATE INDEX findings_by_submission ON findings (submission_id);
CREATE INDEX findings_by_rule ON findings (rule);

CREATE TABLE waivers (
    id       INTEGER PRIMARY KEY,
    uscc     TEXT NOT NULL,
    rule     TEXT NOT NULL,
    year     INTEGER,
    sheet    TEXT,
    cell     TEXT,
    reason   TEXT NOT NULL,
    created  TEXT NOT NULL,
    revoked  TEXT
);
CREATE INDEX waivers_by_enterprise ON waivers (uscc);
