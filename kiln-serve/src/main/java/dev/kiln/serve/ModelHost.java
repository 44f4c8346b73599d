package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.serve.traffic.RouteBuckets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models a server answers for, by name. Each name holds one loaded model and its version label in a
 * volatile field: a request takes a {@link Served} snapshot once and uses it to the end, so a swap
 * ({@link #load}) never disturbs a request in flight, which finishes on the model it started with.
 * A load that fails leaves the model already served (if any) in place and is remembered ({@link #lastError}).
 *
 * <p>A name may also hold a <em>canary</em>: a second model (another version, usually) that answers a share of the
 * name's scoring requests ({@link #route}). Its answers, metrics and log records carry the name and the canary's
 * version, so that the two versions are compared on the same traffic (and, through feedback, on the same labels).
 * The share is drawn from a routing key: requests with the same key always go the same way (an A/B test by
 * customer), requests without one are drawn at random. Removing the name removes its canary.
 *
 * <p>A name may also hold a <em>shadow</em>: a model that scores a copy of every scoring request of the name off the
 * response path (see {@link dev.kiln.serve.traffic.ShadowScorer}); its answers are never sent, only logged and counted. Instead of a
 * canary, a name may route its requests through a {@link Bandit} over several versions, which moves traffic to the
 * version whose answers earn the most reward.
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

    /** A canary of a name: the model, its out-of-range checks and the share of requests it answers (basis points). */
    public record Canary(Served served, int basisPoints, InputChecks checks) {
        public Canary {
            Objects.requireNonNull(served, "served");
            if (basisPoints < 0 || basisPoints > 10_000) {
                throw new KilnException(ErrorCode.VALUE_INVALID, "a canary share is 0 to 10000 basis points, not " + basisPoints,
                        Map.of("field", "percent"));
            }
        }

        /** The share of requests as a percentage (0 to 100). */
        public double percent() {
            return basisPoints / 100.0;
        }
    }

    /** What a name serves: its model (null until the first load succeeds), its canary and its shadow, if any. */
    static final class Slot {
        volatile Served served;
        volatile Canary canary;
        volatile Served shadow;
        volatile Bandit bandit;
        /** The out-of-range checks of the bandit's arms (set before it, with it). */
        volatile ModelChecks[] armChecks;
    }

    private final Map<String, Slot> models = new ConcurrentHashMap<>();
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
    /** The last failed background load of each name's canary, cleared when a canary is put or removed. */
    private final Map<String, String> canaryErrors = new ConcurrentHashMap<>();
    /** The same for shadows. */
    private final Map<String, String> shadowErrors = new ConcurrentHashMap<>();
    /** How many names have a shadow: the scoring routes look for one only when some name has one. */
    private volatile int shadows;
    /** How many names have a bandit (the routes remember which arm answered only when some name has one). */
    private volatile int bandits;
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
        Slot slot = models.computeIfAbsent(name, n -> new Slot());
        KilnModel model;
        try {
            model = KilnModel.load(bundleDir);
        } catch (KilnException e) {
            lastErrors.put(name, e.getMessage());
            throw new KilnException(e.code(), "cannot load model '" + name + "' version " + version + " from " + bundleDir + ": "
                    + e.getMessage() + (slot.served == null ? "" : " (still serving version " + slot.served.version() + ")"),
                    withModel(e.details(), name, version), e);
        } catch (RuntimeException e) {
            lastErrors.put(name, String.valueOf(e.getMessage()));
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot load model '" + name + "' version " + version + " from "
                    + bundleDir + ": " + e, withModel(Map.of(), name, version), e);
        }
        return put(name, model, version);
    }

    /**
     * Serves an already loaded model as {@code name} at {@code version} (atomic swap). A canary the new model's
     * clients could not call as they call the model (see {@link Compatibility#check}), and likewise a shadow, is removed, and the reason recorded.
     */
    public Served put(String name, KilnModel model, String version) {
        checkName(name);
        Served served = new Served(name, version, model);
        checks.put(name, new ModelChecks(model, InputChecks.of(model)));  // before the swap: requests find them ready
        Slot slot = models.computeIfAbsent(name, n -> new Slot());
        Canary canary = slot.canary;
        String dropped = null;
        if (canary != null) {
            try {
                Compatibility.check("canary", name, model, canary.served().model(), canary.served().version());
            } catch (KilnException e) {
                slot.canary = null; // before the swap: no request pairs the new model with a canary it does not match
                dropped = "the canary was removed when version " + version + " was served: " + e.getMessage();
            }
        }
        Served shadow = slot.shadow;
        String droppedShadow = null;
        if (shadow != null) {
            try {
                Compatibility.check("shadow", name, model, shadow.model(), shadow.version());
            } catch (KilnException e) {
                setShadow(slot, null);
                droppedShadow = "the shadow was removed when version " + version + " was served: " + e.getMessage();
            }
        }
        Bandit bandit = slot.bandit;
        if (bandit != null) {
            try {
                for (Bandit.Arm arm : bandit.arms()) {
                    Compatibility.check("arm", name, model, arm.served().model(), arm.served().version());
                }
            } catch (KilnException e) {
                setBandit(slot, null, null);
                dropped = "the bandit was removed when version " + version + " was served: " + e.getMessage();
            }
        }
        slot.served = served;
        lastErrors.remove(name);
        if (dropped != null) {
            canaryErrors.put(name, dropped);
        }
        if (droppedShadow != null) {
            shadowErrors.put(name, droppedShadow);
        }
        return served;
    }

    /**
     * Serves {@code model} at {@code version} as the canary of {@code name} (which must be served), answering
     * {@code basisPoints} of 10,000 of its scoring requests; replaces the canary it had (atomically).
     */
    public Served putCanary(String name, KilnModel model, String version, int basisPoints) {
        Slot slot = models.get(name);
        if (slot == null || slot.served == null) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a canary",
                    Map.of("model", name));
        }
        Compatibility.check("canary", name, slot.served.model(), model, version);
        if (slot.bandit != null) {
            throw new KilnException(ErrorCode.CONFLICT, "model '" + name + "' routes its requests through a bandit; remove it before "
                    + "giving it a canary", Map.of("model", name));
        }
        Served served = new Served(name, version, model);
        slot.canary = new Canary(served, basisPoints, InputChecks.of(model));
        canaryErrors.remove(name);
        return served;
    }

    /**
     * Serves {@code model} at {@code version} as the shadow of {@code name} (which must be served): it scores a copy
     * of every scoring request of the name, off the response path; replaces the shadow it had.
     */
    public Served putShadow(String name, KilnModel model, String version) {
        Slot slot = models.get(name);
        if (slot == null || slot.served == null) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a shadow",
                    Map.of("model", name));
        }
        Compatibility.check("shadow", name, slot.served.model(), model, version);
        Served served = new Served(name, version, model);
        setShadow(slot, served);
        shadowErrors.remove(name);
        return served;
    }

    /** The shadow of {@code name}, if any. */
    public Optional<Served> shadow(String name) {
        Slot slot = models.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.shadow);
    }

    /** Stops the shadow of {@code name} (copies already queued are still scored). */
    public Optional<Served> removeShadow(String name) {
        Slot slot = models.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        Served s = slot.shadow;
        setShadow(slot, null);
        shadowErrors.remove(name);
        return Optional.ofNullable(s);
    }

    /**
     * Routes the scoring requests of {@code name} (which must be served, without a canary) through a Thompson-sampling
     * bandit over {@code versions} (model to version label, at least two, labels distinct), each compatible with the
     * model; replaces the bandit it had, posteriors and all.
     */
    public Bandit putBandit(String name, Map<String, KilnModel> versions) {
        Slot slot = models.get(name);
        if (slot == null || slot.served == null) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a bandit",
                    Map.of("model", name));
        }
        if (slot.canary != null) {
            throw new KilnException(ErrorCode.CONFLICT, "model '" + name + "' has a canary; remove it before routing the model "
                    + "through a bandit", Map.of("model", name));
        }
        if (versions.size() < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a bandit needs at least two versions with distinct labels, not "
                    + versions.keySet(), Map.of("model", name));
        }
        List<Bandit.Arm> arms = new ArrayList<>();
        List<ModelChecks> armChecks = new ArrayList<>();
        for (Map.Entry<String, KilnModel> v : versions.entrySet()) {
            Compatibility.check("arm", name, slot.served.model(), v.getValue(), v.getKey());
            arms.add(new Bandit.Arm(new Served(name, v.getKey(), v.getValue())));
            armChecks.add(new ModelChecks(v.getValue(), InputChecks.of(v.getValue())));
        }
        Bandit bandit = new Bandit(arms);
        setBandit(slot, bandit, armChecks.toArray(new ModelChecks[0]));
        return bandit;
    }

    /** The bandit of {@code name}, if any. */
    public Optional<Bandit> bandit(String name) {
        Slot slot = models.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.bandit);
    }

    /** Stops the bandit of {@code name}: its requests go to the model again. */
    public Optional<Bandit> removeBandit(String name) {
        Slot slot = models.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        Bandit b = slot.bandit;
        setBandit(slot, null, null);
        return Optional.ofNullable(b);
    }

    /** True when some name has a bandit. */
    boolean hasBandits() {
        return bandits > 0;
    }

    private synchronized void setBandit(Slot slot, Bandit bandit, ModelChecks[] armChecks) {
        slot.armChecks = armChecks; // first: a request that finds the bandit finds its arms' checks
        slot.bandit = bandit;
        recountShadows();
    }

    /** True when some name has a shadow (one volatile read: the scoring routes' check). */
    boolean hasShadows() {
        return shadows > 0;
    }

    private synchronized void setShadow(Slot slot, Served shadow) {
        slot.shadow = shadow;
        recountShadows();
    }

    /** Recounts the names with a shadow and with a bandit. */
    private synchronized void recountShadows() {
        int n = 0;
        int b = 0;
        for (Slot s : models.values()) {
            n += s.shadow != null ? 1 : 0;
            b += s.bandit != null ? 1 : 0;
        }
        shadows = n;
        bandits = b;
    }

    /** Changes the share of the canary of {@code name}; false when it has none. */
    public boolean setCanaryShare(String name, int basisPoints) {
        Slot slot = models.get(name);
        Canary c = slot == null ? null : slot.canary;
        if (c == null) {
            return false;
        }
        slot.canary = new Canary(c.served(), basisPoints, c.checks());
        return true;
    }

    /** The canary of {@code name}, if any. */
    public Optional<Canary> canary(String name) {
        Slot slot = models.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.canary);
    }

    /** Stops the canary of {@code name}: its requests go to the model again (in-flight ones finish on the canary). */
    public Optional<Canary> removeCanary(String name) {
        Slot slot = models.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        Canary c = slot.canary;
        slot.canary = null;
        canaryErrors.remove(name);
        return Optional.ofNullable(c);
    }

    /** The slot of {@code name}, or null (the scoring routes' one lookup). */
    Slot slot(String name) {
        return models.get(name);
    }

    /**
     * The snapshot that answers a scoring request to {@code name}: the canary for its share of routing keys, else
     * the model; null when nothing is served under the name. {@code key}: the request's routing key (null: drawn at
     * random).
     */
    public Served route(String name, String key) {
        Slot slot = models.get(name);
        return slot == null ? null : route(slot, key);
    }

    static Served route(Slot slot, String key) {
        Bandit bandit = slot.bandit;
        if (bandit != null) {
            return bandit.pick().served();
        }
        Served served = slot.served;
        Canary c = slot.canary;
        if (c == null || served == null) {
            return served;
        }
        return bucket(key) < c.basisPoints() ? c.served() : served;
    }

    /** The bucket (0 to 9,999) of a routing key: see {@link RouteBuckets#bucket}. */
    public static int bucket(String key) {
        return RouteBuckets.bucket(key);
    }

    /** The model or the canary of {@code name} served at {@code version}, if either is. */
    public Optional<Served> get(String name, String version) {
        Slot slot = models.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        Served s = slot.served;
        if (s != null && s.version().equals(version)) {
            return Optional.of(s);
        }
        Canary c = slot.canary;
        if (c != null && c.served().version().equals(version)) {
            return Optional.of(c.served());
        }
        Bandit b = slot.bandit;
        Bandit.Arm arm = b == null ? null : b.arm(version);
        return arm == null ? Optional.empty() : Optional.of(arm.served());
    }

    /**
     * The out-of-range checks of a served snapshot: those computed when it was put, or (a snapshot taken just
     * before a swap, or a model put by other means) computed now.
     */
    InputChecks checks(Served served) {
        ModelChecks c = checks.get(served.name());
        if (c != null && c.model() == served.model()) {
            return c.checks();
        }
        Slot slot = models.get(served.name());
        Canary canary = slot == null ? null : slot.canary;
        if (canary != null && canary.served().model() == served.model()) {
            return canary.checks();
        }
        ModelChecks[] armChecks = slot == null ? null : slot.armChecks;
        if (armChecks != null) {
            for (ModelChecks arm : armChecks) {
                if (arm.model() == served.model()) {
                    return arm.checks();
                }
            }
        }
        return InputChecks.of(served.model());
    }

    /** The model served as {@code name} now, if any. */
    public Optional<Served> get(String name) {
        Slot slot = models.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.served);
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
        for (Slot slot : models.values()) {
            if (slot.served == null) {
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
        Slot slot = models.remove(name);
        checks.remove(name);
        lastErrors.remove(name);
        canaryErrors.remove(name);
        shadowErrors.remove(name);
        if (slot != null && (slot.shadow != null || slot.bandit != null)) {
            recountShadows();
        }
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.served);
    }

    /**
     * Records a failed load of {@code name} that happened outside {@link #load} (a registry follower's
     * background load): the model served, if any, stays; {@link #lastError} reports it until a swap.
     */
    public void recordError(String name, String message) {
        checkName(name);
        lastErrors.put(name, String.valueOf(message));
    }

    /** Records a failed background load of the canary of {@code name}: the canary there, if any, stays. */
    public void recordCanaryError(String name, String message) {
        checkName(name);
        canaryErrors.put(name, String.valueOf(message));
    }

    /** Records a failed background load of the shadow of {@code name}: the shadow there, if any, stays. */
    public void recordShadowError(String name, String message) {
        checkName(name);
        shadowErrors.put(name, String.valueOf(message));
    }

    /**
     * The message of the last failed load of {@code name}, cleared by a successful one; else that of its canary,
     * cleared when a canary is put or removed; else that of its shadow, likewise.
     */
    public Optional<String> lastError(String name) {
        String e = lastErrors.get(name);
        if (e == null) {
            e = canaryErrors.get(name);
        }
        return Optional.ofNullable(e != null ? e : shadowErrors.get(name));
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
