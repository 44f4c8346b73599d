package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

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
 * @param labelColumns columns that hold class labels (a training target), read "as written": when inference would type
 *     one BOOLEAN (every present value a true/false/yes/no word), it is typed CATEGORICAL instead, its values trimmed
 *     as categorical values are, so {@code yes}/{@code no} stay {@code yes}/{@code no} rather than becoming 1/0. A
 *     forced type ({@code types}, {@code otherColumns}) wins; a name the data lacks is ignored; any other inferred
 *     type is kept (see {@link SchemaInference#asRead}).
 */
public record ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                          boolean otherColumnsUntrimmed, Set<String> labelColumns) {
    public ReadOptions {
        types = types == null ? Map.of() : Map.copyOf(types);
        labelColumns = labelColumns == null ? Set.of() : Set.copyOf(labelColumns);
        if (delimiter != null && (delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "a quote or line break cannot be the CSV delimiter", Map.of("delimiter", delimiter.toString()));
        }
    }

    /** No label columns. */
    public ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                       boolean otherColumnsUntrimmed) {
        this(delimiter, types, otherColumns, otherColumnsUntrimmed, Set.of());
    }

    public static ReadOptions defaults() {
        return new ReadOptions(null, Map.of(), null, false, Set.of());
    }

    public ReadOptions withDelimiter(char delimiter) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns);
    }

    public ReadOptions withTypes(Map<String, ColumnType> types) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns);
    }

    public ReadOptions withOtherColumns(ColumnType type) {
        return new ReadOptions(delimiter, types, type, false, labelColumns);
    }

    /** Every column not named in {@code types} as TEXT, untrimmed (see {@link #otherColumnsUntrimmed}). */
    public ReadOptions withOtherColumnsVerbatim() {
        return new ReadOptions(delimiter, types, ColumnType.TEXT, true, labelColumns);
    }

    /** These columns read as labels, as written (see {@link #labelColumns}); null names none. */
    public ReadOptions withLabelColumns(Collection<String> names) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed,
                names == null ? Set.of() : Set.copyOf(names));
    }

    /** The defaults, with {@code target} read as a label column: how every reader of labelled data reads it. */
    public static ReadOptions labelled(String target) {
        return target == null ? defaults() : defaults().withLabelColumns(Set.of(target));
    }
}
