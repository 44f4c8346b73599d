package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Map;

/**
 * How to read a data file.
 *
 * @param delimiter CSV field delimiter, or null to sniff it among {@code , ; TAB |} (ignored for
 *     Parquet and JSON)
 * @param types column types to force instead of inferring them, by column name (may be empty)
 * @param otherColumns the type of every column not named in {@code types}, or null to infer them; TEXT
 *     keeps their values as read (trimmed), e.g. to pass columns through unchanged
 * @param otherColumnsUntrimmed when {@code otherColumns} is TEXT, keep those values exactly as the file holds them,
 *     without trimming them (a CSV value, quoted or not, or a Parquet or JSON string): a leading tab a user put
 *     there to stop a spreadsheet from running the cell survives.
 */
public record ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                          boolean otherColumnsUntrimmed) {
    public ReadOptions {
        types = types == null ? Map.of() : Map.copyOf(types);
        if (delimiter != null && (delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "a quote or line break cannot be the CSV delimiter", Map.of("delimiter", delimiter.toString()));
        }
    }

    public static ReadOptions defaults() {
        return new ReadOptions(null, Map.of(), null, false);
    }

    public ReadOptions withDelimiter(char delimiter) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed);
    }

    public ReadOptions withTypes(Map<String, ColumnType> types) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed);
    }

    public ReadOptions withOtherColumns(ColumnType type) {
        return new ReadOptions(delimiter, types, type, false);
    }

    /** Every column not named in {@code types} as TEXT, untrimmed (see {@link #otherColumnsUntrimmed}). */
    public ReadOptions withOtherColumnsVerbatim() {
        return new ReadOptions(delimiter, types, ColumnType.TEXT, true);
    }
}
