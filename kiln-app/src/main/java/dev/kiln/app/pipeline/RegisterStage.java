package dev.kiln.app.pipeline;

import dev.kiln.store.ModelVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Register: the candidate becomes the model's next version, pointing to its training run (and through it to the dataset
 * version). Registering is idempotent: when a process was killed after the registry committed but before the stage was
 * recorded, the next run finds the version holding this bundle from this training run and takes it, instead of
 * registering a twin.
 */
final class RegisterStage implements StageWork {
    @Override
    public Stage stage() {
        return Stage.REGISTER;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("candidate", ctx.bundleSha);
        parts.put("model", ctx.spec.name());
        return StageKey.of("register", parts);
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        Optional<ModelVersion> existing = existing(ctx);
        ModelVersion v = existing.orElseGet(() -> ctx.store.registry().register(ctx.spec.name(), ctx.bundle, ctx.trainRunId,
                ctx.actor, "kiln pipeline run " + ctx.runId));
        ctx.version = v.version();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", v.model());
        out.put("version", v.version());
        return StageOutcome.done(out, existing.isPresent() ? "already registered as " + v.model() + ":" + v.version()
                : "registered " + v.model() + ":" + v.version());
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        int version = ((Number) output.get("version")).intValue();
        boolean present = ctx.store.registry().model(ctx.spec.name()).isPresent()
                && ctx.store.registry().versions(ctx.spec.name()).stream().anyMatch(v -> v.version() == version
                && v.bundleSha256().equals(ctx.bundleSha));
        if (!present) {
            return "version " + version + " is not in the registry";
        }
        ctx.version = version;
        return null;
    }

    @Override
    public String summary(Map<String, Object> output) {
        return output.get("model") + ":" + output.get("version");
    }

    private static Optional<ModelVersion> existing(RunContext ctx) {
        if (ctx.store.registry().model(ctx.spec.name()).isEmpty()) {
            return Optional.empty();
        }
        return ctx.store.registry().versions(ctx.spec.name()).stream()
                .filter(v -> v.bundleSha256().equals(ctx.bundleSha) && ctx.trainRunId.equals(v.sourceRunId()))
                .findFirst();
    }
}
