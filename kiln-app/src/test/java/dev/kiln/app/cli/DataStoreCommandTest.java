package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.DataSources;
import dev.kiln.data.DatasetVersion;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln data ingest|versions|get|list}, and the reader and the store agreeing on versions. */
class DataStoreCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    private CliRun kiln(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        return CliRun.of(all);
    }

    private Path write(String name, String content) throws Exception {
        Path p = work.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    @Test
    void ingestAFilePrintsItsVersionAndIngestingItAgainChangesNothing() throws Exception {
        Path f = write("credit.csv", "a,b\n1,x\n2,y\n");
        CliRun first = kiln("data", "ingest", "credit", f.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out().trim()).isEqualTo(Checksums.sha256(f)).isEqualTo(DatasetVersion.sha256(f));
        CliRun again = kiln("data", "ingest", "credit", f.toString(), "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode record = Json.mapper().readTree(again.out());
        assertThat(record.get("version").asText()).isEqualTo(first.out().trim());
        assertThat(record.get("files").get(0).get("name").asText()).isEqualTo("credit.csv");
        assertThat(record.get("path").asText()).endsWith("credit.csv");
        CliRun versions = kiln("data", "versions", "credit", "--json");
        assertThat(Json.mapper().readTree(versions.out())).hasSize(1);
    }

    @Test
    void ingestAGlobListsVersionsAndGetsTheDirectoryBack() throws Exception {
        write("d/a.csv", "id,x\n1,10\n");
        write("d/b.csv", "id,x\n2,2.5\n");
        CliRun ingest = kiln("data", "ingest", "parts", work.resolve("d").toString() + "/*.csv");
        assertThat(ingest.exitCode()).as(ingest.err()).isZero();
        String version = ingest.out().trim();
        assertThat(version).isEqualTo(DataReader.read(work.resolve("d")).sha256());

        CliRun table = kiln("data", "versions", "parts");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("version", "files", "bytes", "source", "created", version.substring(0, 12), "/*.csv");

        Path out = work.resolve("copy");
        CliRun get = kiln("data", "get", version.substring(0, 8), "--out", out.toString());
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(get.out()).contains("wrote " + out, "2 files");
        assertThat(Files.readString(out.resolve("a.csv"))).isEqualTo("id,x\n1,10\n");
        assertThat(DataReader.read(out).sha256()).isEqualTo(version);

        CliRun refused = kiln("data", "get", version, "--out", out.toString());
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.err()).contains("already exists", "--force");
        Files.writeString(out.resolve("stale.csv"), "id,x\n9,9\n");
        CliRun forced = kiln("data", "get", version, "--out", out.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(out.resolve("stale.csv")).doesNotExist();
        assertThat(DataReader.read(out).sha256()).isEqualTo(version);

        CliRun list = kiln("data", "list");
        assertThat(list.out()).contains("parts", version.substring(0, 12));
    }

    @Test
    void ingestAQueryStoresItsRowsAsCsvWithoutThePassword() throws Exception {
        String url = "jdbc:sqlite:" + work.resolve("shop.db");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INTEGER, amount REAL)");
            s.execute("INSERT INTO orders VALUES (1, 2.5), (2, NULL)");
        }
        CliRun ingest = kiln("data", "ingest", "orders", url + "?password=hunter2", "--query", "SELECT * FROM orders", "--json");
        assertThat(ingest.exitCode()).as(ingest.err()).isZero();
        JsonNode record = Json.mapper().readTree(ingest.out());
        assertThat(record.get("source").asText()).isEqualTo(url);
        assertThat(ingest.out()).doesNotContain("hunter2");
        Path stored = Path.of(record.get("path").asText());
        assertThat(stored.getFileName().toString()).isEqualTo("orders.csv");
        assertThat(Files.readString(stored)).isEqualTo("id,amount\r\n1,2.5\r\n2,\r\n");
        try (java.util.stream.Stream<Path> left = Files.list(home.resolve("datasets"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void errorsHaveTheirCodesAndExitCodes() throws Exception {
        CliRun missing = kiln("data", "ingest", "x", work.resolve("nope.csv").toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("file_not_found", "nope.csv");
        CliRun unknown = kiln("data", "versions", "nope", "--json");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(Json.mapper().readTree(unknown.out()).get("error").get("code").asText()).isEqualTo("dataset_not_found");
        CliRun noQuery = kiln("data", "ingest", "x", "jdbc:sqlite:" + work.resolve("a.db"));
        assertThat(noQuery.exitCode()).isEqualTo(2);
        assertThat(noQuery.err()).contains("--query");
        CliRun queryForFile = kiln("data", "ingest", "x", write("f.csv", "a\n1\n").toString(), "--query", "SELECT 1");
        assertThat(queryForFile.exitCode()).isEqualTo(2);
        CliRun badVersion = kiln("data", "get", "abc", "--out", work.resolve("o").toString());
        assertThat(badVersion.exitCode()).isEqualTo(2);
        CliRun noVersion = kiln("data", "get", "abcdef", "--out", work.resolve("o").toString());
        assertThat(noVersion.exitCode()).isEqualTo(3);
        CliRun help = CliRun.of("data", "ingest", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("NAME", "SPEC", "--query", "glob");
    }

    @Test
    void theReaderAndTheStoreAgreeOnVersionsForOneFileAndForSeveral() throws Exception {
        Path one = write("one/credit.csv", "a\n1\n");
        write("many/p=1/part.csv", "a\n1\n");
        write("many/p=2/part.csv", "a\n2\n");
        write("many/top.csv", "a\n3\n");
        try (KilnStore store = KilnStore.open(home, null)) {
            for (String spec : List.of(one.toString(), work.resolve("many").toString(), work.resolve("many") + "/**/*.csv")) {
                List<Path> files = DataSources.resolve(spec, work);
                StoredDataset d = store.datasets().put("agree", files, spec, "test");
                DataFrame fromSource = DataReader.readAll(files);
                DataFrame fromStore = DataReader.read(store.datasets().path(d));
                assertThat(fromSource.sha256()).as(spec).isEqualTo(d.version()).isEqualTo(DatasetVersion.of(files));
                assertThat(fromStore.sha256()).as(spec).isEqualTo(d.version());
                assertThat(fromStore.rowCount()).isEqualTo(fromSource.rowCount());
            }
        }
    }
}
