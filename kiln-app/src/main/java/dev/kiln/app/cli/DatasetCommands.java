package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.data.DataSources;
import dev.kiln.data.JdbcQuery;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.DatasetChecksum;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.FileTrees;
import dev.kiln.store.DatasetStore;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kiln data ingest|versions|get|list}: the dataset store from the command line. */
final class DatasetCommands {
    private DatasetCommands() {
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Store a dataset version under NAME: the files are copied into HOME/datasets/<version>/, so the "
                    + "data a model was trained on can always be read again. Prints the version.",
                    "The version is the SHA-256 of the file, or for several files the SHA-256 of their manifest "
                            + "(sorted lines 'relative-name TAB sha256'). Storing the same content again under the same "
                            + "name changes nothing."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:stored (or already stored)", "2:bad input (name, spec, query, empty data)",
                    "3:not found (a file or directory of SPEC)", "8:the database of a jdbc: SPEC cannot be reached"})
    static final class Ingest implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "the dataset's name (letters, digits, '.', '_', '-')")
        String name;

        @Parameters(index = "1", paramLabel = "SPEC", description = "a file, a glob (data/*.csv, data/**/*.parquet), a "
                + "directory (every data file under it), or a jdbc: URL with --query")
        String source;

        @Option(names = "--query", paramLabel = "SQL", description = "with a jdbc: SPEC, the query whose rows are the dataset "
                + "(stored as NAME.csv)")
        String query;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the stored record as JSON")
        boolean json;

        @Override
        public Integer call() {
            boolean jdbc = DataSources.isJdbc(source);
            if (jdbc && (query == null || query.isBlank())) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a jdbc: source needs --query SQL",
                        Map.of("spec", JdbcQuery.withoutPassword(source)));
            }
            if (!jdbc && query != null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--query is for a jdbc: source, not '" + source + "'",
                        Map.of("spec", source));
            }
            try (KilnStore s = store.open()) {
                StoredDataset d = dev.kiln.app.lifecycle.Ingest.ingest(s, name, source, query, Path.of(""), Promotion.actor());
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, describe(s.datasets(), d));
                } else {
                    out.println(d.version());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true,
            description = "List the stored versions of a dataset, newest first.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed", "3:no dataset of that name"})
    static final class Versions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "the dataset's name")
        String name;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the versions as JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                List<StoredDataset> versions = s.datasets().versions(name);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, versions.stream().map(d -> describe(null, d)).toList());
                } else {
                    Table t = new Table("version", "files", "bytes", "source", "created", "by");
                    for (StoredDataset d : versions) {
                        t.row(d.version().substring(0, 12), d.files().size(), d.totalBytes(), d.source(), d.createdAt(),
                                d.createdBy());
                    }
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the stored datasets and their latest versions.")
    static final class ListDatasets implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the latest version of each dataset as JSON")
        boolean json;

        @Override
        public Integer call() {
            try (KilnStore s = store.open()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                Table t = new Table("name", "versions", "latest", "files", "bytes", "created");
                for (String n : s.datasets().names()) {
                    List<StoredDataset> versions = s.datasets().versions(n);
                    StoredDataset latest = versions.get(0);
                    Map<String, Object> row = describe(null, latest);
                    row.put("versions", versions.size());
                    rows.add(row);
                    t.row(n, versions.size(), latest.version().substring(0, 12), latest.files().size(), latest.totalBytes(),
                            latest.createdAt());
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Reports.json(out, rows);
                } else {
                    out.print(t.render());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Write a stored dataset version to PATH: its file, or a directory of its files (checked against "
                    + "their checksums first). PATH is written atomically: whole or not at all."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:written", "2:bad or ambiguous version, or the stored copy fails its checksum",
                    "3:no such version", "4:PATH exists (use --force)"})
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "VERSION", description = "the version, or a unique prefix of at least 6 hex digits")
        String version;

        @Option(names = "--out", required = true, paramLabel = "PATH", description = "where to write it")
        Path outPath;

        @Option(names = "--force", description = "replace PATH if it exists")
        boolean force;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print what was written as JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            try (KilnStore s = store.open()) {
                StoredDataset d = s.datasets().get(version);
                List<Path> files = s.datasets().files(d);
                Path target = outPath.toAbsolutePath().normalize();
                boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
                if (exists && !force) {
                    throw new KilnException(ErrorCode.CONFLICT, target + " already exists; use --force to replace it",
                            Map.of("path", target.toString()));
                }
                write(d, files, target, exists);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> m = describe(null, d);
                    m.put("out", target.toString());
                    Reports.json(out, m);
                } else {
                    out.println("wrote " + target + " (dataset " + d.name() + " version " + d.version().substring(0, 12) + ", "
                            + d.files().size() + (d.files().size() == 1 ? " file, " : " files, ") + d.totalBytes() + " bytes)");
                }
                out.flush();
            }
            return 0;
        }

        /** One file: replaced atomically. Several: a directory built beside PATH and renamed into place. */
        private static void write(StoredDataset d, List<Path> files, Path target, boolean exists) throws IOException {
            if (files.size() == 1 && !(exists && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))) {
                AtomicFiles.write(target, o -> Files.copy(files.get(0), o));
                return;
            }
            Path tmp = AtomicFiles.temporaryFor(target);
            Path old = null;
            try {
                if (files.size() == 1) {
                    Files.copy(files.get(0), tmp);
                } else {
                    Files.createDirectories(tmp);
                    List<DatasetChecksum.FileEntry> entries = d.files();
                    for (int i = 0; i < entries.size(); i++) {
                        Path to = tmp.resolve(entries.get(i).name());
                        Files.createDirectories(to.getParent());
                        Files.copy(files.get(i), to);
                    }
                }
                if (exists && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    // A rename cannot replace a non-empty directory: move the old one aside first, remove it after.
                    old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
                    Files.move(target, old);
                }
                AtomicFiles.publish(tmp, target);
                tmp = null;
            } finally {
                if (tmp != null) {
                    FileTrees.deleteQuietly(tmp);
                }
                if (old != null) {
                    FileTrees.deleteQuietly(old);
                }
            }
        }
    }

    /** A record as JSON output: the record's fields, plus where the content is when {@code store} is given. */
    static Map<String, Object> describe(DatasetStore store, StoredDataset d) {
        Map<String, Object> m = new LinkedHashMap<>(Reports.asMap(d));
        if (store != null) {
            m.put("path", store.path(d).toString());
        }
        return m;
    }
}
