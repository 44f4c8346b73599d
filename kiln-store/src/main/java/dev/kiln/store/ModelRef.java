package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A reference to a registered model version: {@code NAME} (its {@code production} alias),
 * {@code NAME@ALIAS} or {@code NAME:VERSION}.
 */
public record ModelRef(String name, String alias, Integer version) {
    public static final String DEFAULT_ALIAS = "production";
    /** Model and alias names: letters, digits, '.', '_' and '-', starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public static ModelRef parse(String text) {
        String t = text == null ? "" : text.trim();
        int at = t.indexOf('@');
        int colon = t.lastIndexOf(':');
        if (at >= 0) {
            return new ModelRef(checkName(t.substring(0, at), text), checkName(t.substring(at + 1), text), null);
        }
        if (colon >= 0) {
            String v = t.substring(colon + 1);
            try {
                int version = Integer.parseInt(v);
                if (version < 1) {
                    throw new NumberFormatException();
                }
                return new ModelRef(checkName(t.substring(0, colon), text), null, version);
            } catch (NumberFormatException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model reference '" + text
                        + "': version '" + v + "' is not a positive integer", Map.of("reference", String.valueOf(text)));
            }
        }
        return new ModelRef(checkName(t, text), DEFAULT_ALIAS, null);
    }

    public static String checkName(String name, String context) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + context + "' is not a valid model reference: names use "
                    + "letters, digits, '.', '_' and '-' (NAME, NAME@ALIAS or NAME:VERSION)",
                    Map.of("reference", String.valueOf(context)));
        }
        return name;
    }

    @Override
    public String toString() {
        return version != null ? name + ":" + version : name + "@" + alias;
    }
}
