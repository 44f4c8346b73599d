package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content-addressed artifact store: atomic reuse, verification, and names that try to escape. */
class ArtifactStoreTest {
    @TempDir
    Path home;
    @TempDir
    Path work;
    @TempDir
    Path outside;

    ArtifactStore store;

    @BeforeEach
    void open() {
        store = new ArtifactStore(home);
    }

    private List<String> storedBundles() throws IOException {
        try (Stream<Path> s = Files.list(home.resolve("artifacts/bundles"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Rewrites the manifest's file list (and so its checksum entries) to {@code files}. */
    private static void relist(Path bundle, Map<String, String> files) throws IOException {
        Path m = bundle.resolve(BundleManifest.MANIFEST_FILE);
        BundleManifest old = Json.mapper().readValue(m.toFile(), BundleManifest.class);
        BundleManifest changed = new BundleManifest(old.formatVersion(), old.task(), old.target(), old.classes(),
                old.positiveClass(), old.decisionThreshold(), old.inputSchema(), old.algorithm(), old.hyperparameters(),
                old.validationMetrics(), old.testMetrics(), old.lineage(), old.extra(), files);
        Files.write(m, Json.mapper().writeValueAsBytes(changed));
    }

    @Test
    void aBundleIsStoredOnceUnderTheHashOfItsManifest() throws IOException {
        Path b = TestBundles.write(work.resolve("b"), 0);
        Files.writeString(b.resolve("notes.txt"), "not listed in the manifest");
        String sha = store.putBundle(b);
        assertThat(sha).isEqualTo(Checksums.sha256(b.resolve("manifest.json")));
        assertThat(store.putBundle(b)).isEqualTo(sha);
        assertThat(storedBundles()).containsExactly(sha);
        Path stored = store.bundle(sha);
        try (Stream<Path> s = Files.list(stored)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("estimator.json", "manifest.json", "pipeline.json");
        }
        assertThat(store.intactBundle(sha)).isTrue();
    }

    @Test
    void aDamagedStoredBundleIsRefusedAndReplacedByTheNextWrite() throws IOException {
        Path b = TestBundles.write(work.resolve("b"), 0);
        String sha = store.putBundle(b);
        Files.writeString(store.bundle(sha).resolve("pipeline.json"), "{}");
        assertKiln(() -> store.bundle(sha), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "pipeline.json");
        assertThat(store.putBundle(b)).isEqualTo(sha);
        assertThat(store.intactBundle(sha)).isTrue();
        assertThat(storedBundles()).containsExactly(sha);

        Files.writeString(store.bundle(sha).resolve("manifest.json"), "{\"formatVersion\": \"1.0\"}");
        assertKiln(() -> store.bundle(sha), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "manifest.json", sha);
    }

    @Test
    void manifestNamesThatLeaveTheBundleAreRefused() throws IOException {
        Files.writeString(work.resolve("secret"), "s3cret");
        for (String name : List.of("../secret", "/etc/passwd", "sub/../../secret", "..", ".hidden/../x")) {
            Path b = TestBundles.write(work.resolve("b"), 0);
            Map<String, String> files = new LinkedHashMap<>(Map.of("pipeline.json", Checksums.sha256(b.resolve("pipeline.json")),
                    "estimator.json", Checksums.sha256(b.resolve("estimator.json"))));
            files.put(name, Checksums.sha256("s3cret".getBytes()));
            relist(b, files);
            assertKiln(() -> store.putBundle(b), ErrorCode.BUNDLE_CORRUPT, name);
        }
        assertThat(storedBundles()).isEmpty();
    }

    @Test
    void symbolicLinksInABundleAreRefused() throws IOException {
        Path b = TestBundles.write(work.resolve("b"), 0);
        Path real = Files.move(b.resolve("estimator.json"), outside.resolve("estimator.json"));
        Files.createSymbolicLink(b.resolve("estimator.json"), real);
        assertKiln(() -> store.putBundle(b), ErrorCode.INVALID_ARGUMENT, "symbolic link", "estimator.json");

        Path b2 = TestBundles.write(work.resolve("b2"), 1);
        Path manifest = Files.move(b2.resolve("manifest.json"), outside.resolve("manifest.json"));
        Files.createSymbolicLink(b2.resolve("manifest.json"), manifest);
        assertKiln(() -> store.putBundle(b2), ErrorCode.INVALID_ARGUMENT, "symbolic link", "manifest.json");
        assertThat(storedBundles()).isEmpty();
    }

    @Test
    void aStoredBundleThatIsALinkOutOfTheStoreIsRefused() throws IOException {
        Path b = TestBundles.write(work.resolve("b"), 0);
        String sha = store.putBundle(b);
        ArtifactStore.deleteTree(store.bundle(sha));
        Files.createSymbolicLink(home.resolve("artifacts/bundles").resolve(sha), b);
        assertKiln(() -> store.bundle(sha), ErrorCode.BUNDLE_CORRUPT, "not a directory");
        assertThat(store.intactBundle(sha)).isFalse();
    }

    @Test
    void addressesMustBeSha256() {
        for (String bad : List.of("../../etc", "ABC", "", "a".repeat(63), "/" + "a".repeat(64))) {
            assertKiln(() -> store.bundle(bad), ErrorCode.INVALID_ARGUMENT, "SHA-256");
            assertKiln(() -> store.file(bad), ErrorCode.INVALID_ARGUMENT, "SHA-256");
        }
        assertKiln(() -> store.bundle("0".repeat(64)), ErrorCode.BUNDLE_NOT_FOUND, "missing");
        assertKiln(() -> store.file("0".repeat(64)), ErrorCode.FILE_NOT_FOUND, "missing");
    }

    @Test
    void filesAndDirectoriesAreStoredByContent() throws IOException {
        Path f = Files.writeString(work.resolve("a.txt"), "same");
        Path g = Files.writeString(work.resolve("b.txt"), "same");
        ArtifactStore.Stored a = store.putFile(f);
        assertThat(store.putFile(g)).isEqualTo(a);
        assertThat(a.sha256()).isEqualTo(Checksums.sha256("same".getBytes()));
        assertThat(store.file(a.sha256())).hasContent("same");

        Path d = Files.createDirectories(work.resolve("d/e"));
        Files.writeString(d.resolve("x.txt"), "x");
        ArtifactStore.Stored dir = store.putDirectory(work.resolve("d"));
        assertThat(dir.sizeBytes()).isEqualTo(1);
        assertThat(Files.readString(store.file(dir.sha256()))).contains("\"e/x.txt\"").contains(Checksums.sha256("x".getBytes()));

        Files.createSymbolicLink(d.resolve("escape"), outside);
        assertKiln(() -> store.putDirectory(work.resolve("d")), ErrorCode.INVALID_ARGUMENT, "symbolic link", "escape");
        try (Stream<Path> s = Files.list(home.resolve("artifacts/files"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    void userNamesResolveOnlyUnderTheirBase() throws IOException {
        assertThat(ArtifactStore.resolveUnder(work, "a/b.txt")).isEqualTo(work.resolve("a/b.txt"));
        for (String bad : List.of("../x", "/etc/passwd", "a/../../x", "a/./b", "", "a\\..\\b", "a\u0000b")) {
            assertKiln(() -> ArtifactStore.resolveUnder(work, bad), ErrorCode.INVALID_ARGUMENT, "artifact name");
        }
        Files.createSymbolicLink(work.resolve("link"), outside);
        assertKiln(() -> ArtifactStore.resolveUnder(work, "link/file.txt"), ErrorCode.INVALID_ARGUMENT, "symbolic link");
    }

    @Test
    void staleTemporariesOfDeadWritersAreRemovedOnOpen() throws IOException {
        Path stale = Files.createDirectories(home.resolve("artifacts/bundles/.tmp-123"));
        Files.writeString(stale.resolve("manifest.json"), "{");
        Path fresh = Files.createDirectories(home.resolve("artifacts/bundles/.tmp-456"));
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
        new ArtifactStore(home);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }
}
