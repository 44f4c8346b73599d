package dev.kiln.store;

/** Finding runs on SQLite under a temporary Kiln home. */
class SqliteRunSearchTest extends RunSearchContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }
}
