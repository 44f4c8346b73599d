package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * @param checksum whether the read hashes the file's bytes into the frame's {@link DataFrame#sha256} (the dataset
 *     version, which training, profiles and validation reports record). Off ({@link #withoutChecksum}) for reads that
 *     need only the values, such as drift's sketches: the SHA-256 of a 190 MB file is 0.16 s of a core's time.
 */
public record ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                          boolean otherColumnsUntrimmed, Set<String> labelColumns, boolean checksum) {
    public ReadOptions {
        // In the order given (Map.copyOf's order changes from run to run): a file lacking several typed columns is
        // refused naming the first of them, the same one every time.
        if (types != null) {
            Map.copyOf(types); // no null name or type
        }
        types = types == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(types));
        labelColumns = labelColumns == null ? Set.of() : Set.copyOf(labelColumns);
        if (delimiter != null && (delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "a quote or line break cannot be the CSV delimiter", Map.of("delimiter", delimiter.toString()));
        }
    }

    /** Hashing the bytes. */
    public ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                       boolean otherColumnsUntrimmed, Set<String> labelColumns) {
        this(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns, true);
    }

    /** No label columns, hashing the bytes. */
    public ReadOptions(Character delimiter, Map<String, ColumnType> types, ColumnType otherColumns,
                       boolean otherColumnsUntrimmed) {
        this(delimiter, types, otherColumns, otherColumnsUntrimmed, Set.of(), true);
    }

    public static ReadOptions defaults() {
        return new ReadOptions(null, Map.of(), null, false, Set.of(), true);
    }

    public ReadOptions withDelimiter(char delimiter) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns, checksum);
    }

    public ReadOptions withTypes(Map<String, ColumnType> types) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns, checksum);
    }

    public ReadOptions withOtherColumns(ColumnType type) {
        return new ReadOptions(delimiter, types, type, false, labelColumns, checksum);
    }

    /** Every column not named in {@code types} as TEXT, untrimmed (see {@link #otherColumnsUntrimmed}). */
    public ReadOptions withOtherColumnsVerbatim() {
        return new ReadOptions(delimiter, types, ColumnType.TEXT, true, labelColumns, checksum);
    }

    /** These columns read as labels, as written (see {@link #labelColumns}); null names none. */
    public ReadOptions withLabelColumns(Collection<String> names) {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed,
                names == null ? Set.of() : Set.copyOf(names), checksum);
    }

    /** The same options without hashing the file: the frame's {@link DataFrame#sha256} is null (see {@link #checksum}). */
    public ReadOptions withoutChecksum() {
        return new ReadOptions(delimiter, types, otherColumns, otherColumnsUntrimmed, labelColumns, false);
    }

    /** The defaults, with {@code target} read as a label column: how every reader of labelled data reads it. */
    public static ReadOptions labelled(String target) {
        return target == null ? defaults() : defaults().withLabelColumns(Set.of(target));
    }
}
