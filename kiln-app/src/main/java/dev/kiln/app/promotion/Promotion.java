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
import java.util.Optional;

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

    /**
     * As above, recording {@code actor} (e.g. an API token's name) as who moved the alias. Through a protected alias's
     * gates: the rules (the model's {@code gate.*} tags and the policy's) are validated against the candidate's task first
     * (invalid_argument naming the rule); the current holder is scored on the candidate's test rows
     * ({@link HeadToHead#compare(ModelRegistry, ModelVersion, ModelVersion)}); the candidate's latest
     * {@link LiveEvidence} is read from the history. The move's {@code alias_set} event records the gate table
     * ({@code details.checks}) and, past failed gates, {@code forced} and {@code failed_checks}.
     */
    public static Outcome moveAlias(ModelRegistry registry, String model, String alias, int version, Policy policy,
                                    boolean force, String reason, String actor) {
        RegisteredModel m = requireModel(registry, model);
        ModelVersion candidate = registry.version(model, version);
        Integer from = m.aliases().get(alias);
        Gated gated = gate(registry, m, alias, from, candidate, policy);
        List<Gates.Check> checks = gated.checks();
        Map<String, Object> details = new LinkedHashMap<>(gated.details());
        boolean passed = checks.stream().allMatch(Gates.Check::passed);
        if (!passed && !force) {
            return new Outcome(false, from, version, checks, false);
        }
        if (!passed && (reason == null || reason.isBlank())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--force needs --reason \"...\": overriding a gate is recorded with its reason");
        }
        if (!passed) {
            details.put("forced", true);
            details.put("failed_checks", checks.stream().filter(c -> !c.passed()).map(Gates.Check::name).toList());
        }
        registry.setAlias(model, alias, version, actor, reason, details);
        return new Outcome(true, from, version, checks, !passed);
    }

    /** The checks of a move and what its event records of them ({@code checks}, {@code head_to_head}). */
    public record Gated(List<Gates.Check> checks, Map<String, Object> details) {
    }

    /**
     * The gates moving {@code alias} of {@code m} from {@code from} (null: free) to {@code candidate} must pass, without
     * moving anything (none for an alias that is not protected): what {@link #moveAlias} checks, and what a rollout
     * checks before it touches a server.
     */
    public static Gated gate(ModelRegistry registry, RegisteredModel m, String alias, Integer from, ModelVersion candidate,
                             Policy policy) {
        if (!Gates.isProtected(m.tags(), alias)) {
            return new Gated(List.of(), Map.of());
        }
        int version = candidate.version();
        BundleManifest candidateManifest = manifest(registry, candidate);
        List<Gates.Threshold> thresholds = rules(m, candidateManifest, policy);
        Gates.Holder holder = from == null || from == version ? new Gates.Holder.None()
                : holder(registry, candidate, registry.version(m.name(), from));
        Optional<LiveEvidence> live = LiveEvidence.latest(registry.history(m.name()), version);
        List<Gates.Check> checks = Gates.evaluate(candidateManifest, holder, thresholds, policy.minLift(),
                policy.maxRegression(), live);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("checks", checks.stream().map(Gates.Check::toDetails).toList());
        if (holder instanceof Gates.Holder.Scored s) {
            details.put("head_to_head", Map.of("holder_version", s.version(), "rows", s.result().rows(),
                    "dataset_sha256", String.valueOf(s.result().datasetSha256())));
        }
        return new Gated(checks, details);
    }

    /** The model's gate tags, then the policy's rules, each validated against the candidate's task. */
    private static List<Gates.Threshold> rules(RegisteredModel m, BundleManifest candidate, Policy policy) {
        boolean hasCost = HeadToHead.hasCost(candidate);
        List<Gates.Threshold> thresholds = new ArrayList<>();
        Gates.fromTags(m.tags()).forEach((tag, t) -> {
            Gates.validate(List.of(t), candidate.task(), hasCost, "model tag '" + tag + "' (fix it with kiln models tag "
                    + m.name() + " " + tag + " ... or --remove)");
            thresholds.add(t);
        });
        Gates.validate(policy.thresholds(), candidate.task(), hasCost);
        thresholds.addAll(policy.thresholds());
        return thresholds;
    }

    /** The holder scored next to the candidate; whatever prevents it is a failed check saying why, never a fallback. */
    static Gates.Holder holder(ModelRegistry registry, ModelVersion candidate, ModelVersion holder) {
        try {
            return new Gates.Holder.Scored(holder.version(), HeadToHead.compare(registry, candidate, holder));
        } catch (KilnException e) {
            return new Gates.Holder.Unscorable(holder.version(), e.getMessage());
        }
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
