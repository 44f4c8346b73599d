package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import dev.kiln.app.lifecycle.DatasetProfiles;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.ArtifactStore;
import dev.kiln.store.DatasetStore;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dataset store over HTTP (the UI's /data): datasets with their versions, a version with its profile (computed
 * once, then kept beside the version: {@link DatasetProfiles}) and the validation reports pipeline runs made of it.
 */
final class DataRoutes {
    private final KilnStore store;
    private final DatasetStore datasets;

    DataRoutes(KilnStore store) {
        this.store = store;
        this.datasets = store.datasets();
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/datasets", role(VIEWER), this::datasets),
                new Route(GET, "/api/datasets/{dataset}/versions", role(VIEWER), this::versions),
                new Route(GET, "/api/datasets/{dataset}/versions/{dataset_version}", role(VIEWER), this::version));
    }

    /** Every dataset with its version count and latest version; {@code ?sha256=SHA} instead finds the one version. */
    private Object datasets(Call c) {
        String sha = c.query("sha256");
        if (sha != null) {
            return bySha256(sha);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : datasets.names()) {
            List<StoredDataset> versions = datasets.versions(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("versions", versions.size());
            m.put("latest", DataViews.version(versions.get(0)));
            out.add(m);
        }
        return Map.of("datasets", out);
    }

    private Map<String, Object> bySha256(String sha) {
        String v = sha.trim().toLowerCase(Locale.ROOT);
        if (!ArtifactStore.SHA256.matcher(v).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter sha256='" + sha + "' must be a dataset's "
                    + "SHA-256 (64 hex digits)", Map.of("parameter", "sha256", "value", sha));
        }
        StoredDataset d = datasets.get(v); // dataset_not_found when no stored dataset has this content
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", v);
        m.put("match", DataViews.version(d));
        m.put("names", namesOf(v));
        return m;
    }

    private Map<String, Object> versions(Call c) {
        String name = c.param("dataset");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", name);
        m.put("versions", datasets.versions(name).stream().map(DataViews::version).toList());
        return m;
    }

    /** The version (id or unique prefix, as {@code kiln data get} takes it) of this dataset, with its profile. */
    private Map<String, Object> version(Call c) {
        String name = c.param("dataset");
        String wanted = c.param("dataset_version").toLowerCase(Locale.ROOT);
        List<StoredDataset> versions = datasets.versions(name);
        List<StoredDataset> matching = versions.stream().filter(d -> d.version().startsWith(wanted)).toList();
        if (matching.isEmpty()) {
            throw new KilnException(ErrorCode.DATASET_NOT_FOUND, "dataset '" + name + "' has no version " + wanted
                    + (wanted.length() < 64 ? "..." : "") + " (" + versions.size() + " versions: GET /api/datasets/" + name
                    + "/versions)", Map.of("dataset", name, "version", wanted));
        }
        if (matching.size() > 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "version prefix " + wanted + " of dataset '" + name
                    + "' is ambiguous: it starts " + matching.size() + " versions; give more digits",
                    Map.of("dataset", name, "version", wanted, "candidates",
                            matching.stream().map(StoredDataset::version).limit(10).toList()));
        }
        StoredDataset d = matching.get(0);
        Map<String, Object> m = DataViews.version(d);
        m.put("names", namesOf(d.version()));
        DatasetProfiles.Lookup profile = DatasetProfiles.lookup(store, d, DatasetProfiles.INLINE_BYTES);
        m.put("profile_status", profile.state());
        m.put("profile", profile.profile() == null ? null : DataViews.profile(profile.profile()));
        m.put("profile_error", profile.error() == null ? null : error(profile.error()));
        m.putAll(PipelineViews.usesOf(store.pipelines(), d.version()));
        return m;
    }

    /** The error's code and message, the store's paths in it written as {@code HOME}: the caller is not on this machine. */
    private Map<String, Object> error(KilnException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", e.code().wireName());
        String message = e.getMessage();
        for (String home : homePaths()) {
            message = message.replace(home, "HOME");
        }
        m.put("message", message);
        return m;
    }

    private List<String> homePaths() {
        List<String> forms = new ArrayList<>();
        try {
            forms.add(store.home().toRealPath().toString());
        } catch (java.io.IOException ignored) {
            // the plain form only
        }
        forms.add(store.home().toAbsolutePath().toString());
        return forms;
    }

    /** Every dataset name holding this content (the same data stored under several names is one copy). */
    private List<String> namesOf(String version) {
        List<String> names = new ArrayList<>();
        for (String n : datasets.names()) {
            if (datasets.versions(n).stream().anyMatch(d -> d.version().equals(version))) {
                names.add(n);
            }
        }
        return names;
    }
}
