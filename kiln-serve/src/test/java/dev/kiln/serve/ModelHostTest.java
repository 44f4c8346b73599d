package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.traffic.Bandit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHostTest {
    @TempDir
    Path tmp;

    @Test
    void loadsAndSwapsByName() {
        ModelHost host = new ModelHost();
        assertThat(host.ready()).isFalse();
        ModelHost.Served first = host.load("credit", bundle("credit-linear"), "v1");
        assertThat(host.get("credit")).containsSame(first);
        assertThat(host.ready()).isTrue();
        ModelHost.Served second = host.load("credit", bundle("credit-gbdt"), "v2");
        assertThat(host.get("credit")).containsSame(second);
        assertThat(second.model().manifest().algorithm()).isNotEqualTo(first.model().manifest().algorithm());
        assertThat(host.names()).containsExactly("credit");
    }

    @Test
    void aFailedLoadKeepsTheOldModelServingAndIsReported() throws Exception {
        ModelHost host = new ModelHost();
        ModelHost.Served old = host.load("credit", bundle("credit-linear"), "v1");
        Path broken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(broken.resolve("manifest.json"), "{ not json");
        assertThatThrownBy(() -> host.load("credit", broken, "v2")).isInstanceOf(KilnException.class)
                .hasMessageContaining("credit").hasMessageContaining("still serving version v1");
        assertThat(host.get("credit")).containsSame(old);
        assertThat(host.lastError("credit")).isPresent();
        assertThat(host.ready()).isTrue();
        host.load("credit", bundle("credit-gbdt"), "v3");
        assertThat(host.lastError("credit")).isEmpty();
    }

    @Test
    void aNameWhoseFirstLoadFailedIsNotReady() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "v1");
        assertThatThrownBy(() -> host.load("other", tmp.resolve("absent"), "v1")).isInstanceOf(KilnException.class);
        assertThat(host.ready()).isFalse();
        assertThat(host.get("other")).isEmpty();
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            Fixtures.Reply r = Fixtures.get("http://127.0.0.1:" + server.port(), "/v2/health/ready");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body().get("ready").asBoolean()).isFalse();
        }
    }

    @Test
    void refusesBadNamesAndVersions() {
        ModelHost host = new ModelHost();
        assertThatThrownBy(() -> host.load("../x", bundle("credit-linear"), "v1")).isInstanceOf(KilnException.class);
        assertThatThrownBy(() -> host.load("credit", bundle("credit-linear"), " ")).isInstanceOf(KilnException.class);
    }

    /** The arms' out-of-range checks are kept by the host beside its bandit, not computed per request. */
    @Test
    void aBanditsArmsKeepTheChecksComputedWhenItWasPut() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "1");
        Map<String, KilnModel> versions = new LinkedHashMap<>();
        versions.put("1", KilnModel.load(bundle("credit-linear")));
        versions.put("2", KilnModel.load(bundle("credit-gbdt")));
        Bandit bandit = host.putBandit("credit", versions);
        for (Bandit.Arm arm : bandit.arms()) {
            assertThat(host.checks(arm.served())).as("version " + arm.served().version()).isSameAs(host.checks(arm.served()));
        }
        ModelHost.Served removed = bandit.arms().get(1).served();
        assertThat(host.removeBandit("credit")).containsSame(bandit);
        assertThat(host.checks(removed)).as("an arm no longer served: computed again").isNotSameAs(host.checks(removed));
    }
}
