package dev.kiln.app.cli;

import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelRepository;
import dev.kiln.serve.traffic.CanaryRollout;
import dev.kiln.store.ModelRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * {@code kiln serve}'s traffic splits: canaries (with their share or a progressive rollout), shadows and
 * bandits, each NAME=REF checked against the models served, then set on the model repository.
 */
final class TrafficOptions {
    @Option(names = "--canary", paramLabel = "NAME=REF",
            description = "serve REF as the canary of model NAME, answering a share of its requests (repeatable)")
    List<String> canaries = new ArrayList<>();

    @Option(names = "--canary-steps", paramLabel = "NAME=P,P,...",
            description = "roll NAME's canary out progressively: its share goes up these percentages, one step per "
                    + "--canary-interval-seconds while its error rate and latency keep up with the model's; it is removed "
                    + "(rolled back) when they do not")
    Map<String, String> canarySteps = new java.util.LinkedHashMap<>();

    @Option(names = "--canary-interval-seconds", defaultValue = "60", paramLabel = "S",
            description = "time between rollout steps (default: ${DEFAULT-VALUE})")
    double canaryIntervalSeconds;

    @Option(names = "--shadow", paramLabel = "NAME=REF",
            description = "score a copy of every request to model NAME with REF, off the response path, into the log (repeatable)")
    List<String> shadows = new ArrayList<>();

    @Option(names = "--bandit", paramLabel = "NAME=REF,REF[,...]",
            description = "route model NAME's requests through a Thompson-sampling bandit over these versions, learning from "
                    + "feedback rewards (0 to 1) (repeatable)")
    List<String> bandits = new ArrayList<>();

    @Option(names = "--bandit-history-hours", defaultValue = "24", paramLabel = "H",
            description = "a bandit starts from the rewards its versions earned in the prediction log over the last H hours "
                    + "(default: ${DEFAULT-VALUE}; 0: from the prior)")
    double banditHistoryHours;

    @Option(names = "--canary-percent", paramLabel = "NAME=P",
            description = "the share of NAME's requests its canary answers, 0 to 100 (default: 10)")
    Map<String, String> canaryPercents = new java.util.LinkedHashMap<>();

    /** The splits asked for, by served model name: the REF (or REF,REF,... of a bandit) of each. */
    record Splits(Map<String, String> canaries, Map<String, CanaryRollout.Plan> plans, Map<String, String> shadows,
                  Map<String, String> bandits) {
        boolean any() {
            return !canaries.isEmpty() || !shadows.isEmpty() || !bandits.isEmpty();
        }

        /** Whether a split names a registry reference (rather than only bundle directories). */
        boolean namesARegistryReference() {
            return Stream.of(canaries.values(), shadows.values(), bandits.values()).flatMap(Collection::stream)
                    .flatMap(r -> Arrays.stream(r.split(","))).anyMatch(r -> !ModelRepository.isPath(r.strip()));
        }
    }

