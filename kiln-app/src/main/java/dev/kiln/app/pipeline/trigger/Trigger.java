package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Why a pipeline run starts. A run started for several triggers that arrived while another run went on gets
 * one trigger that coalesces them: {@code causes()} lists each, oldest first, and {@code reason} joins theirs.
 */
public record Trigger(Kind kind, String reason, Instant at, List<Trigger> coalesced) {
    public enum Kind { DATA, SCHEDULE, ALERT, MANUAL }

    public Trigger {
        if (kind == null || reason == null || reason.isBlank() || at == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a trigger needs a kind, a reason and a time",
                    Map.of("field", "trigger"));
        }
        coalesced = coalesced == null ? List.of() : List.copyOf(coalesced);
    }

    /** A single trigger. */
    public static Trigger of(Kind kind, String reason, Instant at) {
        return new Trigger(kind, reason, at, List.of());
    }

    /** The single triggers this one stands for: itself, or those it coalesces. */
    public List<Trigger> causes() {
        return coalesced.isEmpty() ? List.of(this) : coalesced;
    }

    /**
     * One trigger for all of {@code triggers} (at least one): itself when there is one, else the oldest's kind and
     * time with every reason, "data: …; schedule: …".
     */
    public static Trigger coalesce(List<Trigger> triggers) {
        List<Trigger> all = new ArrayList<>();
        triggers.forEach(t -> all.addAll(t.causes()));
        if (all.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "nothing to coalesce: no trigger", Map.of("field", "trigger"));
        }
        all.sort(Comparator.comparing(Trigger::at)); // stable: arrival order among equal times
        if (all.size() == 1) {
            return all.get(0);
        }
        String reason = String.join("; ", all.stream()
                .map(t -> t.kind().name().toLowerCase(Locale.ROOT) + ": " + t.reason()).toList());
        return new Trigger(all.get(0).kind(), reason, all.get(0).at(), all);
    }
}
