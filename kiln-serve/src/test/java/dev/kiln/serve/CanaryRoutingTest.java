package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** How {@link ModelHost} splits a name's requests between its model and its canary. */
class CanaryRoutingTest {
    static final KilnModel LINEAR = KilnModel.load(bundle("credit-linear"));
    static final KilnModel GBDT = KilnModel.load(bundle("credit-gbdt"));

    @Property(tries = 500)
    void aKeyAlwaysFallsInTheSameBucket(@ForAll String key) {
        int b = ModelHost.bucket(key);
        assertThat(b).isBetween(0, 9_999);
        assertThat(ModelHost.bucket(new String(key.toCharArray()))).as("a copy of the key").isEqualTo(b);
    }

    @Provide
    Arbitrary<String> prefixes() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(12);
    }

    /**
     * Keys that differ only in a counter (customer-1, customer-2, ...) are what A/B tests route on: whatever the
     * prefix, the share routed to the canary is the configured one, within 2 points over 20,000 keys (the
     * binomial standard deviation is at most 0.35 points).
     */
    @Property(tries = 30)
    void sequentialKeysSplitAtTheConfiguredShare(@ForAll("prefixes") String prefix, @ForAll @IntRange(min = 0, max = 10_000) int basisPoints) {
        int n = 20_000;
        int below = 0;
        for (int i = 0; i < n; i++) {
            if (ModelHost.bucket(prefix + i) < basisPoints) {
                below++;
            }
        }
        assertThat(below / (double) n).as("share of '" + prefix + "N' keys under " + basisPoints)
                .isCloseTo(basisPoints / 10_000.0, org.assertj.core.data.Offset.offset(0.02));
    }

    /** Buckets are uniform: the chi-square of 100,000 sequential keys over 100 bins is below its 99.9th percentile (148.2). */
    @Example
    void bucketsAreUniform() {
        int[] bins = new int[100];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            bins[ModelHost.bucket("customer-" + i) / 100]++;
        }
        double expected = n / 100.0;
        double chi2 = 0;
        for (int b : bins) {
            chi2 += (b - expected) * (b - expected) / expected;
        }
        assertThat(chi2).isLessThan(148.2);
    }

    @Example
    void shareZeroAndHundredAndRandomDraws() {
        ModelHost host = new ModelHost();
        host.put("credit", LINEAR, "1");
        assertThat(host.route("credit", "k")).as("no canary").isSameAs(host.get("credit").orElseThrow());
        assertThat(host.route("other", "k")).isNull();
        ModelHost.Served canary = host.putCanary("credit", GBDT, "2", 0);
        for (int i = 0; i < 1_000; i++) {
            assertThat(host.route("credit", "k" + i).version()).isEqualTo("1");
        }
        assertThat(host.setCanaryShare("credit", 10_000)).isTrue();
        for (int i = 0; i < 1_000; i++) {
            assertThat(host.route("credit", "k" + i)).isSameAs(canary);
        }
        assertThat(host.setCanaryShare("credit", 2_500)).isTrue();
        int toCanary = 0;
        for (int i = 0; i < 20_000; i++) {
            toCanary += host.route("credit", null) == canary ? 1 : 0;
        }
        assertThat(toCanary / 20_000.0).as("requests without a key are drawn at random").isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.02));
        assertThat(host.canary("credit").orElseThrow().percent()).isEqualTo(25.0);
    }

    @Example
    void theCanaryIsFoundByVersionHasItsOwnChecksAndGoesWithItsName() {
        ModelHost host = new ModelHost();
        host.put("credit", LINEAR, "1");
        ModelHost.Served canary = host.putCanary("credit", GBDT, "2", 1_000);
        assertThat(host.get("credit", "2")).containsSame(canary);
        assertThat(host.get("credit", "1")).containsSame(host.get("credit").orElseThrow());
        assertThat(host.get("credit", "3")).isEmpty();
        assertThat(host.checks(canary)).as("computed once when the canary was put").isSameAs(host.canary("credit").orElseThrow().checks());
        assertThat(host.names()).containsExactly("credit");

        ModelHost.Served replaced = host.putCanary("credit", LINEAR, "3", 1_000);
        assertThat(host.get("credit", "2")).isEmpty();
        assertThat(host.get("credit", "3")).containsSame(replaced);
        assertThat(host.removeCanary("credit")).map(c -> c.served().version()).contains("3");
        assertThat(host.removeCanary("credit")).isEmpty();
        assertThat(host.setCanaryShare("credit", 5)).as("no canary to change").isFalse();
        for (int i = 0; i < 100; i++) {
            assertThat(host.route("credit", "k" + i).version()).isEqualTo("1");
        }

        host.putCanary("credit", GBDT, "2", 10_000);
        host.remove("credit");
        assertThat(host.canary("credit")).isEmpty();
        assertThat(host.route("credit", "k")).isNull();
    }

    @Example
    void aCanaryNeedsAServedModelAndAValidShare() {
        ModelHost host = new ModelHost();
        assertThatThrownBy(() -> host.putCanary("credit", GBDT, "2", 10)).isInstanceOf(KilnException.class)
                .hasMessageContaining("'credit' is not served").extracting(e -> ((KilnException) e).code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
        host.put("credit", LINEAR, "1");
        assertThatThrownBy(() -> host.putCanary("credit", GBDT, "2", 10_001)).isInstanceOf(dev.kiln.runtime.KilnException.class)
                .hasMessageContaining("10001");
        assertThatThrownBy(() -> host.putCanary("credit", GBDT, "2", -1)).isInstanceOf(dev.kiln.runtime.KilnException.class);
        assertThat(host.canary("credit")).isEmpty();
    }

    @Example
    void sharesAreGivenInPercentAndRefusedOutsideZeroToHundred() {
        assertThat(ModelRepository.basisPoints(10, "percent")).isEqualTo(1_000);
        assertThat(ModelRepository.basisPoints(0.05, "percent")).isEqualTo(5);
        assertThat(ModelRepository.basisPoints(100, "percent")).isEqualTo(10_000);
        for (double bad : new double[] {-0.5, 100.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> ModelRepository.basisPoints(bad, "percent")).isInstanceOf(KilnException.class)
                    .hasMessageContaining("percent must be a percentage from 0 to 100");
        }
    }
}
