package dev.kiln.app.server;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The web UI's sessions: a browser signs in once with an API token ({@code POST /api/session}) and from then on
 * sends the random session id in an HttpOnly, SameSite=Strict cookie instead of the token, which script never
 * sees. A session keeps the SHA-256 of its token, never the token, and the server asks {@link ApiTokens} about it
 * on every request, so a revoked token ends its sessions at once. Each session has its own CSRF token, which the
 * UI reads from {@code GET /api/session} and sends back in {@link #CSRF_HEADER} on every state-changing request.
 *
 * <p>Sessions live in memory: a restarted server asks the browser to sign in again. Without configured tokens
 * (the loopback-only open mode) a session stands for {@link Principal#LOCAL} and exists to carry the CSRF token.
 */
public final class UiSessions {
    public static final String COOKIE = "kiln_session";
    public static final String CSRF_HEADER = "X-Kiln-CSRF";
    /** A session unused this long is forgotten. */
    static final long IDLE_MILLIS = 12L * 3600 * 1000;
    /** At most this many live sessions; the oldest idle one goes when a new one would pass it. */
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One signed-in browser. {@code tokenHash} is null in open mode. */
    record Session(String id, byte[] tokenHash, String csrf, long createdAt, long lastSeen) {
        Session touched(long now) {
            return new Session(id, tokenHash, csrf, createdAt, now);
        }
    }

    private final ApiTokens tokens;
    private final LongSupplier clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    UiSessions(ApiTokens tokens, LongSupplier clockMillis) {
        this.tokens = tokens;
        this.clock = clockMillis;
    }

    /** A new session for the holder of {@code tokenHash} (null in open mode). */
    Session create(byte[] tokenHash) {
        long now = clock.getAsLong();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> now - s.lastSeen() > IDLE_MILLIS);
            if (sessions.size() >= MAX_SESSIONS) {
                sessions.values().stream().min((a, b) -> Long.compare(a.lastSeen(), b.lastSeen()))
                        .ifPresent(oldest -> sessions.remove(oldest.id()));
            }
        }
        Session s = new Session(random(32), tokenHash == null ? null : tokenHash.clone(), random(24), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session with this id, touched; empty when unknown, idle too long, or its token was revoked. */
    Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        long now = clock.getAsLong();
        if (s == null) {
            return Optional.empty();
        }
        if (now - s.lastSeen() > IDLE_MILLIS || principal(s).isEmpty()) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session touched = s.touched(now);
        sessions.put(id, touched);
        return Optional.of(touched);
    }

    /** Who the session acts for, as the tokens file says now. */
    Optional<Principal> principal(Session s) {
        if (s.tokenHash() == null) {
            return tokens.isEmpty() ? Optional.of(Principal.LOCAL) : Optional.empty();
        }
        return tokens.authenticateHash(s.tokenHash());
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Whether {@code sent} is this session's CSRF token (compared in constant time). */
    static boolean csrfMatches(Session s, String sent) {
        return sent != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
