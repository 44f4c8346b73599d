-- One row per pipeline whose run lock is held: at most one pipeline run at a time, across processes and hosts.
-- A lease expires unless renewed; an expired lease, or one whose owner process on the same host is gone, can be
-- taken over by a conditional UPDATE on the token, so exactly one of several racing takers wins.
CREATE TABLE pipeline_locks (
    pipeline VARCHAR(200) PRIMARY KEY,
    token VARCHAR(64) NOT NULL,
    owner VARCHAR(200) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL,
    renewed_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
