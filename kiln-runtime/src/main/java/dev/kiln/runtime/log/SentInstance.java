package dev.kiln.runtime.log;

/**
 * An instance as sent, when it was not exactly the model's columns in the model's order: the raw values of the
 * model's columns ({@link #columns()}, aligned with the row's fields), the other fields sent ({@link #extraNames()},
 * {@link #extraValues()}) and the order the keys came in ({@link #order()}: a column index, or {@code -1 - i} for
 * extra field {@code i}); a key sent twice keeps its first position and its last value, as a map would.
 */
public interface SentInstance {
    Object[] columns();

    int[] order();

    String[] extraNames();

    Object[] extraValues();
}
