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
 * The bundle's reference profile and input sketches of the training rows, computed column by column: each column's
 * training rows are selected only while that column is profiled or sketched, never a frame of every column's training
 * rows at once (at 1M rows x 21 columns that copy was 134 MB at the end of a run, on top of the whole frame). The
 * figures are those of {@link Profiler#profile(DataFrame)} and {@link Sketcher#sketch(DataFrame)} on
 * {@code frame.select(rows)}, bit for bit: both summarise each column on its own, its values in row order.
 */
final class TrainingRowSummaries {
    private TrainingRowSummaries() {
    }

    /** {@code Profiler.profile(frame.select(rows))}. */
    static DatasetProfile profile(DataFrame frame, int[] rows) {
        List<DataColumn> all = frame.columns();
        List<ColumnProfile> columns = IntStream.range(0, all.size()).parallel()
                .mapToObj(i -> Profiler.profile(all.get(i).select(rows))).toList();
        return new DatasetProfile(frame.source(), frame.sha256(), rows.length, columns);
    }

    /** {@code Sketcher.sketch(frame.select(rows))} of the named columns only, in the frame's order. */
    static DatasetSketch sketch(DataFrame frame, int[] rows, List<String> names) {
        List<DataColumn> chosen = frame.columns().stream().filter(c -> names.contains(c.name())).toList();
        List<ColumnSketch> columns = IntStream.range(0, chosen.size()).parallel()
                .mapToObj(i -> Sketcher.sketch(new DataFrame(List.of(chosen.get(i).select(rows)), frame.source(),
                        frame.sha256())).columns().get(0)).toList();
        // A frame without columns has no rows: so the sketch of none of its columns counted none, as before.
        return new DatasetSketch(columns.isEmpty() ? 0 : rows.length, columns);
    }
}
