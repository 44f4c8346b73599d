package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batches come in file order and end with null; a failure of the read reaches the caller; close stops the read. */
class ReadAheadTest {
    @TempDir
    Path dir;

    private Path rows(String name, int rows, int badLine) throws IOException {
        StringBuilder csv = new StringBuilder("id,x\n");
        for (int i = 0; i < rows; i++) {
            csv.append(i).append(',').append(i + 2 == badLine ? "oops" : Double.toString(i * 0.5)).append('\n');
        }
        return Files.writeString(dir.resolve(name), csv);
    }

    private static final ReadOptions TYPED = ReadOptions.defaults()
            .withTypes(java.util.Map.of("x", dev.kiln.runtime.schema.ColumnType.NUMERIC)).withOtherColumnsVerbatim();

    @Test
    void batchesComeInFileOrderThenNull() throws IOException {
        Path file = rows("ok.csv", 2500, -1);
        List<Object> ids = new ArrayList<>();
        try (ReadAhead batches = new ReadAhead(file, TYPED, BatchSize.rows(1000))) {
            List<Integer> sizes = new ArrayList<>();
            for (DataFrame batch = batches.next(); batch != null; batch = batches.next()) {
                sizes.add(batch.rowCount());
                for (int i = 0; i < batch.rowCount(); i++) {
                    ids.add(batch.column("id").value(i));
                }
            }
            assertThat(sizes).containsExactly(1000, 1000, 500);
            assertThat(batches.next()).as("after the end").isNull();
        }
        assertThat(ids).hasSize(2500).startsWith("0", "1").endsWith("2499");
    }

    @Test
    void aFailureOfTheReadIsThrownWhereTheCallerReachesIt() throws IOException {
        Path file = rows("bad.csv", 2500, 2200);
        try (ReadAhead batches = new ReadAhead(file, TYPED, BatchSize.rows(1000))) {
            assertThat(batches.next().rowCount()).isEqualTo(1000);
            assertThat(batches.next().rowCount()).isEqualTo(1000);
            assertThatThrownBy(batches::next).isInstanceOf(KilnException.class)
                    .hasMessageContaining("line 2200").hasMessageContaining("oops")
                    .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.DATA_MALFORMED));
            assertThat(batches.next()).as("nothing after the failure").isNull();
        }
    }

    @Test
    void closingStopsTheReadingThread() throws Exception {
        Path file = rows("long.csv", 20_000, -1);
        ReadAhead batches = new ReadAhead(file, TYPED, BatchSize.rows(1000));
        assertThat(batches.next()).isNotNull();
        batches.close(); // 19 batches unread: the reader is waiting to hand over the next
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (readers() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(readers()).as("reading threads left").isZero();
    }

    private static long readers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("kiln-read-ahead")).count();
    }
}
