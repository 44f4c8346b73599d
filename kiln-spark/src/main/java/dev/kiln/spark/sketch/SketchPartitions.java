package dev.kiln.spark.sketch;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * The task Spark runs on each partition: every row's columns fed to one {@link ColumnPartial} each, then the
 * partition's sketches returned as one JSON string. Task results cross to the driver through Spark's serializer, so
 * they are text in Kiln's own sketch format ({@code QuantileSketch.State}, {@code CategoryCounts.State}, the form a
 * bundle's reference sketch is stored in), never Java-serialized Kiln objects. This function itself carries only
 * names, positions, type names and two sizes.
 */
final class SketchPartitions implements MapPartitionsFunction<Row, String> {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final int[] positions;
    /** Per column, the wire name of its forced type, or null to infer it. */
    private final String[] forced;
    private final int k;
    private final int maxCategories;
    private final boolean countDistinct;

    SketchPartitions(String[] names, int[] positions, String[] forced, int k, int maxCategories, boolean countDistinct) {
        this.names = names.clone();
        this.positions = positions.clone();
        this.forced = forced.clone();
        this.k = k;
        this.maxCategories = maxCategories;
        this.countDistinct = countDistinct;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws JsonProcessingException {
        ColumnPartial[] columns = new ColumnPartial[names.length];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = new ColumnPartial(names[c], forced[c] == null ? null
                    : ColumnType.valueOf(forced[c].toUpperCase(Locale.ROOT)), k, maxCategories, countDistinct);
        }
        long count = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            for (int c = 0; c < columns.length; c++) {
                columns[c].add(row.get(positions[c]));
            }
            count++;
        }
        List<ColumnPartial.State> states = new ArrayList<>(columns.length);
        for (ColumnPartial c : columns) {
            states.add(c.state());
        }
        return List.of(Json.mapper().writeValueAsString(new Partition(count, states))).iterator();
    }

    /** One partition's rows and column sketches. */
    record Partition(long rows, List<ColumnPartial.State> columns) {
    }
}
