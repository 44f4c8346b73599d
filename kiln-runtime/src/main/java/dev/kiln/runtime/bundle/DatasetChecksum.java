package dev.kiln.runtime.bundle;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The one rule for a dataset's version, shared by the reader (kiln-data) and the dataset store (kiln-store) so
 * that both name the same data the same way. One file: the SHA-256 of its bytes (what
 * {@code DatasetVersion.sha256(file)} always was, so recorded {@code datasetSha256} values keep matching).
 * Several files: the SHA-256 of the canonical manifest, the lines {@code relative-name TAB sha256 LF} sorted by
 * name, where a name is the file's path relative to the files' deepest common directory, '/'-separated.
 */
public final class DatasetChecksum {
    private DatasetChecksum() {
    }

    /** One file of a dataset: its name (relative, '/'-separated), the SHA-256 of its bytes and its size. */
    public record FileEntry(String name, String sha256, long bytes) {
    }

    /** The dataset's version; {@code files} must not be empty. */
    public static String version(List<FileEntry> files) {
        if (files.isEmpty()) {
            throw new KilnException(ErrorCode.INTERNAL, "a dataset version needs at least one file");
        }
        if (files.size() == 1) {
            return files.get(0).sha256();
        }
        return Checksums.sha256(manifest(files).getBytes(StandardCharsets.UTF_8));
    }

    /** The canonical manifest text of several files (sorted by name); what a multi-file version hashes. */
    public static String manifest(List<FileEntry> files) {
        List<FileEntry> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(FileEntry::name));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            FileEntry f = sorted.get(i);
            if (i > 0 && sorted.get(i - 1).name().equals(f.name())) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "two files of one dataset are named '" + f.name() + "'",
                        Map.of("file", f.name()));
            }
            sb.append(f.name()).append('\t').append(f.sha256()).append('\n');
        }
        return sb.toString();
    }

    /** The deepest directory holding every one of {@code files} (absolute, normalised paths). */
    public static Path commonDirectory(List<Path> files) {
        Path common = null;
        for (Path f : files) {
            Path dir = f.toAbsolutePath().normalize().getParent();
            if (common == null) {
                common = dir;
            } else {
                while (!dir.startsWith(common)) {
                    common = common.getParent();
                }
            }
        }
        return common;
    }

    /**
     * The names the files have in a dataset, in the given order: the file name alone for one file, else each
     * path relative to {@link #commonDirectory}, '/'-separated whatever the platform.
     */
    public static List<String> names(List<Path> files) {
        if (files.size() == 1) {
            return List.of(files.get(0).getFileName().toString());
        }
        Path common = commonDirectory(files);
        List<String> out = new ArrayList<>(files.size());
        for (Path f : files) {
            Path rel = common.relativize(f.toAbsolutePath().normalize());
            List<String> parts = new ArrayList<>();
            rel.forEach(p -> parts.add(p.toString()));
            out.add(String.join("/", parts));
        }
        return out;
    }
}
