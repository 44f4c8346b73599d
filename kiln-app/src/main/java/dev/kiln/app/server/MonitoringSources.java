package dev.kiln.app.server;

import dev.kiln.kafka.KafkaUri;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where {@code kiln server} finds prediction logs: the directories given with {@code --log-dir} (each the log
 * directory of a {@code kiln serve}), checked once at start, plus any that a supplier adds while the server runs
 * (the directories {@code kiln serve} processes registered, read on every request). Every directory is used in
 * canonical form (links resolved), so the same directory named two ways is read once. And the Kafka topics given with
 * {@code --log-source}.
 */
public final class MonitoringSources {
    private final List<Path> configured;
    private final Supplier<? extends Collection<Path>> extra;
    private final List<KafkaUri> topics;

    private MonitoringSources(List<Path> configured, Supplier<? extends Collection<Path>> extra, List<KafkaUri> topics) {
        this.configured = List.copyOf(configured);
        this.extra = extra;
        this.topics = List.copyOf(topics);
    }

    /** No log directories: the monitoring page says how to give one. */
    public static MonitoringSources none() {
        return new MonitoringSources(List.of(), List::of, List.of());
    }

    /**
     * The directories of {@code --log-dir}, each of which must be an existing directory (refused naming the option
     * otherwise, so that a typo is found when the server starts rather than as an empty page).
     */
    public static MonitoringSources of(Collection<Path> dirs) {
        Set<Path> canonical = new LinkedHashSet<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new KilnException(ErrorCode.FILE_NOT_FOUND, "--log-dir " + d + " is not a directory: give the --log-dir "
                        + "of a kiln serve", Map.of("option", "--log-dir", "path", d.toString()));
            }
            canonical.add(canonical(d));
        }
        return new MonitoringSources(new ArrayList<>(canonical), List::of, List.of());
    }

    /**
     * These directories and, on every read, the ones {@code extra} supplies (say, those of the {@code kiln serve}
     * processes registered in the store); a supplied directory that does not exist (yet, or any more) is left out.
     */
    public MonitoringSources withExtra(Supplier<? extends Collection<Path>> extra) {
        Supplier<? extends Collection<Path>> before = this.extra;
        return new MonitoringSources(configured, () -> {
            List<Path> all = new ArrayList<>(before.get());
            Collection<Path> more = extra.get();
            if (more != null) {
                all.addAll(more);
            }
            return all;
        }, topics);
    }

    /**
     * These sources and the Kafka topics of {@code kiln server --log-source} (what {@code kiln serve --log-sink} sent),
     * each read for a model's records when the monitoring page asks for them.
     */
    public MonitoringSources withTopics(Collection<KafkaUri> topics) {
        List<KafkaUri> all = new ArrayList<>(this.topics);
        all.addAll(topics);
        return new MonitoringSources(configured, extra, all);
    }

    /** The Kafka topics, in the order given. */
    public List<KafkaUri> topics() {
        return topics;
    }

    /** Every source, for messages: the directories now, then the topics' URIs. */
    public List<String> describe() {
        List<String> all = new ArrayList<>();
        dirs().forEach(d -> all.add(d.toString()));
        topics.forEach(t -> all.add(t.text()));
        return all;
    }

    /** The directories now, canonical and each once: the configured ones first, then the supplied ones that exist. */
    public List<Path> dirs() {
        Set<Path> all = new LinkedHashSet<>(configured);
        for (Path d : extra.get()) {
            if (d != null && Files.isDirectory(d)) {
                try {
                    all.add(canonical(d));
                } catch (KilnException gone) {
                    // removed between the check and the resolution: as if it had not been supplied
                }
            }
        }
        return List.copyOf(all);
    }

    /**
     * The folder of {@code model}'s logs under {@code dir} (canonical), or null when it does not exist or leaves
     * {@code dir} through a link.
     */
    static Path modelDir(Path dir, String model) {
        Path candidate = dir.resolve(model);
        if (!Files.isDirectory(candidate)) {
            return null;
        }
        Path real = canonical(candidate);
        return real.startsWith(dir) ? real : null;
    }

    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "cannot resolve log directory " + p + ": " + e.getMessage(),
                    Map.of("path", p.toString()));
        }
    }
}
