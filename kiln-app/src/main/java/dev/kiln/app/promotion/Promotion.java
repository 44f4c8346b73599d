package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Moving an alias, through the gates when the alias is protected. */
public final class Promotion {
    private Promotion() {
    }

    public record Outcome(boolean moved, Integer from, int to, List<Gates.Check> checks, boolean forced) {
        public boolean gated() {
            return !checks.isEmpty();
        }
    }

    public record Policy(List<Gates.Threshold> thresholds, double minLift, double maxRegression) {
        public static Policy defaults() {
            return new Policy(List.of(), 0.0, 0.02);
        }
    }

    public static String actor() {
        return System.getProperty("user.name", "unknown");
    }

    public static Outcome moveAlias(ModelRegistry registry, String model, String alias, int version, Policy policy,
                                    boolean force, String reason) {
        return moveAlias(registry, model, alias, version, policy, force, reason, actor());
    }

    /** As above, recording {@code actor} (e.g. an API token's name) as who moved the alias. */
    public static Outcome moveAlias(ModelRegistry registry, String model, String alias, int version, Policy policy,
                                    boolean force, String reason, String actor) {
        RegisteredModel m = requireModel(registry, model);
        ModelVersion candidate = registry.version(model, version);
        Integer from = m.aliases().get(alias);
        List<Gates.Check> checks = new ArrayList<>();
        if (Gates.isProtected(m.tags(), alias)) {
            BundleManifest candidateManifest = manifest(registry, candidate);
            BundleManifest current = from == null || from == version ? null : manifest(registry, registry.version(model, from));
            List<Gates.Threshold> thresholds = new ArrayList<>(Gates.fromTags(m.tags()));
            thresholds.addAll(policy.thresholds());
            checks = Gates.evaluate(candidateManifest, current, thresholds, policy.minLift(), policy.maxRegression());
        }
        boolean passed = checks.stream().allMatch(Gates.Check::passed);
        if (!passed && !force) {
            return new Outcome(false, from, version, checks, false);
        }
        if (!passed && (reason == null || reason.isBlank())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--force needs --reason \"...\": overriding a gate is recorded with its reason");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (!passed) {
            details.put("forced", true);
            details.put("failed_checks", checks.stream().filter(c -> !c.passed()).map(Gates.Check::name).toList());
        }
        registry.setAlias(model, alias, version, actor, reason, details);
        return new Outcome(true, from, version, checks, !passed);
    }

    /** The registered model called {@code name}; model_not_found when there is none, invalid_argument for a bad name. */
    public static RegisteredModel requireModel(ModelRegistry registry, String name) {
        return registry.model(ModelRef.checkName(name, name)).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "no registered model '" + name + "'", Map.of("model", name)));
    }

    public static BundleManifest manifest(ModelRegistry registry, ModelVersion version) {
        return BundleReader.read(registry.bundlePath(version)).manifest();
    }
}
