package dev.kiln.app.registry;

import dev.kiln.store.ModelEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which version each alias of a model pointed at, and when: the registry's {@code alias_set} and {@code alias_removed}
 * events (oldest first) read as half-open intervals {@code [from, to)} per alias. An {@code alias_set} closes the alias's
 * open interval and opens the next; an {@code alias_removed} closes it and opens none, so a removed alias has a gap.
 * Each interval keeps the move that opened it (who, why, the gate table of a gated move) and what closed it.
 */
public final class AliasTimeline {
    /**
     * One stretch of time during which {@code alias} pointed at {@code version}; {@code to} is null while it still does.
     * {@code details} is the opening event's details as recorded ({@code from}, and for a gated move {@code checks},
     * {@code head_to_head}, {@code forced}, {@code failed_checks}; {@code rollback} for a rollback).
     */
    public record Interval(String alias, int version, Instant from, Instant to, long eventId, String actor, String reason,
                           Map<String, Object> details, Ending ending) {
        /** Whether the instant falls in {@code [from, to)}. */
        public boolean covers(Instant t) {
            return !t.isBefore(from) && (to == null || t.isBefore(to));
        }

        public boolean gated() {
            return details.get("checks") instanceof List<?> checks && !checks.isEmpty();
        }

        public boolean forced() {
            return Boolean.TRUE.equals(details.get("forced"));
        }
    }

    /** What ended an interval: the next move ({@code alias_set}) or a removal ({@code alias_removed}). */
    public record Ending(String type, long eventId, String actor, String reason) {
    }

    private final Map<String, List<Interval>> byAlias;

    private AliasTimeline(Map<String, List<Interval>> byAlias) {
        this.byAlias = byAlias;
    }

    /** From a model's alias events in id order (other event types are ignored). */
    public static AliasTimeline of(List<ModelEvent> events) {
        Map<String, List<Interval>> out = new TreeMap<>();
        for (ModelEvent e : events) {
            boolean set = "alias_set".equals(e.type());
            if ((!set && !"alias_removed".equals(e.type())) || e.alias() == null) {
                continue;
            }
            List<Interval> intervals = out.computeIfAbsent(e.alias(), k -> new ArrayList<>());
            if (!intervals.isEmpty()) {
                Interval last = intervals.get(intervals.size() - 1);
                if (last.to() == null) {
                    intervals.set(intervals.size() - 1, new Interval(last.alias(), last.version(), last.from(), e.at(), last.eventId(),
                            last.actor(), last.reason(), last.details(), new Ending(e.type(), e.id(), e.actor(), e.reason())));
                }
            }
            if (set && e.version() != null) {
                intervals.add(new Interval(e.alias(), e.version(), e.at(), null, e.id(), e.actor(), e.reason(),
                        e.details() == null ? Map.of() : e.details(), null));
            }
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new AliasTimeline(Collections.unmodifiableMap(out));
    }

    /** Every alias that ever existed, by name, each with its intervals oldest first. */
    public Map<String, List<Interval>> byAlias() {
        return byAlias;
    }

    /** The interval of each alias that covers {@code t}; aliases that did not exist then are absent. */
    public Map<String, Interval> at(Instant t) {
        Map<String, Interval> out = new LinkedHashMap<>();
        byAlias.forEach((alias, intervals) -> {
            // Intervals are in time order; the last one starting at or before t is the only candidate.
            for (int i = intervals.size() - 1; i >= 0; i--) {
                Interval iv = intervals.get(i);
                if (!iv.from().isAfter(t)) {
                    if (iv.covers(t)) {
                        out.put(alias, iv);
                    }
                    break;
                }
            }
        });
        return out;
    }

    /**
     * The {@code n} newest moves over every alias, and each alias's last interval however old (so an alias that has
     * not moved for a long time still shows what it serves); the intervals kept are unchanged.
     */
    public AliasTimeline latest(int n) {
        if (moves() <= n) {
            return this;
        }
        long threshold = byAlias.values().stream().flatMap(List::stream).mapToLong(Interval::eventId).map(id -> -id).sorted()
                .limit(n).map(id -> -id).min().orElse(Long.MAX_VALUE);
        Map<String, List<Interval>> out = new TreeMap<>();
        byAlias.forEach((alias, intervals) -> {
            List<Interval> kept = new ArrayList<>();
            for (int i = 0; i < intervals.size(); i++) {
                if (intervals.get(i).eventId() >= threshold || i == intervals.size() - 1) {
                    kept.add(intervals.get(i));
                }
            }
            out.put(alias, Collections.unmodifiableList(kept));
        });
        return new AliasTimeline(Collections.unmodifiableMap(out));
    }

    /** Number of moves recorded (intervals over every alias). */
    public int moves() {
        return byAlias.values().stream().mapToInt(List::size).sum();
    }
}
