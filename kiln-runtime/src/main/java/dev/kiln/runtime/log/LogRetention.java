package dev.kiln.runtime.log;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How much of the log is kept: at most {@code maxTotalBytes} of log files under the log folder (every model and kind
 * together) and none last written more than {@code maxAge} ago. Whatever is over goes oldest first (by last
 * modification), never a file still being written. {@code maxTotalBytes <= 0} or a null {@code maxAge}: no limit of
 * that kind. Defaults ({@link #DEFAULT}): 10 GiB and 30 days.
 */
public record LogRetention(long maxTotalBytes, Duration maxAge) {
    public static final long DEFAULT_MAX_TOTAL_BYTES = 10L << 30;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
    public static final LogRetention DEFAULT = new LogRetention(DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_AGE);
    /** Keeps everything. */
    public static final LogRetention NONE = new LogRetention(0, null);

    public LogRetention {
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            maxAge = null;
        }
    }

    public LogRetention withMaxTotalBytes(long bytes) {
        return new LogRetention(bytes, maxAge);
    }

    public LogRetention withMaxAge(Duration age) {
        return new LogRetention(maxTotalBytes, age);
    }

    public boolean keepsEverything() {
        return maxTotalBytes <= 0 && maxAge == null;
    }

    /** What one {@link #sweep} found and removed. */
    public record Swept(int files, long bytes, long bytesLeft) {
    }

    private record Candidate(Path path, long size, Instant modified, LogFile file) {
    }

    /**
     * Deletes the log files under {@code dir} ({@code dir/<model>/<kind>-*.jsonl}) that this retention does not keep at
     * {@code now}, oldest first, never one in {@code open} (the files being written, counted in the total all the same).
     */
    public Swept sweep(Path dir, Instant now, Set<Path> open) throws IOException {
        if (keepsEverything() || !Files.isDirectory(dir)) {
            return new Swept(0, 0, 0);
        }
        List<Candidate> all = new ArrayList<>();
        long total = 0;
        try (Stream<Path> models = Files.list(dir)) {
            for (Path model : (Iterable<Path>) models::iterator) {
                for (LogFile f : LogFile.listAll(model)) {
                    try {
                        long size = Files.size(f.path());
                        total += size;
                        if (!open.contains(f.path())) {
                            all.add(new Candidate(f.path(), size, Files.getLastModifiedTime(f.path()).toInstant(), f));
                        }
                    } catch (NoSuchFileException gone) {
                        // removed meanwhile
                    }
                }
            }
        }
        all.sort(Comparator.comparing(Candidate::modified).thenComparing(Candidate::file, LogFile.WRITE_ORDER));
        Instant oldest = maxAge == null ? null : now.minus(maxAge);
        int deleted = 0;
        long freed = 0;
        for (Candidate c : all) {
            boolean tooOld = oldest != null && c.modified().isBefore(oldest);
            boolean tooMuch = maxTotalBytes > 0 && total > maxTotalBytes;
            if (!tooOld && !tooMuch) {
                break;  // sorted oldest first: the rest are newer and the total fits
            }
            if (Files.deleteIfExists(c.path())) {
                deleted++;
                freed += c.size();
            }
            total -= c.size();
        }
        return new Swept(deleted, freed, total);
    }

    private static final Pattern BYTES = Pattern.compile("(\\d{1,18})\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    /**
     * A size as a command line takes it: bytes ({@code 1048576}) or with a binary unit ({@code 512k}, {@code 64MiB},
     * {@code 10g}, {@code 1TiB}: powers of 1024); {@code 0} for no limit.
     */
    public static long parseBytes(String text, String option) {
        Matcher m = BYTES.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not a size: use bytes or a whole "
                    + "number with k, m, g or t (powers of 1024), such as 10g or 512MiB; 0 for no limit", Map.of("field", option));
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is too large", Map.of("field", option));
        }
        return n << shift;
    }

    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");

    /** An age as a command line takes it: {@code 90s}, {@code 30m}, {@code 24h}, {@code 30d}; {@code 0} for no limit (null). */
    public static Duration parseAge(String text, String option) {
        String t = text == null ? "" : text.strip();
        if (t.equals("0")) {
            return null;
        }
        Matcher m = AGE.matcher(t);
        if (!m.matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not an age: use a whole number "
                    + "followed by s, m, h or d (90s, 30m, 24h, 30d); 0 for no limit", Map.of("field", option));
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return d.isZero() ? null : d;
    }
}
