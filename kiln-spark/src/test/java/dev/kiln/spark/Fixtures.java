package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.Tuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Data and bundles for the tests: rows with a number, an integer, a category and a boolean, some values missing; a
 * classifier (GBDT, XGBoost converted to Kiln's trees) and a regressor (linear) trained on them by Kiln's own trainer.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** {@code id,x,n,city,member,label,amount}: label is yes/no, amount a number, both driven by the features. */
    static Path data(Path file, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("id,x,n,city,member,label,amount\n");
        for (int i = 0; i < rows; i++) {
            double x = r.nextGaussian();
            int n = r.nextInt(10);
            int city = r.nextInt(6);
            boolean member = r.nextBoolean();
            double score = x + 0.3 * n - city * 0.4 + (member ? 0.8 : 0) - 1.2 + r.nextGaussian() * 0.5;
            double amount = 3 * x + n - 2 * city + (member ? 5 : 0) + r.nextGaussian();
            sb.append("r").append(i).append(',')
                    .append(r.nextDouble() < 0.05 ? "" : Double.toString(x)).append(',')
                    .append(n).append(',')
                    .append(r.nextDouble() < 0.05 ? "" : "c" + city).append(',')
                    .append(member).append(',')
                    .append(score > 0 ? "yes" : "no").append(',')
                    .append(amount).append('\n');
        }
        Files.createDirectories(file.getParent());
        return Files.writeString(file, sb.toString());
    }

    /** A bundle trained on {@code data} (without the id and the other task's target), by {@code algorithm}. */
    static KilnModel train(Path data, Path dir, String target, String other, String algorithm) throws IOException {
        Path trainFile = dir.resolve("train-" + target + ".csv");
        List<String> lines = Files.readAllLines(data);
        StringBuilder sb = new StringBuilder();
        List<String> header = List.of(lines.get(0).split(","));
        int id = header.indexOf("id");
        int drop = header.indexOf(other);
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            List<String> kept = new java.util.ArrayList<>();
            for (int c = 0; c < cells.length; c++) {
                if (c != id && c != drop) {
                    kept.add(cells[c]);
                }
            }
            sb.append(String.join(",", kept)).append('\n');
        }
        Files.writeString(trainFile, sb.toString());
        TrainingReport report = Training.run(TrainOptions.defaults(trainFile, target, dir.resolve("bundle-" + target))
                .withAlgorithms(List.of(algorithm)).withTuning(new Tuning(Duration.ZERO, null, null, null)),
                ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(report.bundle()));
        if (!model.manifest().algorithm().equals(algorithm)) {
            throw new IllegalStateException("the fixture chose " + model.manifest().algorithm() + ", not " + algorithm);
        }
        if ((model.task() == Task.REGRESSION) != target.equals("amount")) {
            throw new IllegalStateException("unexpected task " + model.task());
        }
        return model;
    }
}
