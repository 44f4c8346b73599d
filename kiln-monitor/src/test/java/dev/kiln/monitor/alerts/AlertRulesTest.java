package dev.kiln.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
    @Test
    void parsesRulesWithDefaultsWebhookAndRetrainPolicy() {
        AlertRules r = AlertRules.parse("""
                {"window": "6h", "every": "10m",
                 "rules": [
                   {"kind": "feature_psi"},
                   {"name": "auc", "kind": "metric_drop", "metric": "roc_auc", "threshold": 0.02, "min_labelled": 10},
                   {"name": "age-psi", "kind": "feature_psi", "feature": "age", "threshold": 0.1, "severity": "critical"}
                 ],
                 "webhook": {"url": "https://Hooks.Example.com./kiln", "allowed_hosts": ["HOOKS.example.com"]},
                 "retrain": {"on": ["auc"], "data": "fresh.csv"}}""", Path.of("/srv/monitor"));
        assertThat(r.window()).isEqualTo(Duration.ofHours(6));
        assertThat(r.every()).isEqualTo(Duration.ofMinutes(10));
        assertThat(r.rules()).hasSize(3);
        AlertRules.Rule psi = r.rules().get(0);
        assertThat(psi.name()).isEqualTo("feature-psi");
        assertThat(psi.threshold()).isEqualTo(0.2);
        assertThat(psi.severity()).isEqualTo("warning");
        assertThat(psi.minRows()).isEqualTo(100);
        AlertRules.Rule auc = r.rules().get(1);
        assertThat(auc.kind()).isEqualTo(AlertRules.Kind.METRIC_DROP);
        assertThat(auc.severity()).isEqualTo("critical");
        assertThat(auc.minLabelled()).isEqualTo(10);
        assertThat(r.rules().get(2).feature()).isEqualTo("age");
        assertThat(r.webhook().allowedHosts()).containsExactly("hooks.example.com");
        assertThat(r.retrain().data()).isEqualTo(Path.of("/srv/monitor/fresh.csv"));
        assertThat(r.retrain().on()).containsExactly("auc");
        assertThat(r.retrain().every()).isNull();
        AlertRules scheduled = AlertRules.parse("{\"rules\": [{\"kind\": \"feature_psi\"}], "
                + "\"retrain\": {\"every\": \"30d\", \"data\": \"/d/x.csv\"}}", null);
        assertThat(scheduled.retrain().every()).isEqualTo(Duration.ofDays(30));
        assertThat(scheduled.retrain().on()).isEmpty();
    }

    @Test
    void everyMistakeNamesTheFieldAtFault() {
        assertError("{\"rules\": []}", "$.rules");
        assertError("{\"rules\": [{\"kind\": \"psi\"}]}", "$.rules[0].kind", "unknown rule kind 'psi'");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\", \"threshold\": -1}]}", "$.rules[0].threshold");
        assertError("{\"rules\": [{\"kind\": \"error_rate\", \"metric\": \"auc\"}]}", "$.rules[0].metric");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}, {\"kind\": \"feature_psi\"}]}", "$.rules[1].name", "used twice");
        assertError("{\"window\": 5, \"rules\": [{\"kind\": \"feature_psi\"}]}", "$.window");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}], \"retrain\": {\"on\": [\"nope\"], \"data\": \"x.csv\"}}",
                "$.retrain.on[0]", "no rule is named 'nope'");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}], \"webhook\": {\"url\": \"https://a.example\"}}",
                "$.webhook.allowed_hosts");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}], \"retrain\": {\"data\": \"x.csv\"}}", "$.retrain", "\"every\"");
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}], \"retrain\": {\"every\": \"soon\", \"data\": \"x.csv\"}}",
                "$.retrain.every");
        assertError("[1, 2]", "$", "JSON object");
        assertError("{\"rules\": [", "$", "not valid JSON");
    }

    @Test
    void aRetrainPathNoFileCanHaveAndACountPastALongAreTheirFieldsErrors() {
        // Before: Path.of threw InvalidPathException, an IllegalArgumentException, out of the parser.
        assertError("{\"rules\": [{\"kind\": \"feature_psi\"}], \"retrain\": {\"every\": \"30d\", \"data\": \"a\\u0000b.csv\"}}",
                "alert rules $.retrain.data: 'a\u0000b.csv' is not a file path");
        // Before: 2^64 + 1 was read as 1.
        assertError("{\"rules\": [{\"kind\": \"metric_drop\", \"min_labelled\": 18446744073709551617}]}",
                "alert rules $.rules[0].min_labelled: must be a whole number ≥ 0, not 18446744073709551617");
        assertThat(AlertRules.parse("{\"rules\": [{\"kind\": \"metric_drop\", \"min_labelled\": 9223372036854775807}]}", null)
                .rules().get(0).minLabelled()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void webhookUrlsAreCheckedInCanonicalForm() {
        Set<String> allowed = Set.of("hooks.example.com");
        assertThat(AlertRules.webhookUrl("https://hooks.example.com/x", allowed, "u").getHost()).isEqualTo("hooks.example.com");
        assertThatThrownBy(() -> AlertRules.webhookUrl("https://hooks.example.com.evil.net/x", allowed, "u"))
                .hasMessageContaining("not on allowed_hosts");
        assertThatThrownBy(() -> AlertRules.webhookUrl("https://user:pw@hooks.example.com/x", allowed, "u"))
                .hasMessageContaining("credentials");
        assertThatThrownBy(() -> AlertRules.webhookUrl("file:///etc/passwd", allowed, "u")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> AlertRules.webhookUrl("http://169.254.169.254/latest", allowed, "u"))
                .hasMessageContaining("169.254.169.254");
    }

    @Test
    void aMissingRulesFileIsNotFound() {
        assertThatThrownBy(() -> AlertRules.load(Path.of("/nonexistent/rules.json")))
                .isInstanceOf(KilnException.class).hasMessageContaining("not found");
    }

    private static void assertError(String json, String path, String... parts) {
        assertThatThrownBy(() -> AlertRules.parse(json, null))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining(path).satisfies(e -> {
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }
}
