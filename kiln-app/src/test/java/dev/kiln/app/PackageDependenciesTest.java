package dev.kiln.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * kiln-app's packages by concern: the CLI ({@code cli}) drives the domain ({@code lifecycle}, {@code promotion}, {@code registry},
 * {@code monitoring}, {@code deployment}) and the REST API ({@code server}); nothing but the CLI and the entry point {@code Main} may
 * depend on the CLI, and the domain does not depend on the REST API.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/kiln/app");
    private static final Pattern CLI = Pattern.compile("\\bdev\\.kiln\\.app\\.cli\\b");
    private static final Pattern SERVER = Pattern.compile("\\bdev\\.kiln\\.app\\.server\\b");

    @Test
    void nothingOutsideTheCliDependsOnTheCli() {
        List<String> offenders = sources().filter(f -> !inPackage(f, "cli") && !f.equals(SOURCES.resolve("Main.java")))
                .filter(f -> CLI.matcher(read(f)).find()).map(Path::toString).toList();
        assertThat(offenders).as("classes outside dev.kiln.app.cli that use it").isEmpty();
    }

    @Test
    void theServerDoesNotDependOnTheCli() {
        List<Path> server = sources().filter(f -> inPackage(f, "server")).toList();
        assertThat(server).as("the server's sources").isNotEmpty();
        assertThat(server.stream().filter(f -> CLI.matcher(read(f)).find()).map(Path::toString).toList()).isEmpty();
    }

    @Test
    void theDomainDoesNotDependOnTheServer() {
        List<Path> domain = sources().filter(f -> inPackage(f, "lifecycle") || inPackage(f, "promotion") || inPackage(f, "monitoring")
                        || inPackage(f, "registry") || inPackage(f, "deployment"))
                .toList();
        assertThat(domain).as("the domain's sources").hasSizeGreaterThan(5);
        assertThat(domain.stream().filter(f -> SERVER.matcher(read(f)).find()).map(Path::toString).toList()).isEmpty();
    }

    @Test
    void theRootPackageHoldsOnlyTheEntryPoint() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList())
                    .containsExactly("Main.java");
        }
    }

    @Test
    void theCheckSeesAnImportOfTheCli() {
        assertThat(CLI.matcher("import dev.kiln.app.cli.Table;").find()).isTrue();
        assertThat(CLI.matcher("import dev.kiln.app.client.X;").find()).isFalse();
    }

    private static boolean inPackage(Path file, String pkg) {
        return file.startsWith(SOURCES.resolve(pkg));
    }

    private static Stream<Path> sources() {
        assertThat(SOURCES).as("run from kiln-app's directory").isDirectory();
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            return walk.filter(f -> f.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
