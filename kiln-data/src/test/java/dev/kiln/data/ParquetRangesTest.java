package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet file fetched in row ranges on several connections gives exactly the columns of one fetch: the same values
 * in file order (the ranges filter on the row's position, and DuckDB keeps a scan's order), types and missing values.
 */
class ParquetRangesTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        DuckDbReader.minRangeRows = 1L << 18;
    }

    @Test
    void rangesGiveTheColumnsOfOneFetch() throws Exception {
        Path file = dir.resolve("t.parquet");
        // 10,007 rows in row groups of 1,000: range edges fall inside row groups; every kind of column, with gaps.
        String table = "SELECT i * 0.5 - 7 AS d, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN 'nan'::DOUBLE ELSE i / 3.0 END AS d_gaps, "
                + "i::BIGINT AS big, (i % 3)::INTEGER AS small, i % 2 = 0 AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE 'c' || (i % 13) END AS s, "
                + "CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END AS label FROM range(10007) AS r(i)";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + table + ") TO '" + file + "' (FORMAT PARQUET, ROW_GROUP_SIZE 1000)");
        }
        ReadOptions options = ReadOptions.defaults().withLabelColumns(Set.of("label"));
        DuckDbReader.minRangeRows = Long.MAX_VALUE;
        List<DataColumn> one = DuckDbReader.readTyped(file, DuckDbReader.Format.PARQUET, options);
        DuckDbReader.minRangeRows = 1000;
        int cores = Runtime.getRuntime().availableProcessors();
        List<DuckDbReader.RowRange> ranges = DuckDbReader.parquetRanges(file);
        assertThat(ranges).hasSize(cores < 2 ? 1 : Math.min(cores, DuckDbReader.MAX_RANGES));
        if (ranges.size() > 1) {
            assertThat(ranges.get(0).from()).isZero();
            assertThat(ranges.get(1).from()).isEqualTo(ranges.get(0).to());
        }
        List<DataColumn> ranged = DuckDbReader.readTyped(file, DuckDbReader.Format.PARQUET, options);
        assertThat(ranged).isEqualTo(one);
        assertThat(one).hasSize(7);
        assertThat(((NumericColumn) one.get(0)).values()).hasSize(10007);
        assertThat(((NumericColumn) one.get(0)).values()[10006]).isEqualTo(10006 * 0.5 - 7);
        assertThat(((StringColumn) one.get(6)).values()[1]).isEqualTo("no");
    }

    @Test
    void aFileWithAColumnNamedLikeThePositionIsReadInOneRange() throws Exception {
        Path file = dir.resolve("clash.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT i AS file_row_number, i * 2.5 AS x FROM range(3000) AS r(i)) TO '" + file
                    + "' (FORMAT PARQUET, ROW_GROUP_SIZE 500)");
        }
        DuckDbReader.minRangeRows = 100;
        assertThat(DuckDbReader.parquetRanges(file)).containsExactly(DuckDbReader.RowRange.ALL);
        List<DataColumn> columns = DuckDbReader.readTyped(file, DuckDbReader.Format.PARQUET, ReadOptions.defaults());
        assertThat(columns).extracting(DataColumn::name).containsExactly("file_row_number", "x");
        assertThat(((NumericColumn) columns.get(0)).values()[2999]).isEqualTo(2999.0);
    }
}
