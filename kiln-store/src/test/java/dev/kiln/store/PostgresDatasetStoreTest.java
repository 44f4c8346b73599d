package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** The dataset store contract on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresDatasetStoreTest extends DatasetStoreContract {
    private String url;

    @Override
    String newDatabaseUrl() throws Exception {
        url = PostgresDatabases.fresh("kiln_datasets");
        return url;
    }

    @Override
    String currentUrl() {
        return url;
    }
}
