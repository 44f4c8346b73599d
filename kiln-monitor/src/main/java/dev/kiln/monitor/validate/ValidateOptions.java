package dev.kiln.monitor.validate;

import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import picocli.CommandLine.Option;

/**
 * The options of {@code kiln data validate} and {@code kiln spark validate} that say what to flag and when to fail:
 * one declaration, mixed into both commands ({@code @Mixin}), with the exit code they share. Picocli is an optional
 * dependency of kiln-monitor: the command-line modules that mix this in bring it.
 */
public final class ValidateOptions {
    /** Exit code when the data fails validation (distinct from the error categories 1-4 and 10). */
    public static final int EXIT_FAILED = 5;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "fail",
            description = "exit 5 from this status up: fail or warn (default: ${DEFAULT-VALUE})")
    String failOn;

    @Option(names = "--missing-jump", paramLabel = "F", defaultValue = "0.05",
            description = "warn when a column's missing share exceeds its training share by more than this "
                    + "(absolute; 0.05 = 5 points) (default: ${DEFAULT-VALUE})")
    double missingJump;

    /** The thresholds, each refused naming its option; call before the data is read, so a bad option costs nothing. */
    public ValidationOptions options() {
        ValidationReport.Status.failOn(failOn);
        return new ValidationOptions(missingJump, ValidationOptions.DEFAULT_MAX_EXAMPLES);
    }

    /** {@link #EXIT_FAILED} when the report's status is at or past --fail-on, else 0. */
    public int exitCode(ValidationReport report) {
        return report.status().ordinal() >= ValidationReport.Status.failOn(failOn).ordinal() ? EXIT_FAILED : 0;
    }
}
