package dev.kiln.runtime;

/**
 * Stable error codes. Each code belongs to one category, and the category alone decides the CLI exit
 * code and the HTTP status, so every surface reports the same failure the same way.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(Category.USER_INPUT),
    DATA_EMPTY(Category.USER_INPUT),
    DATA_MALFORMED(Category.USER_INPUT),
    DATA_ENCODING(Category.USER_INPUT),
    DATA_UNSUPPORTED_FORMAT(Category.USER_INPUT),
    COLUMN_MISSING(Category.USER_INPUT),
    VALUE_INVALID(Category.USER_INPUT),
    TARGET_INVALID(Category.USER_INPUT),
    FILE_NOT_FOUND(Category.NOT_FOUND),
    BUNDLE_NOT_FOUND(Category.NOT_FOUND),
    MODEL_NOT_FOUND(Category.NOT_FOUND),
    RUN_NOT_FOUND(Category.NOT_FOUND),
    PREDICTION_NOT_FOUND(Category.NOT_FOUND),
    GATE_FAILED(Category.CONFLICT),
    BUNDLE_CORRUPT(Category.USER_INPUT),
    BUNDLE_CHECKSUM_MISMATCH(Category.USER_INPUT),
    BUNDLE_FORMAT_UNSUPPORTED(Category.USER_INPUT),
    CONFLICT(Category.CONFLICT),
    EXPLANATION_UNAVAILABLE(Category.CONFLICT),
    TRAINING_FAILED(Category.INTERNAL),
    INTERNAL(Category.INTERNAL);

    public enum Category {
        USER_INPUT(2, 400),
        NOT_FOUND(3, 404),
        CONFLICT(4, 409),
        INTERNAL(10, 500);

        private final int exitCode;
        private final int httpStatus;

        Category(int exitCode, int httpStatus) {
            this.exitCode = exitCode;
            this.httpStatus = httpStatus;
        }

        public int exitCode() {
            return exitCode;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Category category;

    ErrorCode(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }

    /** The code as it appears in JSON error bodies and CLI output, e.g. {@code column_missing}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
