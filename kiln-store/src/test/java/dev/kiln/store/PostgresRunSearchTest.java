package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** Finding runs on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresRunSearchTest extends RunSearchContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln_search");
    }
}
