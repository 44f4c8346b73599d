package dev.kiln.serve.http;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The configured bearer tokens, kept as SHA-256 digests and compared in constant time ({@link MessageDigest#isEqual}
 * over equal-length digests). The admin token also opens model routes.
 */
public final class Tokens {
    private final byte[] inference;
    private final byte[] admin;

    /** Either may be null: no inference token leaves model routes open, no admin token closes admin routes. */
    public Tokens(String inference, String admin) {
        this.inference = inference == null ? null : sha256(inference);
        this.admin = admin == null ? null : sha256(admin);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }

    public boolean adminEnabled() {
        return admin != null;
    }

    /** Whether a route of {@code access} is open to a request with this Authorization header (no exception: hot path). */
    public boolean allows(Access access, String authorization) {
        if (access == Access.OPEN || (access == Access.MODEL && inference == null)) {
            return true;
        }
        return refusal(access, authorization) == null;
    }

    /** Throws the 401/403 for a request to a route of {@code access} with this Authorization header. */
    public void check(Access access, String authorization) {
        if (access == Access.OPEN || (access == Access.MODEL && inference == null)) {
            return;
        }
        KilnException refused = refusal(access, authorization);
        if (refused != null) {
            throw refused;
        }
    }

    private KilnException refusal(Access access, String authorization) {
        if (access == Access.ADMIN && admin == null) {
            return KilnException.answer(ErrorCode.FORBIDDEN, "the model repository (load, unload, canary, index) is disabled: start "
                    + "kiln serve with --admin-token-file PATH or KILN_SERVE_ADMIN_TOKEN to enable it");
        }
        String what = access == Access.ADMIN ? "the admin token" : "a token";
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return KilnException.answer(ErrorCode.UNAUTHENTICATED, "this route needs " + what + ": Authorization: Bearer TOKEN");
        }
        byte[] given = sha256(authorization.substring(7).trim());
        boolean ok = admin != null && MessageDigest.isEqual(given, admin);
        if (access == Access.MODEL) {
            ok |= MessageDigest.isEqual(given, inference);
        }
        return ok ? null : KilnException.answer(ErrorCode.UNAUTHENTICATED, "the bearer token is not "
                + (access == Access.ADMIN ? "the admin token" : "valid for this server"));
    }
}
