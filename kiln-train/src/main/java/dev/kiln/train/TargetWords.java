package dev.kiln.train;

import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A target whose every value is a boolean word ({@link Values#isBooleanWord}: true/false, yes/no, any case), read as
 * written: the classes keep the file's words, and the positive class is the "true" word (yes, true, ...), the event the
 * question asks about, rather than the rarer class. A truth value written more than one way ({@code yes} and
 * {@code Yes}) is one class, spelled by {@link BooleanWords#kept}'s rule (as most of its rows spell it), the rule a
 * boolean feature's words follow too; the other spellings are mapped onto it and a training note says so.
 *
 * @param spelling every spelling found, to the spelling kept for its truth value
 * @param trueWord the kept spelling of the true value, or null when no row holds it
 * @param notes    one note per truth value written more than one way
 */
record TargetWords(Map<String, String> spelling, String trueWord, List<String> notes) {

    /** The target's words, or null when some value is not a boolean word. {@code counts}: rows per value as read. */
    static TargetWords of(String column, Map<String, ? extends Number> counts) {
        for (String value : counts.keySet()) {
            if (!Values.isBooleanWord(value)) {
                return null;
            }
        }
        Map<String, String> spelling = new HashMap<>();
        List<String> notes = new ArrayList<>();
        String trueWord = null;
        for (double truth : new double[] {1.0, 0.0}) {
            String kept = BooleanWords.kept(counts, truth);
            List<String> others = new ArrayList<>();
            for (String spelled : counts.keySet()) {
                if (Values.parseBoolean(spelled) == truth) {
                    others.add(spelled);
                }
            }
            if (kept == null) {
                continue;
            }
            for (String s : others) {
                spelling.put(s, kept);
            }
            others.remove(kept);
            if (!others.isEmpty()) {
                List<String> described = others.stream().map(s -> "'" + s + "' (" + counts.get(s) + " rows)").toList();
                notes.add("target '" + column + "' writes the same answer more than one way: " + String.join(", ", described)
                        + " read as '" + kept + "', its most frequent spelling (" + counts.get(kept) + " rows)");
            }
            if (truth == 1.0) {
                trueWord = kept;
            }
        }
        return new TargetWords(Map.copyOf(spelling), trueWord, List.copyOf(notes));
    }

    /** The class a value as read belongs to. */
    String kept(String written) {
        return spelling.getOrDefault(written, written);
    }
}
