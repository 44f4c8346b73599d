package dev.kiln.app.server;

/**
 * Who is calling: the name of the API token (recorded as the actor of registry changes) and its role.
 * Without configured tokens every caller is {@link #LOCAL}.
 */
public record Principal(String name, Role role) {
    public static final Principal LOCAL = new Principal("local", Role.ADMIN);
}
