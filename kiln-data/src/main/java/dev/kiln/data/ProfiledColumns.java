package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.util.List;
import java.util.function.Supplier;

/**
 * The profile of columns handed over chunk by chunk: a numeric column's present values are kept in row order in one
 * array ({@link GrowingDoubles}, sized by the rows the reader expects), then every column is profiled on every core
 * ({@link Profiler#numeric} sorts that array in place; a column built whole is profiled as the frame's would be). The
 * same profile as reading the file whole and profiling the frame, without the frame and the copy of each column the
 * profile of a frame sorts.
 */
final class ProfiledColumns implements ChunkedColumns<DatasetProfile> {
    private final String source;
    private final Supplier<String> sha256;
    private final GrowingDoubles[] numbers;
    private long expectedRows;

    /** {@code sha256} gives the file's hash once the columns are in (computed meanwhile, or null when not asked). */
    ProfiledColumns(int width, String source, Supplier<String> sha256) {
        this.source = source;
        this.sha256 = sha256;
        this.numbers = new GrowingDoubles[width];
    }

    @Override
    public void expectRows(long rows) {
        expectedRows = rows;
    }

    @Override
    public void numbers(int c) {
        numbers[c] = new GrowingDoubles();
    }

    @Override
    public void add(int c, double[] values, int n) {
        if (!numbers[c].addPresent(values, n, expectedRows)) {
            throw new IllegalStateException("a column of more values than an array holds"); // declined: read whole
        }
    }

    @Override
    public DatasetProfile result(long rows, List<String> names, ColumnType[] types, DataColumn[] built) {
        ColumnProfile[] columns = new ColumnProfile[names.size()];
        Profiler.eachOnEveryCore(columns.length, (c, work) -> {
            if (built[c] != null) {
                columns[c] = Profiler.profile(built[c], work);
                built[c] = null;
            } else {
                GrowingDoubles values = numbers[c];
                numbers[c] = null; // garbage once profiled
                columns[c] = Profiler.numeric(names.get(c), types[c], null, values.array(), values.size(),
                        rows - values.size(), work.sort);
            }
        });
        return new DatasetProfile(source, sha256.get(), rows, List.of(columns));
    }
}
