package dev.kiln.store;

/** The deployments on SQLite under a temporary Kiln home. */
class SqliteDeploymentStoreTest extends DeploymentStoreContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }
}
