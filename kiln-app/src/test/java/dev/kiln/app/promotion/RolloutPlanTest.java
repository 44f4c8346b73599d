package dev.kiln.app.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A rollout plan's checks (each naming its field), the shadow's refusal rule, and reading Prometheus labels. */
class RolloutPlanTest {
    static final URI URL = URI.create("http://127.0.0.1:8080");

    static RolloutPlan plan() {
        return RolloutPlan.defaults(RolloutPlan.Kind.SHADOW_CANARY, URL, "token-0123456789abcdef", "test");
    }

    static void refused(Runnable r, String field, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("field", field);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void badPlansAreRefusedNamingTheField() {
        refused(() -> RolloutPlan.defaults(RolloutPlan.Kind.DIRECT, URI.create("ftp://x"), "t", "test"), "serve", "http(s) URL");
        refused(() -> RolloutPlan.defaults(RolloutPlan.Kind.DIRECT, URL, " ", "test"), "admin_token", "admin token");
        refused(() -> plan().withShadow(0, 0, 0, Duration.ofSeconds(1)), "shadow_requests", "at least 1");
        refused(() -> plan().withShadow(10, 1.5, 0, Duration.ofSeconds(1)), "min_agreement", "0 to 1");
        refused(() -> plan().withCanary(List.of(50.0, 10.0), Duration.ofSeconds(1), Duration.ofSeconds(9)), "canary_steps", "increase");
        refused(() -> plan().withCanary(List.of(), Duration.ofSeconds(1), Duration.ofSeconds(9)), "canary_steps", "at least one");
        refused(() -> plan().withCanary(List.of(10.0), Duration.ZERO, Duration.ofSeconds(9)), "canary_interval_seconds", "positive");
        refused(() -> plan().withOverride(true, Set.of(), " "), "reason", "--reason");
        refused(() -> plan().withOverride(false, Set.of(RolloutPlan.Phase.SHADOW), "why"), "force", "--force");
        refused(() -> RolloutPlan.Kind.parse("blue-green", "--rollout"), "--rollout", "direct or shadow-canary");
        assertThat(plan().withOverride(true, Set.of(RolloutPlan.Phase.CANARY), "tested elsewhere").skip())
                .containsExactly(RolloutPlan.Phase.CANARY);
        assertThat(plan().toString()).as("the token never shows").doesNotContain("token-0123456789abcdef");
    }

    @Test
    void theShadowRefusesASignificantlyWorseCandidateOrOneThatAgreesTooLittle() {
        RolloutPlan plan = plan().withShadow(10, 0.9, 0, Duration.ofSeconds(1));
        LiveEvidence fine = new LiveEvidence("shadow", 100, 0.95, "accuracy", 0.80, 0.82, 80L, 0.6, false);
        assertThat(Rollout.refusal(fine, plan)).isNull();
        LiveEvidence worse = new LiveEvidence("shadow", 100, 0.95, "accuracy", 0.55, 0.85, 80L, 0.001, true);
        assertThat(Rollout.refusal(worse, plan)).contains("significantly worse").contains("0.550").contains("p=0.0010");
        LiveEvidence apart = new LiveEvidence("shadow", 100, 0.70, null, null, null, null, null, false);
        assertThat(Rollout.refusal(apart, plan)).contains("agrees with production on 0.700").contains("minimum 0.900");
    }

    @Test
    void prometheusLabelsAreReadWithTheirEscapes() {
        assertThat(ServeAdminClient.labels("model=\"credit\",outcome=\"agree\",version=\"2\""))
                .isEqualTo(Map.of("model", "credit", "outcome", "agree", "version", "2"));
        assertThat(ServeAdminClient.labels("model=\"a\\\"b\",version=\"sha256:ab,c\"")).containsEntry("model", "a\"b")
                .containsEntry("version", "sha256:ab,c");
    }
}
