package dev.kiln.serve.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import dev.kiln.serve.traffic.CanaryRollout.Decision;
import dev.kiln.serve.traffic.CanaryRollout.Plan;
import dev.kiln.serve.traffic.CanaryRollout.Stats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one interval of a rollout decides from the canary's and the model's requests, and which plans are taken. */
class CanaryDecisionTest {
    static final Plan PLAN = new Plan(List.of(500, 2_500, 10_000), Duration.ofSeconds(60), 100, 0.01, 1.5);

    @Test
    void theDecisionComparesTheCanaryWithTheModel() {
        Stats model = new Stats(990, 10, 0, 990_000_000L); // 1% errors, 1 ms
        assertThat(CanaryRollout.decide(PLAN, new Stats(50, 0, 0, 50_000_000L), model)).isInstanceOf(Decision.Hold.class);
        assertThat(CanaryRollout.decide(PLAN, new Stats(197, 1, 2, 200_000_000L), model)).as("1.5% against 1% + 1 point")
                .isInstanceOf(Decision.Advance.class);
        Decision errors = CanaryRollout.decide(PLAN, new Stats(190, 0, 10, 200_000_000L), model); // 5% > 1% + 1 point
        assertThat(errors).isInstanceOf(Decision.Rollback.class);
        assertThat(((Decision.Rollback) errors).why()).contains("error rate 0.0500").contains("0.0100");
        Decision slow = CanaryRollout.decide(PLAN, new Stats(200, 0, 0, 400_000_000L), model); // 2 ms > 1.5 x 1 ms
        assertThat(slow).isInstanceOf(Decision.Rollback.class);
        assertThat(((Decision.Rollback) slow).why()).contains("mean latency 2.000 ms");
        // 0.067 ms against 0.027 ms is 2.5x, but one GC pause: fast models are not rolled back on microseconds.
        assertThat(CanaryRollout.decide(PLAN, new Stats(200, 0, 0, 13_400_000L), new Stats(200, 0, 0, 5_400_000L)))
                .isInstanceOf(Decision.Advance.class);
        assertThat(CanaryRollout.decide(PLAN, new Stats(200, 0, 0, 400_000_000L), Stats.ZERO))
                .as("no model traffic to compare latency with").isInstanceOf(Decision.Advance.class);
    }

    @Test
    void plansAreChecked() {
        assertThat(Plan.of(List.of(5.0, 50.0, 100.0), Duration.ofSeconds(1)).steps()).containsExactly(500, 5_000, 10_000);
        for (List<Integer> bad : List.of(List.<Integer>of(), List.of(50, 10), List.of(0, 10), List.of(10, 10_001), List.of(10, 10))) {
            assertThatThrownBy(() -> new Plan(bad, Duration.ofSeconds(1), 1, 0.01, 1.5)).as(bad.toString()).isInstanceOf(KilnException.class);
        }
        assertThatThrownBy(() -> new Plan(List.of(10), Duration.ZERO, 1, 0.01, 1.5)).hasMessageContaining("interval");
        assertThatThrownBy(() -> new Plan(List.of(10), Duration.ofSeconds(1), 0, 0.01, 1.5)).hasMessageContaining("request");
        assertThatThrownBy(() -> new Plan(List.of(10), Duration.ofSeconds(1), 1, 2, 1.5)).hasMessageContaining("margin");
        assertThatThrownBy(() -> new Plan(List.of(10), Duration.ofSeconds(1), 1, 0.01, 0.5)).hasMessageContaining("ratio");
    }
}
