package dev.kiln.spark.sketch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Data for the drift and profile tests: a number (x, some missing), an integer (n), a category (city, some missing), a
 * true/false column (member), a yes/no column (flag), a date (day) and a number with the missing token NA (score). The
 * drifted version shifts x by 0.6 standard deviations and moves city towards c5 and a city never seen (c6); the other
 * columns keep their distribution. Written as one CSV (what kiln drift reads) and as a directory of part files (what
 * Spark reads as several partitions), with the same rows.
 */
public final class DriftData {
    public static final String HEADER = "x,n,city,member,flag,day,score";

    private DriftData() {
    }

    public static List<String> rows(int count, long seed, boolean drifted) {
        Random r = new Random(seed);
        List<String> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double x = r.nextGaussian() * 2 + 10 + (drifted ? 1.2 : 0);
            int n = r.nextInt(10);
            int city = drifted && r.nextDouble() < 0.3 ? (r.nextBoolean() ? 5 : 6) : r.nextInt(6);
            LocalDate day = LocalDate.of(2024, 1, 1).plusDays(r.nextInt(366));
            rows.add((r.nextDouble() < 0.04 ? "" : Double.toString(x)) + ',' + n + ','
                    + (r.nextDouble() < 0.05 ? "" : "c" + city) + ',' + r.nextBoolean() + ','
                    + (r.nextDouble() < 0.3 ? "yes" : "no") + ',' + day + ','
                    + (r.nextDouble() < 0.05 ? "NA" : Double.toString(r.nextDouble())));
        }
        return rows;
    }

    /** One CSV with {@code rows}. */
    public static Path csv(Path file, List<String> rows) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, HEADER + "\n" + String.join("\n", rows) + "\n");
    }

    /** A directory of {@code parts} CSV files, each with the header, holding {@code rows} in order. */
    public static Path parts(Path dir, List<String> rows, int parts) throws IOException {
        Files.createDirectories(dir);
        int per = (rows.size() + parts - 1) / parts;
        for (int p = 0; p < parts; p++) {
            List<String> part = rows.subList(Math.min(rows.size(), p * per), Math.min(rows.size(), (p + 1) * per));
            Files.writeString(dir.resolve(String.format("part-%05d.csv", p)), HEADER + "\n" + String.join("\n", part) + "\n");
        }
        return dir;
    }
}
