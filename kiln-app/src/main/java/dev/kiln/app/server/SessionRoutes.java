package dev.kiln.app.server;

import static dev.kiln.app.server.Route.Method.DELETE;
import static dev.kiln.app.server.Route.Method.GET;
import static dev.kiln.app.server.Route.Method.POST;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signing the web UI in and out: {@code POST /api/session} takes an API token and answers with an HttpOnly,
 * SameSite=Strict session cookie (Secure when the browser came over TLS) and the session's CSRF token;
 * {@code GET /api/session} says who the cookie stands for; {@code DELETE /api/session} signs out. The routes are
 * public (they are how one gets in); what a session may do is then decided per route, like a bearer token's.
 */
final class SessionRoutes {
    private final UiSessions sessions;
    private final ApiTokens tokens;

    SessionRoutes(UiSessions sessions, ApiTokens tokens) {
        this.sessions = sessions;
        this.tokens = tokens;
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/session", Access.open(), this::current),
                new Route(POST, "/api/session", Access.open(), this::signIn),
                new Route(DELETE, "/api/session", Access.open(), this::signOut));
    }

    private Object current(Call c) {
        Optional<UiSessions.Session> s = sessions.find(c.cookie(UiSessions.COOKIE));
        if (s.isPresent()) {
            Optional<Principal> p = sessions.principal(s.get());
            if (p.isPresent()) {
                return view(s.get(), p.get());
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signed_in", false);
        m.put("auth", tokens.isEmpty() ? "none" : "tokens");
        return m;
    }

    private Object signIn(Call c) {
        Body body = c.body().allow("token");
        UiSessions.Session s;
        Principal p;
        if (tokens.isEmpty()) {
            s = sessions.create(null);
            p = Principal.LOCAL;
        } else {
            String token = body.optString("token");
            if (token == null || token.isBlank()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "sign in with an API token: {\"token\": \"...\"} "
                        + "(kiln server token add NAME --role viewer|editor|admin makes one)", Map.of("field", "token"));
            }
            byte[] hash = ApiTokens.sha256(token.trim());
            p = tokens.authenticateHash(hash).orElseThrow(() -> KilnException.answer(ErrorCode.UNAUTHENTICATED, "unknown API token"));
            s = sessions.create(hash);
        }
        sessions.remove(c.cookie(UiSessions.COOKIE));
        c.setCookie(UiSessions.COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict" + (c.secure() ? "; Secure" : ""));
        return view(s, p);
    }

    private Object signOut(Call c) {
        sessions.remove(c.cookie(UiSessions.COOKIE));
        c.setCookie(UiSessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (c.secure() ? "; Secure" : ""));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signed_in", false);
        m.put("auth", tokens.isEmpty() ? "none" : "tokens");
        return m;
    }

    private Map<String, Object> view(UiSessions.Session s, Principal p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signed_in", true);
        m.put("auth", tokens.isEmpty() ? "none" : "tokens");
        m.put("name", p.name());
        m.put("role", p.role().wireName());
        m.put("csrf", s.csrf());
        return m;
    }
}
