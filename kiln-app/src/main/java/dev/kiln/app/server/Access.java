package dev.kiln.app.server;

import java.util.function.BiPredicate;
import java.util.Map;

/**
 * The access policy of one route: which role a request needs. Every route in {@link Api#routes()} names
 * one explicitly; there is no default.
 */
public sealed interface Access {
    /** The role the request needs, or null when the route is public. Path parameters are already validated. */
    Role required(Map<String, String> pathParams);

    String describe();

    /** No token needed, even when tokens are configured. */
    static Access open() {
        return new Open();
    }

    static Access role(Role role) {
        return new AtLeast(role);
    }

    /** {@code role}, or {@code protectedRole} when the {@code {alias}} parameter names a protected alias of the model. */
    static Access alias(Role role, Role protectedRole, BiPredicate<String, String> isProtected) {
        return new ByAlias(role, protectedRole, isProtected);
    }

    record Open() implements Access {
        @Override
        public Role required(Map<String, String> pathParams) {
            return null;
        }

        @Override
        public String describe() {
            return "public";
        }
    }

    record AtLeast(Role role) implements Access {
        @Override
        public Role required(Map<String, String> pathParams) {
            return role;
        }

        @Override
        public String describe() {
            return role.wireName();
        }
    }

    /** The predicate gets the model name and the alias. */
    record ByAlias(Role role, Role protectedRole, BiPredicate<String, String> isProtected) implements Access {
        @Override
        public Role required(Map<String, String> pathParams) {
            return isProtected.test(pathParams.get("name"), pathParams.get("alias")) ? protectedRole : role;
        }

        @Override
        public String describe() {
            return role.wireName() + "; " + protectedRole.wireName() + " for a protected alias";
        }
    }
}
