package dev.kiln.serve;

import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.serve.traffic.ShadowScorer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scoring request leaves behind once its answer is decided: its input flags counted, one record per row
 * offered to the prediction log, a copy for the model's shadow, and the bandit arm that answered remembered.
 */
final class PredictionRecorder {
    private final ServeState state;

    PredictionRecorder(ServeState state) {
        this.state = state;
    }

    /**
     * Offers one record per row to the prediction log (never blocks; a full queue drops and counts): a compact
     * {@link PredictionLog.Row} referring to what the request already holds (the instance as sent, the prediction,
     * its flags); the writer thread turns it into the JSON line (time text included). {@code inputs}: per row, a
     * map or a JSON object as sent, an {@code Object[]} aligned with {@code fields}, or a {@link PredictionLog.Sent}.
     * {@code explanations}: one map per row, or null for none.
     */
    void log(Exchange x, Served s, String id, List<Field> fields, List<?> inputs, List<Prediction> predictions,
             List<List<InputChecks.Flag>> flags, List<Map<String, Object>> explanations) {
        ModelHost models = state.models;
        if (models.hasBandits()) {
            rememberArm(x, s);
        }
        PredictionLog log = state.log;
        if (log == null) {
            return;
        }
        double latencyMs = (System.nanoTime() - x.startNanos()) / 1e6;
        Instant time = Instant.now();
        String logId = id != null && !id.equals(x.requestId()) ? id : null;
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            log.offer(new PredictionLog.Row(x.requestId(), logId, time, s.name(), s.version(), i, fields, inputs.get(i),
                    p.prediction(), p.probabilities(), flags.get(i), latencyMs,
                    explanations == null ? null : explanations.get(i)));
        }
        if (models.hasShadows()) {
            offerShadow(x, s, time, fields, inputs, predictions);
        }
    }

    /** Remembers which arm of its model's bandit answered a request, for the reward that may follow. */
    private void rememberArm(Exchange x, Served s) {
        ModelHost.Slot slot = state.models.slot(s.name());
        Bandit bandit = slot == null ? null : slot.bandit;
        if (bandit != null) {
            bandit.answered(x.requestId(), s);
        }
    }

    /** Hands a copy of a logged request to the shadow of its model, if it has one (kept out of the hot method). */
    private void offerShadow(Exchange x, Served s, Instant time, List<Field> fields, List<?> inputs, List<Prediction> predictions) {
        ModelHost.Slot slot = state.models.slot(s.name());
        Served shadow = slot == null ? null : slot.shadow;
        if (shadow != null) {
            List<Object> served = new ArrayList<>(predictions.size());
            for (Prediction p : predictions) {
                served.add(p.prediction());
            }
            state.shadows.offer(new ShadowScorer.Job(shadow, s.version(), served, x.requestId(), time, fields, inputs));
        }
    }

    /**
     * The out-of-range flags of each row of a batch (checks precomputed when the model was loaded), counted in
     * {@code kiln_input_flags_total{model,column,reason}}.
     */
    List<List<InputChecks.Flag>> flag(Served s, List<? extends Map<String, ?>> batch) {
        InputChecks checks = state.models.checks(s);
        List<List<InputChecks.Flag>> out = new ArrayList<>(batch.size());
        for (Map<String, ?> row : batch) {
            List<InputChecks.Flag> flags = checks.isEmpty() ? List.of() : checks.check(row);
            count(s, flags);
            out.add(flags);
        }
        return out;
    }

    /** Counts flags in {@code kiln_input_flags_total{model,column,reason}}. */
    void count(Served s, List<InputChecks.Flag> flags) {
        for (InputChecks.Flag f : flags) {
            state.meters.flagged(s.name(), f.column(), f.reason());
        }
    }

    /** Flags as JSON objects; {@code row >= 0} adds the row index. */
    static List<Object> flagMaps(List<InputChecks.Flag> flags, int row) {
        List<Object> out = new ArrayList<>(flags.size());
        for (InputChecks.Flag f : flags) {
            Map<String, Object> m = f.toMap();
            if (row >= 0) {
                Map<String, Object> withRow = new LinkedHashMap<>();
                withRow.put("row", row);
                withRow.putAll(m);
                m = withRow;
            }
            out.add(m);
        }
        return out;
    }
}
