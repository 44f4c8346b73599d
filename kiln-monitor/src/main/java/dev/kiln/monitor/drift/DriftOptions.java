package dev.kiln.monitor.drift;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code kiln drift} and {@code kiln spark drift} that say when a feature and the data set drift, and
 * {@code --fail-on-drift}: one declaration, mixed into both commands ({@code @Mixin}), so that both take the same
 * options with the same defaults and refuse the same values. Picocli is an optional dependency of kiln-monitor: the
 * command-line modules that mix this in bring it.
 */
public final class DriftOptions {
    /** The exit code when the data set drifted and {@code --fail-on-drift} was given. */
    public static final int EXIT_DRIFT = 6;

    @Option(names = "--ks-p-value", paramLabel = "P", defaultValue = "0.05", description = "significance level of the KS test (default: ${DEFAULT-VALUE})")
    double ksPValue;

    @Option(names = "--ks-statistic", paramLabel = "D", defaultValue = "0.1", description = "smallest KS statistic that matters (default: ${DEFAULT-VALUE})")
    double ksStatistic;

    @Option(names = "--psi", paramLabel = "X", defaultValue = "0.2", description = "smallest PSI that matters (default: ${DEFAULT-VALUE})")
    double psi;

    @Option(names = "--chi-square-p-value", paramLabel = "P", defaultValue = "0.05", description = "significance level of the chi-square test (default: ${DEFAULT-VALUE})")
    double chiSquarePValue;

    @Option(names = "--unseen-share", paramLabel = "S", defaultValue = "0.05", description = "smallest share of never-seen categories that matters (default: ${DEFAULT-VALUE})")
    double unseenShare;

    @Option(names = "--dataset-drift-share", paramLabel = "S", defaultValue = "0.5", description = "share of drifted features at which the data set drifts (default: ${DEFAULT-VALUE})")
    double datasetDriftShare;

    @Option(names = "--fail-on-drift", description = "exit with 6 when the data set drifted")
    boolean failOnDrift;

    /** The thresholds the options give, each option refused with its own name when out of range. */
    public DriftThresholds thresholds() {
        share("--ks-p-value", ksPValue);
        share("--ks-statistic", ksStatistic);
        share("--chi-square-p-value", chiSquarePValue);
        share("--unseen-share", unseenShare);
        share("--dataset-drift-share", datasetDriftShare);
        if (!(psi >= 0) || Double.isInfinite(psi)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--psi must be a number of 0 or more, not " + psi,
                    Map.of("option", "--psi", "value", String.valueOf(psi)));
        }
        return new DriftThresholds(ksPValue, ksStatistic, psi, chiSquarePValue, unseenShare, datasetDriftShare, 10);
    }

    /** The command's exit code for {@code report}: {@link #EXIT_DRIFT} when it drifted and --fail-on-drift was given. */
    public int exitCode(DriftReport report) {
        return failOnDrift && report.datasetDrift() ? EXIT_DRIFT : 0;
    }

    private static void share(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " must be from 0 to 1, not " + value,
                    Map.of("option", option, "value", String.valueOf(value)));
        }
    }
}
