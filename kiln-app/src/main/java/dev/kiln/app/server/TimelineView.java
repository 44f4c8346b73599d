package dev.kiln.app.server;

import dev.kiln.app.registry.AliasTimeline;
import dev.kiln.store.RegisteredModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The wire form of an {@link AliasTimeline}: per alias, its intervals with who, when, why and the move's gate table. */
final class TimelineView {
    private TimelineView() {
    }

    /** The newest {@code limit} moves of {@code timeline} (each alias's last one kept), saying how many there are in all. */
    static Map<String, Object> of(AliasTimeline timeline, RegisteredModel model, int limit) {
        AliasTimeline shown = timeline.latest(limit);
        Map<String, Object> m = of(shown, model);
        m.put("moves", timeline.moves());
        m.put("shown", shown.moves());
        m.put("truncated", shown.moves() < timeline.moves());
        return m;
    }

    static Map<String, Object> of(AliasTimeline timeline, RegisteredModel model) {
        List<Map<String, Object>> aliases = new ArrayList<>();
        java.time.Instant start = null;
        for (Map.Entry<String, List<AliasTimeline.Interval>> e : timeline.byAlias().entrySet()) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("alias", e.getKey());
            a.put("current_version", model.aliases().get(e.getKey()));
            a.put("intervals", e.getValue().stream().map(TimelineView::interval).toList());
            aliases.add(a);
            java.time.Instant first = e.getValue().get(0).from();
            start = start == null || first.isBefore(start) ? first : start;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", Views.time(start));
        m.put("moves", timeline.moves());
        m.put("shown", timeline.moves());
        m.put("truncated", false);
        m.put("aliases", aliases);
        return m;
    }

    static Map<String, Object> interval(AliasTimeline.Interval iv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias", iv.alias());
        m.put("version", iv.version());
        m.put("from", Views.time(iv.from()));
        m.put("to", Views.time(iv.to()));
        m.put("event_id", iv.eventId());
        m.put("actor", iv.actor());
        m.put("reason", iv.reason());
        m.put("previous_version", iv.details().get("from"));
        m.put("gated", iv.gated());
        m.put("forced", iv.forced());
        m.put("rollback", Boolean.TRUE.equals(iv.details().get("rollback")));
        m.put("checks", iv.details().getOrDefault("checks", List.of()));
        m.put("head_to_head", iv.details().get("head_to_head"));
        m.put("failed_checks", iv.details().getOrDefault("failed_checks", List.of()));
        if (iv.ending() == null) {
            m.put("ended_by", null);
        } else {
            Map<String, Object> end = new LinkedHashMap<>();
            end.put("type", iv.ending().type());
            end.put("event_id", iv.ending().eventId());
            end.put("actor", iv.ending().actor());
            end.put("reason", iv.ending().reason());
            m.put("ended_by", end);
        }
        return m;
    }
}
