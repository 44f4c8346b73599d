package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fresh bundle directories never collide: four `kiln train`s started together once got the same millisecond, and the
 * later writer failed with {@code conflict} (RegistryCliTest.fourProcessesRegisteringAtOnceGetVersionsOneToFour).
 */
class KilnHomeTest {
    @Test
    void bundleDirectoriesNamedInATightLoopAreAllDifferentAndCarryTheProcess() {
        Path home = Path.of("/tmp/home");
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            assertThat(seen.add(KilnHome.newBundleDir(home, "credit-g.csv"))).as("name %d", i).isTrue();
        }
        Path one = KilnHome.newBundleDir(home, "my data.v2.csv");
        assertThat(one.getParent()).isEqualTo(home.resolve("bundles"));
        assertThat(one.getFileName().toString())
                .matches("my_data_v2-\\d{8}-\\d{6}-\\d{3}-" + ProcessHandle.current().pid());
    }
}
