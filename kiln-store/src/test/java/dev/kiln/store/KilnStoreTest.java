package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KilnStoreTest {
    @TempDir
    Path home;

    @Test
    void urlsNeverShowAPassword() {
        assertThat(KilnStore.redact("jdbc:postgresql://db:5432/kiln?user=k&password=hunter2")).isEqualTo("jdbc:postgresql://db:5432/kiln?user=k");
        assertThat(KilnStore.redact("jdbc:postgresql://db/kiln?password=hunter2&user=k")).isEqualTo("jdbc:postgresql://db/kiln?user=k");
        assertThat(KilnStore.redact("jdbc:postgresql://db/kiln?password=hunter2")).isEqualTo("jdbc:postgresql://db/kiln");
        assertThat(KilnStore.redact("jdbc:postgresql://db/kiln?user=k&PASSWORD=x&ssl=true")).isEqualTo("jdbc:postgresql://db/kiln?user=k&ssl=true");
    }

    @Test
    void refusesUrlsItCannotServe() {
        assertKiln(() -> KilnStore.open(home, "jdbc:mysql://db/kiln?password=hunter2"), ErrorCode.INVALID_ARGUMENT,
                "unsupported store URL", "jdbc:postgresql://");
        assertThatNoPassword(() -> KilnStore.open(home, "jdbc:mysql://db/kiln?password=hunter2"));
        assertKiln(() -> KilnStore.open(home, "jdbc:postgresql://127.0.0.1:1/kiln?password=hunter2"), ErrorCode.INTERNAL,
                "cannot connect", "127.0.0.1:1");
        assertThatNoPassword(() -> KilnStore.open(home, "jdbc:postgresql://127.0.0.1:1/kiln?password=hunter2"));
    }

    private static void assertThatNoPassword(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call).message().doesNotContain("hunter2");
    }

    @Test
    void anExplicitSqliteFileWorksAndArtifactsStayUnderTheHome() {
        Path db = home.resolve("elsewhere/store.db");
        try (KilnStore s = KilnStore.open(home, "jdbc:sqlite:" + db)) {
            assertThat(s.url()).isEqualTo("jdbc:sqlite:" + db);
            s.tracking().experiment("e");
            assertThat(db).exists();
            assertThat(s.artifacts().root()).startsWith(home.toAbsolutePath());
        }
        try (KilnStore s = KilnStore.open(home, "jdbc:sqlite:" + db)) {
            assertThat(s.tracking().experiment("e").id()).isEqualTo(1);
        }
    }

    @Test
    void theKnownMigrationListMatchesTheMigrationFiles() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
            assertThat(files.map(p -> p.getFileName().toString().replaceFirst("^V([0-9_.]+)__.*\\.sql$", "$1")).sorted())
                    .containsExactlyElementsOf(KilnStore.MIGRATIONS);
        }
    }
}
