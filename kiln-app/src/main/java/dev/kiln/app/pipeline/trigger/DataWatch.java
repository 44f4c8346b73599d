package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Watches a data source for changes: a file, a glob ({@code data/*.csv}, {@code data/**}{@code /*.parquet}), or a
 * directory, whose data files (CSV, TSV, Parquet, JSON lines; names starting with '.' or '_' left out, as writers
 * use them for temporary files) are read recursively. A source's fingerprint is its files' names, sizes and
 * modification times; a change is reported once every changed file is stable — the same size and time at two
 * looks in a row and not modified within {@link #SETTLE} — so that a pipeline never reads a half-written file.
 * Not thread-safe: one watcher looks at a time.
 */
public final class DataWatch {
    /** A file modified more recently than this may still be being written. */
    public static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Set<String> DATA_EXTENSIONS = Set.of(".csv", ".tsv", ".parquet", ".jsonl", ".ndjson", ".json");

    /** One file as seen. */
    public record FileState(long size, Instant modified) {
    }

    /** A scan: the files by name (relative to the source's directory), or what went wrong. */
    private record Scan(Map<String, FileState> files, String problem) {
    }

    private final String spec;
    private final Path path;
    private final boolean glob;
    private final Clock clock;
    /** The state the last reported change left (or the first look's). */
    private Map<String, FileState> baseline;
    /** What the previous look saw, to tell a file still growing. */
    private Map<String, FileState> previous;

    private DataWatch(String spec, Path path, boolean glob, Clock clock, Map<String, FileState> baseline) {
        this.spec = spec;
        this.path = path;
        this.glob = glob;
        this.clock = clock;
        this.baseline = baseline;
        this.previous = baseline;
    }

    /**
     * Starts watching {@code spec} (relative to {@code baseDir}): the source as it is now is the baseline, so only
     * later changes are reported. A source missing now is not an error here (its first look reports the problem,
     * and its appearance is a change). INVALID_ARGUMENT for a blank spec.
     */
    public static DataWatch start(String spec, Path baseDir, Clock clock) {
        if (spec == null || spec.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a data source to watch is needed: a file, a glob or a directory",
                    Map.of("field", "data"));
        }
        String s = spec.trim();
        boolean glob = s.chars().anyMatch(ch -> ch == '*' || ch == '?' || ch == '[' || ch == '{');
        Path p = baseDir.toAbsolutePath().resolve(s).normalize();
        if (glob) {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + p);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the data glob '" + s + "' is not a valid pattern: "
                        + e.getDescription(), Map.of("field", "data", "data", s));
            }
        }
        DataWatch w = new DataWatch(s, p, glob, clock, Map.of());
        Scan first = w.scan();
        w.baseline = first.problem() == null ? first.files() : Map.of();
        w.previous = w.baseline;
        return w;
    }

    /** The spec as given. */
    public String spec() {
        return spec;
    }

    /** The source's files now, by name; FILE_NOT_FOUND when it is gone or holds no data file. */
    public Map<String, FileState> fingerprint() {
        Scan s = scan();
        if (s.problem() != null) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, s.problem(), Map.of("data", spec));
        }
        return s.files();
    }

    /** Looks again: a stable change since the last one reported, a change still settling, nothing, or a problem. */
    public DataChange changed() {
        Scan now = scan();
        if (now.problem() != null) {
            previous = Map.of();
            return new DataChange.Problem(now.problem());
        }
        Instant settledBefore = clock.instant().minus(SETTLE);
        List<String> added = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        List<String> settling = new ArrayList<>();
        now.files().forEach((name, state) -> {
            FileState before = baseline.get(name);
            if (state.equals(before)) {
                return;
            }
            (before == null ? added : modified).add(name);
            if (!state.equals(previous.get(name)) || state.modified().isAfter(settledBefore)) {
                settling.add(name);
            }
        });
        List<String> removed = baseline.keySet().stream().filter(n -> !now.files().containsKey(n)).toList();
        previous = now.files();
        if (!settling.isEmpty()) {
            return new DataChange.Settling(settling);
        }
        if (added.isEmpty() && modified.isEmpty() && removed.isEmpty()) {
            return new DataChange.None();
        }
        baseline = now.files();
        return new DataChange.Changed(added, modified, removed);
    }

    private Scan scan() {
        try {
            if (glob) {
                return globScan();
            }
            if (Files.isDirectory(path)) {
                Map<String, FileState> files = walk(path, Integer.MAX_VALUE, f -> isDataFile(path.relativize(f)));
                return files.isEmpty()
                        ? new Scan(Map.of(), "the data directory " + path + " holds no data file ("
                                + String.join(", ", new java.util.TreeSet<>(DATA_EXTENSIONS)) + ")")
                        : new Scan(files, null);
            }
            if (!Files.isRegularFile(path)) {
                return new Scan(Map.of(), "the data source " + path + " is gone");
            }
            return new Scan(Map.of(path.getFileName().toString(), state(path)), null);
        } catch (NoSuchFileException e) {
            return new Scan(Map.of(), "the data source " + path + " is gone (" + e.getFile() + ")");
        } catch (IOException e) {
            return new Scan(Map.of(), "cannot read the data source " + path + ": " + e.getMessage());
        }
    }

    private Scan globScan() throws IOException {
        // Walk from the last directory before the first wildcard; match whole paths against the pattern.
        Path root = path.getRoot();
        int depth = 0;
        for (Path part : path) {
            String p = part.toString();
            if (p.chars().anyMatch(ch -> ch == '*' || ch == '?' || ch == '[' || ch == '{')) {
                break;
            }
            root = root.resolve(p);
            depth++;
        }
        int levels = path.toString().contains("**") ? Integer.MAX_VALUE : path.getNameCount() - depth;
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + path);
        Path base = root;
        if (!Files.isDirectory(base)) {
            return new Scan(Map.of(), "no file matches the data glob " + spec + ": " + base + " is not a directory");
        }
        Map<String, FileState> files = walk(base, levels, matcher::matches);
        return files.isEmpty() ? new Scan(Map.of(), "no file matches the data glob " + spec + " (under " + base + ")")
                : new Scan(files, null);
    }

    private static Map<String, FileState> walk(Path dir, int levels, java.util.function.Predicate<Path> keep) throws IOException {
        Map<String, FileState> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir, levels)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                if (!f.equals(dir) && !hidden(dir.relativize(f)) && keep.test(f)) {
                    try {
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            out.put(dir.relativize(f).toString(), new FileState(a.size(), a.lastModifiedTime().toInstant()));
                        }
                    } catch (NoSuchFileException gone) {
                        // deleted while we looked: it is simply not there
                    }
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a directory vanished mid-walk: this look fails, the next sees the new state
        }
        return out;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDataFile(Path relative) {
        String n = relative.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && DATA_EXTENSIONS.contains(n.substring(dot));
    }

    private static FileState state(Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.values());
        return new FileState(a.size(), a.lastModifiedTime().toInstant());
    }
}
