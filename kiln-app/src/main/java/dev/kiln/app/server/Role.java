package dev.kiln.app.server;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** What an API token may do; each role includes the ones before it: viewer &lt; editor &lt; admin. */
public enum Role {
    /** Read runs, models, versions, aliases, history and lineage. */
    VIEWER,
    /** Also track runs, tag and describe models, move aliases that are not protected. */
    EDITOR,
    /** Also move protected aliases (through the gates, or forced with a reason) and remove aliases. */
    ADMIN;

    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.wireName().equals(text == null ? null : text.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "role '" + text + "' is not one of "
                + Arrays.stream(values()).map(Role::wireName).toList(), Map.of("role", String.valueOf(text)));
    }

    @Override
    public String toString() {
        return wireName();
    }
}
