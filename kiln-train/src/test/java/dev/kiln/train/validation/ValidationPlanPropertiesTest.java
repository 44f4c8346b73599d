package dev.kiln.train.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ValidationPlanPropertiesTest {
    private static int[] classes(int n, int numClasses, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            // Skewed: class c with weight 1/(c+1), so small classes occur.
            out[i] = Math.min(numClasses - 1, (int) Math.floor(Math.pow(random.nextDouble(), 2) * numClasses));
        }
        return out;
    }

    private static void assertPartition(ValidationPlan plan, int n) {
        int[] validated = new int[n];
        for (ValidationPlan.Fold fold : plan.folds()) {
            Set<Integer> fit = new HashSet<>();
            for (int i : fold.fit()) {
                fit.add(i);
            }
            for (int i : fold.valid()) {
                validated[i]++;
                assertThat(fit).doesNotContain(i);
            }
            assertThat(fold.fit().length + fold.valid().length).isEqualTo(n);
        }
        assertThat(validated).containsOnly(1);
    }

    @Property
    void kFoldValidatesEveryRowExactlyOnce(@ForAll @IntRange(min = 2, max = 300) int n,
                                           @ForAll @IntRange(min = 2, max = 10) int k, @ForAll long seed) {
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, null, null, null, k, 0.2, 20_000, seed));
        assertThat(plan.kind()).isEqualTo(ValidationPlan.Kind.KFOLD);
        assertThat(plan.folds()).hasSize(Math.min(k, n));
        assertPartition(plan, n);
    }

    @Property
    void stratifiedFoldsHoldEachClassShareWithinOneRow(@ForAll @IntRange(min = 2, max = 300) int n,
                                                        @ForAll @IntRange(min = 2, max = 6) int numClasses,
                                                        @ForAll @IntRange(min = 2, max = 10) int k,
                                                        @ForAll long seed) {
        int[] y = classes(n, numClasses, seed);
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, y, null, null, k, 0.2, 20_000, seed));
        assertThat(plan.kind()).isEqualTo(ValidationPlan.Kind.STRATIFIED_KFOLD);
        assertPartition(plan, n);
        int folds = plan.folds().size();
        for (int c = 0; c < numClasses; c++) {
            int total = 0;
            for (int v : y) {
                total += v == c ? 1 : 0;
            }
            for (ValidationPlan.Fold fold : plan.folds()) {
                int inFold = 0;
                for (int i : fold.valid()) {
                    inFold += y[i] == c ? 1 : 0;
                }
                assertThat(Math.abs(inFold - total / (double) folds)).isLessThan(1.0);
            }
        }
    }

    @Property
    void noGroupIsOnBothSides(@ForAll @IntRange(min = 2, max = 200) int n, @ForAll @IntRange(min = 2, max = 30) int g,
                              @ForAll @IntRange(min = 2, max = 8) int k, @ForAll long seed, @ForAll boolean large) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        String[] groups = new String[n];
        for (int i = 0; i < n; i++) {
            groups[i] = "g" + (i < 2 ? i % Math.min(g, 2) : random.nextInt(g));
        }
        long distinct = java.util.Arrays.stream(groups).distinct().count();
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, null, groups, null, k, 0.2,
                large ? 1 : 20_000, seed));
        if (!large) {
            assertThat(plan.folds()).hasSize((int) Math.min(k, distinct));
            assertPartition(plan, n);
        }
        for (ValidationPlan.Fold fold : plan.folds()) {
            Set<String> fitGroups = new HashSet<>();
            for (int i : fold.fit()) {
                fitGroups.add(groups[i]);
            }
            for (int i : fold.valid()) {
                assertThat(fitGroups).doesNotContain(groups[i]);
            }
            assertThat(fold.fit()).isNotEmpty();
            assertThat(fold.valid()).isNotEmpty();
        }
    }

    @Property
    void forwardChainingFitsOnlyOnThePast(@ForAll @IntRange(min = 3, max = 300) int n,
                                          @ForAll @IntRange(min = 2, max = 8) int k, @ForAll long seed,
                                          @ForAll boolean large) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            times[i] = random.nextInt(50);
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, null, null, times, k, 0.2,
                large ? 1 : 20_000, seed));
        assertThat(plan.kind()).isEqualTo(large ? ValidationPlan.Kind.HOLDOUT : ValidationPlan.Kind.FORWARD_CHAINING);
        int[] validated = new int[n];
        for (ValidationPlan.Fold fold : plan.folds()) {
            double latestFit = java.util.Arrays.stream(fold.fit()).mapToDouble(i -> times[i]).max().orElseThrow();
            for (int i : fold.valid()) {
                assertThat(times[i]).isGreaterThanOrEqualTo(latestFit);
                validated[i]++;
            }
        }
        assertThat(validated).containsAnyOf(0, 1).doesNotContain(2);
    }

    @Property
    void samePlanForSameSeed(@ForAll @IntRange(min = 2, max = 100) int n, @ForAll long seed) {
        int[] y = classes(n, 3, seed);
        ValidationRequest request = new ValidationRequest(n, y, null, null, 5, 0.2, 20_000, seed);
        ValidationPlan a = ValidationPlan.of(request);
        ValidationPlan b = ValidationPlan.of(request);
        for (int f = 0; f < a.folds().size(); f++) {
            assertThat(a.folds().get(f).valid()).containsExactly(b.folds().get(f).valid());
        }
    }

    @Property
    void stratifiedHoldoutHoldsTheFraction(@ForAll @IntRange(min = 10, max = 500) int n, @ForAll long seed) {
        int[] y = classes(n, 3, seed);
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, y, null, null, 5, 0.2, 5, seed));
        assertThat(plan.kind()).isEqualTo(ValidationPlan.Kind.HOLDOUT);
        assertThat(plan.folds()).hasSize(1);
        assertThat(Math.abs(plan.folds().get(0).valid().length - 0.2 * n)).isLessThanOrEqualTo(1.0);
    }
}
