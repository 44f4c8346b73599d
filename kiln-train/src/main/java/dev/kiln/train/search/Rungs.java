package dev.kiln.train.search;

import dev.kiln.train.validation.ValidationPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The resource of each rung of successive halving (factor 3). Cross-validation: the number of folds, 1, 3, 9, ...
 * up to all k (5 folds: 1, 3, 5), a configuration keeping the folds it was scored on. Holdout: a share of the fit
 * rows, ..., 1/9, 1/3, all, each share at least {@value #MIN_SUBSAMPLE_ROWS} rows (at most three rungs).
 *
 * @param units each rung's units: fold indices (cross-validation) or, for holdout, one unit per rung
 * @param fitRows for holdout, each rung's fit rows (a seeded subsample of the fold's, the last all of them)
 */
record Rungs(List<int[]> units, List<int[]> fitRows, boolean crossValidated, int folds) {
    static final int FACTOR = 3;
    static final int MIN_SUBSAMPLE_ROWS = 500;

    static Rungs of(ValidationPlan plan, long seed) {
        List<int[]> units = new ArrayList<>();
        if (plan.crossValidated()) {
            int k = plan.folds().size();
            for (int r = 1; ; r = Math.min(k, r * FACTOR)) {
                int[] folds = new int[r];
                for (int f = 0; f < r; f++) {
                    folds[f] = f;
                }
                units.add(folds);
                if (r == k) {
                    break;
                }
            }
            return new Rungs(units, List.of(), true, k);
        }
        int[] fit = plan.folds().get(0).fit().clone();
        List<Integer> sizes = new ArrayList<>();
        sizes.add(fit.length);
        while (sizes.size() < 3 && sizes.get(0) / FACTOR >= MIN_SUBSAMPLE_ROWS) {
            sizes.add(0, sizes.get(0) / FACTOR);
        }
        int[] shuffled = fit.clone();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        List<int[]> fitRows = new ArrayList<>();
        for (int r = 0; r < sizes.size(); r++) {
            units.add(new int[] {r});
            int[] rows = r == sizes.size() - 1 ? fit : Arrays.copyOf(shuffled, sizes.get(r));
            Arrays.sort(rows);
            fitRows.add(rows);
        }
        return new Rungs(units, fitRows, false, 1);
    }

    int count() {
        return units.size();
    }

    String describe(int rung, int fitRowsTotal) {
        if (crossValidated) {
            return units.get(rung).length + " of " + folds + " folds";
        }
        int rows = fitRows.get(rung).length;
        return rows == fitRowsTotal ? "all " + rows + " fit rows" : rows + " of " + fitRowsTotal + " fit rows";
    }

    /** Configurations kept from rung to rung: the default always, plus the best third of the rest. */
    static int kept(int candidates) {
        return 1 + (int) Math.ceil((candidates - 1) / (double) FACTOR);
    }
}
