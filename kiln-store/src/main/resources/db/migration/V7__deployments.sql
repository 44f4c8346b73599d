-- One row per running `kiln serve` that registered itself: where it answers, which process it is, and what it serves
-- (status: JSON written with every heartbeat). A clean shutdown deletes the row; a row whose heartbeat is older than
-- three heartbeat intervals is shown as lost (the process died or cannot reach the store), and rows whose heartbeat
-- is older than a day are pruned.
CREATE TABLE deployments (
    id VARCHAR(64) PRIMARY KEY,
    url VARCHAR(2048) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    heartbeat_ms BIGINT NOT NULL,
    kiln_version VARCHAR(64) NOT NULL,
    log_dir TEXT,
    status TEXT NOT NULL
);
CREATE INDEX deployments_by_heartbeat ON deployments (heartbeat_at);
