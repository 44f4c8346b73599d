package dev.kiln.train.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Stratified splits: each class's rows, shuffled, are dealt round-robin over the folds, the dealing carrying on
 * from fold to fold across classes, so every fold holds each class's share to within one row and the folds'
 * sizes differ by at most one (as scikit-learn's {@code StratifiedKFold(shuffle=True)} aims for).
 */
final class ClassSplits {
    private ClassSplits() {
    }

    static ValidationPlan stratifiedKFold(int[] classIds, int folds, long seed) {
        int n = classIds.length;
        int k = Math.min(folds, n);
        TreeMap<Integer, int[]> byClass = rowsByClass(classIds, seed);
        int[] foldOfRow = new int[n];
        int next = 0;
        List<String> notes = new ArrayList<>();
        if (k < folds) {
            notes.add(n + " training rows: " + k + " folds instead of " + folds);
        }
        for (var entry : byClass.entrySet()) {
            int[] rows = entry.getValue();
            for (int row : rows) {
                foldOfRow[row] = next;
                next = (next + 1) % k;
            }
            if (rows.length == 1) {
                notes.add("class " + entry.getKey() + " has 1 row: it is always fitted on in the folds where it is"
                        + " not validated and can be validated only once, never learnt from there");
            } else if (rows.length < k) {
                notes.add("class " + entry.getKey() + " has " + rows.length + " rows, fewer than the " + k
                        + " folds: " + (k - rows.length) + " folds validate none of it");
            }
        }
        return new ValidationPlan(ValidationPlan.Kind.STRATIFIED_KFOLD, ValidationPlan.foldsFromAssignment(foldOfRow, k),
                "stratified " + k + "-fold cross-validation of " + n + " rows", notes);
    }

    static ValidationPlan stratifiedHoldout(int[] classIds, double fraction, long seed) {
        int n = classIds.length;
        boolean[] valid = new boolean[n];
        double carry = 0.0;
        for (int[] rows : rowsByClass(classIds, seed).values()) {
            // Carry the rounding from class to class so the total is the fraction of all rows.
            double exact = rows.length * fraction + carry;
            int take = (int) Math.floor(exact + 1e-9);
            carry = exact - take;
            for (int i = 0; i < take; i++) {
                valid[rows[i]] = true;
            }
        }
        return holdout(valid, "stratified holdout of " + Math.round(fraction * 100) + "% of " + n + " rows");
    }

    static ValidationPlan holdout(boolean[] valid, String description) {
        int[] foldOfRow = new int[valid.length];
        for (int i = 0; i < valid.length; i++) {
            foldOfRow[i] = valid[i] ? 0 : 1;
        }
        List<ValidationPlan.Fold> folds = ValidationPlan.foldsFromAssignment(foldOfRow, 1);
        List<String> notes = folds.get(0).valid().length == 0 || folds.get(0).fit().length == 0
                ? List.of("the holdout leaves one side empty") : List.of();
        return new ValidationPlan(ValidationPlan.Kind.HOLDOUT, folds, description, notes);
    }

    private static TreeMap<Integer, int[]> rowsByClass(int[] classIds, long seed) {
        TreeMap<Integer, List<Integer>> lists = new TreeMap<>();
        for (int i = 0; i < classIds.length; i++) {
            lists.computeIfAbsent(classIds[i], c -> new ArrayList<>()).add(i);
        }
        TreeMap<Integer, int[]> out = new TreeMap<>();
        for (var entry : lists.entrySet()) {
            int[] rows = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
            Shuffle.inPlace(rows, seed * 31 + entry.getKey());
            out.put(entry.getKey(), rows);
        }
        return out;
    }
}
