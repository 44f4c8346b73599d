package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin side of a server's models (the Open Inference Protocol model repository extension): load a model
 * under a name from a registry reference or a bundle directory, unload it, list them with their state.
 *
 * <p>A reference is what {@code kiln serve --model NAME=REF} takes: a registry reference ({@code credit},
 * {@code credit@staging}, {@code credit:3}; resolved and checksum-verified by the {@link ModelRegistry}, followed by
 * the {@link RegistryFollower} when it names an alias), or a bundle directory: an absolute path that, in canonical
 * form (symbolic links resolved, {@code ..} removed), lies under one of the allowed bundle roots. A loaded model is
 * verified (checksums, format, structure) and warmed up before it is swapped in; a failed load keeps what was
 * serving. Unloading removes the name: requests that already took their snapshot finish on it, new ones get 404.
 * Loads and unloads are serialised.
 */
public final class ModelRepository {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";

    private final ModelHost host;
    private final ModelRegistry registry;
    private final RegistryFollower follower;
    private final BundleRoots bundleRoots;
    /** The reference each name was last loaded from (reloaded when a load names none). */
    private final Map<String, String> refs = new ConcurrentHashMap<>();
    /** The reference each canary was loaded from (shown by the index). */
    private final Map<String, String> canaryRefs = new ConcurrentHashMap<>();
    /** The reference each shadow was loaded from (shown by the index). */
    private final Map<String, String> shadowRefs = new ConcurrentHashMap<>();
    /** The references of each bandit's arms. */
    private final Map<String, List<String>> banditRefs = new ConcurrentHashMap<>();
    /** Names unloaded, or whose first load failed, with the reason (shown by the index). */
    private final Map<String, String> unavailable = new ConcurrentHashMap<>();

    /**
     * @param registry    resolves registry references (null: only bundle directories can be loaded)
     * @param follower    follows alias references after a load (null: none are followed)
     * @param bundleRoots directories under which bundle directories may be loaded (none: only registry references)
     */
    public ModelRepository(ModelHost host, ModelRegistry registry, RegistryFollower follower, List<Path> bundleRoots) {
        this.host = Objects.requireNonNull(host, "host");
        this.registry = registry;
        this.follower = follower;
        this.bundleRoots = new BundleRoots(bundleRoots);
    }

    public ModelHost host() {
        return host;
    }

    /** Records that {@code name} was loaded (at start) from {@code ref}, for a later load without a reference. */
    public void remember(String name, String ref) {
        refs.put(name, ref);
    }

    /** The reference {@code name} was last loaded from, if known. */
    public Optional<String> ref(String name) {
        return Optional.ofNullable(refs.get(name));
    }

    /** The reference {@code name}'s canary was loaded from, if it has one loaded from a reference. */
    public Optional<String> canaryRef(String name) {
        return Optional.ofNullable(canaryRefs.get(name));
    }

    /** The reference {@code name}'s shadow was loaded from, if any. */
    public Optional<String> shadowRef(String name) {
        return Optional.ofNullable(shadowRefs.get(name));
    }

    /** The references of {@code name}'s bandit arms, if it has a bandit. */
    public Optional<List<String>> banditRefs(String name) {
        return Optional.ofNullable(banditRefs.get(name));
    }

    /** True for a reference that names a directory rather than a registry model. */
    public static boolean isPath(String ref) {
        return ref.indexOf('/') >= 0 || ref.indexOf('\\') >= 0 || ref.startsWith(".") || ref.startsWith("~");
    }

