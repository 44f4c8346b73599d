package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.schema.ColumnType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a data file into a typed {@link DataFrame}. The format follows the extension: {@code .csv},
 * {@code .tsv}, {@code .txt} are delimited text (our own reader, so errors name line and column);
 * {@code .parquet} and {@code .jsonl}, {@code .ndjson}, {@code .json} go through DuckDB. Column
 * types come from {@link SchemaInference} for every format. The frame's source is the file's
 * canonical path and its version the SHA-256 of its bytes ({@link DatasetVersion#sha256}).
 */
public final class DataReader {
    private static final String SUPPORTED = ".csv, .tsv, .txt, .parquet, .jsonl, .ndjson, .json";

    private DataReader() {
    }

    public static DataFrame read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    public static DataFrame read(Path path, ReadOptions options) {
        options = options == null ? ReadOptions.defaults() : options;
        Path file = resolve(path);
        String source = file.toString();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.lastIndexOf('.') < 0 ? "" : name.substring(name.lastIndexOf('.'));
        return switch (extension) {
            case ".csv", ".tsv", ".txt" -> readCsvFile(file, options);
            case ".parquet" -> fromDuckDb(file, DuckDbReader.Format.PARQUET, options);
            case ".jsonl", ".ndjson" -> fromDuckDb(file, DuckDbReader.Format.JSON_LINES, options);
            case ".json" -> fromDuckDb(file, DuckDbReader.Format.JSON, options);
            default -> throw new KilnException(ErrorCode.DATA_UNSUPPORTED_FORMAT,
                    "unsupported data file " + source + ": expected one of " + SUPPORTED,
                    Map.of("file", source, "supported", SUPPORTED));
        };
    }

    /**
     * Reads delimited UTF-8 text from a stream (not closed here). {@code sourceName} is used in error
     * messages and as the frame's source; the frame's sha256 covers the bytes read.
     */
    public static DataFrame readCsv(InputStream in, String sourceName, ReadOptions options) {
        options = options == null ? ReadOptions.defaults() : options;
        DigestInputStream digesting = new DigestInputStream(in, Checksums.digest());
        ReadOptions o = options;
        RawTable raw = CsvReader.read(digesting, sourceName, options.delimiter(),
                name -> o.otherColumnsUntrimmed() && o.otherColumns() == ColumnType.TEXT && !o.types().containsKey(name));
        return new DataFrame(SchemaInference.columns(raw, options), sourceName,
                hex(digesting.getMessageDigest()));
    }

    private static DataFrame readCsvFile(Path file, ReadOptions options) {
        // .tsv means tab-separated; for .csv and .txt the delimiter is sniffed unless set.
        ReadOptions effective = options.delimiter() == null && file.getFileName().toString()
                .toLowerCase(Locale.ROOT).endsWith(".tsv") ? options.withDelimiter('\t') : options;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            // Hashing while parsing reads the file once; the parser consumes every byte, so this
            // equals DatasetVersion.sha256(file).
            return readCsv(in, file.toString(), effective);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static DataFrame fromDuckDb(Path file, DuckDbReader.Format format, ReadOptions options) {
        try {
            if (Files.size(file) == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " is empty", Map.of("file", file.toString()));
            }
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
        RawTable raw = DuckDbReader.read(file, format);
        return new DataFrame(SchemaInference.columns(raw, options), file.toString(),
                DatasetVersion.sha256(file));
    }

    /** The real path of a data file; a clear error when it is missing or a directory. */
    static Path resolve(Path path) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + path.toAbsolutePath().normalize(),
                    Map.of("file", path.toString()));
        } catch (IOException e) {
            throw ioFailure(path, e);
        }
        if (Files.isDirectory(real)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, real + " is a directory, expected a data file ("
                    + SUPPORTED + ")", Map.of("file", real.toString()));
        }
        return real;
    }

    private static KilnException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + file, Map.of("file", file.toString()));
        }
        if (e instanceof AccessDeniedException) {
            return new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": permission denied",
                    Map.of("file", file.toString()));
        }
        return new KilnException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(),
                Map.of("file", file.toString()), e);
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
