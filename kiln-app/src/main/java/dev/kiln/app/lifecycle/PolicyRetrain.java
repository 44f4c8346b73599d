package dev.kiln.app.lifecycle;

import dev.kiln.data.DatasetVersion;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A retrain that a rules file's policy asks for (an alert, or the schedule), as one line for the check's result.
 * The model is retrained only from the data the policy names for it, and only when that data changed: a file whose
 * SHA-256 is the dataset version of the version being retrained (or of the newest version, a previous retrain not
 * yet promoted) would register the same model again every period.
 */
public final class PolicyRetrain {
    private static final System.Logger LOG = System.getLogger("dev.kiln.monitor");

    private PolicyRetrain() {
    }

    /** What happened, starting with "registered" when a new version was registered. */
    public static String run(KilnStore store, String registryName, AlertRules.RetrainPolicy policy) {
        if (registryName == null) {
            return note("a bundle directory", "not retrained: the model is served from a bundle directory, not the registry");
        }
        Path data = policy.dataFor(registryName);
        if (data == null) {
            return note(registryName, "not retrained: the retrain policy names no data for '" + registryName + "'");
        }
        if (!Files.isRegularFile(data)) {
            return note(registryName, "not retrained: the policy's data " + data + " does not exist");
        }
        try {
            String unchanged = unchangedSince(store, registryName, data);
            if (unchanged != null) {
                return note(registryName, unchanged);
            }
            Retraining.Result r = Retraining.retrain(store, registryName, data, "kiln-monitor", ProgressListener.NONE);
            return "registered " + r.registered().model() + ":" + r.registered().version() + " (promote with: "
                    + r.promoteCommand() + ")";
        } catch (KilnException e) {
            LOG.log(System.Logger.Level.WARNING, "retrain of " + registryName + " failed: " + e.getMessage());
            return "retrain failed: " + e.getMessage();
        }
    }

    /** Why retraining on {@code data} would change nothing, or null when the data is new. */
    private static String unchangedSince(KilnStore store, String registryName, Path data) {
        String sha = DatasetVersion.sha256(data);
        ModelVersion source = store.registry().resolve(ModelRef.parse(registryName));
        ModelVersion newest = store.registry().versions(source.model()).stream()
                .max(Comparator.comparingInt(ModelVersion::version)).orElse(source);
        for (ModelVersion v : new ModelVersion[] {source, newest}) {
            if (sha.equals(v.datasetSha256())) {
                return "not retrained: the data " + data + " (sha256 " + sha.substring(0, 12) + ") has not changed since "
                        + v.model() + ":" + v.version() + " was trained on it";
            }
        }
        return null;
    }

    /**
     * Refuses (invalid_argument) a rules file whose retrain policy names one data file when a server watches several
     * registered models ({@code refs}: served name to REF or bundle directory): each would be retrained from it.
     */
    public static void requireDataPerModel(AlertRules rules, Map<String, String> refs) {
        if (rules == null || rules.retrain() == null || !rules.retrain().oneFileForAnyModel()) {
            return;
        }
        Set<String> models = new TreeSet<>();
        refs.values().forEach(ref -> {
            if (!Files.isRegularFile(Path.of(ref).resolve(BundleManifest.MANIFEST_FILE))) {
                models.add(ModelRef.parse(ref).name());
            }
        });
        if (models.size() > 1) {
            String example = models.stream().map(m -> "\"" + m + "\": \"" + m + ".csv\"").collect(Collectors.joining(", "));
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the retrain policy's data " + rules.retrain().data()
                    + " would retrain every served model (" + String.join(", ", models) + ") from one file; give each "
                    + "model its own: \"data\": {" + example + "}", Map.of("models", List.copyOf(models)));
        }
    }

    private static String note(String model, String message) {
        LOG.log(System.Logger.Level.INFO, "retrain policy for " + model + ": " + message);
        return message;
    }
}
