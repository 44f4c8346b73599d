package dev.kiln.monitor.logs;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.log.LogFile;
import dev.kiln.runtime.log.LogFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The log files of one model ({@code <logDir>/<model>/<kind>-<stamp>-<seq>.jsonl}, as {@link LogFormat} names them),
 * in the order they were written, one line at a time. A file whose successor was opened before the window starts is
 * skipped without being opened, as is every file opened after the window ends.
 */
public final class FileLogLines implements LogLines {
    private final Path modelDir;

    public FileLogLines(Path modelDir) {
        this.modelDir = modelDir;
    }

    public Path modelDir() {
        return modelDir;
    }

    @Override
    public boolean exists() {
        return !files(LogFormat.PREDICTIONS).isEmpty() || !files(LogFormat.FEEDBACK).isEmpty();
    }

    @Override
    public String where() {
        return modelDir.toString();
    }

    @Override
    public int read(String kind, LogWindow window, Sink sink) {
        List<LogFile> files = files(kind);
        int opened = 0;
        for (int i = 0; i < files.size(); i++) {
            if (window.until() != null && !files.get(i).opened().isBefore(window.until())) {
                break; // opened at or after the end of the window: so is everything in it and after it
            }
            // Stamps have whole seconds: a successor opened strictly before the window's second means this
            // file was closed before the window started.
            if (window.since() != null && i + 1 < files.size()
                    && files.get(i + 1).opened().isBefore(window.since().minusSeconds(1))) {
                continue;
            }
            opened++;
            Path file = files.get(i).path();
            String name = file.getFileName().toString();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (!line.isBlank()) {
                        sink.line(name, number, line);
                    }
                }
            } catch (NoSuchFileException e) {
                // rotated away between listing and reading: nothing to read
            } catch (IOException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read the " + kind + " log " + file + ": "
                        + e.getMessage(), Map.of("file", file.toString()), e);
            }
        }
        return opened;
    }

    /** The {@code kind} log files of the model, in the order they were written. */
    List<LogFile> files(String kind) {
        try {
            return LogFile.list(modelDir, kind);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot list the log folder " + modelDir + ": " + e.getMessage(),
                    Map.of("file", modelDir.toString()), e);
        }
    }
}
