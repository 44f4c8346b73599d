package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** The alerts on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresAlertStoreTest extends AlertStoreContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln_alerts");
    }
}
