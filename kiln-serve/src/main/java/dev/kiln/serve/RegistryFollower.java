package dev.kiln.serve;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.schema.Field;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows registry aliases for models served from a reference ({@code NAME} or {@code NAME@ALIAS}; a pinned
 * {@code NAME:VERSION} is refused): one daemon thread polls the registry every interval and, when an alias
 * points at another version, loads that version's bundle ({@link ModelRegistry#bundlePath} verifies its
 * checksums), warms it up by scoring a few rows (every column null, so every value is imputed) and only
 * then swaps it in with {@link ModelHost#put}. A version that fails to resolve, load or warm up leaves the
 * version before it serving; the failure goes to {@link ModelHost#recordError} (shown by
 * {@code /v2/health/ready} and {@code /v2/models/NAME/ready}) and the log, and that version is not retried
 * until the alias moves again. Nothing thrown in the loop stops the thread; {@link #close()} does.
 */
public final class RegistryFollower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    private static final int WARMUP_ROWS = 3;

    private final ModelHost host;
    private final ModelRegistry registry;
    private final Duration interval;
    private final Map<String, Followed> followed = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /** What a followed reference serves for its name. */
    private enum Role { MODEL, CANARY, SHADOW }

    private static final class Followed {
        final String name;
        final Role role;
        final ModelRef ref;
        volatile int serving;
        volatile Integer failed; // the version that last failed to load, skipped until the alias moves

        Followed(String name, Role role, ModelRef ref, int serving) {
            this.name = name;
            this.role = role;
            this.ref = ref;
            this.serving = serving;
        }

        String what() {
            return role == Role.MODEL ? "model '" + name + "'" : "the " + role.name().toLowerCase(java.util.Locale.ROOT) + " of model '" + name + "'";
        }
    }

    /** The key of a followed canary or shadow: '@' never occurs in a model name. */
    private static String key(String name, Role role) {
        return role == Role.MODEL ? name : name + "@" + role.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A follower polling {@code registry} every {@code interval} (positive); {@link #start()} starts it. */
    public RegistryFollower(ModelHost host, ModelRegistry registry, Duration interval) {
        this.host = Objects.requireNonNull(host, "host");
        this.registry = Objects.requireNonNull(registry, "registry");
        if (interval == null || interval.isZero() || interval.isNegative()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the registry poll interval must be positive, not " + interval,
                    Map.of("field", "poll_interval"));
        }
        this.interval = interval;
        this.thread = new Thread(this::loop, "kiln-registry-follower");
        this.thread.setDaemon(true);
    }

    private static void checkFollows(ModelRef ref) {
        if (!follows(ref)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, ref + " is pinned to a version; only NAME and NAME@ALIAS are followed",
                    Map.of("ref", ref.toString()));
        }
    }

    /** True for references that follow an alias ({@code NAME}, {@code NAME@ALIAS}), false for {@code NAME:VERSION}. */
    public static boolean follows(ModelRef ref) {
        return ref.version() == null;
    }

    /** Follows {@code ref} for the model served as {@code name}, which serves version {@code servingVersion} now. */
    public void follow(String name, ModelRef ref, int servingVersion) {
        checkFollows(ref);
        followed.put(name, new Followed(name, Role.MODEL, ref, servingVersion));
    }

    /** Follows {@code ref} for the canary of {@code name}, which serves version {@code servingVersion} now. */
    public void followCanary(String name, ModelRef ref, int servingVersion) {
        follow(name, Role.CANARY, ref, servingVersion);
    }

    /** Follows {@code ref} for the shadow of {@code name}, which scores with version {@code servingVersion} now. */
    public void followShadow(String name, ModelRef ref, int servingVersion) {
        follow(name, Role.SHADOW, ref, servingVersion);
    }

    private void follow(String name, Role role, ModelRef ref, int servingVersion) {
        checkFollows(ref);
        followed.put(key(name, role), new Followed(name, role, ref, servingVersion));
    }

    /** Stops following the model served as {@code name}, its canary and its shadow (unloaded, or loaded from elsewhere). */
    public void unfollow(String name) {
        for (Role r : Role.values()) {
            followed.remove(key(name, r));
        }
    }

    /** Stops following the canary of {@code name} (removed, or loaded from elsewhere); no-op if not followed. */
    public void unfollowCanary(String name) {
        followed.remove(key(name, Role.CANARY));
    }

    /** Stops following the shadow of {@code name}; no-op if not followed. */
    public void unfollowShadow(String name) {
        followed.remove(key(name, Role.SHADOW));
    }

    public RegistryFollower start() {
        thread.start();
        return this;
    }

    /** Polls once, for every followed name (what the thread does every interval). */
    public void pollOnce() {
        for (Map.Entry<String, Followed> e : followed.entrySet()) {
            if (closed) {
                return;
            }
            try {
                poll(e.getKey(), e.getValue());
            } catch (RuntimeException | LinkageError t) {
                String message = "following " + e.getValue().ref + " for " + e.getValue().what() + " failed: " + t;
                LOG.log(System.Logger.Level.WARNING, message, t);
                record(e.getValue(), message);
            }
        }
    }

    private void poll(String key, Followed f) {
        String name = f.name;
        ModelVersion v;
        try {
            v = registry.resolve(f.ref);
        } catch (RuntimeException e) {
            if (f.role != Role.MODEL && aliasRemoved(e)) {
                // Publishing as data works both ways: removing the alias a canary or shadow follows ends it.
                followed.remove(key, f);
                Object removed = f.role == Role.CANARY ? host.removeCanary(name).orElse(null) : host.removeShadow(name).orElse(null);
                if (removed != null) {
                    LOG.log(System.Logger.Level.INFO, "alias " + f.ref + " was removed: " + f.what() + " stops");
                }
                return;
            }
            String message = "cannot resolve " + f.ref + " for " + f.what() + " (still serving version " + f.serving + "): "
                    + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, message);
            record(f, message);
            return;
        }
        int version = v.version();
        if (version == f.serving) {
            f.failed = null;
            return;
        }
        if (Integer.valueOf(version).equals(f.failed)) {
            return;
        }
        try {
            Path bundle = registry.bundlePath(v);
            KilnModel model = KilnModel.load(bundle);
            warmUp(model);
            if (followed.get(key) != f || !swapIn(f, model, version)) {
                return; // unfollowed (unloaded or loaded from elsewhere by an admin), or its canary or shadow removed, while loading
            }
            LOG.log(System.Logger.Level.INFO, f.what() + " now serves version " + version + " (" + f.ref
                    + ", was " + f.serving + ")");
            f.serving = version;
            f.failed = null;
        } catch (RuntimeException | LinkageError e) {
            f.failed = version;
            String message = "cannot load version " + version + " of " + f.ref + " for " + f.what()
                    + " (still serving version " + f.serving + "): " + e.getMessage();
            if (e instanceof dev.kiln.runtime.KilnException) {
                LOG.log(System.Logger.Level.WARNING, message); // the message says it all (checksum, format, ...)
            } else {
                LOG.log(System.Logger.Level.WARNING, message, e);
            }
            record(f, message);
        }
    }

    /** Puts a loaded version in its place; false when the canary or shadow it was for was removed meanwhile. */
    private boolean swapIn(Followed f, KilnModel model, int version) {
        String name = f.name;
        switch (f.role) {
            case CANARY -> {
                ModelHost.Canary c = host.canary(name).orElse(null);
                if (c == null) {
                    return false;
                }
                host.putCanary(name, model, Integer.toString(version), c.basisPoints());
            }
            case SHADOW -> {
                if (host.shadow(name).isEmpty()) {
                    return false;
                }
                host.putShadow(name, model, Integer.toString(version));
            }
            case MODEL -> host.put(name, model, Integer.toString(version));
        }
        return true;
    }

    /** True for the registry's answer that an alias does not exist (as opposed to a store that cannot be read). */
    private static boolean aliasRemoved(RuntimeException e) {
        return e instanceof dev.kiln.runtime.KilnException k && k.code() == dev.kiln.runtime.ErrorCode.MODEL_NOT_FOUND
                && k.details().containsKey("alias");
    }

    private void record(Followed f, String message) {
        try {
            switch (f.role) {
                case CANARY -> host.recordCanaryError(f.name, message);
                case SHADOW -> host.recordShadowError(f.name, message);
                case MODEL -> host.recordError(f.name, message);
            }
        } catch (RuntimeException ignored) {
            // an invalid name never gets here: it was served before it was followed
        }
    }

    /** Scores a few rows with every column null (imputed) so the first requests do not pay for cold paths. */
    static void warmUp(KilnModel model) {
        Map<String, Object> row = new HashMap<>();
        for (Field f : model.requiredFields()) {
            row.put(f.name(), null);
        }
        for (int i = 0; i < WARMUP_ROWS; i++) {
            model.predict(row);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                pollOnce();
            } catch (Throwable t) { // never let the thread die
                LOG.log(System.Logger.Level.ERROR, "registry follower: " + t, t);
            }
        }
    }

    /** Stops the thread and waits (at most 10 s) for a load in progress to finish. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while the polling thread runs. */
    public boolean running() {
        return thread.isAlive();
    }
}
