package dev.kiln.serve.http;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names a request may address the server by (its {@code Host} header), a guard against DNS rebinding: a page on
 * a name the attacker controls, re-pointed at this machine, reaches the server with its own name in {@code Host}, and
 * is refused with 403 {@code forbidden} naming that host. Allowed: {@code localhost}, {@code 127.0.0.1} and
 * {@code [::1]}; the address the server is bound to when it is a specific one; the configured names; for a server
 * bound to every interface ({@code 0.0.0.0}, {@code ::}), any IP address too (an address is never a rebound name, and
 * probes address pods by IP). A port, when the header gives one, must be the server's. A request without {@code Host}
 * (HTTP/1.0) is no browser's and is let through.
 */
public final class HostCheck {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "[::1]");

    private final Set<String> names;
    private final boolean anyAddress;
    private volatile int port = -1;
    /** Every allowed name, alone and as {@code name:port} once the port is known: the fast path's one set lookup. */
    private volatile Set<String> exact = Set.of();

    private HostCheck(Set<String> names, boolean anyAddress) {
        this.names = names;
        this.anyAddress = anyAddress;
    }

    /** The check for a server bound to {@code bind}, with the extra names {@code allowed} (null or empty: none). */
    public static HostCheck of(String bind, List<String> allowed) {
        Set<String> names = new LinkedHashSet<>(LOOPBACK);
        String b = bind.toLowerCase(Locale.ROOT);
        boolean wildcard = b.equals("0.0.0.0") || b.equals("::") || b.equals("[::]");
        if (!wildcard) {
            names.add(b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b);
        }
        if (allowed != null) {
            for (String a : allowed) {
                names.add(a.trim().toLowerCase(Locale.ROOT));
            }
        }
        return new HostCheck(Set.copyOf(names), wildcard);
    }

    /** The port the server listens on (known once it started). */
    public void bound(int port) {
        Set<String> e = new HashSet<>();
        for (String n : names) {
            e.add(n);
            e.add(n + ":" + port);
        }
        this.port = port;
        this.exact = Set.copyOf(e);
    }

    /** The names allowed, for messages and tests. */
    public List<String> names() {
        return new ArrayList<>(names);
    }

    /** True only for a Host header spelled exactly as an allowed name, or {@code name:port} (the fast path's check; others go on). */
    public boolean allowsExactly(String host) {
        return host != null && exact.contains(host);
    }

    /** Throws 403 {@code forbidden} for a Host header that names none of the allowed names (or another port). */
    public void check(String host) {
        if (host == null || host.isEmpty() || allows(host)) {
            return;
        }
        throw KilnException.answer(ErrorCode.FORBIDDEN, "this server answers requests addressed to " + String.join(", ", names)
                + (anyAddress ? " or an IP address" : "") + " on port " + port + ", not to '" + host
                + "' (a guard against DNS rebinding: add the name to the server's allowed hosts)", Map.of("host", host));
    }

    private boolean allows(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name = h;
        String portText = null;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            name = h.substring(0, close + 1);
            portText = close + 1 < h.length() && h.charAt(close + 1) == ':' ? h.substring(close + 2) : close + 1 == h.length() ? null : "x";
        } else if (h.indexOf(':') >= 0) {
            name = h.substring(0, h.indexOf(':'));
            portText = h.substring(h.indexOf(':') + 1);
        }
        if (portText != null && !portText.equals(Integer.toString(port))) {
            return false;
        }
        return names.contains(name) || (anyAddress && (IPV4.matcher(name).matches() || name.startsWith("[")));
    }

    /**
     * True when every address {@code host} names is a loopback address (an unresolvable name is not): what a
     * server may be bound to without a token, for {@code kiln serve} and {@code kiln server} alike.
     */
    public static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
