package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.ExperimentSummary;
import dev.kiln.store.Run;
import dev.kiln.store.RunColumns;
import dev.kiln.store.RunFilter;
import dev.kiln.store.RunKey;
import dev.kiln.store.RunOrder;
import dev.kiln.store.RunPage;
import dev.kiln.store.RunSearch;
import dev.kiln.store.TrackingStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Finding runs (the /runs and /compare pages): a search with a filter expression, an order and pages, the keys a
 * run table can show as columns, and the experiments with their run counts. All reads, for viewers. The filter's
 * grammar is in docs/ui.md; a malformed filter or order is 400 invalid_argument with its position.
 */
public final class RunSearchRoutes {
    private static final RunFilter NOT_A_TRIAL = new RunFilter.Not(RunFilter.parse("tags.kiln.kind = 'trial'"));
    private final TrackingStore tracking;

    public RunSearchRoutes(TrackingStore tracking) {
        this.tracking = tracking;
    }

    public List<Route> routes() {
        return List.of(
                new Route(GET, "/api/runs/search", role(VIEWER), this::search),
                new Route(GET, "/api/runs/columns", role(VIEWER), this::columns),
                new Route(GET, "/api/experiments", role(VIEWER), c -> experiments()));
    }

    /**
     * {@code ?experiment=&filter=&order_by=KEY [ASC|DESC] (repeatable)&page_size=&page_token=&columns=KEY,KEY&trials=}:
     * one page of
     * runs in the shape of {@code GET /api/runs/{id}}'s run, with only the listed params, metrics and tags when
     * {@code columns} is given; the total; the next page's token (null on the last page), the previous page's (null on
     * the first) and how many runs come before this page.
     */
    private Map<String, Object> search(Call c) {
        RunFilter filter = RunFilter.parse(c.query("filter"));
        List<RunOrder> orders = c.queries("order_by").stream().map(RunOrder::parse).toList();
        // A training run's search records dozens of trials as runs; they are left out unless asked for (trials=true).
        RunFilter applied = "true".equalsIgnoreCase(c.query("trials")) ? filter
                : filter instanceof RunFilter.All ? NOT_A_TRIAL : new RunFilter.And(filter, NOT_A_TRIAL);
        RunSearch search = new RunSearch(c.query("experiment"), applied, orders, pageSize(c.query("page_size")), c.query("page_token"));
        List<RunKey> columns = RunKey.parseList(c.query("columns"), "columns");
        RunPage page = tracking.search(search);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", page.runs().stream().map(r -> Views.run(columns.isEmpty() ? r : only(r, columns))).toList());
        m.put("total", page.total());
        m.put("next_page_token", page.nextPageToken());
        m.put("prev_page_token", search.previousPageToken());
        m.put("offset", search.offset());
        m.put("filter", filter.toString());
        m.put("order_by", search.orderBy().stream().map(RunOrder::toString).toList());
        return m;
    }

    private static int pageSize(String v) {
        if (v == null) {
            return RunSearch.DEFAULT_PAGE_SIZE;
        }
        try {
            return Integer.parseInt(v.trim()); // RunSearch checks the range
        } catch (NumberFormatException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter page_size='" + v + "' must be an integer from 1 to "
                    + RunSearch.MAX_PAGE_SIZE, Map.of("field", "page_size", "value", v));
        }
    }

    /** The run with only the params, metrics and tags named in {@code columns}. */
    private static Run only(Run r, List<RunKey> columns) {
        return new Run(r.id(), r.experiment(), r.parentRunId(), r.name(), r.status(), r.startedAt(), r.endedAt(), r.host(), r.pid(),
                keep(r.params(), names(columns, RunKey.Kind.PARAM)), keep(r.tags(), names(columns, RunKey.Kind.TAG)),
                keep(r.latestMetrics(), names(columns, RunKey.Kind.METRIC)));
    }

    private static Set<String> names(List<RunKey> columns, RunKey.Kind kind) {
        return columns.stream().filter(k -> k.kind() == kind).map(RunKey::name).collect(Collectors.toSet());
    }

    private static <V> Map<String, V> keep(Map<String, V> values, Set<String> names) {
        Map<String, V> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private Map<String, Object> columns(Call c) {
        RunColumns cols = tracking.columns(c.query("experiment"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("params", cols.params());
        m.put("metrics", cols.metrics());
        m.put("tags", cols.tags());
        return m;
    }

    private Map<String, Object> experiments() {
        return Map.of("experiments", tracking.experiments().stream().map(RunSearchRoutes::experiment).toList());
    }

    private static Map<String, Object> experiment(ExperimentSummary e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("name", e.name());
        m.put("created_at", Views.time(e.createdAt()));
        m.put("runs", e.runs());
        m.put("last_run_at", Views.time(e.lastRunAt()));
        return m;
    }
}
