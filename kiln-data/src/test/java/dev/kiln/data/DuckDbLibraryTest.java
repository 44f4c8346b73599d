package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution keeps DuckDB's native library beside kiln.jar; without it, reading Parquet names what is missing. */
class DuckDbLibraryTest {
    @TempDir
    Path dir;

    @Test
    void namesTheLibraryAsTheDriverDoes() {
        assertThat(DuckDbLibrary.libraryName("Linux", "amd64")).isEqualTo("libduckdb_java.so_linux_amd64");
        assertThat(DuckDbLibrary.libraryName("Linux", "aarch64")).isEqualTo("libduckdb_java.so_linux_arm64");
        assertThat(DuckDbLibrary.libraryName("Mac OS X", "aarch64")).isEqualTo("libduckdb_java.so_macos_arm64");
        assertThat(DuckDbLibrary.libraryName("Windows 11", "amd64")).isEqualTo("libduckdb_java.so_windows_amd64");
        assertThat(DuckDbLibrary.libraryName("SunOS", "sparcv9")).isNull();
    }

    @Test
    void aLibraryNeitherInTheJarNorBesideItIsAnErrorNamingWhereItLooked() throws IOException {
        Path beside = dir.resolve("libduckdb_java.so_linux_amd64");
        KilnException e = DuckDbLibrary.missing("libduckdb_java.so_linux_amd64", false, beside);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("libduckdb_java.so_linux_amd64").contains(beside.toString()).contains("kiln.jar");
        assertThat(e.details()).containsEntry("looked_in", beside.toString());

        Files.write(beside, new byte[] {1});
        assertThat(DuckDbLibrary.missing("libduckdb_java.so_linux_amd64", false, beside)).isNull();
        assertThat(DuckDbLibrary.missing("libduckdb_java.so_linux_amd64", true, dir.resolve("absent"))).isNull();
        assertThat(DuckDbLibrary.missing(null, false, dir.resolve("absent"))).isNull(); // left to the driver
    }

    @Test
    void theTestClassPathHasTheLibraryInsideTheDriversJar() {
        DuckDbLibrary.require(); // does not throw here: the driver's own jar holds it
        String name = DuckDbLibrary.libraryName(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (name != null) {
            assertThat(DuckDbLibrary.class.getResource("/" + name)).isNotNull();
        }
    }
}
