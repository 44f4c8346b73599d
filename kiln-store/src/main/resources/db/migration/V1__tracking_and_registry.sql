-- Kiln store, schema 1. One script for SQLite and PostgreSQL: ${id} is the vendor's auto-increment key
-- (KilnStore sets it). Times are epoch milliseconds (UTC). JSON columns hold Kiln's Jackson output.

CREATE TABLE experiments (
    id ${id},
    name VARCHAR(200) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE runs (
    seq ${id},
    id VARCHAR(36) NOT NULL UNIQUE,
    experiment_id BIGINT NOT NULL REFERENCES experiments (id),
    parent_run_id VARCHAR(36) REFERENCES runs (id),
    name TEXT,
    status VARCHAR(16) NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, seq);
CREATE INDEX runs_by_parent ON runs (parent_run_id);
CREATE INDEX runs_by_status ON runs (status, host);

-- Write-once: a key keeps its first value.
CREATE TABLE run_params (
    run_id VARCHAR(36) NOT NULL REFERENCES runs (id),
    name VARCHAR(250) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);

CREATE TABLE run_tags (
    run_id VARCHAR(36) NOT NULL REFERENCES runs (id),
    name VARCHAR(250) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- Every logged point is kept. value NULL stands for NaN (SQLite stores NaN as NULL).
CREATE TABLE metrics (
    id ${id},
    run_id VARCHAR(36) NOT NULL REFERENCES runs (id),
    name VARCHAR(250) NOT NULL,
    step BIGINT NOT NULL,
    value DOUBLE PRECISION,
    logged_at BIGINT NOT NULL
);
CREATE INDEX metrics_by_run ON metrics (run_id, name, step);

-- Content lives in the artifact store under the Kiln home, addressed by sha256.
CREATE TABLE run_artifacts (
    run_id VARCHAR(36) NOT NULL REFERENCES runs (id),
    name VARCHAR(1000) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- latest_version is the per-model version counter: bumped in the transaction that inserts the version.
CREATE TABLE registered_models (
    name VARCHAR(128) PRIMARY KEY,
    description TEXT,
    created_at BIGINT NOT NULL,
    latest_version INTEGER NOT NULL DEFAULT 0
);

-- Immutable once inserted.
CREATE TABLE model_versions (
    model VARCHAR(128) NOT NULL REFERENCES registered_models (name),
    version INTEGER NOT NULL,
    bundle_sha256 CHAR(64) NOT NULL,
    source_run_id VARCHAR(36) REFERENCES runs (id),
    dataset_sha256 TEXT,
    algorithm TEXT,
    task TEXT,
    metrics TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    description TEXT,
    PRIMARY KEY (model, version)
);

CREATE TABLE model_aliases (
    model VARCHAR(128) NOT NULL,
    alias VARCHAR(128) NOT NULL,
    version INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (model, alias),
    FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
);

CREATE TABLE model_tags (
    model VARCHAR(128) NOT NULL REFERENCES registered_models (name),
    name VARCHAR(250) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (model, name)
);

-- Append-only audit log; id order is history order.
CREATE TABLE model_events (
    id ${id},
    model VARCHAR(128) NOT NULL REFERENCES registered_models (name),
    type VARCHAR(32) NOT NULL,
    version INTEGER,
    alias VARCHAR(128),
    actor TEXT NOT NULL,
    reason TEXT,
    created_at BIGINT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX model_events_by_model ON model_events (model, id);
