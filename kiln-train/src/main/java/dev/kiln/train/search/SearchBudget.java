package dev.kiln.train.search;

import java.time.Duration;
import java.util.Map;

/**
 * The default time for a whole search and its share per algorithm. 20 s for up to 20,000 cells (rows x
 * features: 1,000 rows of 20 columns), which on 2 cores runs the five algorithms' searches in roughly 15-25 s;
 * above that it grows with the square root of the cells (fits grow about linearly, so larger data gets fewer
 * trials rather than a proportionally longer wait), capped at 10 minutes. Shares: gbdt 50%, forest 25%, linear
 * 15%, tree 10%; the baseline has nothing to search.
 *
 * @param total  the whole search's time
 * @param shares each algorithm's share of it
 */
public record SearchBudget(Duration total, Map<String, Double> shares) {
    public static final Duration MINIMUM = Duration.ofSeconds(20);
    public static final Duration CAP = Duration.ofMinutes(10);
    static final double REFERENCE_CELLS = 20_000;
    public static final Map<String, Double> DEFAULT_SHARES = Map.of("gbdt", 0.50, "forest", 0.25, "linear", 0.15,
            "tree", 0.10, "baseline", 0.0);

    public static SearchBudget defaultFor(long rows, int features) {
        double cells = (double) rows * Math.max(1, features);
        double seconds = MINIMUM.toSeconds() * Math.sqrt(Math.max(1.0, cells / REFERENCE_CELLS));
        long millis = Math.min(CAP.toMillis(), Math.round(seconds * 1000));
        return new SearchBudget(Duration.ofMillis(millis), DEFAULT_SHARES);
    }

    /**
     * An algorithm's time; {@code algorithms} are those being trained, whose shares are rescaled to sum to 1
     * (so training only gbdt gives gbdt the whole budget).
     */
    public Duration forAlgorithm(String algorithm, java.util.Collection<String> algorithms) {
        double sum = algorithms.stream().mapToDouble(a -> shares.getOrDefault(a, 0.0)).sum();
        if (sum <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.round(total.toMillis() * shares.getOrDefault(algorithm, 0.0) / sum));
    }
}
