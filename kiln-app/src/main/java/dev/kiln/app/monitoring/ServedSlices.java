package dev.kiln.app.monitoring;

import dev.kiln.monitor.logs.FeedbackRecord;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import dev.kiln.train.eval.Slices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slices and fairness gaps of what a server answered (every version together: what the customers met), on the
 * predictions that received a label: the training report's {@link Slices}, measured in production. A row's group
 * comes from its logged input (checked against the model's schema); its answer from the log; its truth from the
 * feedback. Rows whose label or input does not fit the model are counted, not guessed.
 */
public final class ServedSlices {
    private ServedSlices() {
    }

    /** The slices, and how many labelled rows could not be used. */
    public record Result(List<Slices.Column> slices, long labelled, long unusable) {
    }

    private static boolean[] answered(List<Boolean> positive) {
        boolean[] out = new boolean[positive.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = positive.get(i);
        }
        return out;
    }

    public static Result measure(PredictionLogReader log, LogWindow window, KilnModel model, List<String> columns) {
        Map<String, Field> fields = new HashMap<>();
        for (Field f : model.requiredFields()) {
            fields.put(f.name(), f);
        }
        // Each input a slice reads: a column, or the columns of an intersectional slice (a*b).
        List<String> inputs = new ArrayList<>();
        for (String slice : columns) {
            for (String c : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                if (!fields.containsKey(c)) {
                    throw new KilnException(ErrorCode.COLUMN_MISSING, "--slice-by '" + c + "' is not an input of the model (its inputs: "
                            + String.join(", ", fields.keySet()) + ")", Map.of("column", c));
                }
                if (!inputs.contains(c)) {
                    inputs.add(c);
                }
            }
        }
        Map<String, String> labels = new HashMap<>();
        log.feedback(new LogWindow(window.since(), null), (FeedbackRecord f) -> {
            if (f.label() != null) {
                labels.put(f.key(), f.label());
            }
        });
        Task task = model.task();
        List<String> classes = model.classes();
        String positive = task == Task.BINARY ? classes.get(1) : null;
        List<Object[]> values = new ArrayList<>();
        List<Double> truth = new ArrayList<>();
        List<Double> answer = new ArrayList<>();
        List<Boolean> answeredPositive = new ArrayList<>();
        long[] unusable = {0};
        log.predictions(window, p -> {
            String label = labels.get(p.key());
            if (label == null) {
                return;
            }
            try {
                double y;
                double a;
                if (task == Task.REGRESSION) {
                    y = Double.parseDouble(label);
                    a = ((Number) p.prediction()).doubleValue();
                } else {
                    y = classes.indexOf(label);
                    Double pPositive = positive == null ? null : p.probabilities().get(positive);
                    a = task == Task.BINARY ? (pPositive == null ? Double.NaN : pPositive) : classes.indexOf(String.valueOf(p.prediction()));
                }
                if (y < 0 || Double.isNaN(a) || a < 0) {
                    unusable[0]++;
                    return;
                }
                Object[] row = new Object[inputs.size()];
                for (int c = 0; c < row.length; c++) {
                    row[c] = Values.coerce(fields.get(inputs.get(c)), p.inputs().get(inputs.get(c)));
                }
                values.add(row);
                truth.add(task == Task.BINARY ? (y == 1 ? 1.0 : 0.0) : y);
                answer.add(a);
                answeredPositive.add(positive != null && positive.equals(String.valueOf(p.prediction())));
            } catch (KilnException | NumberFormatException | ClassCastException e) {
                unusable[0]++;
            }
        });
        int n = values.size();
        List<Slices.Column> out = new ArrayList<>();
        int[] yInt = truth.stream().mapToInt(Double::intValue).toArray();
        for (String slice : columns) {
            List<ColumnType> types = new ArrayList<>();
            List<Object[]> parts = new ArrayList<>();
            for (String c : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                int at = inputs.indexOf(c);
                Object[] v = new Object[n];
                for (int i = 0; i < n; i++) {
                    v[i] = values.get(i)[at];
                }
                types.add(fields.get(c).type());
                parts.add(v);
            }
            Slices.Input in = Slices.Input.of(types, parts);
            ColumnType type = in.type();
            Object[] v = in.values();
            out.add(switch (task) {
                case BINARY -> Slices.binary(slice, type, v, yInt, answer.stream().mapToDouble(Double::doubleValue).toArray(),
                        answered(answeredPositive));
                case MULTICLASS -> Slices.multiclass(slice, type, v, yInt, answer.stream().mapToInt(Double::intValue).toArray());
                case REGRESSION -> Slices.regression(slice, type, v, truth.stream().mapToDouble(Double::doubleValue).toArray(),
                        answer.stream().mapToDouble(Double::doubleValue).toArray());
            });
        }
        return new Result(out, n, unusable[0]);
    }
}