    /**
     * Loads {@code ref} (null: the reference {@code name} was last loaded from) and serves it as {@code name}, after
     * verifying and warming it up. Throws {@link KilnException} (the model served before, if any, keeps serving).
     */
    public synchronized Served load(String name, String ref) {
        ModelRef.checkName(name, name);
        String r = ref != null ? ref : refs.get(name);
        if (r == null || r.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' was never loaded here: name what to load with "
                    + "{\"parameters\": {\"ref\": \"credit@staging\"}} (a registry reference or a bundle directory)",
                    Map.of("model", name));
        }
        Served served;
        try {
            served = isPath(r) ? loadBundle(name, r) : loadRegistry(name, r);
        } catch (KilnException e) {
            if (host.get(name).isPresent()) {
                host.recordError(name, e.getMessage());
            } else {
                unavailable.put(name, e.getMessage());
            }
            throw e;
        }
        refs.put(name, r);
        unavailable.remove(name);
        return served;
    }

    private Served loadBundle(String name, String ref) {
        Path dir = bundleRoots.resolve(ref);
        Served served = put(name, KilnModel.load(dir), bundleVersion(dir));
        if (follower != null) {
            follower.unfollow(name); // a bundle directory replaces an alias that was followed
        }
        return served;
    }

    /** The version label of a bundle served from a directory: its manifest's SHA-256, shortened. */
    public static String bundleVersion(Path dir) {
        return "sha256:" + manifestSha(dir).substring(0, 12);
    }

    /** A canary answers this share of its model's requests unless told otherwise. */
    public static final double DEFAULT_CANARY_PERCENT = 10;

    /** A share of requests, 0 to 100 percent, in basis points; refused with a message naming {@code field} otherwise. */
    public static int basisPoints(double percent, String field) {
        if (!Double.isFinite(percent) || percent < 0 || percent > 100) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, field + " must be a percentage from 0 to 100, not " + percent,
                    Map.of("field", field));
        }
        return (int) Math.round(percent * 100);
    }

    /**
     * Serves {@code ref} (verified and warmed up first) as the canary of {@code name}, answering {@code percent} of
     * its scoring requests (null: the current canary's share, else {@link #DEFAULT_CANARY_PERCENT}); an alias
     * reference is followed. A null {@code ref} only changes the share of the canary already there. A bundle
     * directory must lie under a bundle root unless {@code anyDirectory} (the operator's own command line).
     * Throws {@link KilnException}; what was serving keeps serving.
     */
    public synchronized Served setCanary(String name, String ref, Double percent, boolean anyDirectory) {
        ModelRef.checkName(name, name);
        if (host.get(name).isEmpty()) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a canary",
                    Map.of("model", name));
        }
        ModelHost.Canary existing = host.canary(name).orElse(null);
        int share = percent != null ? basisPoints(percent, "percent")
                : existing != null ? existing.basisPoints() : basisPoints(DEFAULT_CANARY_PERCENT, "percent");
        if (ref == null || ref.isBlank()) {
            if (existing == null || !host.setCanaryShare(name, share)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' has no canary: name one with "
                        + "{\"ref\": \"credit@staging\"} (a registry reference or a bundle directory)", Map.of("model", name));
            }
            return existing.served();
        }
        Side side = side(ref, anyDirectory);
        warmUp(name, "canary", side.model());
        Served served = host.putCanary(name, side.model(), side.version(), share);
        if (follower != null) {
            if (side.followed() != null) {
                follower.followCanary(name, side.followed(), Integer.parseInt(side.version()));
            } else {
                follower.unfollowCanary(name);
            }
        }
        canaryRefs.put(name, ref);
        return served;
    }

    /**
     * Serves {@code ref} (verified and warmed up first) as the shadow of {@code name}: it scores a copy of every
     * scoring request of the name off the response path, into the prediction log; an alias reference is followed.
     * A bundle directory must lie under a bundle root unless {@code anyDirectory}. Throws {@link KilnException};
     * what was serving keeps serving.
     */
    public synchronized Served setShadow(String name, String ref, boolean anyDirectory) {
        ModelRef.checkName(name, name);
        if (host.get(name).isEmpty()) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a shadow",
                    Map.of("model", name));
        }
        if (ref == null || ref.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "name the shadow: {\"ref\": \"credit@staging\"} (a registry reference "
                    + "or a bundle directory)", Map.of("field", "ref"));
        }
        Side side = side(ref, anyDirectory);
        warmUp(name, "shadow", side.model());
        Served served = host.putShadow(name, side.model(), side.version());
        if (follower != null) {
            if (side.followed() != null) {
                follower.followShadow(name, side.followed(), Integer.parseInt(side.version()));
            } else {
                follower.unfollowShadow(name);
            }
        }
        shadowRefs.put(name, ref);
        return served;
    }

    /** Stops the shadow of {@code name}. */
    public synchronized Served removeShadow(String name) {
        if (follower != null) {
            follower.unfollowShadow(name);
        }
        shadowRefs.remove(name);
        return host.removeShadow(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' has no shadow", Map.of("model", name)));
    }

    /**
     * Routes the scoring requests of {@code name} through a Thompson-sampling bandit over {@code refs} (at least two,
     * each a registry reference or a bundle directory, resolved once: an alias is not followed, so that an arm keeps
     * its meaning), each verified and warmed up first. A directory must lie under a bundle root unless
     * {@code anyDirectory}. Throws {@link KilnException}; what was serving keeps serving.
     */
    public synchronized Bandit setBandit(String name, List<String> refs, boolean anyDirectory) {
        ModelRef.checkName(name, name);
        if (host.get(name).isEmpty()) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' is not served, so it cannot have a bandit",
                    Map.of("model", name));
        }
        if (refs == null || refs.size() < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a bandit needs at least two versions: {\"refs\": [\"credit:3\", "
                    + "\"credit:4\"]}", Map.of("field", "refs"));
        }
        Map<String, KilnModel> arms = new LinkedHashMap<>();
        for (String ref : refs) {
            if (ref == null || ref.isBlank()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a bandit arm's reference is blank", Map.of("field", "refs"));
            }
            Side side = side(ref, anyDirectory);
            warmUp(name, "bandit arm " + ref, side.model());
            if (arms.put(side.version(), side.model()) != null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "two of the bandit's arms are version " + side.version()
                        + ": each arm must be another version", Map.of("field", "refs"));
            }
        }
        Bandit bandit = host.putBandit(name, arms);
        banditRefs.put(name, List.copyOf(refs));
        return bandit;
    }

    /** Stops the bandit of {@code name}: all its requests go to the model again. */
    public synchronized Bandit removeBandit(String name) {
        banditRefs.remove(name);
        return host.removeBandit(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' has no bandit", Map.of("model", name)));
    }

    /** A canary or shadow loaded: the model, its version label, and the reference to follow (null: pinned or a directory). */
    private record Side(KilnModel model, String version, ModelRef followed) {
    }

    private Side side(String ref, boolean anyDirectory) {
        if (isPath(ref) || anyDirectory && BundleRoots.isBundleDir(ref)) {
            Path dir = anyDirectory ? BundleRoots.operatorDir(ref) : bundleRoots.resolve(ref);
            return new Side(KilnModel.load(dir), bundleVersion(dir), null);
        }
        if (registry == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "this server has no registry to resolve '" + ref + "'", Map.of("ref", ref));
        }
        ModelRef parsed = ModelRef.parse(ref);
        ModelVersion v = registry.resolve(parsed);
        return new Side(KilnModel.load(registry.bundlePath(v)), Integer.toString(v.version()),
                RegistryFollower.follows(parsed) ? parsed : null);
    }

    /** Stops the canary of {@code name}: all its requests go to the model again. */
    public synchronized ModelHost.Canary removeCanary(String name) {
        if (follower != null) {
            follower.unfollowCanary(name);
        }
        canaryRefs.remove(name);
        return host.removeCanary(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' has no canary", Map.of("model", name)));
    }

    private static void warmUp(String name, String role, KilnModel model) {
        try {
            RegistryFollower.warmUp(model);
        } catch (RuntimeException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "the " + role + " of model '" + name + "' failed its warm-up: " + e.getMessage(),
                    Map.of("model", name), e);
        }
    }

    private Served loadRegistry(String name, String ref) {
        if (registry == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "this server has no registry to resolve '" + ref + "'", Map.of("ref", ref));
        }
        ModelRef parsed = ModelRef.parse(ref);
        ModelVersion v = registry.resolve(parsed);
        Path bundle = registry.bundlePath(v); // checksums verified
        Served served = put(name, KilnModel.load(bundle), Integer.toString(v.version()));
        if (follower != null) {
            if (RegistryFollower.follows(parsed)) {
                follower.follow(name, parsed, v.version());
            } else {
                follower.unfollow(name);
            }
        }
        return served;
    }

    private Served put(String name, KilnModel model, String version) {
        try {
            RegistryFollower.warmUp(model);
        } catch (RuntimeException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "model '" + name + "' failed its warm-up: " + e.getMessage(),
                    Map.of("model", name), e);
        }
        return host.put(name, model, version);
    }

    /** Stops serving {@code name}; in-flight requests finish on the snapshot they took. */
    public synchronized Served unload(String name) {
        if (follower != null) {
            follower.unfollow(name);
        }
        Served s = host.remove(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' is not loaded", Map.of("model", name)));
        unavailable.put(name, "unloaded");
        canaryRefs.remove(name);
        shadowRefs.remove(name);
        banditRefs.remove(name);
        return s;
    }

    /**
     * Every name loaded, unloaded or failed, sorted: {@code name, version, state, reason}, {@code canary}
     * ({@code version, percent, ref}), {@code shadow} ({@code version, ref}) and {@code bandit} ({@code arms} with their
     * posteriors, {@code refs}, {@code unattributed_rewards}) for a name that has them.
     */
    public List<Map<String, Object>> index() {
        TreeSet<String> names = new TreeSet<>(host.names());
        names.addAll(unavailable.keySet());
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : names) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            Served s = host.get(name).orElse(null);
            m.put("version", s == null ? "" : s.version());
            m.put("state", s == null ? UNAVAILABLE : READY);
            String reason = s == null ? host.lastError(name).orElse(unavailable.getOrDefault(name, "not loaded"))
                    : host.lastError(name).orElse("");
            m.put("reason", reason);
            ModelHost.Canary c = host.canary(name).orElse(null);
            if (c != null) {
                Map<String, Object> canary = new LinkedHashMap<>();
                canary.put("version", c.served().version());
                canary.put("percent", c.percent());
                String ref = canaryRefs.get(name);
                if (ref != null) {
                    canary.put("ref", ref);
                }
                m.put("canary", canary);
            }
            Served shadow = host.shadow(name).orElse(null);
            if (shadow != null) {
                Map<String, Object> sh = new LinkedHashMap<>();
                sh.put("version", shadow.version());
                String ref = shadowRefs.get(name);
                if (ref != null) {
                    sh.put("ref", ref);
                }
                m.put("shadow", sh);
            }
            Bandit bandit = host.bandit(name).orElse(null);
            if (bandit != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("arms", bandit.describe());
                List<String> refs = banditRefs.get(name);
                if (refs != null) {
                    b.put("refs", refs);
                }
                b.put("unattributed_rewards", bandit.unattributed());
                m.put("bandit", b);
            }
            out.add(m);
        }
        return out;
    }

    static String manifestSha(Path dir) {
        try {
            return Checksums.sha256(dir.resolve(BundleManifest.MANIFEST_FILE));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + dir.resolve(BundleManifest.MANIFEST_FILE) + ": " + e.getMessage());
        }
    }
}
