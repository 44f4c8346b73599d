package dev.kiln.spark.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.spark.KilnSpark;
import dev.kiln.store.StoreOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Score a file or a directory of files with a Kiln bundle on Spark, partition by partition.",
                "The output holds the input's columns, then 'prediction', for classification one 'probability_<class>' "
                        + "per class (the values 'kiln predict' gives), then 'kiln_error': null for a row that was scored, "
                        + "else '<error_code>: <message>' (a column the model needs is missing, a value of the wrong type) "
                        + "with null outputs; such rows do not fail the job. Spark writes the output as a directory of "
                        + "part files, one per partition.",
                "CSV is read with a header and every column as text, typed by the model's schema as 'kiln predict' "
                        + "types it; Parquet and JSON lines keep their own types."})
final class PredictJob implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "REF",
            description = "the model, as kiln predict takes it: a bundle directory on the driver's file system, or a registered "
                    + "NAME (its production alias), NAME@ALIAS or NAME:VERSION; the bundle is sent to the executors")
    String model;

    @Mixin
    StoreOptions store;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "rows to score: a file or directory (a local path, or a URI Spark reads: hdfs://, s3a://, ...)")
    String input;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "the directory Spark writes the scored rows to")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "parquet, csv or json (JSON lines), for input and output; default: from each path's extension")
    String format;

    @Option(names = "--input-format", paramLabel = "FORMAT", description = "the input's format, when it differs from --format")
    String inputFormat;

    @Option(names = "--output-format", paramLabel = "FORMAT", description = "the output's format, when it differs from --format")
    String outputFormat;

    @Mixin
    SparkMaster master;

    @Option(names = "--overwrite", description = "replace the output if it exists (else an existing output is an error)")
    boolean overwrite;

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Override
    public Integer call() {
        // Everything that can be checked without Spark is, before a session starts (seconds, on a cluster minutes).
        DataFormat in = DataFormat.of(inputFormat != null ? inputFormat : format,
                inputFormat != null ? "--input-format" : "--format", input, "--input");
        DataFormat out = DataFormat.of(outputFormat != null ? outputFormat : format,
                outputFormat != null ? "--output-format" : "--format", output, "--output");
        Inputs.requireExists(input, "--input");
        Path localOutput = localPath(output);
        if (localOutput != null && Files.exists(localOutput) && !overwrite) {
            throw new KilnException(ErrorCode.CONFLICT, "--output '" + output + "' exists: pass --overwrite to replace it",
                    Map.of("option", "--output", "path", output));
        }
        KilnModel kiln = Models.load(model, store, "--model").model();
        try (Sessions.Started session = master.start("kiln spark predict")) {
            SparkSession spark = session.spark();
            Dataset<Row> rows = Inputs.read(spark, in, input, "--input");
            KilnSpark.Scored scored = KilnSpark.predictCounted(rows, kiln);
            write(scored.rows(), out);
            report(kiln, in, out, spark.sparkContext().master(), scored.rowCount().value(), scored.errorCount().value());
        }
        return 0;
    }

    private void write(Dataset<Row> scored, DataFormat format) {
        DataFrameWriter<Row> writer = scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .format(format.wireName());
        if (format == DataFormat.CSV) {
            // Cells as they are: Spark's writer otherwise trims them, and writes no header.
            writer = writer.option("header", "true").option("ignoreLeadingWhiteSpace", "false")
                    .option("ignoreTrailingWhiteSpace", "false");
        } else if (format == DataFormat.JSON) {
            writer = writer.option("ignoreNullFields", "false");  // every line has every column, kiln_error: null
        }
        try {
            writer.save(output);
        } catch (Exception e) {
            if (e instanceof AnalysisException a && "PATH_ALREADY_EXISTS".equals(a.getErrorClass())) {
                throw new KilnException(ErrorCode.CONFLICT, "--output '" + output + "' exists: pass --overwrite to replace it",
                        Map.of("option", "--output", "path", output), e);
            }
            if (e instanceof AnalysisException a) {  // e.g. a column type the format cannot hold (arrays in CSV)
                throw new KilnException(ErrorCode.DATA_UNSUPPORTED_FORMAT, "--output '" + output + "' cannot be written as "
                        + format.wireName() + ": " + SparkErrors.firstLine(a.getMessage()),
                        Map.of("option", "--output", "path", output), e);
            }
            throw SparkErrors.unchecked(e);
        }
    }

    private void report(KilnModel kiln, DataFormat in, DataFormat out, String usedMaster, long rows, long errors) {
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", kiln.bundle().directory().toString());
            summary.put("algorithm", kiln.manifest().algorithm());
            summary.put("input", input);
            summary.put("input_format", in.wireName());
            summary.put("output", output);
            summary.put("output_format", out.wireName());
            summary.put("master", usedMaster);
            summary.put("rows", rows);
            summary.put("errors", errors);
            try {
                w.println(Json.mapper().writeValueAsString(summary));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            w.println("scored " + rows + " rows with " + kiln.manifest().algorithm() + " model " + kiln.bundle().directory()
                    + " on " + usedMaster + (errors > 0 ? "; " + errors + " rows could not be scored (see column "
                    + KilnSpark.ERROR_COLUMN + ")" : ""));
            w.println("wrote " + output);
        }
        w.flush();
    }

    /** See {@link Inputs#localPath}. */
    static Path localPath(String path) {
        return Inputs.localPath(path);
    }
}
