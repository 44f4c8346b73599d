package dev.kiln.store;

/** The model page's registry reads on SQLite under a temporary Kiln home. */
class SqliteModelPagingTest extends ModelPagingContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }
}
