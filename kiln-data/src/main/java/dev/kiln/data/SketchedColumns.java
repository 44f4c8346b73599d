package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sketches of columns handed over chunk by chunk: a numeric column's values go into its quantile sketch in row order,
 * as a sketch of the whole column would take them; a column built whole is sketched at the end
 * ({@link Sketcher#sketch(DataColumn, int, int)}). The same sketches and types as reading the file whole and sketching
 * the frame.
 */
final class SketchedColumns implements ChunkedColumns<Sketcher.Typed> {
    private final int k;
    private final int maxCategories;
    private final QuantileSketch[] quantiles;

    SketchedColumns(int width, int k, int maxCategories) {
        this.k = k;
        this.maxCategories = maxCategories;
        this.quantiles = new QuantileSketch[width];
    }

    @Override
    public void numbers(int c) {
        quantiles[c] = new QuantileSketch(k);
    }

    @Override
    public void add(int c, double[] values, int n) {
        quantiles[c].addAllPresent(values, 0, n);
    }

    @Override
    public Sketcher.Typed result(long rows, List<String> names, ColumnType[] types, DataColumn[] built) {
        List<ColumnSketch> columns = new ArrayList<>(names.size());
        Map<String, ColumnType> typed = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            ColumnSketch sketch = built[c] != null ? Sketcher.sketch(built[c], k, maxCategories)
                    : new ColumnSketch(names.get(c), types[c], rows - quantiles[c].count(), quantiles[c], null);
            built[c] = null;
            columns.add(sketch);
            typed.put(names.get(c), sketch.type());
        }
        return new Sketcher.Typed(new DatasetSketch(rows, columns), typed);
    }
}
