package dev.kiln.serve.traffic;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.ModelHost;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.assertj.core.data.Offset;

/** The bandit's draws and what it learns from rewards. */
class BanditSamplingTest {
    static final int DRAWS = 4_000;

    /** Gamma(k, 1) has mean k and variance k: the mean of 4,000 draws is within 6 standard errors of k. */
    @Property(tries = 40)
    void gammaDrawsHaveTheirMean(@ForAll @DoubleRange(min = 0.3, max = 40) double shape, @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double sum = 0;
        for (int i = 0; i < DRAWS; i++) {
            double g = Bandit.gamma(r, shape);
            assertThat(g).isGreaterThanOrEqualTo(0);
            sum += g;
        }
        assertThat(sum / DRAWS).isCloseTo(shape, Offset.offset(6 * Math.sqrt(shape / DRAWS)));
    }

    /** Beta(a, b) draws lie in [0, 1] with mean a / (a + b) (standard error at most 0.0046 here). */
    @Property(tries = 40)
    void betaDrawsHaveTheirMean(@ForAll @DoubleRange(min = 1, max = 60) double a, @ForAll @DoubleRange(min = 1, max = 60) double b,
                                @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double sum = 0;
        for (int i = 0; i < DRAWS; i++) {
            double d = Bandit.beta(r, a, b);
            assertThat(d).isBetween(0.0, 1.0);
            sum += d;
        }
        assertThat(sum / DRAWS).isCloseTo(a / (a + b), Offset.offset(0.03));
    }

    /** Arms paying 30% and 70% of the time: after 3,000 rounds the better arm takes over 90% of the last 1,000. */
    @Example
    void trafficMovesToTheArmThatEarnsMore() {
        ModelHost host = new ModelHost();
        host.put("credit", KilnModel.load(bundle("credit-linear")), "1");
        List<Bandit.Arm> arms = List.of(
                new Bandit.Arm(new ModelHost.Served("credit", "1", host.get("credit").orElseThrow().model())),
                new Bandit.Arm(new ModelHost.Served("credit", "2", KilnModel.load(bundle("credit-gbdt")))));
        SplittableRandom r = new SplittableRandom(42);
        Bandit bandit = new Bandit(arms, () -> r);
        SplittableRandom world = new SplittableRandom(7);
        int better = 0;
        for (int i = 0; i < 3_000; i++) {
            Bandit.Arm arm = bandit.pick();
            String id = "r" + i;
            bandit.answered(id, arm.served());
            double pays = arm.served().version().equals("2") ? 0.7 : 0.3;
            assertThat(bandit.reward(id, world.nextDouble() < pays ? 1 : 0)).isEqualTo(arm.served().version());
            if (i >= 2_000 && arm.served().version().equals("2")) {
                better++;
            }
        }
        assertThat(better).isGreaterThan(900);
        Bandit.Posterior p2 = bandit.posteriors().get(1);
        assertThat(p2.mean()).isCloseTo(0.7, Offset.offset(0.05));
        assertThat(p2.rewards() + bandit.posteriors().get(0).rewards()).isEqualTo(3_000);
        assertThat(bandit.posteriors().get(0).rewards()).as("the worse arm was still tried").isPositive();
    }

    /** The direct-mapped memory keeps nearly all of the last 50,000 requests (expected 97.6%). */
    @Example
    void theMemoryKeepsRecentRequests() {
        KilnModel linear = KilnModel.load(bundle("credit-linear"));
        ModelHost.Served one = new ModelHost.Served("credit", "1", linear);
        ModelHost.Served two = new ModelHost.Served("credit", "2", linear);
        Bandit bandit = new Bandit(List.of(new Bandit.Arm(one), new Bandit.Arm(two)));
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            bandit.answered(java.util.UUID.nameUUIDFromBytes(("r" + i).getBytes()).toString(), i % 2 == 0 ? one : two);
        }
        int credited = 0;
        int right = 0;
        for (int i = 0; i < n; i++) {
            String v = bandit.reward(java.util.UUID.nameUUIDFromBytes(("r" + i).getBytes()).toString(), 1);
            credited += v != null ? 1 : 0;
            right += (i % 2 == 0 ? "1" : "2").equals(v) ? 1 : 0;
        }
        assertThat(credited / (double) n).isGreaterThan(0.96);
        assertThat(right).as("never credited to the wrong arm").isEqualTo(credited);
        assertThat(bandit.unattributed()).isEqualTo(n - credited);
    }

    @Example
    void rewardsAreCreditedOnceToKnownRequestsAndMustBeZeroToOne() {
        ModelHost host = new ModelHost();
        KilnModel linear = KilnModel.load(bundle("credit-linear"));
        ModelHost.Served one = new ModelHost.Served("credit", "1", linear);
        ModelHost.Served two = new ModelHost.Served("credit", "2", linear);
        Bandit bandit = new Bandit(List.of(new Bandit.Arm(one), new Bandit.Arm(two)));
        bandit.answered("a", two);
        bandit.answered("b", new ModelHost.Served("credit", "9", linear)); // not an arm: ignored
        assertThatThrownBy(() -> bandit.reward("a", 1.5)).isInstanceOf(dev.kiln.runtime.KilnException.class).hasMessageContaining("0 to 1");
        assertThatThrownBy(() -> bandit.reward("a", Double.NaN)).isInstanceOf(dev.kiln.runtime.KilnException.class);
        assertThat(bandit.reward("a", 0.25)).isEqualTo("2");
        assertThat(bandit.posteriors().get(1)).isEqualTo(new Bandit.Posterior(1.25, 1.75, 1));
        assertThat(bandit.reward("a", 1)).as("credited once").isNull();
        assertThat(bandit.reward("b", 1)).isNull();
        assertThat(bandit.unattributed()).isEqualTo(2);
        assertThat(bandit.posteriors().get(0)).isEqualTo(new Bandit.Posterior(1, 1, 0));
        assertThat(host.bandit("credit")).isEmpty();

        // A reward naming the version is credited to it without the memory; a remembered request is then forgotten.
        bandit.answered("c", one);
        assertThat(bandit.reward("c", "2", 1)).isEqualTo("2");
        assertThat(bandit.reward("c", 1)).as("forgotten once credited").isNull();
        assertThat(bandit.reward("never", "2", 1)).as("named: no memory needed").isEqualTo("2");
        assertThat(bandit.reward("never", "9", 1)).as("a version that is no arm").isNull();

        // Restored rewards add to an arm's posterior; other versions and impossible sums are refused.
        assertThat(bandit.restore("1", 3.5, 5)).isTrue();
        assertThat(bandit.posteriors().get(0)).isEqualTo(new Bandit.Posterior(4.5, 2.5, 5));
        assertThat(bandit.posteriors().get(1).rewards()).isEqualTo(3);
        assertThat(bandit.restore("9", 1, 1)).isFalse();
        assertThatThrownBy(() -> bandit.restore("1", 6, 5)).isInstanceOf(dev.kiln.runtime.KilnException.class);
        assertThatThrownBy(() -> bandit.restore("1", -1, 5)).isInstanceOf(dev.kiln.runtime.KilnException.class);
    }
}
