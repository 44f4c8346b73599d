package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** The model page's registry reads on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresModelPagingTest extends ModelPagingContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln_paging");
    }
}
