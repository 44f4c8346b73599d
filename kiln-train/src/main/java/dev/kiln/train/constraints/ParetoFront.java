package dev.kiln.train.constraints;

import java.util.List;

/**
 * The candidates on the Pareto front of (selection metric, p99 latency, bundle size): those no other candidate
 * dominates, where a candidate dominates another when it is at least as good on all three and strictly better on
 * one. A candidate whose metric is NaN is never on the front and dominates no one; a NaN latency counts as the
 * slowest. Equal candidates do not dominate each other, so both stay on the front; the result does not depend on
 * the candidates' order. Quadratic in the candidates, who are few.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** {@code mark(c)[i]}: candidate i is on the front. */
    public static boolean[] mark(List<CandidateFacts> candidates) {
        boolean[] front = new boolean[candidates.size()];
        for (int i = 0; i < front.length; i++) {
            CandidateFacts c = candidates.get(i);
            if (Double.isNaN(c.metric())) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < front.length && !dominated; j++) {
                dominated = j != i && dominates(candidates.get(j), c);
            }
            front[i] = !dominated;
        }
        return front;
    }

    /** Whether {@code a} is at least as good as {@code b} on metric, latency and size, and strictly better on one. */
    public static boolean dominates(CandidateFacts a, CandidateFacts b) {
        if (Double.isNaN(a.metric()) || Double.isNaN(b.metric())) {
            return false;
        }
        int metric = a.higherIsBetter() ? Double.compare(a.metric(), b.metric()) : Double.compare(b.metric(), a.metric());
        int latency = Double.compare(latency(b), latency(a));
        int size = Long.compare(b.bundleBytes(), a.bundleBytes());
        return metric >= 0 && latency >= 0 && size >= 0 && (metric > 0 || latency > 0 || size > 0);
    }

    private static double latency(CandidateFacts c) {
        return Double.isNaN(c.p99LatencyMicros()) ? Double.POSITIVE_INFINITY : c.p99LatencyMicros();
    }
}
