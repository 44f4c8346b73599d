-- The dataset store. The content lives under HOME/datasets/<version>/ (version: DatasetChecksum's rule, the file's
-- SHA-256 or the SHA-256 of the files' manifest); a row names it. The same content under two names is two rows
-- and one stored copy; the same content under the same name again is no new row. files: JSON list of
-- {name, sha256, bytes}. Rows are never updated.
CREATE TABLE datasets (
    id ${id},
    name VARCHAR(128) NOT NULL,
    version CHAR(64) NOT NULL,
    files TEXT NOT NULL,
    total_bytes BIGINT NOT NULL,
    source TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (name, version)
);
CREATE INDEX datasets_by_version ON datasets (version);
