package dev.kiln.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.DatasetChecksum;
import dev.kiln.runtime.profile.DatasetProfile;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@link DatasetStore} over the store's database (rows) and {@link DatasetFiles} (content). */
final class JdbcDatasetStore implements DatasetStore {
    /** A version or a prefix of one a person may type: 6 to 64 hex digits. */
    private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{6,64}");
    private static final int CANDIDATES_SHOWN = 10;
    private static final String COLUMNS = "name, version, files, total_bytes, source, created_by, created_at";

    private final Db db;
    private final DatasetFiles files;
    private final DatasetProfileFiles profiles;

    JdbcDatasetStore(Db db, Path home) {
        this.db = db;
        this.files = new DatasetFiles(home);
        this.profiles = new DatasetProfileFiles(files.root());
    }

    /** For tests in this package: the file side. */
    DatasetFiles fileStore() {
        return files;
    }

    @Override
    public StoredDataset put(String name, List<Path> sources, String source, String actor) {
        checkName(name);
        if (actor == null || actor.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "storing a dataset needs an actor (who stores it)",
                    Map.of("dataset", name));
        }
        DatasetFiles.Copied copied = files.store(sources);
        String shownSource = source == null ? null : KilnStore.redact(source);
        String json = Db.toJson(copied.files());
        long now = Instant.now().toEpochMilli();
        return db.write(c -> {
            Db.update(c, "INSERT INTO datasets (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING",
                    name, copied.version(), json, copied.totalBytes(), shownSource, actor, now);
            return Db.one(c, "SELECT " + COLUMNS + " FROM datasets WHERE name = ? AND version = ?", JdbcDatasetStore::row,
                    name, copied.version()).orElseThrow();
        });
    }

    @Override
    public List<StoredDataset> versions(String name) {
        checkName(name);
        List<StoredDataset> found = db.read(c -> Db.list(c, "SELECT " + COLUMNS + " FROM datasets WHERE name = ? ORDER BY id DESC",
                JdbcDatasetStore::row, name));
        if (found.isEmpty()) {
            List<String> known = names();
            throw new KilnException(ErrorCode.DATASET_NOT_FOUND, "no dataset named '" + name + "'; known datasets: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)), Map.of("dataset", name, "known", known));
        }
        return found;
    }

    @Override
    public StoredDataset get(String versionOrPrefix) {
        String prefix = versionOrPrefix == null ? "" : versionOrPrefix.trim().toLowerCase(Locale.ROOT);
        if (!PREFIX.matcher(prefix).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + versionOrPrefix + "' is not a dataset version: give "
                    + "its SHA-256 or a unique prefix of at least 6 hex digits", Map.of("version", String.valueOf(versionOrPrefix)));
        }
        List<String> versions = db.read(c -> Db.list(c, "SELECT DISTINCT version FROM datasets WHERE version LIKE ? ORDER BY version",
                rs -> rs.getString(1).trim(), prefix + "%"));
        if (versions.isEmpty()) {
            throw new KilnException(ErrorCode.DATASET_NOT_FOUND, "no stored dataset has version " + prefix
                    + (prefix.length() < 64 ? "..." : ""), Map.of("version", prefix));
        }
        if (versions.size() > 1) {
            List<String> shown = versions.subList(0, Math.min(CANDIDATES_SHOWN, versions.size()));
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "dataset version prefix " + prefix + " is ambiguous: it starts "
                    + versions.size() + " versions (" + String.join(", ", shown) + (versions.size() > shown.size() ? ", ..." : "")
                    + "); give more digits", Map.of("version", prefix, "candidates", shown));
        }
        return db.read(c -> Db.one(c, "SELECT " + COLUMNS + " FROM datasets WHERE version = ? ORDER BY id LIMIT 1",
                JdbcDatasetStore::row, versions.get(0))).orElseThrow();
    }

    @Override
    public List<String> names() {
        return db.read(c -> Db.list(c, "SELECT DISTINCT name FROM datasets ORDER BY name", rs -> rs.getString(1)));
    }

    @Override
    public Path path(StoredDataset dataset) {
        List<Path> stored = files(dataset);
        return stored.size() == 1 ? stored.get(0) : files.directory(dataset.version());
    }

    @Override
    public List<Path> files(StoredDataset dataset) {
        return files.verified(dataset.version(), dataset.files());
    }

    @Override
    public Optional<DatasetProfile> profile(StoredDataset dataset) {
        return profiles.read(dataset.version());
    }

    @Override
    public void putProfile(StoredDataset dataset, DatasetProfile profile) {
        profiles.write(dataset.version(), profile);
    }

    static String checkName(String name) {
        if (name == null || !ModelRef.NAME.matcher(name).matches() || name.contains("..")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is not a valid dataset name: names use "
                    + "letters, digits, '.', '_' and '-', start with a letter or digit, at most 128 characters",
                    Map.of("dataset", String.valueOf(name)));
        }
        return name;
    }

    private static StoredDataset row(ResultSet rs) throws SQLException {
        return new StoredDataset(rs.getString("name"), rs.getString("version").trim(), fileList(rs.getString("files")),
                rs.getLong("total_bytes"), rs.getString("source"), rs.getString("created_by"),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    private static List<DatasetChecksum.FileEntry> fileList(String json) {
        try {
            return Json.mapper().readValue(json, new TypeReference<List<DatasetChecksum.FileEntry>>() { });
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "the Kiln store holds an invalid dataset file list: "
                    + e.getOriginalMessage(), new LinkedHashMap<>(Map.of("json", json.length() > 200 ? json.substring(0, 200) : json)));
        }
    }
}
