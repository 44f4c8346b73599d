package dev.kiln.store;

import java.util.List;

/**
 * One page of a run search: the page's runs (with their params, tags and latest metrics), how many runs match in
 * all, and the token of the next page (null on the last page).
 */
public record RunPage(List<Run> runs, long total, String nextPageToken) {
    public RunPage {
        runs = List.copyOf(runs);
    }
}
