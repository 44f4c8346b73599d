package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read without a checksum ({@link ReadOptions#withoutChecksum}, as drift reads) gives the same columns as a read
 * with one, and no dataset version; with one, the version is the SHA-256 of the bytes. For CSV (the parallel reader),
 * a directory of CSV files, and Parquet (DuckDB).
 */
class ReadWithoutChecksumTest {
    private static final String CSV = "x,y,city\n1.5,2,paris\n-3,4,rome\n,6,\"a, b\"\n";

    @TempDir
    Path dir;

    @Test
    void aCsvFileReadsTheSameWithoutItsHash() throws IOException {
        Path file = dir.resolve("d.csv");
        Files.writeString(file, CSV);
        assertSameColumnsWithoutVersion(file);
        assertThat(DataReader.read(file).sha256()).isEqualTo(DatasetVersion.sha256(file));
    }

    @Test
    void aDirectoryOfCsvFilesReadsTheSameWithoutItsHash() throws IOException {
        Path parts = Files.createDirectory(dir.resolve("parts"));
        Files.writeString(parts.resolve("a.csv"), CSV);
        Files.writeString(parts.resolve("b.csv"), "city,x,y\nberlin,7.25,8\n");
        assertSameColumnsWithoutVersion(parts);
        assertThat(DataReader.read(parts).sha256()).isNotNull();
    }

    @Test
    void aParquetFileReadsTheSameWithoutItsHash() throws Exception {
        Path file = dir.resolve("d.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT * FROM (VALUES (1.5, 2, 'paris'), (-3.0, 4, 'rome'), (NULL, 6, 'a, b')) AS t(x, y, city)) TO '"
                    + file + "' (FORMAT PARQUET)");
        }
        assertSameColumnsWithoutVersion(file);
        assertThat(DataReader.read(file).sha256()).isEqualTo(DatasetVersion.sha256(file));
    }

    private static void assertSameColumnsWithoutVersion(Path path) {
        DataFrame hashed = DataReader.read(path, ReadOptions.defaults());
        DataFrame unhashed = DataReader.read(path, ReadOptions.defaults().withoutChecksum());
        assertThat(unhashed.columns()).isEqualTo(hashed.columns());
        assertThat(unhashed.rowCount()).isEqualTo(hashed.rowCount()).isPositive();
        assertThat(unhashed.sha256()).isNull();
        assertThat(hashed.sha256()).isNotNull();
    }
}
