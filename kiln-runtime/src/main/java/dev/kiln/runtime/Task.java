package dev.kiln.runtime;

/** What a model predicts. */
public enum Task {
    BINARY,
    MULTICLASS,
    REGRESSION;

    public boolean isClassification() {
        return this != REGRESSION;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Task parse(String text) {
        for (Task t : values()) {
            if (t.wireName().equalsIgnoreCase(text.trim())) {
                return t;
            }
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                "unknown task '" + text + "': expected binary, multiclass or regression");
    }
}
