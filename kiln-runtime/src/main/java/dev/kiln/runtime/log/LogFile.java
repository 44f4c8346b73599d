package dev.kiln.runtime.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/** One log file, named as {@link LogFormat#FILE_NAME} says: its kind, the second it was opened and its number. */
public record LogFile(Path path, String kind, String stamp, long seq) {
    /** Write order: by stamp, then number. */
    public static final Comparator<LogFile> WRITE_ORDER = Comparator.comparing(LogFile::stamp).thenComparingLong(LogFile::seq);

    /** The file at {@code path} if its name is a log file's name. */
    public static Optional<LogFile> parse(Path path) {
        Matcher m = LogFormat.FILE_NAME.matcher(path.getFileName().toString());
        if (!m.matches()) {
            return Optional.empty();
        }
        long seq;
        try {
            seq = Long.parseLong(m.group(3));
        } catch (NumberFormatException e) {
            return Optional.empty();  // more digits than a long holds: not one the writer made
        }
        return Optional.of(new LogFile(path, m.group(1), m.group(2), seq));
    }

    /** The second the file was opened (the epoch for a stamp that is no date, such as month 13). */
    public Instant opened() {
        try {
            return LocalDateTime.parse(stamp, LogFormat.STAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** The {@code kind} files (regular files only) in one model's folder, in write order; none if there is no folder. */
    public static List<LogFile> list(Path modelDir, String kind) throws IOException {
        List<LogFile> out = new ArrayList<>();
        for (LogFile f : listAll(modelDir)) {
            if (f.kind.equals(kind)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Every log file (of any kind) in one model's folder, in write order; none if there is no folder. */
    public static List<LogFile> listAll(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        List<LogFile> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(modelDir)) {
            s.forEach(p -> parse(p).filter(f -> Files.isRegularFile(p)).ifPresent(out::add));
        }
        out.sort(WRITE_ORDER);
        return out;
    }
}
