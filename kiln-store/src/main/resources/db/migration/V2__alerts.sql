-- Monitoring alerts. An alert is open while its rule keeps firing for a model: re-evaluations update the open
-- row (last_seen_at, times_seen, evidence) instead of adding rows, and the rule clearing resolves it.
CREATE TABLE alerts (
    id ${id},
    model VARCHAR(128) NOT NULL,
    version INTEGER,
    rule VARCHAR(200) NOT NULL,
    kind VARCHAR(64) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    message TEXT NOT NULL,
    evidence TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    resolved_at BIGINT,
    times_seen BIGINT NOT NULL
);
CREATE INDEX alerts_by_model ON alerts (model, id);
-- At most one open alert per model and rule, even with several evaluators racing.
CREATE UNIQUE INDEX alerts_open_once ON alerts (model, rule) WHERE status = 'open';
