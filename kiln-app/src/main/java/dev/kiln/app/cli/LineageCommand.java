package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "lineage", mixinStandardHelpOptions = true,
        description = "Where a model version came from: dataset version -> training run -> model version -> aliases, with times.")
final class LineageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;
    @Parameters(paramLabel = "REF", description = "NAME, NAME@ALIAS or NAME:VERSION")
    String ref;
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        try (KilnStore s = store.open()) {
            ModelVersion v = s.registry().resolve(ModelRef.parse(ref));
            RegisteredModel model = s.registry().model(v.model()).orElseThrow();
            BundleManifest manifest = Promotion.manifest(s.registry(), v);
            Lineage l = manifest.lineage();
            Run run = v.sourceRunId() == null ? null : s.tracking().run(v.sourceRunId()).orElse(null);
            List<Map<String, Object>> aliases = new ArrayList<>();
            for (ModelEvent e : s.registry().history(v.model())) {
                if (e.type().equals("alias_set") && model.aliases().get(e.alias()) != null
                        && model.aliases().get(e.alias()) == v.version() && e.version() != null && e.version() == v.version()) {
                    aliases.removeIf(a -> a.get("alias").equals(e.alias()));
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("alias", e.alias());
                    a.put("since", e.at().toString());
                    a.put("by", e.actor());
                    aliases.add(a);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dataset", Map.of("sha256", l.datasetSha256(), "source", l.datasetSource(), "rows", l.datasetRows()));
                if (run != null) {
                    m.put("run", Map.of("id", run.id(), "experiment", run.experiment(), "status", run.status().name().toLowerCase(),
                            "started", run.startedAt().toString()));
                }
                m.put("model", Map.of("name", v.model(), "version", v.version(), "bundle_sha256", v.bundleSha256(),
                        "algorithm", v.algorithm(), "registered", v.createdAt().toString()));
                if (l.parent() != null) {
                    m.put("parent", Map.of("version", l.parent().version(), "bundle_sha256", l.parent().bundleSha256()));
                }
                m.put("aliases", aliases);
                m.put("code", Map.of("kiln_version", l.kilnVersion(), "git_commit", l.gitCommit() == null ? "" : l.gitCommit()));
                Reports.json(out, m);
            } else {
                out.println("dataset  " + l.datasetSha256() + "  " + l.datasetSource() + "  (" + l.datasetRows() + " rows)");
                if (run != null) {
                    out.println("  -> run    " + run.id() + "  experiment " + run.experiment() + ", "
                            + run.status().name().toLowerCase() + ", started " + run.startedAt());
                } else {
                    out.println("  -> run    " + (v.sourceRunId() == null ? "(none recorded)" : v.sourceRunId() + " (not in this store)"));
                }
                out.println("    -> model  " + v.model() + ":" + v.version() + "  " + v.algorithm() + ", registered " + v.createdAt()
                        + " by " + v.createdBy() + ", bundle sha256 " + v.bundleSha256());
                if (l.parent() != null) {
                    out.println("       warm start: continued " + l.parent().version() + " (bundle sha256 "
                            + l.parent().bundleSha256() + ")");
                }
                if (aliases.isEmpty()) {
                    out.println("      -> aliases  (none)");
                }
                for (Map<String, Object> a : aliases) {
                    out.println("      -> alias  " + a.get("alias") + "  since " + a.get("since") + " (by " + a.get("by") + ")");
                }
                out.println("code: kiln " + l.kilnVersion() + (l.gitCommit() == null || l.gitCommit().isBlank() ? "" : ", commit " + l.gitCommit())
                        + "; seed " + l.seed() + "; parameters " + l.parameters());
            }
            out.flush();
        }
        return 0;
    }
}
