package dev.kiln.app.server;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.ModelRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation of path parameters in their canonical form: after URL decoding, so {@code %2e%2e}, {@code %2F}
 * and {@code %5C} are judged as {@code ..}, {@code /} and {@code \}. Each parameter name used in a route
 * has exactly one rule here; the server refuses to start with a route whose parameter has none.
 */
final class Params {
    /** Run ids are UUIDs, as the tracking store makes them. */
    static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Metric and tag keys addressed in a path: letters, digits, '.', '_' and '-'. */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,249}");
    /** Experiment names in a path: printable, no path separators (GET /api/runs?experiment= takes any name). */
    static final Pattern EXPERIMENT = Pattern.compile("[^/\\\\\\p{Cntrl}]{1,200}");
    /** Artifact names addressed in a path: one plain file name (letters, digits, '.', '_', '-'; no separators). */
    static final Pattern ARTIFACT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
    /** A dataset version in a path: its SHA-256 or a prefix of at least 6 hex digits (as {@code kiln data get} takes it). */
    static final Pattern DATASET_VERSION = Pattern.compile("[0-9a-fA-F]{6,64}");
    static final Set<String> KNOWN = Set.of("name", "alias", "version", "id", "key", "experiment", "ref", "artifact", "alert",
            "dataset", "dataset_version", "pipeline", "deployment");

    private Params() {
    }

    static Map<String, String> validate(Map<String, String> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, check(k, v)));
        return out;
    }

    static String check(String param, String value) {
        String v = value == null ? "" : value;
        boolean ok = switch (param) {
            case "name", "alias", "dataset", "pipeline" -> ModelRef.NAME.matcher(v).matches() && !v.contains("..");
            case "id", "deployment" -> RUN_ID.matcher(v).matches();
            case "key" -> KEY.matcher(v).matches() && !v.contains("..");
            case "artifact" -> ARTIFACT.matcher(v).matches() && !v.contains("..");
            case "experiment" -> EXPERIMENT.matcher(v).matches() && !v.contains("..") && v.strip().equals(v);
            case "version" -> v.matches("[1-9][0-9]{0,8}");
            case "alert" -> v.matches("[1-9][0-9]{0,17}");
            case "dataset_version" -> DATASET_VERSION.matcher(v).matches();
            case "ref" -> {
                ModelRef.parse(v); // throws invalid_argument with its own message
                yield true;
            }
            default -> throw new IllegalStateException("no validation rule for path parameter {" + param + "}");
        };
        if (!ok) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "path parameter {" + param + "} = '" + v + "' is not valid: "
                    + rule(param), Map.of("parameter", param, "value", v));
        }
        return v;
    }

    private static String rule(String param) {
        return switch (param) {
            case "name" -> "model names use letters, digits, '.', '_' and '-', starting with a letter or digit";
            case "alias" -> "aliases use letters, digits, '.', '_' and '-', starting with a letter or digit";
            case "id" -> "run ids are UUIDs";
            case "key" -> "keys use letters, digits, '.', '_' and '-'";
            case "artifact" -> "artifact names here are one plain file name: letters, digits, '.', '_' and '-', no separators or '..'";
            case "experiment" -> "experiment names here are 1 to 200 printable characters without '/', '\\' or '..' "
                    + "(GET /api/runs?experiment=NAME takes any name)";
            case "version" -> "versions are positive integers";
            case "alert" -> "alert ids are positive integers";
            case "dataset" -> "dataset names use letters, digits, '.', '_' and '-', starting with a letter or digit";
            case "pipeline" -> "pipeline names use letters, digits, '.', '_' and '-', starting with a letter or digit";
            case "dataset_version" -> "a dataset version is its SHA-256 or a prefix of at least 6 hex digits";
            case "deployment" -> "deployment ids are UUIDs, as GET /api/deployments lists them";
            default -> "";
        };
    }
}
