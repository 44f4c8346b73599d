package dev.kiln.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;

/**
 * Random ensembles (linear, tree and constant members, random weights, each member reading the whole vector or a
 * random selection of its features, repeats allowed): the margins are the weighted members' margins on their views,
 * the contributions add up to them, a feature no member reads gets nothing, and batch scoring, the single-row scorer
 * and a JSON round trip give the same numbers bit for bit.
 */
class EnsemblePropertiesTest {

    @Property(tries = 300)
    void contributionsSumToTheBlendedMargin(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int width,
                                           @ForAll @IntRange(min = 1, max = 4) int memberCount) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        Link link = Link.values()[rnd.nextInt(3)];
        int outputs = link == Link.SOFTMAX ? 3 : 1;
        double[] raw = new double[memberCount];
        double total = 0;
        for (int i = 0; i < memberCount; i++) {
            raw[i] = rnd.nextInt(5) == 0 ? 0.0 : rnd.nextDouble(0.01, 1);
            total += raw[i];
        }
        if (total == 0) {
            raw[0] = total = 1;
        }
        List<EnsembleEstimator.Member> members = new ArrayList<>();
        boolean[] read = new boolean[width];
        for (int i = 0; i < memberCount; i++) {
            int[] inputs = null;
            int memberWidth = width;
            if (rnd.nextBoolean()) {
                memberWidth = 1 + rnd.nextInt(width + 1);
                inputs = new int[memberWidth];
                for (int j = 0; j < memberWidth; j++) {
                    inputs[j] = rnd.nextInt(width);
                }
            }
            Estimator e = randomMember(rnd, memberWidth, outputs, link);
            if (e instanceof ConstantEstimator == false) {
                for (int j = 0; j < memberWidth; j++) {
                    read[inputs == null ? j : inputs[j]] = true;
                }
            }
            members.add(new EnsembleEstimator.Member(raw[i] / total, e, inputs));
        }
        double sum = 0;
        for (EnsembleEstimator.Member m : members) {
            sum += m.weight();
        }
        // the last weight absorbs the rounding so that the sum is 1 within validate's tolerance
        EnsembleEstimator.Member last = members.get(memberCount - 1);
        members.set(memberCount - 1, new EnsembleEstimator.Member(Math.max(0, last.weight() + 1 - sum), last.estimator(),
                last.inputs()));
        EnsembleEstimator ensemble = new EnsembleEstimator(width, members, link);
        ensemble.validate(width);

        double[][] rows = new double[3][width];
        for (double[] row : rows) {
            for (int f = 0; f < width; f++) {
                row[f] = rnd.nextDouble(-1.2, 1.2);
            }
        }
        Estimator back = Json.mapper().readValue(Json.mapper().writeValueAsString(ensemble), Estimator.class);
        back.validate(width);
        double[][] batch = new double[rows.length][outputs];
        ensemble.predictBatch(rows, batch);
        EnsembleScorer scorer = EnsembleScorer.of(ensemble);
        for (int r = 0; r < rows.length; r++) {
            double[] x = rows[r];
            double[] expected = new double[outputs];
            for (EnsembleEstimator.Member m : members) {
                double[] view = new double[m.inputs() == null ? width : m.inputs().length];
                for (int j = 0; j < view.length; j++) {
                    view[j] = x[m.inputs() == null ? j : m.inputs()[j]];
                }
                double[] mm = new double[outputs];
                m.estimator().margins(view, mm);
                for (int k = 0; k < outputs; k++) {
                    expected[k] += m.weight() * mm[k];
                }
            }
            double[] margins = new double[outputs];
            ensemble.margins(x, margins);
            assertThat(margins).containsExactly(expected);

            double[][] phi = new double[outputs][width + 1];
            ensemble.contributions(x, phi);
            for (int k = 0; k < outputs; k++) {
                double s = 0;
                for (double v : phi[k]) {
                    s += v;
                }
                assertThat(s).as("output " + k).isCloseTo(margins[k], Offset.offset(1e-9 * (1 + Math.abs(margins[k]))));
                for (int f = 0; f < width; f++) {
                    if (!read[f]) {
                        assertThat(phi[k][f]).as("feature " + f + " that no member reads").isZero();
                    }
                }
            }
            double[] p = new double[outputs];
            ensemble.predict(x, p);
            assertThat(batch[r]).containsExactly(p);
            double[] single = new double[outputs];
            scorer.predict(x, single);
            assertThat(single).containsExactly(p);
            double[] again = new double[outputs];
            back.predict(x, again);
            assertThat(again).containsExactly(p);
            double[][] phiBack = new double[outputs][width + 1];
            back.contributions(x, phiBack);
            for (int k = 0; k < outputs; k++) {
                assertThat(phiBack[k]).containsExactly(phi[k]);
            }
        }
    }

    private static Estimator randomMember(SplittableRandom rnd, int width, int outputs, Link link) {
        int kind = rnd.nextInt(link == Link.IDENTITY ? 3 : 2);
        if (kind == 0) {
            double[][] w = new double[outputs][width];
            double[] b = new double[outputs];
            double[] means = new double[width];
            for (int k = 0; k < outputs; k++) {
                b[k] = rnd.nextDouble(-1, 1);
                for (int f = 0; f < width; f++) {
                    w[k][f] = rnd.nextDouble(-2, 2);
                }
            }
            for (int f = 0; f < width; f++) {
                means[f] = rnd.nextDouble(-1, 1);
            }
            return new LinearEstimator(w, b, link, means);
        }
        if (kind == 1) {
            List<Tree> trees = new ArrayList<>();
            int count = 1 + rnd.nextInt(3);
            for (int t = 0; t < count; t++) {
                trees.add(ContributionsPropertiesTest.randomTree(rnd, width, 1 + rnd.nextInt(4), rnd.nextInt(outputs), 1));
            }
            double[] base = new double[outputs];
            for (int k = 0; k < outputs; k++) {
                base[k] = rnd.nextDouble(-1, 1);
            }
            return new TreeEnsembleEstimator(width, base, rnd.nextBoolean() ? 1.0 : 1.0 / count, link, trees);
        }
        double[] values = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            values[k] = rnd.nextDouble(-3, 3);
        }
        return new ConstantEstimator(width, values);
    }
}
