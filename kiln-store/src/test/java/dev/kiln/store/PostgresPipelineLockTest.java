package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** The pipeline lock on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresPipelineLockTest extends PipelineLockContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln_locks");
    }
}
