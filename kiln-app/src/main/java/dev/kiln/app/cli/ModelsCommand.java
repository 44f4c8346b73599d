package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Its verbs are listed in {@link Cli#VERBS}, which adds them when the command line is built. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"The model registry: models, immutable versions, moving aliases, and the history of every change.",
                "References: NAME (its 'production' alias), NAME@ALIAS, NAME:VERSION."})
final class ModelsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Map<String, Object> describe(RegisteredModel model, ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.model());
        m.put("version", v.version());
        m.put("aliases", model.aliases().entrySet().stream().filter(e -> e.getValue() == v.version()).map(Map.Entry::getKey).sorted().toList());
        m.put("algorithm", v.algorithm());
        m.put("task", v.task());
        m.put("metrics", v.metrics());
        m.put("bundle_sha256", v.bundleSha256());
        m.put("source_run", v.sourceRunId());
        m.put("dataset_sha256", v.datasetSha256());
        m.put("created_by", v.createdBy());
        m.put("created_at", v.createdAt().toString());
        if (v.description() != null) {
            m.put("description", v.description());
        }
        return m;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered models with their latest version and aliases.")
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                List<RegisteredModel> models = s.registry().models();
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, models);
                } else if (models.isEmpty()) {
                    out.println("no registered models (register one with: kiln train ... --register NAME)");
                } else {
                    Table t = new Table("model", "latest", "aliases", "created");
                    for (RegisteredModel m : models) {
                        t.row(m.name(), m.latestVersion(), aliases(m.aliases()), m.createdAt());
                    }
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }

    static RegisteredModel requireModel(ModelRegistry registry, String name) {
        return Promotion.requireModel(registry, name);
    }

    static String aliases(Map<String, Integer> aliases) {
        return aliases.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one model version (default: the production alias).")
    static final class Show implements Callable<Integer> {
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
                ModelRegistry registry = s.registry();
                ModelVersion v = registry.resolve(ModelRef.parse(ref));
                RegisteredModel model = registry.model(v.model()).orElseThrow();
                Map<String, Object> d = describe(model, v);
                d.put("bundle", registry.bundlePath(v).toString());
                warmStartParent(registry, v).ifPresent(parent -> d.put("warm_start_from", parent));
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, d);
                } else {
                    d.forEach((k, val) -> out.println(k + ": " + val));
                }
                out.flush();
            }
            return 0;
        }
    }

    /** The version a warm-started version continued, from its bundle's lineage; empty when trained from scratch. */
    static java.util.Optional<String> warmStartParent(ModelRegistry registry, ModelVersion v) {
        try {
            var lineage = Promotion.manifest(registry, v).lineage();
            return java.util.Optional.ofNullable(lineage == null || lineage.parent() == null ? null : lineage.parent().version());
        } catch (dev.kiln.runtime.KilnException e) {
            return java.util.Optional.empty(); // a damaged bundle is reported where it is loaded, not by show
        }
    }

    @Command(name = "alias", mixinStandardHelpOptions = true,
            description = {"Point ALIAS of model NAME at VERSION. Rollback is moving it back; the history shows every move.",
                    "Moving 'production' runs the gates: thresholds (model tags gate.<metric>, and --require), lift over "
                            + "the run's baseline, no regression beyond --max-regression against the current holder (both "
                            + "scored on the candidate's test rows), and no live evidence (shadow, canary) that it is "
                            + "significantly worse. The table is recorded in the history."})
    static final class Alias implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;
        @Parameters(index = "2", paramLabel = "VERSION")
        int version;
        @Option(names = "--require", paramLabel = "RULE", description = "extra gate, e.g. roc_auc>=0.70 or cost_per_1000<=700 (repeatable); an unknown metric is an error")
        List<String> require = new ArrayList<>();
        @Option(names = "--min-lift", defaultValue = "0", paramLabel = "X", description = "required lift over the baseline on the selection metric (default: strictly better)")
        double minLift;
        @Option(names = "--max-regression", defaultValue = "0.02", paramLabel = "X", description = "allowed drop against the current holder (default: ${DEFAULT-VALUE})")
        double maxRegression;
        @Option(names = "--force", description = "move even if gates fail (needs --reason; recorded)")
        boolean force;
        @Option(names = "--reason", paramLabel = "TEXT", description = "why; recorded in the history")
        String reason;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            ModelRef.checkName(alias, alias);
            try (KilnStore s = store.open()) {
                Promotion.Policy policy = new Promotion.Policy(require.stream().map(Gates::parse).toList(), minLift, maxRegression);
                Promotion.Outcome o = Promotion.moveAlias(s.registry(), name, alias, version, policy, force, reason);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("model", name);
                    r.put("alias", alias);
                    r.put("from", o.from());
                    r.put("to", o.to());
                    r.put("moved", o.moved());
                    r.put("forced", o.forced());
                    r.put("checks", o.checks().stream().map(Gates.Check::toDetails).toList());
                    Reports.json(out, r);
                } else {
                    if (o.gated()) {
                        out.print(Reports.gates(o.checks()));
                    }
                    if (o.moved()) {
                        out.println(name + "@" + alias + ": " + (o.from() == null ? "(none)" : o.from()) + " -> " + o.to()
                                + (o.forced() ? " (FORCED past failed gates: " + reason + ")" : ""));
                    }
                }
                out.flush();
                if (!o.moved()) {
                    throw new KilnException(ErrorCode.GATE_FAILED, "refused to move " + name + "@" + alias + " to version " + version
                            + ": gates failed (" + o.checks().stream().filter(c -> !c.passed()).map(Gates.Check::name)
                            .collect(Collectors.joining(", ")) + "); use --force --reason \"...\" to override",
                            Map.of("model", name, "alias", alias, "version", version));
                }
            }
            return 0;
        }
    }

    @Command(name = "unalias", mixinStandardHelpOptions = true,
            description = {"Remove ALIAS from model NAME (recorded in the history). Servers following NAME@ALIAS as a canary or "
                    + "shadow stop it; a model served as NAME@ALIAS keeps its version."})
    static final class Unalias implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;
        @Option(names = "--reason", paramLabel = "TEXT", description = "why; recorded in the history")
        String reason;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            ModelRef.checkName(alias, alias);
            try (KilnStore s = store.open()) {
                Integer from = s.registry().model(name).map(m -> m.aliases().get(alias)).orElse(null);
                s.registry().removeAlias(name, alias, Promotion.actor(), reason);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("model", name);
                    r.put("alias", alias);
                    r.put("removed", true);
                    r.put("from", from);
                    Reports.json(out, r);
                } else {
                    out.println(name + "@" + alias + ": " + from + " -> (none)");
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "The append-only event log of a model: who, when, what, why.")
    static final class History implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                List<ModelEvent> events = s.registry().history(ModelRef.checkName(name, name));
                if (events.isEmpty()) {
                    throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "no registered model '" + name + "'", Map.of("model", name));
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, events);
                } else {
                    Table t = new Table("time", "event", "version", "alias", "actor", "reason", "details");
                    for (ModelEvent e : events) {
                        t.row(e.at(), e.type(), e.version(), e.alias(), e.actor(), e.reason(),
                                e.details() == null || e.details().isEmpty() ? "" : e.details());
                    }
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "card", mixinStandardHelpOptions = true, description = "Write a Markdown model card: intended use, data, metrics against the baseline, parameters, provenance.")
    static final class Card implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(paramLabel = "REF")
        String ref;
        @Option(names = "--out", paramLabel = "FILE", description = "write to FILE (default: print)")
        Path out;

        @Override
        public Integer call() throws IOException {
            try (KilnStore s = store.open()) {
                ModelRegistry registry = s.registry();
                ModelVersion v = registry.resolve(ModelRef.parse(ref));
                RegisteredModel model = registry.model(v.model()).orElseThrow();
                Bundle bundle = BundleReader.read(registry.bundlePath(v));
                String card = ModelCard.render(model, v, bundle, s.tracking().run(v.sourceRunId()).orElse(null));
                if (out == null) {
                    spec.commandLine().getOut().print(card);
                    spec.commandLine().getOut().flush();
                } else {
                    Path target = out.toAbsolutePath().normalize();
                    AtomicFiles.writeString(target, card);
                    spec.commandLine().getOut().println("wrote " + target);
                }
            }
            return 0;
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true,
            description = {"Set (or with --remove, remove) a tag on a model. Tags named gate.<metric> are promotion "
                    + "gates, e.g. gate.roc_auc '>=0.70'; the tag protected_aliases (comma-separated) names aliases "
                    + "that run the gates besides production."})
    static final class Tag implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;
        @Parameters(index = "2", paramLabel = "VALUE", arity = "0..1")
        String value;
        @Option(names = "--remove", description = "remove the tag")
        boolean remove;
        @Option(names = "--reason", paramLabel = "TEXT",
                description = "why (kept in the model's history with who and when; gate.* and protected_aliases changes are always recorded)")
        String reason;

        @Override
        public Integer call() {
            if (!remove && value == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "give a VALUE, or --remove");
            }
            if (key.startsWith("gate.") && !remove) {
                Gates.parse(key.substring("gate.".length()) + value);
            }
            try (KilnStore s = store.open()) {
                requireModel(s.registry(), name);
                s.registry().setTag(name, key, remove ? null : value, Promotion.actor(), reason);
            }
            spec.commandLine().getOut().println(remove ? "removed tag " + key + " from " + name : name + ": " + key + " = " + value);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Set a model's description (its intended use; the model card shows it).")
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                requireModel(s.registry(), name);
                s.registry().setDescription(name, text, Promotion.actor());
            }
            spec.commandLine().getOut().println("described " + name);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
