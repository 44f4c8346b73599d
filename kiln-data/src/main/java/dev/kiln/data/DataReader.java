package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.DatasetChecksum;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads data into a typed {@link DataFrame}. The format follows the extension: {@code .csv},
 * {@code .tsv}, {@code .txt} are delimited text (our own reader, so errors name line and column; files are read in
 * parallel by {@link ParallelCsvReader}, with exactly the sequential reader's result and errors);
 * {@code .parquet} and {@code .jsonl}, {@code .ndjson}, {@code .json} go through DuckDB. Column
 * types come from {@link SchemaInference} for every format. For one file the frame's source is the file's
 * canonical path and its version the SHA-256 of its bytes ({@link DatasetVersion#sha256}). Several files (a
 * directory, or {@link #readAll}) are concatenated as text and typed once over all rows; the source is their
 * common directory and the version {@link DatasetChecksum#version} of the files.
 */
public final class DataReader {
    static final String SUPPORTED = ".csv, .tsv, .txt, .parquet, .jsonl, .ndjson, .json";
    private static final Set<String> EXTENSIONS = Set.of(".csv", ".tsv", ".txt", ".parquet", ".jsonl", ".ndjson", ".json");

    private DataReader() {
    }

    /** Reads a data file, or every data file under a directory ({@link DataSources}' directory rule). */
    public static DataFrame read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    public static DataFrame read(Path path, ReadOptions options) {
        options = options == null ? ReadOptions.defaults() : options;
        Path real = real(path);
        if (Files.isDirectory(real)) {
            List<Path> files = DataSources.inDirectory(real, path.toString());
            return files.size() == 1 ? read(files.get(0), options) : readAll(files, options, real);
        }
        if (isDelimitedText(real)) {
            ReadOptions effective = csvOptions(real, options);
            if (ParallelCsvReader.handles(effective)) {
                ParallelCsvReader.Result result = ParallelCsvReader.read(real, effective);
                return new DataFrame(result.columns(), real.toString(), result.sha256());
            }
        }
        DuckDbReader.Format typed = duckDbFormat(real);
        if (typed != null) {
            // Fetch typed columns directly (the same columns, without a text round trip); columns forced to a type
            // keep them when their values are what the text route would give (ForcedTypes), else everything is read
            // as text below. Other columns (ReadOptions.otherColumns) are fetched as text and converted as the text
            // route converts them.
            if (size(real) == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + real + " is empty", Map.of("file", real.toString()));
            }
            // The file's hash on another core while DuckDB reads it: each takes a similar time.
            CompletableFuture<String> sha256 = options.checksum()
                    ? FileHash.meanwhile(real) : CompletableFuture.completedFuture(null);
            List<DataColumn> columns = typedColumns(real, typed, options);
            if (columns != null) {
                return new DataFrame(columns, real.toString(), FileHash.joined(sha256));
            }
            sha256.cancel(false);
        }
        Raw raw = readRaw(real, options);
        return new DataFrame(SchemaInference.columns(raw.table(), options), real.toString(), raw.sha256());
    }

    /**
     * The typed route's columns, or null to take the text route: where a forced column needs it ({@link ForcedTypes}),
     * and where converting an other column ({@link ReadOptions#otherColumns}) fails while columns are forced by name,
     * since the text route names the first column in the file's order that does not fit, which may be a forced one.
     */
    private static List<DataColumn> typedColumns(Path file, DuckDbReader.Format format, ReadOptions options) {
        List<DataColumn> read;
        try {
            read = DuckDbReader.readTyped(file, format, options.withTypes(Map.of()), options.types().keySet());
        } catch (KilnException e) {
            if (options.otherColumns() != null && !options.types().isEmpty() && e.code() == ErrorCode.DATA_MALFORMED) {
                return null;
            }
            throw e;
        }
        return ForcedTypes.applied(read, options.types());
    }

    static boolean isDelimitedText(Path file) {
        String extension = extension(file);
        return extension.equals(".csv") || extension.equals(".tsv") || extension.equals(".txt");
    }

    /** .tsv means tab-separated; for .csv and .txt the delimiter is sniffed unless set. */
    static ReadOptions csvOptions(Path file, ReadOptions options) {
        return options.delimiter() == null && extension(file).equals(".tsv") ? options.withDelimiter('\t') : options;
    }

    /**
     * Reads several data files as one dataset: each file is read as text, the rows concatenated (the files must
     * have the same set of columns, in any order), then typed once, so the types are those one file holding every
     * row would get. Formats may be mixed. One file reads exactly as {@link #read(Path, ReadOptions)}.
     */
    public static DataFrame readAll(List<Path> files, ReadOptions options) {
        return readAllFiles(files, options);
    }

    /** {@link #readAll(List, ReadOptions)} with the default options. */
    public static DataFrame readAll(List<Path> files) {
        return readAllFiles(files, ReadOptions.defaults());
    }

    private static DataFrame readAllFiles(List<Path> files, ReadOptions options) {
        if (files == null || files.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "no data files to read");
        }
        if (files.size() == 1) {
            return read(files.get(0), options);
        }
        List<Path> real = files.stream().map(DataReader::resolve).toList();
        return readAll(real, options == null ? ReadOptions.defaults() : options, DatasetChecksum.commonDirectory(real));
    }

    private static DataFrame readAll(List<Path> files, ReadOptions options, Path source) {
        boolean parallel = files.stream().allMatch(f -> isDelimitedText(f) && ParallelCsvReader.handles(csvOptions(f, options)));
        if (parallel) {
            ParallelCsvReader.Combined combined = ParallelCsvReader.readAll(files, options);
            if (combined != null && !options.checksum()) {
                return new DataFrame(combined.columns(), source.toString(), null);
            }
            if (combined != null) {
                List<String> names = DatasetChecksum.names(files);
                List<DatasetChecksum.FileEntry> entries = new ArrayList<>(files.size());
                for (int i = 0; i < files.size(); i++) {
                    entries.add(new DatasetChecksum.FileEntry(names.get(i), combined.sha256s().get(i), size(files.get(i))));
                }
                return new DataFrame(combined.columns(), source.toString(), DatasetChecksum.version(entries));
            }
            readAllSequentially(files, options, source); // throws the exact error
            throw ParallelCsvReader.disagreement(source.toString(), "reading several files");
        }
        return readAllSequentially(files, options, source);
    }

    static DataFrame readAllSequentially(List<Path> files, ReadOptions options, Path source) {
        List<String> names = DatasetChecksum.names(files);
        RawTables all = new RawTables(source.toString());
        List<DatasetChecksum.FileEntry> entries = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Raw raw = readRaw(file, options);
            all.append(raw.table(), file.toString());
            entries.add(new DatasetChecksum.FileEntry(names.get(i), raw.sha256(), size(file)));
        }
        return new DataFrame(SchemaInference.columns(all.table(), options), source.toString(),
                DatasetChecksum.version(entries));
    }

    /** Whether the file's extension is one this reader reads. */
    static boolean isSupported(Path file) {
        return EXTENSIONS.contains(extension(file));
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.lastIndexOf('.') < 0 ? "" : name.substring(name.lastIndexOf('.'));
    }

    static DuckDbReader.Format duckDbFormat(Path file) {
        return switch (extension(file)) {
            case ".parquet" -> DuckDbReader.Format.PARQUET;
            case ".jsonl", ".ndjson" -> DuckDbReader.Format.JSON_LINES;
            case ".json" -> DuckDbReader.Format.JSON;
            default -> null;
        };
    }

    /** A file's text and the SHA-256 of its bytes. */
    private record Raw(RawTable table, String sha256) {
    }

    private static Raw readRaw(Path file, ReadOptions options) {
        return switch (extension(file)) {
            case ".csv", ".tsv", ".txt" -> readCsvFile(file, options);
            case ".parquet", ".jsonl", ".ndjson", ".json" -> fromDuckDb(file, duckDbFormat(file));
            default -> throw new KilnException(ErrorCode.DATA_UNSUPPORTED_FORMAT,
                    "unsupported data file " + file + ": expected one of " + SUPPORTED,
                    Map.of("file", file.toString(), "supported", SUPPORTED));
        };
    }

    /**
     * Reads delimited UTF-8 text from a stream (not closed here). {@code sourceName} is used in error
     * messages and as the frame's source; the frame's sha256 covers the bytes read.
     */
    public static DataFrame readCsv(InputStream in, String sourceName, ReadOptions options) {
        options = options == null ? ReadOptions.defaults() : options;
        Raw raw = readCsvRaw(in, sourceName, options);
        return new DataFrame(SchemaInference.columns(raw.table(), options), sourceName, raw.sha256());
    }

    private static Raw readCsvRaw(InputStream in, String sourceName, ReadOptions options) {
        DigestInputStream digesting = new DigestInputStream(in, Checksums.digest());
        RawTable raw = CsvReader.read(digesting, sourceName, options.delimiter(), untrimmed(options));
        return new Raw(raw, hex(digesting.getMessageDigest()));
    }

    /** The columns whose unquoted values keep their surrounding whitespace ({@link ReadOptions#otherColumnsUntrimmed}). */
    static java.util.function.Predicate<String> untrimmed(ReadOptions o) {
        return name -> o.otherColumnsUntrimmed() && o.otherColumns() == ColumnType.TEXT && !o.types().containsKey(name);
    }

    private static Raw readCsvFile(Path file, ReadOptions options) {
        ReadOptions effective = csvOptions(file, options);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            // Hashing while parsing reads the file once; the parser consumes every byte, so this
            // equals DatasetVersion.sha256(file).
            return readCsvRaw(in, file.toString(), effective);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static Raw fromDuckDb(Path file, DuckDbReader.Format format) {
        if (size(file) == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " is empty", Map.of("file", file.toString()));
        }
        return new Raw(DuckDbReader.read(file, format), DatasetVersion.sha256(file));
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + path.toAbsolutePath().normalize(),
                    Map.of("file", path.toString()));
        } catch (IOException e) {
            throw ioFailure(path, e);
        }
    }

    /** The real path of a data file; a clear error when it is missing or a directory. */
    static Path resolve(Path path) {
        Path real = real(path);
        if (Files.isDirectory(real)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, real + " is a directory, expected a data file ("
                    + SUPPORTED + ")", Map.of("file", real.toString()));
        }
        return real;
    }

    static KilnException ioFailure(Path file, IOException e) {
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
