package dev.kiln.spark;

import dev.kiln.spark.cli.SparkCli;

/**
 * Entry point of {@code kiln spark ...} ({@code ./kiln spark}, on an embedded local Spark) and of
 * {@code spark-submit --class dev.kiln.spark.SparkMain kiln-spark.jar ...} (on a cluster).
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        System.exit(SparkCli.run(args));
    }
}
