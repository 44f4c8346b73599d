package dev.kiln.runtime.profile;

import java.util.List;
import java.util.Optional;

/** The profile of a dataset: where it came from, its version (SHA-256 of its bytes) and per-column statistics. */
public record DatasetProfile(String source, String sha256, long rows, List<ColumnProfile> columns) {
    public DatasetProfile {
        columns = List.copyOf(columns);
    }

    public Optional<ColumnProfile> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
