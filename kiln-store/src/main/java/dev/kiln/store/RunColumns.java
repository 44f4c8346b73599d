package dev.kiln.store;

import java.util.List;

/** The distinct parameter, metric and tag keys of a set of runs, sorted: what a run table can show as columns. */
public record RunColumns(List<String> params, List<String> metrics, List<String> tags) {
    public RunColumns {
        params = List.copyOf(params);
        metrics = List.copyOf(metrics);
        tags = List.copyOf(tags);
    }
}
