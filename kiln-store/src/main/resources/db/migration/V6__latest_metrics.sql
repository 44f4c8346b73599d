-- The latest point of each metric of each run (highest step, then latest logged_at, then highest id), kept by the
-- tracking store in the transaction that logs a point, so that finding and ordering runs by a metric reads one row
-- per run and metric instead of every point. value NULL stands for NaN on both databases here (the search treats a
-- NaN like a missing metric). Backfilled from the points logged before this migration.
CREATE TABLE latest_metrics (
    run_id VARCHAR(36) NOT NULL REFERENCES runs (id),
    name VARCHAR(250) NOT NULL,
    step BIGINT NOT NULL,
    value DOUBLE PRECISION,
    logged_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
);

INSERT INTO latest_metrics (run_id, name, step, value, logged_at)
SELECT run_id, name, step, NULLIF(value, 'NaN'), logged_at FROM (
    SELECT run_id, name, step, value, logged_at,
           ROW_NUMBER() OVER (PARTITION BY run_id, name ORDER BY step DESC, logged_at DESC, id DESC) AS rn
    FROM metrics) ranked
WHERE rn = 1;

-- What the run search needs: a metric's runs by value, a parameter's or tag's runs by name (values are unbounded
-- text, too long for a PostgreSQL index entry), and the newest runs first (of all, of an experiment).
CREATE INDEX latest_metrics_by_name ON latest_metrics (name, value);
CREATE INDEX run_params_by_name ON run_params (name, run_id);
CREATE INDEX run_tags_by_name ON run_tags (name, run_id);
CREATE INDEX runs_by_start ON runs (started_at, seq);
CREATE INDEX runs_by_experiment_start ON runs (experiment_id, started_at, seq);
