package dev.kiln.app.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * A command that ran out of Java heap (a large {@code kiln train} or {@code kiln data profile}) ends with what happened
 * and what to do, not a stack trace: how large the data was, the heap's limit, and how to give the JVM more
 * ({@code KILN_JAVA_OPTS=-Xmx...}, which the {@code kiln} launcher passes on). {@link ErrorCode#UNAVAILABLE}: a resource
 * is exhausted (exit 8).
 */
final class OutOfMemory {
    /** A run holds a few times its data file in memory (docs/training.md, "Memory"): the limit suggested per data byte. */
    static final int SUGGESTED_HEAP_PER_DATA_BYTE = 4;

    private OutOfMemory() {
    }

    /** The error for {@code command} (e.g. "kiln train") on {@code dataOrNull}, under a heap limit of {@code maxHeap} bytes. */
    static KilnException error(String command, Path dataOrNull, long maxHeap) {
        long dataBytes = dataOrNull == null ? -1 : sizeOrMinusOne(dataOrNull);
        long suggested = Math.max(2 * maxHeap, SUGGESTED_HEAP_PER_DATA_BYTE * Math.max(dataBytes, 0));
        long suggestedMb = roundUpToGigabyte(suggested) / (1024 * 1024);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("max_heap_mb", maxHeap / (1024 * 1024));
        StringBuilder m = new StringBuilder(command).append(" ran out of memory: the Java heap's limit is ")
                .append(mb(maxHeap));
        if (dataBytes >= 0) {
            m.append(" and ").append(dataOrNull.getFileName()).append(" is ").append(mb(dataBytes));
            details.put("data_mb", dataBytes / (1024 * 1024));
        }
        m.append(" (a run holds a few times its data in memory). Give it more memory: KILN_JAVA_OPTS=-Xmx")
                .append(suggestedMb >= 1024 ? suggestedMb / 1024 + "g" : suggestedMb + "m")
                .append(" kiln ... (the machine needs that much free), or use a sample of the data");
        details.put("suggested_xmx_mb", suggestedMb);
        return new KilnException(ErrorCode.UNAVAILABLE, m.toString(), details);
    }

    /** {@link #error} for the command {@code parsed} names, its --data option if it has one, and this JVM's heap. */
    static KilnException error(CommandLine.ParseResult parsed) {
        StringBuilder command = new StringBuilder("kiln");
        Path data = null;
        for (CommandLine.ParseResult p = parsed.subcommand(); p != null; p = p.subcommand()) {
            command.append(' ').append(p.commandSpec().name());
            if (p.hasMatchedOption("--data")) {
                Object value = p.matchedOptionValue("--data", null);
                data = value == null ? null : Path.of(value.toString());
            }
        }
        return error(command.toString(), data, Runtime.getRuntime().maxMemory());
    }

    private static long sizeOrMinusOne(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long roundUpToGigabyte(long bytes) {
        long gb = 1024L * 1024 * 1024;
        return Math.max(gb, (bytes + gb - 1) / gb * gb);
    }

    private static String mb(long bytes) {
        return (bytes / (1024 * 1024)) + " MB";
    }
}
