package dev.kiln.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.store.KilnStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a retrain policy does for a model it has no data for, before any training. */
class PolicyRetrainTest {
    @TempDir
    Path home;

    @Test
    void aModelServedFromABundleDirectoryOrWithoutDataOfItsOwnIsNotRetrained() {
        AlertRules.RetrainPolicy perModel = new AlertRules.RetrainPolicy(List.of(), null, Duration.ofDays(1),
                Map.of("churn", home.resolve("churn.csv")));
        try (KilnStore store = KilnStore.open(home, null)) {
            assertThat(PolicyRetrain.run(store, null, perModel))
                    .isEqualTo("not retrained: the model is served from a bundle directory, not the registry");
            assertThat(PolicyRetrain.run(store, "credit", perModel))
                    .isEqualTo("not retrained: the retrain policy names no data for 'credit'");
            assertThat(PolicyRetrain.run(store, "churn", perModel))
                    .isEqualTo("not retrained: the policy's data " + home.resolve("churn.csv") + " does not exist");
        }
    }
}
