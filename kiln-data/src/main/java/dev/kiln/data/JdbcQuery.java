package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs one SQL query against a JDBC URL and writes its result as a CSV file (RFC 4180: a header row, fields
 * quoted when they hold a delimiter, quote, line break or surrounding space, quotes doubled, CRLF line ends,
 * NULL as an empty field). Only {@code java.sql}: the driver comes from the classpath (the Kiln jar carries
 * SQLite and PostgreSQL). The file is written atomically, so a failed query leaves no partial file; the query
 * runs in a transaction that is rolled back, so it changes nothing. Errors name the URL without its password.
 */
public final class JdbcQuery {
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;])password=[^&;]*(&|;)?");
    private static final Pattern USER_INFO = Pattern.compile("//([^/@:]*):[^/@]*@");
    private static final int FETCH_SIZE = 1000;

    private JdbcQuery() {
    }

    /** What a query wrote: the URL (without password), the columns, the rows and the file. */
    public record Result(String url, List<String> columns, long rows, Path file) {
    }

    /**
     * Runs {@code sql} against {@code jdbcUrl} and writes the rows to {@code out} (replaced atomically). A query
     * that returns no rows is {@link ErrorCode#DATA_EMPTY} and writes nothing.
     */
    public static Result toCsv(String jdbcUrl, String sql, Path out) {
        String shown = withoutPassword(jdbcUrl == null ? "" : jdbcUrl.trim());
        if (jdbcUrl == null || !jdbcUrl.trim().startsWith("jdbc:")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + shown + "' is not a JDBC URL (jdbc:...)",
                    Map.of("url", shown));
        }
        if (sql == null || sql.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a query is needed to read from " + shown,
                    Map.of("url", shown));
        }
        Connection connection = connect(jdbcUrl.trim(), shown);
        List<String> columns = new ArrayList<>();
        long[] rows = {0};
        try (connection) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(FETCH_SIZE);
                AtomicFiles.write(out, stream -> {
                    Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
                    try (ResultSet rs = statement.executeQuery(sql)) {
                        ResultSetMetaData meta = rs.getMetaData();
                        int width = meta.getColumnCount();
                        for (int c = 1; c <= width; c++) {
                            columns.add(meta.getColumnLabel(c));
                        }
                        writeRow(w, columns);
                        List<String> row = new ArrayList<>(width);
                        while (rs.next()) {
                            row.clear();
                            for (int c = 1; c <= width; c++) {
                                row.add(text(rs, c, meta.getColumnType(c), meta.getColumnTypeName(c)));
                            }
                            writeRow(w, row);
                            rows[0]++;
                        }
                    } catch (SQLException e) {
                        throw new QueryFailed(e);
                    }
                    if (rows[0] == 0) {
                        throw new KilnException(ErrorCode.DATA_EMPTY, "the query against " + shown + " returned no rows",
                                details(shown, sql));
                    }
                    w.flush();
                });
            } finally {
                connection.rollback();
            }
        } catch (QueryFailed e) {
            throw queryError(shown, sql, e.sql);
        } catch (SQLException e) {
            throw queryError(shown, sql, e);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write " + out + ": " + e.getMessage(),
                    Map.of("file", out.toString()), e);
        }
        return new Result(shown, List.copyOf(columns), rows[0], out.toAbsolutePath());
    }

    /** {@code url} without a password: neither a {@code password=} parameter nor {@code user:password@}. */
    public static String withoutPassword(String url) {
        String out = PASSWORD_PARAM.matcher(url).replaceAll(m -> m.group(2) == null ? "" : m.group(1));
        out = USER_INFO.matcher(out).replaceAll("//$1@");
        return out.endsWith("?") || out.endsWith("&") || out.endsWith(";") ? out.substring(0, out.length() - 1) : out;
    }

    /** Carries a driver error out of the file writer, which may only throw I/O errors. */
    private static final class QueryFailed extends RuntimeException {
        final SQLException sql;

        QueryFailed(SQLException sql) {
            super(sql.getMessage(), sql, false, false);
            this.sql = sql;
        }
    }

    private static Connection connect(String url, String shown) {
        try {
            return DriverManager.getConnection(url);
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) && String.valueOf(e.getMessage()).startsWith("No suitable driver")) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "no JDBC driver on the classpath accepts " + shown
                        + " (Kiln carries SQLite and PostgreSQL)", Map.of("url", shown), e);
            }
            throw new KilnException(ErrorCode.UNAVAILABLE, "cannot connect to " + shown + ": " + clean(e.getMessage(), url, shown),
                    Map.of("url", shown, "sqlState", String.valueOf(e.getSQLState())), e);
        }
    }

    private static KilnException queryError(String shown, String sql, SQLException e) {
        Map<String, Object> details = details(shown, sql);
        details.put("sqlState", String.valueOf(e.getSQLState()));
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "the query against " + shown + " failed: "
                + clean(e.getMessage(), null, shown), details, e);
    }

    private static Map<String, Object> details(String shown, String sql) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", shown);
        details.put("query", sql.length() > 500 ? sql.substring(0, 497) + "..." : sql);
        return details;
    }

    /** A driver message, first line only, with the URL replaced by its shown form (drivers may echo it). */
    private static String clean(String message, String url, String shown) {
        String m = message == null ? "unknown error" : message;
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return url == null ? m : m.replace(url, shown);
    }

    /** A value as text: NULL empty, booleans true/false, dates and times ISO 8601, the rest as the driver gives it. */
    private static String text(ResultSet rs, int c, int type, String typeName) throws SQLException {
        String plain = rs.getString(c);
        if (plain == null) {
            return null;
        }
        try {
            if (type == Types.TIMESTAMP_WITH_TIMEZONE || "timestamptz".equalsIgnoreCase(typeName)) {
                return rs.getObject(c, OffsetDateTime.class).toInstant().toString(); // an instant, in UTC
            }
            return switch (type) {
                case Types.BOOLEAN, Types.BIT -> String.valueOf(rs.getBoolean(c));
                case Types.DATE -> rs.getDate(c).toLocalDate().toString();
                case Types.TIMESTAMP -> {
                    Timestamp t = rs.getTimestamp(c);
                    yield t == null ? plain : t.toLocalDateTime().toString();
                }
                default -> plain;
            };
        } catch (SQLException | RuntimeException e) {
            return plain; // a driver that stores these as text (SQLite) may not parse its own text: keep it
        }
    }

    private static void writeRow(Writer w, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            String f = fields.get(i);
            if (f != null) {
                w.write(needsQuotes(f) ? '"' + f.replace("\"", "\"\"") + '"' : f);
            }
        }
        w.write("\r\n");
    }

    private static boolean needsQuotes(String f) {
        if (f.isEmpty()) {
            return false;
        }
        if (Character.isWhitespace(f.charAt(0)) || Character.isWhitespace(f.charAt(f.length() - 1))) {
            return true;
        }
        for (int i = 0; i < f.length(); i++) {
            char ch = f.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
                return true;
            }
        }
        return false;
    }
}
