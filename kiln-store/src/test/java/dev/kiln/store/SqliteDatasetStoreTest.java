package dev.kiln.store;

/** The dataset store contract on SQLite under a temporary Kiln home. */
class SqliteDatasetStoreTest extends DatasetStoreContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }

    @Override
    String currentUrl() {
        return null;
    }
}
