package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.Artifact;
import dev.kiln.store.KilnStore;
import dev.kiln.store.Run;
import dev.kiln.store.TrackingStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Its verbs are listed in {@link Cli#VERBS}, which adds them when the command line is built. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Tracked training runs: list, show, compare.")
final class RunsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Run find(TrackingStore tracking, String id) {
        return tracking.run(id.trim()).orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND,
                "no run '" + id + "' (see kiln runs list)", Map.of("run", id)));
    }

    static String duration(Run r) {
        if (r.endedAt() == null) {
            return "";
        }
        Duration d = Duration.between(r.startedAt(), r.endedAt());
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first (searches, with their candidates indented).")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--experiment", paramLabel = "NAME", description = "only this experiment")
        String experiment;
        @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "at most N runs (default: ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--json", description = "print JSON")
        boolean json;
        @Option(names = "--trials", description = "also list the search's trials (child runs of each candidate's run)")
        boolean trials;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                s.tracking().reapDeadRuns();
                // A search records dozens of trials per training run; without --trials they are left out, so the
                // newest N runs are the runs a person started and their candidates.
                List<Run> runs = trials ? s.tracking().runs(experiment, limit)
                        : s.tracking().runs(experiment, (int) Math.min((long) limit * 50, 100_000)).stream()
                        .filter(r -> !"trial".equals(r.tags().get("kiln.kind"))).limit(Math.max(0, limit)).toList();
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, runs);
                } else if (runs.isEmpty()) {
                    out.println("no runs yet (kiln train records one)");
                } else {
                    Table t = new Table("run", "experiment", "name", "status", "started", "took", "chosen");
                    for (Run r : runs) {
                        t.row(r.id(), r.experiment(), (r.parentRunId() == null ? "" : "  ") + r.name(),
                                r.status().name().toLowerCase(), r.startedAt(), duration(r), r.tags().getOrDefault("kiln.chosen", ""));
                    }
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a run: parameters, metrics, tags, artifacts, candidates.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(paramLabel = "RUN_ID")
        String id;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                TrackingStore tracking = s.tracking();
                Run r = find(tracking, id);
                List<Artifact> artifacts = tracking.artifacts(r.id());
                List<Run> children = tracking.childRuns(r.id());
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run", r);
                    m.put("artifacts", artifacts);
                    m.put("children", children);
                    Reports.json(out, m);
                } else {
                    out.println("run " + r.id() + " (" + r.name() + ") in experiment " + r.experiment() + ": "
                            + r.status().name().toLowerCase() + ", started " + r.startedAt() + (r.endedAt() == null ? "" : ", took " + duration(r)));
                    if (r.parentRunId() != null) {
                        out.println("parent run: " + r.parentRunId());
                    }
                    out.println();
                    Table p = new Table("parameter", "value");
                    new java.util.TreeMap<>(r.params()).forEach(p::row);
                    out.print(p.render());
                    out.println();
                    Table m = new Table("metric", "value");
                    new java.util.TreeMap<>(r.latestMetrics()).forEach((k, v) -> m.row(k, Table.num(v, 4)));
                    out.print(m.render());
                    if (!r.tags().isEmpty()) {
                        out.println();
                        Table t = new Table("tag", "value");
                        new java.util.TreeMap<>(r.tags()).forEach(t::row);
                        out.print(t.render());
                    }
                    if (!artifacts.isEmpty()) {
                        out.println();
                        Table a = new Table("artifact", "kind", "sha256", "bytes");
                        artifacts.forEach(x -> a.row(x.name(), x.kind(), x.sha256(), x.sizeBytes()));
                        out.print(a.render());
                    }
                    if (!children.isEmpty()) {
                        out.println();
                        Table c = new Table("candidate run", "name", "status", "chosen");
                        children.forEach(x -> c.row(x.id(), x.name(), x.status().name().toLowerCase(), x.tags().getOrDefault("kiln.chosen", "")));
                        out.print(c.render());
                    }
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true, description = "Parameters and metrics of several runs side by side.")
    static final class Compare implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(paramLabel = "RUN_ID", arity = "2..*")
        List<String> ids;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                List<Run> runs = new ArrayList<>();
                for (String id : ids) {
                    runs.add(find(s.tracking(), id));
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, runs);
                } else {
                    String[] header = new String[runs.size() + 1];
                    header[0] = "";
                    for (int i = 0; i < runs.size(); i++) {
                        header[i + 1] = runs.get(i).name() + " " + runs.get(i).id().substring(0, Math.min(8, runs.get(i).id().length()));
                    }
                    Table t = new Table(header);
                    TreeSet<String> params = new TreeSet<>();
                    TreeSet<String> metrics = new TreeSet<>();
                    runs.forEach(r -> {
                        params.addAll(r.params().keySet());
                        metrics.addAll(r.latestMetrics().keySet());
                    });
                    for (String k : params) {
                        Object[] row = new Object[header.length];
                        row[0] = "param " + k;
                        for (int i = 0; i < runs.size(); i++) {
                            row[i + 1] = runs.get(i).params().getOrDefault(k, "");
                        }
                        t.row(row);
                    }
                    for (String k : metrics) {
                        Object[] row = new Object[header.length];
                        row[0] = "metric " + k;
                        for (int i = 0; i < runs.size(); i++) {
                            Double v = runs.get(i).latestMetrics().get(k);
                            row[i + 1] = v == null ? "" : Table.num(v, 4);
                        }
                        t.row(row);
                    }
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }
}
