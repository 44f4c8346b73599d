package dev.kiln.app.monitoring;

import dev.kiln.monitor.logs.FeedbackRecord;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.ClassLabels;
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
        List<String> inputs = inputs(columns, fields);
        Map<String, String> labels = new HashMap<>();
        log.feedback(new LogWindow(window.since(), null), (FeedbackRecord f) -> {
            if (f.label() != null) {
                labels.put(f.key(), f.label());
            }
        });
        Labelled rows = new Labelled(model, inputs, fields);
        log.predictions(window, p -> {
            String label = labels.get(p.key());
            if (label != null) {
                rows.add(p, label);
            }
        });
        List<Slices.Column> out = new ArrayList<>();
        for (String slice : columns) {
            out.add(rows.slice(slice, fields));
        }
        return new Result(out, rows.values.size(), rows.unusable);
    }

    /** Each input a slice reads: a column, or the columns of an intersectional slice (a*b); each must be a model input. */
    private static List<String> inputs(List<String> columns, Map<String, Field> fields) {
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
        return inputs;
    }

    /** The labelled predictions, column by column: the inputs slices read, the truth, the answer; and the rows that did not fit. */
    private static final class Labelled {
        private final Task task;
        private final List<String> classes;
        private final String positive;
        private final List<String> inputs;
        private final Map<String, Field> fields;
        final List<Object[]> values = new ArrayList<>();
        private final List<Double> truth = new ArrayList<>();
        private final List<Double> answer = new ArrayList<>();
        private final List<Boolean> answeredPositive = new ArrayList<>();
        long unusable;
        private final DatasetProfile profile;

        Labelled(KilnModel model, List<String> inputs, Map<String, Field> fields) {
            this.profile = model.bundle().referenceProfile();
            this.task = model.task();
            this.classes = model.classes();
            this.positive = task == Task.BINARY ? classes.get(1) : null;
            this.inputs = inputs;
            this.fields = fields;
        }

        /** Adds a prediction with its label, or counts it as unusable when either does not fit the model. */
        void add(PredictionRecord p, String label) {
            try {
                double y;
                double a;
                if (task == Task.REGRESSION) {
                    y = Double.parseDouble(label);
                    a = ((Number) p.prediction()).doubleValue();
                } else {
                    y = ClassLabels.indexOf(classes, label); // "yes", "Yes", true or 1 for a yes/no model
                    Double pPositive = positive == null ? null : p.probabilities().get(positive);
                    a = task == Task.BINARY ? (pPositive == null ? Double.NaN : pPositive) : classes.indexOf(String.valueOf(p.prediction()));
                }
                if (y < 0 || Double.isNaN(a) || a < 0) {
                    unusable++;
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
                unusable++;
            }
        }

        /** A boolean input's words, from the model's training profile (true/false without one). */
        private BooleanWords wordsOf(String column) {
            ColumnProfile c = profile == null ? null : profile.column(column).orElse(null);
            return c == null ? BooleanWords.TRUE_FALSE : c.booleanWords();
        }

        /** The slice {@code slice} (a column or a*b) of the rows added, with the task's metrics and gaps. */
        Slices.Column slice(String slice, Map<String, Field> fields) {
            int n = values.size();
            List<ColumnType> types = new ArrayList<>();
            List<Object[]> parts = new ArrayList<>();
            for (String c : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                int at = inputs.indexOf(c);
                Object[] v = new Object[n];
                for (int i = 0; i < n; i++) {
                    v[i] = values.get(i)[at];
                }
                types.add(fields.get(c).type());
                // A boolean input is grouped by its training file's words (yes/no), as kiln train's slices group it.
                parts.add(fields.get(c).type() == ColumnType.BOOLEAN ? Slices.answers(wordsOf(c), v) : v);
            }
            Slices.Input in = Slices.Input.of(types, parts);
            int[] yInt = truth.stream().mapToInt(Double::intValue).toArray();
            return switch (task) {
                case BINARY -> Slices.binary(slice, in.type(), in.values(), yInt, answer.stream().mapToDouble(Double::doubleValue).toArray(),
                        answered(answeredPositive));
                case MULTICLASS -> Slices.multiclass(slice, in.type(), in.values(), yInt, answer.stream().mapToInt(Double::intValue).toArray());
                case REGRESSION -> Slices.regression(slice, in.type(), in.values(), truth.stream().mapToDouble(Double::doubleValue).toArray(),
                        answer.stream().mapToDouble(Double::doubleValue).toArray());
            };
        }
    }
}
