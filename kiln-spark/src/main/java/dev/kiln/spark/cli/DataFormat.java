package dev.kiln.spark.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Locale;
import java.util.Map;

/** The file formats {@code kiln spark} reads and writes, named by a flag or by the path's extension. */
public enum DataFormat {
    PARQUET, CSV, JSON;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code flag} when given (parquet, csv, json), else the format {@code path}'s extension names (.parquet, .csv,
     * .json, .jsonl, .ndjson; a trailing / of a Spark output directory is ignored). {@code option} is the option the
     * path came from, named in the error when neither says.
     */
    public static DataFormat of(String flag, String flagName, String path, String option) {
        if (flag != null) {
            for (DataFormat f : values()) {
                if (f.wireName().equalsIgnoreCase(flag.strip())) {
                    return f;
                }
            }
            throw new KilnException(ErrorCode.DATA_UNSUPPORTED_FORMAT, flagName + " '" + flag
                    + "' is not a format kiln spark knows: use parquet, csv or json", Map.of("option", flagName, "value", flag));
        }
        String name = path.replaceAll("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String extension = name.lastIndexOf('.') < 0 ? "" : name.substring(name.lastIndexOf('.') + 1);
        switch (extension) {
            case "parquet":
                return PARQUET;
            case "csv":
                return CSV;
            case "json", "jsonl", "ndjson":
                return JSON;
            default:
                throw new KilnException(ErrorCode.DATA_UNSUPPORTED_FORMAT, option + " '" + path + "': "
                        + (extension.isEmpty() ? "no extension" : "the extension '." + extension + "'")
                        + " names no format kiln spark knows (.parquet, .csv, .json, .jsonl); say it with " + flagName
                        + " parquet|csv|json", Map.of("option", option, "path", path));
        }
    }
}
