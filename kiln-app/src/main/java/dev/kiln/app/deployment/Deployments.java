package dev.kiln.app.deployment;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** How a registered server names itself. */
public final class Deployments {
    private Deployments() {
    }

    /**
     * The URL clients reach a server bound to {@code bind} on {@code port} at: the bound address, except that a wildcard
     * address (0.0.0.0, ::) is named by this machine's host name; IPv6 literals in brackets.
     */
    public static String url(String bind, int port) {
        String h = bind == null || bind.isBlank() ? "127.0.0.1" : bind.trim();
        if (h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("0:0:0:0:0:0:0:0")) {
            h = hostName();
        }
        if (h.contains(":") && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return "http://" + h + ":" + port;
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}
