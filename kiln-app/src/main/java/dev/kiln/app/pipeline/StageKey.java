package dev.kiln.app.pipeline;

import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.bundle.Checksums;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A stage's cache key: the SHA-256 of its inputs, named so the output can say which one changed
 * ({@code train: unchanged (data 3f2a…, config 9b1c…), skipped}). Kiln's version is always one of the inputs, so a
 * new Kiln reruns every stage once.
 *
 * @param parts input name to its hash (or short value), in the order they are shown
 */
public record StageKey(String stage, Map<String, String> parts) {
    public StageKey {
        parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    public static StageKey of(String stage, Map<String, String> parts) {
        return new StageKey(stage, parts);
    }

    /** The key stored in the cache. */
    public String hash() {
        StringBuilder sb = new StringBuilder(stage).append('\n').append("kiln=").append(KilnVersion.get()).append('\n');
        parts.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return Checksums.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code data 3f2a…, config 9b1c…}: each input's first four hex digits. */
    public String describe() {
        StringJoiner j = new StringJoiner(", ");
        parts.forEach((k, v) -> j.add(k + " " + shortHash(v)));
        return j.toString();
    }

    static String shortHash(String v) {
        return v != null && v.matches("[0-9a-f]{8,}") ? v.substring(0, 4) + "…" : String.valueOf(v);
    }

    /** SHA-256 of a text (a section of the pipeline file in canonical JSON, a name). */
    public static String hashOf(String text) {
        return Checksums.sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
