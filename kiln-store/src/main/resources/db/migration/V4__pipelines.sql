-- Pipeline runs (kiln pipeline run / watch): what started each run, its stages with their keys and durations, and
-- how it ended. A run that never ends (its process was killed) keeps status 'running' with its host and pid, so a
-- reader can tell it is dead.
CREATE TABLE pipeline_runs (
    id VARCHAR(64) PRIMARY KEY,
    pipeline VARCHAR(128) NOT NULL,
    trigger_kind VARCHAR(32) NOT NULL,
    trigger_reason TEXT,
    status VARCHAR(16) NOT NULL,
    outcome TEXT,
    stages TEXT NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, started_at);
-- The stage cache: a finished stage's output under the hash of its inputs. A stage whose key is here is not run
-- again; a run killed mid-way resumes after its last finished stage.
CREATE TABLE pipeline_stage_cache (
    pipeline VARCHAR(128) NOT NULL,
    stage VARCHAR(32) NOT NULL,
    stage_key VARCHAR(64) NOT NULL,
    run_id VARCHAR(64) NOT NULL,
    output TEXT NOT NULL,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (pipeline, stage, stage_key)
);
