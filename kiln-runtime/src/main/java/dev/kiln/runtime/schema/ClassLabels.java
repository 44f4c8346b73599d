package dev.kiln.runtime.schema;

import java.util.List;
import java.util.Objects;

/**
 * Matches a label (a target value read from data, a delayed label sent as feedback) with a model's classes. A label
 * matches the class it equals; failing that, when the classes are a pair of boolean words (one true and one false
 * word of {@link Values#isBooleanWord}: {@code no}/{@code yes}, {@code false}/{@code true}, any case) and the label
 * is a boolean ({@link Values#parseBoolean}: also {@code 1}/{@code 0}, {@code t}/{@code f}, {@code y}/{@code n}), it
 * matches the class of the same truth. So data whose target reads {@code yes}/{@code no} as written is compared with a
 * bundle trained before labels were kept as written (classes {@code false}/{@code true}), a {@code true}/{@code 1}
 * label sent as JSON matches {@code yes}, and {@code Yes} matches {@code yes}.
 */
public final class ClassLabels {
    private ClassLabels() {
    }

    /** The index of the class {@code label} matches (see the class comment), or -1. */
    public static int indexOf(List<String> classes, String label) {
        if (label == null || classes == null) {
            return -1;
        }
        int exact = classes.indexOf(label);
        if (exact >= 0 || !isBooleanPair(classes)) {
            return exact;
        }
        double truth = Values.parseBoolean(label);
        if (Double.isNaN(truth)) {
            return -1;
        }
        return Values.parseBoolean(classes.get(0)) == truth ? 0 : 1;
    }

    /** The class {@code label} matches, as the model spells it, or null. */
    public static String match(List<String> classes, String label) {
        int k = indexOf(classes, label);
        return k < 0 ? null : classes.get(k);
    }

    /** Whether two class names name the same class: equal, or boolean words of the same truth (e.g. true and yes). */
    public static boolean same(String a, String b) {
        if (Objects.equals(a, b)) {
            return true;
        }
        if (a == null || b == null || !Values.isBooleanWord(a) || !Values.isBooleanWord(b)) {
            return false;
        }
        return Values.parseBoolean(a) == Values.parseBoolean(b);
    }

    /** Whether the classes are two boolean words, one true and one false ({@code no}/{@code yes}, {@code False}/{@code True}). */
    public static boolean isBooleanPair(List<String> classes) {
        return classes.size() == 2 && Values.isBooleanWord(classes.get(0)) && Values.isBooleanWord(classes.get(1))
                && Values.parseBoolean(classes.get(0)) != Values.parseBoolean(classes.get(1));
    }
}
