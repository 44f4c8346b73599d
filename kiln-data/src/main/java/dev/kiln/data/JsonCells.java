package dev.kiln.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.Json;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * The cells of a column DuckDB types JSON: a JSON or JSON-lines column whose values are of several kinds (strings and
 * numbers, say), which JDBC hands over as JSON text. A string's text is its value, as a CSV cell holds it ({@code x},
 * not {@code "x"} with its quotes, which no category of the same data read from CSV would match); numbers, booleans
 * and nested values keep their JSON text ({@code 3}, {@code true}, {@code {"b":1}}).
 */
final class JsonCells {
    private JsonCells() {
    }

    /** Which of the result's columns DuckDB types JSON, by index from 0. */
    static boolean[] columns(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        boolean[] json = new boolean[meta.getColumnCount()];
        for (int c = 0; c < json.length; c++) {
            json[c] = isJson(meta.getColumnTypeName(c + 1));
        }
        return json;
    }

    static boolean isJson(String sqlType) {
        return "JSON".equals(sqlType);
    }

    /** Column {@code column} (from 1) of the result's row as text: {@link #text} when the column is JSON. */
    static String string(ResultSet rs, int column, boolean json) throws SQLException {
        String cell = rs.getString(column);
        return json ? text(cell) : cell;
    }

    /** The cell's text: a JSON string's value, anything else as it is (null stays null). */
    static String text(String cell) {
        if (cell == null || cell.length() < 2 || cell.charAt(0) != '"' || cell.charAt(cell.length() - 1) != '"') {
            return cell;
        }
        if (cell.indexOf('\\') < 0) {
            return cell.substring(1, cell.length() - 1);
        }
        try {
            return Json.mapper().readValue(cell, String.class);
        } catch (JsonProcessingException e) {
            return cell; // not a JSON string after all: as DuckDB gave it
        }
    }
}
