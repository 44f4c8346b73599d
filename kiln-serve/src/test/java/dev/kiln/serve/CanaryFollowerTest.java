package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.RegistryFollowerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A canary named by an alias follows the alias, apart from the model's own alias, and a broken version leaves it as it was. */
class CanaryFollowerTest {
    @TempDir
    Path home;

    @Test
    void theCanaryFollowsItsAliasKeepsItsShareAndStopsFollowingWhenRemoved() throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            ModelRegistry reg = store.registry();
            ModelVersion v1 = reg.register("credit", bundle("credit-linear"), null, "test", "linear");
            reg.register("credit", bundle("credit-gbdt"), null, "test", "gbdt");
            reg.register("credit", bundle("credit-linear"), null, "test", "linear again");
            reg.setAlias("credit", "production", 1, "test", "start", Map.of());
            reg.setAlias("credit", "staging", 2, "test", "start", Map.of());

            ModelHost host = new ModelHost();
            host.load("credit", reg.bundlePath(v1), "1");
            try (RegistryFollower follower = new RegistryFollower(host, reg, Duration.ofMillis(100))) {
                follower.follow("credit", dev.kiln.store.ModelRef.parse("credit@production"), 1);
                ModelRepository repo = new ModelRepository(host, reg, follower, List.of());
                assertThat(repo.setCanary("credit", "credit@staging", 20.0, false).version()).isEqualTo("2");
                assertThat(repo.setShadow("credit", "credit@staging", false).version()).as("a shadow follows its alias too").isEqualTo("2");
                follower.start();
                Map<String, Object> entry = repo.index().get(0);
                assertThat(entry.get("canary")).isEqualTo(Map.of("version", "2", "percent", 20.0, "ref", "credit@staging"));
                assertThat(entry.get("shadow")).isEqualTo(Map.of("version", "2", "ref", "credit@staging"));

                reg.setAlias("credit", "staging", 3, "test", "next candidate", Map.of());
                await(() -> "3".equals(host.canary("credit").map(c -> c.served().version()).orElse(null)), "the canary moved to 3");
                assertThat(host.canary("credit").orElseThrow().basisPoints()).as("the share is kept").isEqualTo(2_000);
                await(() -> "3".equals(host.shadow("credit").map(ModelHost.Served::version).orElse(null)), "the shadow moved to 3");
                assertThat(repo.removeShadow("credit").version()).isEqualTo("3");
                assertThat(host.get("credit").orElseThrow().version()).isEqualTo("1");

                reg.setAlias("credit", "production", 2, "test", "promote", Map.of());
                await(() -> "2".equals(host.get("credit").orElseThrow().version()), "the model moved to 2");
                assertThat(host.canary("credit").orElseThrow().served().version()).isEqualTo("3");

                // A version whose stored copy is corrupt: the canary stays on 3 and the failure is reported under the name.
                ModelVersion v4 = reg.register("credit", bundle("credit-linear"), null, "test", "corrupt");
                Path victim;
                try (Stream<Path> files = Files.list(reg.bundlePath(v4))) {
                    victim = files.filter(f -> f.getFileName().toString().equals("estimator.json")).findFirst().orElseThrow();
                }
                victim.toFile().setWritable(true);
                String original = Files.readString(victim);
                Files.writeString(victim, " ", StandardOpenOption.APPEND);
                reg.setAlias("credit", "staging", 4, "test", "broken", Map.of());
                await(() -> host.lastError("credit").isPresent(), "the canary's failed load recorded");
                assertThat(host.lastError("credit").orElseThrow()).contains("the canary of model 'credit'").contains("version 4")
                        .contains("still serving version 3");
                assertThat(host.canary("credit").orElseThrow().served().version()).isEqualTo("3");
                Files.writeString(victim, original);

                // Removing the alias a shadow follows ends the shadow (published as data, both ways).
                reg.setAlias("credit", "shadowing", 3, "test", "shadow", Map.of());
                repo.setShadow("credit", "credit@shadowing", false);
                reg.removeAlias("credit", "shadowing", "test", "done");
                await(() -> host.shadow("credit").isEmpty(), "the shadow stopped with its alias");

                // Removed: the alias is no longer followed for it, and the error goes with it.
                assertThat(repo.removeCanary("credit").served().version()).isEqualTo("3");
                assertThat(host.lastError("credit")).isEmpty();
                reg.setAlias("credit", "staging", 1, "test", "again", Map.of());
                follower.pollOnce(); // a poll that sees the moved alias, on this thread: a followed canary would move to 1 here
                assertThat(host.canary("credit")).isEmpty();
                assertThat(repo.index().get(0)).doesNotContainKey("canary");
            }
        }
    }
}
