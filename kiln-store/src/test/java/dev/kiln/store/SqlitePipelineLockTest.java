package dev.kiln.store;

/** The pipeline lock on SQLite under a temporary Kiln home. */
class SqlitePipelineLockTest extends PipelineLockContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }
}
