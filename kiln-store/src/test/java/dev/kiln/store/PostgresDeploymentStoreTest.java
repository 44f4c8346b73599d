package dev.kiln.store;

import org.junit.jupiter.api.Tag;

/** The deployments on PostgreSQL: one embedded server for the test JVM (PostgresDatabases), a fresh database per test. */
@Tag("slow")
class PostgresDeploymentStoreTest extends DeploymentStoreContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln_deployments");
    }
}
