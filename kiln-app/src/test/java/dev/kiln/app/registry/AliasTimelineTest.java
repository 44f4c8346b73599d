package dev.kiln.app.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.store.ModelEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AliasTimelineTest {
    private static final Instant T0 = Instant.parse("2026-03-03T12:00:00Z");

    private static ModelEvent event(long id, String type, Integer version, String alias, long minutes, String actor) {
        return new ModelEvent(id, "credit", type, version, alias, actor, "why " + id, T0.plusSeconds(60 * minutes),
                Map.of("checks", List.of(Map.of("name", "lift", "passed", true))));
    }

    @Test
    void movesBecomeHalfOpenIntervalsAndARemovalLeavesAGap() {
        AliasTimeline t = AliasTimeline.of(List.of(
                event(1, "version_registered", 1, null, 0, "seed"),
                event(2, "alias_set", 1, "production", 10, "alice"),
                event(3, "alias_set", 2, "production", 20, "bob"),
                event(4, "alias_set", 2, "staging", 20, "bob"),
                event(5, "alias_removed", 2, "staging", 30, "carol"),
                event(6, "rollout_step", 2, "production", 35, "robot"),
                event(7, "alias_set", 1, "staging", 40, "dan")));

        List<AliasTimeline.Interval> production = t.byAlias().get("production");
        assertThat(production).extracting(AliasTimeline.Interval::version).containsExactly(1, 2);
        assertThat(production.get(0).to()).isEqualTo(production.get(1).from());
        assertThat(production.get(0).ending().actor()).isEqualTo("bob");
        assertThat(production.get(1).to()).isNull();
        assertThat(production.get(0).gated()).isTrue();
        assertThat(t.byAlias().get("staging")).extracting(AliasTimeline.Interval::version).containsExactly(2, 1);
        assertThat(t.byAlias().get("staging").get(0).ending().type()).isEqualTo("alias_removed");
        assertThat(t.moves()).isEqualTo(4);

        assertThat(t.at(T0)).isEmpty();
        assertThat(t.at(T0.plusSeconds(600))).containsOnlyKeys("production");
        assertThat(t.at(T0.plusSeconds(1199)).get("production").version()).as("just before the second move").isEqualTo(1);
        assertThat(t.at(T0.plusSeconds(1200)).get("production").version()).as("at the move: the new version").isEqualTo(2);
        assertThat(t.at(T0.plusSeconds(1200)).get("staging").version()).isEqualTo(2);
        assertThat(t.at(T0.plusSeconds(1800))).as("removed at 30 min").containsOnlyKeys("production");
        assertThat(t.at(T0.plusSeconds(2400)).get("staging").actor()).isEqualTo("dan");
    }

    @Test
    void twoMovesInOneMillisecondLeaveTheLaterOneServingThen() {
        AliasTimeline t = AliasTimeline.of(List.of(event(1, "alias_set", 1, "production", 5, "a"),
                event(2, "alias_set", 2, "production", 5, "b")));
        assertThat(t.at(T0.plusSeconds(300)).get("production").version()).isEqualTo(2);
        assertThat(t.byAlias().get("production").get(0).from()).isEqualTo(t.byAlias().get("production").get(0).to());
    }

    @Test
    void theNewestMovesKeepEachAliasesCurrentIntervalHoweverOld() {
        AliasTimeline t = AliasTimeline.of(List.of(
                event(1, "alias_set", 1, "production", 1, "a"),
                event(2, "alias_set", 1, "staging", 2, "b"),
                event(3, "alias_set", 2, "staging", 3, "b"),
                event(4, "alias_set", 3, "staging", 4, "b"),
                event(5, "alias_set", 4, "staging", 5, "b")));
        AliasTimeline two = t.latest(2);
        assertThat(two.byAlias().get("staging")).extracting(AliasTimeline.Interval::version).containsExactly(3, 4);
        assertThat(two.byAlias().get("production")).as("old, but what production still serves").extracting(AliasTimeline.Interval::version)
                .containsExactly(1);
        assertThat(two.moves()).isEqualTo(3);
        assertThat(t.latest(10)).isSameAs(t);
        assertThat(two.byAlias().get("staging").get(0).to()).isEqualTo(two.byAlias().get("staging").get(1).from());
    }
}
