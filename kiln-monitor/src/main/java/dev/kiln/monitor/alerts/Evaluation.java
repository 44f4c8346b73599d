package dev.kiln.monitor.alerts;

import java.util.Map;

/**
 * The outcome of one rule for one model: {@code FIRING} (the alert should be open), {@code OK} (it should be
 * resolved) or {@code NO_DATA} (not enough data to say; an open alert stays as it is).
 */
public record Evaluation(AlertRules.Rule rule, Status status, String message, Map<String, Object> evidence) {
    public enum Status { FIRING, OK, NO_DATA }
}
