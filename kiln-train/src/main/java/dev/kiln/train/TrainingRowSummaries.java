package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.Profiler;
import dev.kiln.data.Sketcher;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.profile.DatasetSketch;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the bundle records of the training rows: their profile (every column) and the sketch of each feature column
 * (the chosen model's input columns are picked from them once it is chosen). Taken before the fits, so the run's frame
 * need not be held through them, and column by column: each column's training rows are selected only while that
 * column is summarised, never a frame of every column's training rows at once (at 1M rows x 21 columns that copy was
 * 134 MB). The figures are those of {@link Profiler#profile(DataFrame)} and {@link Sketcher#sketch(DataFrame)} on
 * {@code frame.select(rows)}, bit for bit: both summarise each column on its own, its values in row order.
 *
 * @param profile  {@code Profiler.profile(frame.select(rows))}
 * @param rows     how many training rows
 * @param features the sketch of each feature column of the training rows, in the frame's order
 */
record TrainingRowSummaries(DatasetProfile profile, int rows, List<ColumnSketch> features) {

    static TrainingRowSummaries of(DataFrame frame, int[] rows, List<String> featureColumns) {
        List<DataColumn> all = frame.columns();
        ColumnSummary[] summaries = new ColumnSummary[all.size()];
        IntStream.range(0, all.size()).parallel().forEach(i -> {
            DataColumn column = all.get(i).select(rows);
            ColumnSketch sketch = featureColumns.contains(column.name())
                    ? Sketcher.sketch(new DataFrame(List.of(column), frame.source(), frame.sha256())).columns().get(0)
                    : null;
            summaries[i] = new ColumnSummary(Profiler.profile(column), sketch);
        });
        List<ColumnProfile> profiles = java.util.Arrays.stream(summaries).map(ColumnSummary::profile).toList();
        List<ColumnSketch> sketches = java.util.Arrays.stream(summaries).map(ColumnSummary::sketch)
                .filter(java.util.Objects::nonNull).toList();
        return new TrainingRowSummaries(new DatasetProfile(frame.source(), frame.sha256(), rows.length, profiles),
                rows.length, sketches);
    }

    /** {@code Sketcher.sketch(frame.select(rows))} of the named columns only, in the frame's order. */
    DatasetSketch sketch(List<String> columns) {
        List<ColumnSketch> chosen = features.stream().filter(s -> columns.contains(s.name())).toList();
        // A frame without columns has no rows: so the sketch of none of its columns counted none, as before.
        return new DatasetSketch(chosen.isEmpty() ? 0 : rows, chosen);
    }

    private record ColumnSummary(ColumnProfile profile, ColumnSketch sketch) {
    }
}
