package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models a server answers for, by name. Each name holds one loaded model and its version label in an
 * {@link AtomicReference}: a request takes a {@link Served} snapshot once and uses it to the end, so a swap
 * ({@link #load}) never disturbs a request in flight, which finishes on the model it started with.
 * A load that fails leaves the model already served (if any) in place and is remembered ({@link #lastError}).
 */
public final class ModelHost {

    /** One loaded model under a name, with the version label it is served as. */
    public record Served(String name, String version, KilnModel model) {
        public Served {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(model, "model");
        }
    }

    private final Map<String, AtomicReference<Served>> models = new ConcurrentHashMap<>();
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
    /** The out-of-range checks of the model last put under each name, computed once per load. */
    private final Map<String, ModelChecks> checks = new ConcurrentHashMap<>();

    private record ModelChecks(KilnModel model, InputChecks checks) {
    }

    /**
     * Loads the bundle at {@code bundleDir} and serves it as {@code name} at {@code version}, replacing the
     * model served under that name (atomically). On failure the old model keeps serving, the failure is
     * recorded for {@link #lastError} and rethrown as a {@link KilnException}.
     */
    public Served load(String name, Path bundleDir, String version) {
        checkName(name);
        if (version == null || version.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a model version label must not be blank", Map.of("model", name));
        }
        // Registered before loading so that readiness reports a name whose first load failed as not ready.
        AtomicReference<Served> slot = models.computeIfAbsent(name, n -> new AtomicReference<>());
        KilnModel model;
        try {
            model = KilnModel.load(bundleDir);
        } catch (KilnException e) {
            lastErrors.put(name, e.getMessage());
            throw new KilnException(e.code(), "cannot load model '" + name + "' version " + version + " from " + bundleDir + ": "
                    + e.getMessage() + (slot.get() == null ? "" : " (still serving version " + slot.get().version() + ")"),
                    withModel(e.details(), name, version), e);
        } catch (RuntimeException e) {
            lastErrors.put(name, String.valueOf(e.getMessage()));
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot load model '" + name + "' version " + version + " from "
                    + bundleDir + ": " + e, withModel(Map.of(), name, version), e);
        }
        return put(name, model, version);
    }

    /** Serves an already loaded model as {@code name} at {@code version} (atomic swap). */
    public Served put(String name, KilnModel model, String version) {
        checkName(name);
        Served served = new Served(name, version, model);
        checks.put(name, new ModelChecks(model, InputChecks.of(model)));  // before the swap: requests find them ready
        models.computeIfAbsent(name, n -> new AtomicReference<>()).set(served);
        lastErrors.remove(name);
        return served;
    }

    /**
     * The out-of-range checks of a served snapshot: those computed when it was put, or (a snapshot taken just
     * before a swap, or a model put by other means) computed now.
     */
    InputChecks checks(Served served) {
        ModelChecks c = checks.get(served.name());
        return c != null && c.model() == served.model() ? c.checks() : InputChecks.of(served.model());
    }

    /** The model served as {@code name} now, if any. */
    public Optional<Served> get(String name) {
        AtomicReference<Served> slot = models.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.get());
    }

    /** Every name registered (loaded, or whose load was tried), sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>(models.keySet());
        Collections.sort(names);
        return names;
    }

    /** True when at least one model is registered and every registered name has a loaded model. */
    public boolean ready() {
        if (models.isEmpty()) {
            return false;
        }
        for (AtomicReference<Served> slot : models.values()) {
            if (slot.get() == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops serving {@code name}: new requests get 404; a request that already took its snapshot finishes on it.
     *
     * @return the snapshot that was served, if any
     */
    public Optional<Served> remove(String name) {
        AtomicReference<Served> slot = models.remove(name);
        checks.remove(name);
        lastErrors.remove(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.get());
    }

    /**
     * Records a failed load of {@code name} that happened outside {@link #load} (a registry follower's
     * background load): the model served, if any, stays; {@link #lastError} reports it until a swap.
     */
    public void recordError(String name, String message) {
        checkName(name);
        lastErrors.put(name, String.valueOf(message));
    }

    /** The message of the last failed load of {@code name}, cleared by a successful one. */
    public Optional<String> lastError(String name) {
        return Optional.ofNullable(lastErrors.get(name));
    }

    private static Map<String, Object> withModel(Map<String, Object> details, String name, String version) {
        Map<String, Object> d = new LinkedHashMap<>(details);
        d.put("model", name);
        d.put("version", version);
        return d;
    }

    private static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model name '" + name
                    + "' must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit", Map.of());
        }
    }
}
