package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several files read as one dataset: concatenated as text, typed once, versioned by their manifest. */
class MultiFileReadTest {
    @TempDir
    Path dir;

    @Test
    void filesAreTypedOnceOverAllRowsSoTypesAreThoseOfOneFile() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d, "1.csv", "id,x,label\n1,10,a\n2,20,b\n");
        write(d, "2.csv", "label;x;id\nc;2.5;3\nd;;4\n"); // other column order, other delimiter, a fraction
        write(dir, "one.csv", "id,x,label\n1,10,a\n2,20,b\n3,2.5,c\n4,,d\n");
        DataFrame all = DataReader.read(d);
        DataFrame one = DataReader.read(dir.resolve("one.csv"));
        assertThat(all.rowCount()).isEqualTo(4);
        assertThat(all.columns().stream().map(DataColumn::name)).containsExactly("id", "x", "label");
        for (DataColumn c : one.columns()) {
            assertThat(all.column(c.name()).type()).as(c.name()).isEqualTo(c.type());
        }
        assertThat(all.column("x").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(((NumericColumn) all.column("x")).get(2)).isEqualTo(2.5);
        assertThat(Double.isNaN(((NumericColumn) all.column("x")).get(3))).isTrue();
        assertThat(all.source()).isEqualTo(d.toRealPath().toString());
    }

    @Test
    void theVersionOfSeveralFilesIsTheHashOfTheirSortedManifestAndOneFileKeepsItsOwnHash() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Path b = write(d, "b.csv", "a\n2\n");
        Path a = write(d, "a.csv", "a\n1\n");
        String manifest = "a.csv\t" + Checksums.sha256(a) + "\nb.csv\t" + Checksums.sha256(b) + "\n";
        String expected = Checksums.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(DataReader.read(d).sha256()).isEqualTo(expected);
        assertThat(DataReader.readAll(List.of(b, a)).sha256()).isEqualTo(expected);
        assertThat(DatasetVersion.of(List.of(a, b))).isEqualTo(expected);
        assertThat(DataReader.readAll(List.of(a)).sha256()).isEqualTo(DatasetVersion.sha256(a));
        assertThat(DatasetVersion.of(List.of(a))).isEqualTo(DatasetVersion.sha256(a));
        Path single = Files.createDirectory(dir.resolve("single"));
        Path only = write(single, "only.csv", "a\n1\n");
        assertThat(DataReader.read(single).sha256()).isEqualTo(DatasetVersion.sha256(only));
        assertThat(DataReader.read(single).source()).isEqualTo(only.toRealPath().toString());
        // Names are relative to the common directory, so a nested layout versions the same wherever it sits.
        Files.createDirectories(dir.resolve("n/p=1"));
        Files.createDirectories(dir.resolve("n/p=2"));
        Path n1 = Files.copy(a, dir.resolve("n/p=1/x.csv"));
        Path n2 = Files.copy(b, dir.resolve("n/p=2/x.csv"));
        String nested = Checksums.sha256(("p=1/x.csv\t" + Checksums.sha256(a) + "\np=2/x.csv\t" + Checksums.sha256(b) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(DataReader.read(dir.resolve("n")).sha256()).isEqualTo(nested);
        assertThat(DataReader.readAll(List.of(n2, n1)).sha256()).isEqualTo(nested);
    }

    @Test
    void filesWithDifferentColumnsAreRefusedNamingTheFileAndTheColumns() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d, "a.csv", "id,x\n1,2\n");
        write(d, "b.csv", "id,y,z\n1,2,3\n");
        assertKiln(() -> DataReader.read(d), ErrorCode.COLUMN_MISSING)
                .hasMessageContaining(d.toRealPath().resolve("b.csv").toString())
                .hasMessageContaining("lacks column(s) x").hasMessageContaining("extra column(s) y, z");
    }

    @Test
    void aBadValueIsNamedInItsOwnFileAndLine() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d, "a.csv", "id\n1\n2\n");
        write(d, "b.csv", "id\n3\nfour\n");
        assertKiln(() -> DataReader.read(d, ReadOptions.defaults().withTypes(Map.of("id", ColumnType.INTEGER))),
                ErrorCode.DATA_MALFORMED).hasMessageContaining(d.toRealPath().resolve("b.csv") + " line 3")
                .hasMessageContaining("'four'");
    }

    @Test
    void csvAndParquetMayBeMixed() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d, "a.csv", "id,name\n1,x\n");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 2 AS id, 'y' AS name) TO '" + d.resolve("b.parquet") + "' (FORMAT PARQUET)");
        }
        DataFrame all = DataReader.read(d);
        assertThat(all.rowCount()).isEqualTo(2);
        assertThat(all.column("id").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(all.column("name").type()).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void anEmptyFileAmongSeveralIsNamed() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d, "a.csv", "id\n1\n");
        write(d, "b.csv", "");
        assertKiln(() -> DataReader.read(d), ErrorCode.DATA_EMPTY).hasMessageContaining("b.csv");
    }
}
