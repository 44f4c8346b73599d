package dev.kiln.data;

import java.nio.file.Path;

/**
 * Times one read of a CSV file by the parallel or the sequential reader, in a fresh JVM (not a test: run it under
 * {@code /usr/bin/time -f "%e s %M KB"} for wall time and peak memory), e.g.
 * {@code java -cp kiln-data/target/classes:kiln-data/target/test-classes:$(cat cp.txt) dev.kiln.data.CsvReadBenchmark
 * parallel /work/speed/d1m.csv}; {@code sha256} times only the SHA-256 of the file.
 */
public final class CsvReadBenchmark {
    private CsvReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CsvReadBenchmark parallel|sequential|sha256 FILE");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        long start = System.nanoTime();
        String summary = switch (args[0]) {
            case "parallel" -> summary(ParallelCsvReader.read(file, ReadOptions.defaults()));
            case "sequential" -> summary(ParallelCsvReader.sequential(file, ReadOptions.defaults()));
            case "sha256" -> dev.kiln.runtime.bundle.Checksums.sha256(file);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        System.out.printf("%s %s: %.0f ms%n", args[0], summary, (System.nanoTime() - start) / 1e6);
    }

    private static String summary(ParallelCsvReader.Result result) {
        return result.columns().size() + " columns x " + result.columns().get(0).size() + " rows, sha256 "
                + result.sha256();
    }
}
