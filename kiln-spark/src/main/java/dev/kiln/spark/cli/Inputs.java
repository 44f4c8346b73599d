package dev.kiln.spark.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** How every {@code kiln spark} command reads its input files, and checks them before a session starts. */
final class Inputs {
    private Inputs() {
    }

    /** {@code file_not_found} naming {@code option} when {@code path} is a local path that does not exist. */
    static void requireExists(String path, String option) {
        Path local = localPath(path);
        if (local != null && !Files.exists(local)) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, option + " '" + path + "' does not exist",
                    Map.of("option", option, "path", path));
        }
    }

    /**
     * {@code path} in {@code format}: CSV with a header and every column as text (Kiln types it by its own rules, as
     * its single-machine readers do, never by Spark's schema inference); Parquet and JSON lines with their own types.
     */
    static Dataset<Row> read(SparkSession spark, DataFormat format, String path, String option) {
        DataFrameReader reader = spark.read();
        if (format == DataFormat.CSV) {
            reader = reader.option("header", "true").option("inferSchema", "false");
        }
        try {
            return reader.format(format.wireName()).load(path);
        } catch (Exception e) {  // Spark's AnalysisException is checked in Java's eyes, though Scala declares none
            if (e instanceof AnalysisException a) {
                throw SparkErrors.reading(a, option, path);
            }
            throw SparkErrors.unchecked(e);
        }
    }

    /** {@code path} for a report: absolute and normalised when local, else as given. */
    static String describe(String path) {
        Path local = localPath(path);
        return local == null ? path : local.toAbsolutePath().normalize().toString();
    }

    /**
     * The local file a path names (a plain path or a file: URI); null for another file system's URI (hdfs://, s3a://)
     * and for a glob (rows/*.csv), which Spark expands.
     */
    static Path localPath(String path) {
        if (path.matches(".*[*?\\[{].*")) {
            return null;
        }
        int colon = path.indexOf(':');
        if (colon > 1 && path.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return path.startsWith("file:") ? Path.of(URI.create(path)) : null;
        }
        return Path.of(path);
    }
}
