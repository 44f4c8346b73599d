package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A bundle root under {@code dir} holding the saved bundles as {@code linear} and {@code gbdt}, a host serving
 * {@code credit} from {@code linear} at version 1, and a repository over both: what the admin-route tests start from.
 */
record RepositoryFixture(Path roots, ModelHost host, ModelRepository repo) {
    static RepositoryFixture of(Path dir) throws IOException {
        Path roots = dir.resolve("bundles");
        TokensAndRepositoryTest.copy(bundle("credit-linear"), roots.resolve("linear"));
        TokensAndRepositoryTest.copy(bundle("credit-gbdt"), roots.resolve("gbdt"));
        ModelHost host = new ModelHost();
        host.load("credit", roots.resolve("linear"), "1");
        return new RepositoryFixture(roots, host, new ModelRepository(host, null, null, List.of(roots)));
    }
}
