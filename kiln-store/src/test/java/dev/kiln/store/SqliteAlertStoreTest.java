package dev.kiln.store;

/** The alerts on SQLite under a temporary Kiln home. */
class SqliteAlertStoreTest extends AlertStoreContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }
}
