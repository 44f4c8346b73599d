package dev.kiln.spark.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.sql.AnalysisException;

/** Spark's exceptions as Kiln's errors: a path that does not exist, a job that failed. */
final class SparkErrors {
    private SparkErrors() {
    }

    /** A failed Spark job (a task failed past its retries, an executor was lost) as {@code internal}; null otherwise. */
    static KilnException jobFailure(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof KilnException k) {
                return k;
            }
            if (t instanceof SparkException) {
                return new KilnException(ErrorCode.INTERNAL, "the Spark job failed: " + firstLine(t.getMessage()),
                        Map.of(), ex);
            }
        }
        return null;
    }

    /**
     * Spark's refusal to read {@code path} (given by {@code option}): {@code file_not_found} when it does not exist,
     * else {@code data_malformed}, the option named in both.
     */
    static KilnException reading(AnalysisException e, String option, String path) {
        if ("PATH_NOT_FOUND".equals(e.getErrorClass())) {
            return new KilnException(ErrorCode.FILE_NOT_FOUND, option + " '" + path + "' does not exist",
                    Map.of("option", option, "path", path), e);
        }
        return new KilnException(ErrorCode.DATA_MALFORMED, option + " '" + path + "' cannot be read: "
                + firstLine(e.getMessage()), Map.of("option", option, "path", path), e);
    }

    /** {@code e} itself when unchecked, else wrapped: Spark's Scala code throws checked exceptions undeclared. */
    static RuntimeException unchecked(Exception e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
