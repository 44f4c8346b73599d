package dev.kiln.train.validation;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits by group ({@code --group-column}): every row of a group is on the same side, so a candidate is scored on
 * groups it never saw. k-fold assigns groups, largest first, to the fold with the fewest rows so far (scikit-learn's
 * {@code GroupKFold}); equal-sized groups are taken in a seeded order.
 */
final class GroupSplits {
    private GroupSplits() {
    }

    static ValidationPlan groupKFold(String[] groups, int folds, long seed) {
        List<Map.Entry<String, List<Integer>>> byGroup = rowsByGroup(groups, seed);
        int k = Math.min(folds, byGroup.size());
        List<String> notes = new ArrayList<>();
        if (k < folds) {
            notes.add("--group-column has " + byGroup.size() + " groups, fewer than " + folds + " folds: " + k
                    + " folds, one group each");
        }
        byGroup.sort(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size()).reversed());
        long[] sizes = new long[k];
        int[] foldOfRow = new int[groups.length];
        for (var entry : byGroup) {
            int smallest = 0;
            for (int f = 1; f < k; f++) {
                if (sizes[f] < sizes[smallest]) {
                    smallest = f;
                }
            }
            for (int row : entry.getValue()) {
                foldOfRow[row] = smallest;
            }
            sizes[smallest] += entry.getValue().size();
        }
        return new ValidationPlan(ValidationPlan.Kind.GROUP_KFOLD, ValidationPlan.foldsFromAssignment(foldOfRow, k),
                "group " + k + "-fold cross-validation of " + groups.length + " rows in " + byGroup.size() + " groups",
                notes);
    }

    static ValidationPlan groupHoldout(String[] groups, double fraction, long seed) {
        List<Map.Entry<String, List<Integer>>> byGroup = rowsByGroup(groups, seed);
        boolean[] valid = new boolean[groups.length];
        long target = Math.max(1, Math.round(fraction * groups.length));
        long taken = 0;
        int groupsTaken = 0;
        // Whole groups in seeded order until the holdout has its share; always leave one group to fit on.
        for (int g = 0; g < byGroup.size() - 1 && taken < target; g++) {
            for (int row : byGroup.get(g).getValue()) {
                valid[row] = true;
            }
            taken += byGroup.get(g).getValue().size();
            groupsTaken++;
        }
        return ClassSplits.holdout(valid, "holdout of " + groupsTaken + " of " + byGroup.size() + " groups ("
                + taken + " of " + groups.length + " rows)");
    }

    /** Rows of each group, the groups in a seeded order; refuses a single group. */
    private static List<Map.Entry<String, List<Integer>>> rowsByGroup(String[] groups, long seed) {
        TreeMap<String, List<Integer>> byName = new TreeMap<>();
        for (int i = 0; i < groups.length; i++) {
            byName.computeIfAbsent(groups[i] == null ? "" : groups[i], g -> new ArrayList<>()).add(i);
        }
        if (byName.size() < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--group-column needs at least 2 groups to validate "
                    + "on groups the model has not seen; it has " + byName.size() + " ('"
                    + (byName.isEmpty() ? "" : byName.firstKey()) + "')", Map.of("option", "--group-column",
                    "groups", byName.size()));
        }
        List<Map.Entry<String, List<Integer>>> entries = new ArrayList<>(new LinkedHashMap<>(byName).entrySet());
        int[] order = Shuffle.identity(entries.size());
        Shuffle.inPlace(order, seed);
        List<Map.Entry<String, List<Integer>>> shuffled = new ArrayList<>(entries.size());
        for (int i : order) {
            shuffled.add(entries.get(i));
        }
        return shuffled;
    }
}