    /** The splits for the models {@code served}, each option checked; {@code noLog}: the server keeps no prediction log. */
    Splits resolve(Set<String> served, boolean noLog) {
        Map<String, String> canaryRefs = sides("--canary", canaries, served);
        Map<String, CanaryRollout.Plan> plans = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : canarySteps.entrySet()) {
            if (!canaryRefs.containsKey(e.getKey())) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-steps names model '" + e.getKey() + "', which has no --canary",
                        Map.of("model", e.getKey()));
            }
            if (canaryPercents.containsKey(e.getKey())) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + e.getKey() + "' has --canary-percent and --canary-steps: "
                        + "a rollout sets the share itself", Map.of("model", e.getKey()));
            }
            if (!(canaryIntervalSeconds > 0)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-interval-seconds must be positive, not "
                        + canaryIntervalSeconds, Map.of("option", "--canary-interval-seconds"));
            }
            List<Double> percents = new ArrayList<>();
            for (String p : e.getValue().split(",")) {
                percents.add(percent("--canary-steps", e.getKey(), p));
            }
            plans.put(e.getKey(), CanaryRollout.Plan.of(percents, Duration.ofMillis(Math.max(1, Math.round(canaryIntervalSeconds * 1000)))));
        }
        for (String name : canaryPercents.keySet()) {
            if (!canaryRefs.containsKey(name)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-percent names model '" + name + "', which has no --canary",
                        Map.of("model", name));
            }
        }
        Map<String, String> shadowRefs = sides("--shadow", shadows, served);
        if (noLog && !shadowRefs.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--shadow needs the prediction log (a shadow's answers go only there): "
                    + "drop --no-log", Map.of("option", "--no-log"));
        }
        Map<String, String> banditRefs = sides("--bandit", bandits, served);
        if (noLog && !banditRefs.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--bandit needs the prediction log (it learns from feedback, which "
                    + "the log takes): drop --no-log", Map.of("option", "--no-log"));
        }
        for (String name : banditRefs.keySet()) {
            if (canaryRefs.containsKey(name)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' has both --canary and --bandit: a bandit "
                        + "already splits its traffic; give one", Map.of("model", name));
            }
        }
        return new Splits(canaryRefs, plans, shadowRefs, banditRefs);
    }

    /** Sets every split on {@code repository}; a rollout's canary starts at its first step. */
    void apply(ModelRepository repository, Splits splits) {
        for (Map.Entry<String, String> c : splits.canaries().entrySet()) {
            String p = canaryPercents.get(c.getKey());
            CanaryRollout.Plan plan = splits.plans().get(c.getKey());
            Double share = null;
            if (plan != null) {
                share = plan.steps().get(0) / 100.0;
            } else if (p != null) {
                share = percent(c.getKey(), p);
            }
            repository.setCanary(c.getKey(), c.getValue(), share, true);
        }
        for (Map.Entry<String, String> sh : splits.shadows().entrySet()) {
            repository.setShadow(sh.getKey(), sh.getValue(), true);
        }
        for (Map.Entry<String, String> b : splits.bandits().entrySet()) {
            repository.setBandit(b.getKey(), Arrays.stream(b.getValue().split(",")).map(String::strip).toList(), true);
        }
    }

    /**
     * Each bandit of {@code names} starts from the rewards in its log over --bandit-history-hours (0: from the prior);
     * {@code logs} gives each model's log (the files under --log-dir, or the --log-sink topic). A log that cannot be
     * read (Kafka not answering) is skipped with a warning: the server starts, its bandit from the prior.
     */
    void restoreBandits(ModelHost host, java.util.function.Function<String, PredictionLogReader> logs, Set<String> names) {
        if (banditHistoryHours > 0) {
            for (String name : names) {
                try {
                    restoreBandit(host, logs.apply(name), name, Duration.ofMillis(Math.round(banditHistoryHours * 3_600_000)));
                } catch (KilnException e) {
                    if (e.code() != ErrorCode.UNAVAILABLE) {
                        throw e;
                    }
                    System.getLogger(ServeCommand.class.getName()).log(System.Logger.Level.WARNING, "the bandit of model '"
                            + name + "' starts from its prior: its log could not be read: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Adds to the bandit of {@code name} the rewards its versions earned over {@code history} according to the
     * prediction log: each reward joined (by request id and row) to a prediction logged under one of its versions.
     */
    static void restoreBandit(dev.kiln.serve.ModelHost host, PredictionLogReader reader, String name, Duration history) {
        dev.kiln.serve.traffic.Bandit bandit = host.bandit(name).orElseThrow();
        if (!reader.exists()) {
            return;
        }
        dev.kiln.monitor.logs.LogWindow window = new dev.kiln.monitor.logs.LogWindow(java.time.Instant.now().minus(history), null);
        Map<String, Double> rewards = new java.util.HashMap<>();
        reader.feedback(window, f -> {
            if (f.reward() != null && f.reward() >= 0 && f.reward() <= 1) {
                rewards.put(f.key(), f.reward());
            }
        });
        Map<String, double[]> byVersion = new java.util.HashMap<>(); // version -> {sum, count}
        java.util.Set<String> arms = new java.util.HashSet<>();
        bandit.arms().forEach(a -> arms.add(a.served().version()));
        reader.predictions(window, p -> {
            Double r = arms.contains(p.version()) ? rewards.remove(p.key()) : null;
            if (r != null) {
                double[] acc = byVersion.computeIfAbsent(p.version(), v -> new double[2]);
                acc[0] += r;
                acc[1]++;
            }
        });
        byVersion.forEach((version, acc) -> bandit.restore(version, acc[0], (long) acc[1]));
        if (!byVersion.isEmpty()) {
            System.getLogger(ServeCommand.class.getName()).log(System.Logger.Level.INFO, "the bandit of model '" + name
                    + "' starts from the rewards in its log: " + bandit.describe());
        }
    }

    /** {@code --canary} or {@code --shadow} ({@code option}) as NAME to REF, each NAME served by {@code --model}, once. */
    private static Map<String, String> sides(String option, List<String> specs, java.util.Set<String> served) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + spec + "' is not NAME=REF", Map.of("option", option));
            }
            String name = ModelRef.checkName(spec.substring(0, eq), spec);
            if (!served.contains(name)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + spec + "' names model '" + name
                        + "', which no --model serves " + served, Map.of("option", option));
            }
            if (out.put(name, spec.substring(eq + 1)) != null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' has two " + option + " options; it takes one",
                        Map.of("option", option));
            }
        }
        return out;
    }

    private static double percent(String name, String text) {
        return percent("--canary-percent", name, text);
    }

    /** A percentage given to {@code option} for model {@code name}, refused with a message naming both. */
    private static double percent(String option, String name, String text) {
        double p;
        try {
            p = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " " + name + "=" + text
                    + " is not a percentage from 0 to 100", Map.of("model", name));
        }
        ModelRepository.basisPoints(p, option + " " + name);
        return p;
    }
}
