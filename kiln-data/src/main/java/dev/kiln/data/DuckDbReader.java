package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Parquet and JSON files through an in-memory DuckDB. Every value is fetched as text and typed
 * by the same {@link SchemaInference} rules as CSV, so a column means the same thing whatever file it
 * came from. Positions in errors are 1-based record numbers ("row N").
 */
final class DuckDbReader {
    enum Format {
        PARQUET("Parquet"),
        JSON_LINES("JSON lines"),
        JSON("JSON");

        final String label;

        Format(String label) {
            this.label = label;
        }
    }

    private DuckDbReader() {
    }

    static RawTable read(Path path, Format format) {
        String file = path.toString();
        String literal = "'" + file.replace("'", "''") + "'";
        String scan = switch (format) {
            case PARQUET -> "read_parquet(" + literal + ")";
            case JSON_LINES -> "read_json_auto(" + literal + ", format = 'newline_delimited')";
            // A .json file may hold JSON lines or one array of objects; DuckDB tells which.
            case JSON -> "read_json_auto(" + literal + ", format = 'auto')";
        };
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM " + scan)) {
            ResultSetMetaData meta = rs.getMetaData();
            int width = meta.getColumnCount();
            List<String> names = new ArrayList<>(width);
            List<RawColumn> columns = new ArrayList<>(width);
            for (int c = 1; c <= width; c++) {
                names.add(meta.getColumnName(c));
                columns.add(new RawColumn());
            }
            while (rs.next()) {
                for (int c = 1; c <= width; c++) {
                    columns.get(c - 1).add(rs.getString(c)); // null -> empty text -> missing
                }
            }
            RawTable table = new RawTable(file, names, columns, null, "row");
            if (width == 0 || table.rowCount() == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " has no data rows",
                        Map.of("file", file));
            }
            return table;
        } catch (SQLException e) {
            throw new KilnException(ErrorCode.DATA_MALFORMED,
                    "cannot read " + file + " as " + format.label + ": " + firstLine(e.getMessage()),
                    Map.of("file", file, "format", format.label), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
