package dev.kiln.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrainingTest {
    @TempDir
    Path home;

    @Test
    void anOldRunLackingAParameterIsAnErrorNamingIt() {
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>(java.util.Map.of("target", "class", "task", "binary",
                "split", "time", "time_column", "date", "test_fraction", "0.3", "validation_fraction", "0.1", "seed", "5",
                "positive_class", "bad", "cost_fp", "1.0"));
        dev.kiln.store.Run run = new dev.kiln.store.Run("r1", "default", null, "train", dev.kiln.store.RunStatus.FINISHED,
                null, null, "host", 1, params, java.util.Map.of(), java.util.Map.of());
        dev.kiln.store.ModelVersion v = new dev.kiln.store.ModelVersion("credit", 1, "sha", "r1", "dsha", "linear", "binary",
                java.util.Map.of(), "me", java.time.Instant.now(), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Retraining.trainOptions("credit:1", run, v, home, home, null, null,
                        new java.util.HashMap<>()))
                .isInstanceOf(dev.kiln.runtime.KilnException.class).hasMessageContaining("'algorithms'").hasMessageContaining("r1");
        params.put("algorithms", "linear,gbdt");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Retraining.trainOptions("credit:1", run, v, home, home, null, null,
                        new java.util.HashMap<>()))
                .isInstanceOf(dev.kiln.runtime.KilnException.class).hasMessageContaining("'cost_fn'");
        params.put("cost_fn", "5");
        dev.kiln.train.TrainOptions o = Retraining.trainOptions("credit:1", run, v, home, home, 9L, null, new java.util.HashMap<>());
        assertThat(o.split()).isEqualTo(dev.kiln.train.TrainOptions.SplitKind.TIME);
        assertThat(o.timeColumn()).isEqualTo("date");
        assertThat(o.testFraction()).isEqualTo(0.3);
        assertThat(o.validationFraction()).isEqualTo(0.1);
        assertThat(o.seed()).isEqualTo(9L);
        assertThat(o.algorithms()).containsExactly("linear", "gbdt");
        assertThat(o.costMatrix().falseNegative()).isEqualTo(5.0);
        assertThat(o.data()).isEqualTo(home);
    }

    @Test
    void aRecordedNegativeCostIsAnErrorNamingTheParameter() {
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>(java.util.Map.of("target", "class", "task", "binary",
                "split", "random", "test_fraction", "0.2", "validation_fraction", "0.2", "seed", "5",
                "algorithms", "linear", "positive_class", "bad", "cost_fp", "-1", "cost_fn", "5"));
        dev.kiln.store.Run run = new dev.kiln.store.Run("r2", "default", null, "train", dev.kiln.store.RunStatus.FINISHED,
                null, null, "host", 1, params, java.util.Map.of(), java.util.Map.of());
        dev.kiln.store.ModelVersion v = new dev.kiln.store.ModelVersion("credit", 1, "sha", "r2", "dsha", "linear", "binary",
                java.util.Map.of(), "me", java.time.Instant.now(), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Retraining.trainOptions("credit:1", run, v, home, home, null, null,
                        new java.util.HashMap<>()))
                .isInstanceOf(dev.kiln.runtime.KilnException.class).hasMessageContaining("cost_fp").hasMessageContaining("'-1'")
                .hasMessageContaining("r2");
    }
}
