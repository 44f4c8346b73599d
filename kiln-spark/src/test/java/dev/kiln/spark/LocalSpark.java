package dev.kiln.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark: local[2] (CI's two cores), no web UI, on the loopback, two shuffle partitions (small data). */
public final class LocalSpark {
    private LocalSpark() {
    }

    public static SparkSession start(String appName) {
        return SparkSession.builder().master("local[2]").appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }
}
