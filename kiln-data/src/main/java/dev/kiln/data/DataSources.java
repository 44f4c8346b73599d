package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a data source spec names, as files. A spec is one of:
 * <ul>
 *   <li>a file ({@code data/train.csv});</li>
 *   <li>a glob ({@code data/*.csv}, {@code data/**}{@code /*.parquet}; {@code **} crosses directories and also matches
 *       none, so {@code data/**}{@code /*.parquet} takes {@code data/a.parquet} too), matching data files only;</li>
 *   <li>a directory: every data file under it, in its subdirectories too, so that a stored multi-file dataset
 *       (whose files keep their relative names) reads back whole.</li>
 * </ul>
 * Relative specs are relative to {@code baseDir}. Hidden files and directories (a name starting with '.') are
 * never taken. The files come back canonical ({@link Path#toRealPath}), without duplicates, sorted by path. A
 * {@code jdbc:} spec is not a file: run it with {@link JdbcQuery} first.
 */
public final class DataSources {
    private DataSources() {
    }

    /** Whether {@code spec} is a database URL rather than files. */
    public static boolean isJdbc(String spec) {
        return spec != null && spec.trim().startsWith("jdbc:");
    }

    /** Whether {@code spec} holds a glob character ({@code * ? [ {}). */
    public static boolean isGlob(String spec) {
        return spec.chars().anyMatch(ch -> ch == '*' || ch == '?' || ch == '[' || ch == '{');
    }

    /** The data files {@code spec} names (at least one, none of them empty), canonical and sorted. */
    public static List<Path> resolve(String spec, Path baseDir) {
        if (spec == null || spec.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the data source is empty: give a file, a glob or a directory",
                    Map.of("spec", String.valueOf(spec)));
        }
        if (isJdbc(spec)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "data source '" + JdbcQuery.withoutPassword(spec)
                    + "' is a database URL: it needs a query", Map.of("spec", JdbcQuery.withoutPassword(spec)));
        }
        Path base = baseDir == null ? Path.of("") : baseDir;
        List<Path> files = isGlob(spec) ? glob(spec, base) : plain(spec, base);
        for (Path f : files) {
            requireNotEmpty(f);
        }
        return files;
    }

    /** Every data file under a directory (canonical, sorted); INVALID_ARGUMENT naming it when there is none. */
    static List<Path> inDirectory(Path dir, String spec) {
        Path real = real(dir, spec);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(real)) {
            files = walk.filter(p -> Files.isRegularFile(p) && DataReader.isSupported(p) && !hidden(real.relativize(p)))
                    .map(p -> real(p, spec)).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot list " + real + ": " + e.getMessage(),
                    Map.of("spec", spec, "path", real.toString()), e);
        }
        if (files.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, real + " is a directory with no data file in it (expected "
                    + DataReader.SUPPORTED + ")", Map.of("spec", spec, "path", real.toString()));
        }
        return files;
    }

    private static List<Path> plain(String spec, Path base) {
        Path p = base.resolve(spec);
        Path real = real(p, spec);
        return Files.isDirectory(real) ? inDirectory(real, spec) : List.of(real);
    }

    private static List<Path> glob(String spec, Path base) {
        String normalized = spec.replace('\\', '/');
        String[] segments = normalized.split("/", -1);
        int literal = 0;
        while (literal < segments.length - 1 && !isGlob(segments[literal])) {
            literal++;
        }
        String prefix = String.join("/", Arrays.copyOfRange(segments, 0, literal));
        String pattern = String.join("/", Arrays.copyOfRange(segments, literal, segments.length));
        // An absolute spec's first segment is empty, so its prefix keeps the leading '/' (and resolve keeps it absolute).
        Path root = prefix.isEmpty() ? (normalized.startsWith("/") ? Path.of("/") : base) : base.resolve(prefix);
        Path realRoot = real(root, spec);
        if (!Files.isDirectory(realRoot)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "glob '" + spec + "': " + realRoot + " is not a directory",
                    Map.of("spec", spec, "path", realRoot.toString()));
        }
        List<PathMatcher> matchers = new ArrayList<>();
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
        if (pattern.contains("**/")) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("**/", "")));
        }
        int depth = pattern.contains("**") ? Integer.MAX_VALUE : pattern.split("/").length;
        Set<Path> found = new LinkedHashSet<>();
        try (Stream<Path> walk = Files.walk(realRoot, depth)) {
            walk.filter(p -> Files.isRegularFile(p) && DataReader.isSupported(p)).forEach(p -> {
                Path rel = realRoot.relativize(p);
                if (!hidden(rel) && matchers.stream().anyMatch(m -> m.matches(rel))) {
                    found.add(real(p, spec));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot list " + realRoot + " for glob '" + spec + "': "
                    + e.getMessage(), Map.of("spec", spec, "path", realRoot.toString()), e);
        }
        if (found.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "glob '" + spec + "' matches no data file under " + realRoot
                    + " (expected " + DataReader.SUPPORTED + ")", Map.of("spec", spec, "path", realRoot.toString()));
        }
        return found.stream().sorted(Comparator.comparing(Path::toString)).toList();
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Path real(Path p, String spec) {
        try {
            return p.toRealPath();
        } catch (NoSuchFileException e) {
            Path abs = p.toAbsolutePath().normalize();
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "data source '" + spec + "' not found: no file or directory at "
                    + abs, Map.of("spec", spec, "path", abs.toString()));
        } catch (AccessDeniedException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + p.toAbsolutePath().normalize()
                    + ": permission denied", Map.of("spec", spec, "path", p.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot resolve " + p.toAbsolutePath().normalize() + ": "
                    + e.getMessage(), Map.of("spec", spec, "path", p.toString()), e);
        }
    }

    private static void requireNotEmpty(Path file) {
        try {
            if (Files.size(file) == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " is empty", Map.of("file", file.toString()));
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
    }
}
