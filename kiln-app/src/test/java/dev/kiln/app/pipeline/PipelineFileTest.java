package dev.kiln.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kiln.yaml: the documented keys, defaults, and every mistake named by its key path. */
class PipelineFileTest {
    private static final Path FILE = Path.of("/work/proj/kiln.yaml");

    private static PipelineSpec parse(String yaml) {
        return PipelineFile.parse(yaml, FILE);
    }

    private static void refused(String yaml, String... fragments) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .message().contains(fragments);
    }

    @Test
    void readsTheIssuesExampleWithItsKeyNames() {
        PipelineSpec s = parse("""
                name: credit
                data: data/credit.csv
                target: class
                train:
                  algorithms: [baseline, linear, gbdt]
                  seed: 0
                  cost_fp: 1
                  cost_fn: 5
                  warm_start: true
                gates:
                  roc_auc: ">= 0.70"
                  max_regression: 0.02
                promote:
                  alias: production
                  rollout: direct
                """);
        assertThat(s.name()).isEqualTo("credit");
        assertThat(s.baseDir()).isEqualTo(Path.of("/work/proj"));
        assertThat(s.data()).isEqualTo("data/credit.csv");
        assertThat(s.train().algorithms()).containsExactly("baseline", "linear", "gbdt");
        assertThat(s.train().seed()).isZero();
        assertThat(s.train().costFn()).isEqualTo(5.0);
        assertThat(s.train().warmStart()).isTrue();
        assertThat(s.gates().thresholds()).singleElement().hasToString("roc_auc >= 0.7000");
        assertThat(s.gates().maxRegression()).isEqualTo(0.02);
        assertThat(s.promote().alias()).isEqualTo("production");
        assertThat(s.promote().rollout()).isEqualTo("direct");
        assertThat(s.validate().blockOn()).as("default").isEqualTo("fail");
        assertThat(s.triggers().data()).as("default").isTrue();
        assertThat(s.rollout()).isNull();
        assertThat(s.monitor()).isNull();
    }

    @Test
    void readsRolloutTriggersAndMonitor() {
        PipelineSpec s = parse("""
                name: credit
                data: data/
                target: class
                promote: {alias: production, rollout: shadow-canary}
                rollout:
                  serve: http://127.0.0.1:8080/
                  admin_token_file: secrets/admin.token
                  shadow_requests: 300
                  canary_steps: [5, 25, 100]
                  canary_interval_seconds: 30
                  max_wait: 10m
                triggers:
                  cron: "*/15 * * * *"
                  on_alerts: [auc-dropped]
                  poll: 5s
                monitor:
                  window: 24h
                  rules:
                    - {name: auc-dropped, kind: metric_drop, metric: roc_auc, threshold: 0.05}
                """);
        assertThat(s.rollout().serve()).isEqualTo("http://127.0.0.1:8080");
        assertThat(s.rollout().adminTokenFile()).isEqualTo(Path.of("/work/proj/secrets/admin.token"));
        assertThat(s.rollout().canarySteps()).containsExactly(5, 25, 100);
        assertThat(s.rollout().maxWait()).hasMinutes(10);
        assertThat(s.triggers().cron()).isEqualTo("*/15 * * * *");
        assertThat(s.triggers().onAlerts()).containsExactly("auc-dropped");
        assertThat(s.triggers().poll()).hasSeconds(5);
        assertThat(s.monitor().rules()).extracting(r -> r.name()).containsExactly("auc-dropped");
    }

    @Test
    void readsTheSearchValidationAndConstraintKeys() {
        PipelineSpec s = parse("""
                name: credit
                data: d.csv
                target: class
                train:
                  budget: 90s
                  search_space: gbdt.max_depth=3..6
                  group_column: customer
                  folds: 3
                  configurations: 12
                  max_latency_us: 50
                  max_bundle_kb: 500
                  max_train_seconds: 600
                  interpretable: true
                  monotone: [income=+1, debt=-1]
                """);
        var t = s.train();
        assertThat(t.tuning().budget()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(t.tuning().space()).isEqualTo("gbdt.max_depth=3..6");
        assertThat(t.tuning().groupColumn()).isEqualTo("customer");
        assertThat(t.tuning().folds()).isEqualTo(3);
        assertThat(t.tuning().configurations()).isEqualTo(12);
        assertThat(t.constraints().maxLatencyMicros()).isEqualTo(50.0);
        assertThat(t.constraints().maxBundleBytes()).isEqualTo(500L * 1024);
        assertThat(t.constraints().maxTrainSeconds()).isEqualTo(600.0);
        assertThat(t.constraints().interpretable()).isTrue();
        assertThat(t.constraints().monotone()).containsEntry("income", 1).containsEntry("debt", -1);
    }

    @Test
    void everyMistakeNamesItsKeyPath() {
        String head = "name: credit\ndata: d.csv\ntarget: class\n";
        refused(head + "trian:\n  seed: 1\n", "kiln.yaml: trian: unknown key (did you mean 'train'?)");
        refused(head + "train:\n  algoritms: [gbdt]\n", "train.algoritms: unknown key (did you mean 'algorithms'?)");
        refused(head + "train:\n  algorithms: [gbdt, xgb]\n", "train.algorithms[1]: unknown algorithm 'xgb'");
        refused(head + "train:\n  seed: one\n", "train.seed: must be a whole number");
        refused(head + "train:\n  test_fraction: 2\n", "train.test_fraction: must be between");
        refused(head + "train:\n  cost_fp: 1\n", "train.cost_fn: is required with cost_fp");
        refused(head + "gates:\n  roc_auc: high\n", "gates.roc_auc: 'high' is not a rule");
        refused(head + "promote:\n  rollout: yolo\n", "promote.rollout: must be one of direct, shadow-canary, none");
        refused(head + "rollout:\n  serve: localhost\n", "rollout.serve: must be the http(s) URL");
        refused(head + "promote:\n  rollout: shadow-canary\n", "promote.rollout: shadow-canary needs a rollout section");
        refused(head + "rollout:\n  serve: http://x\n  canary_steps: [50, 10]\n", "rollout.canary_steps[1]: steps must increase");
        refused(head + "triggers:\n  poll: soon\n", "triggers.poll: 'soon' is not a duration");
        refused(head + "triggers:\n  zone: Mars/Olympus\n", "triggers.zone");
        refused(head + "triggers:\n  cron: \"61 * * * *\"\n", "triggers.cron:", "61");
        refused(head + "monitor:\n  rules:\n    - {kind: nope}\n", "monitor.rules[0].kind");
        refused(head + "monitor:\n  rules:\n    - {kind: error_rate}\n  retrain: {on: [error-rate]}\n",
                "monitor.retrain: the pipeline retrains");
        refused(head + "train:\n  budget: soon\n", "train.budget:", "'soon' is not a time budget");
        refused(head + "train:\n  folds: 1\n", "train.folds:");
        refused(head + "train:\n  max_latency_us: -5\n", "train.max_latency_us:");
        refused(head + "train:\n  monotone: [income=up]\n", "train.monotone:", "income=up");
        refused("data: d.csv\ntarget: class\n", "name: is required");
        refused("name: credit\ntarget: class\n", "data: is required");
        refused("name: ../evil\ndata: d.csv\ntarget: class\n", "name:");
        refused("name: credit\ndata: jdbc:sqlite:x.db\ntarget: class\n", "query: is required when data is a jdbc: URL");
        refused("name: credit\nname: other\ndata: d.csv\ntarget: class\n", "not valid YAML", "name");
        refused("- a\n- b\n", "must be a mapping");
        refused("name: [credit\n", "not valid YAML");
    }

    @Test
    void theStarterFileParsesAndNamesTheTask() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("init");
        Path data = TestData.credit(dir);
        String text = StarterFile.text("credit", "credit-g.csv", data, "class");
        PipelineSpec s = PipelineFile.parse(text, dir.resolve("kiln.yaml"));
        assertThat(s.name()).isEqualTo("credit");
        assertThat(s.target()).isEqualTo("class");
        assertThat(text).contains("target: class", "# binary");
        assertThat(s.gates().thresholds()).extracting(Object::toString).containsExactly("roc_auc >= 0.7000");
        assertThatThrownBy(() -> StarterFile.text("credit", "credit-g.csv", data, "klass"))
                .hasMessageContaining("'klass' is not in").hasMessageContaining("class");
        assertThat(List.of(text.split("\n"))).allSatisfy(line -> assertThat(line).doesNotContain("\t"));
    }
}
