package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random runs (a fresh experiment per try) and random filters and orders on SQLite: the search finds exactly the runs
 * {@link RunFilter#matches} lets through, in the in-memory order. (The contract runs the same check on PostgreSQL.)
 */
class RunSearchPropertiesTest {
    private static Path home;
    private static KilnStore store;
    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();

    @BeforeContainer
    static void open() throws IOException {
        home = Files.createTempDirectory("kiln-search-props");
        store = KilnStore.open(home, null);
    }

    @AfterContainer
    static void close() {
        store.close();
    }

    @Property(tries = 40)
    void searchAgreesWithTheInMemoryFilter(@ForAll long seed) {
        RandomRuns random = new RandomRuns(seed);
        String experiment = "p" + EXPERIMENTS.incrementAndGet();
        List<Run> created = random.fill(store.tracking(), experiment, 12);
        for (int i = 0; i < 15; i++) {
            RunFilter filter = random.filter(1 + i % 5, created);
            List<RunOrder> orders = List.of(random.order());
            Comparator<Run> order = RandomRuns.comparator(orders, created);
            List<String> expected = created.stream().filter(filter::matches).sorted(order).map(Run::id).toList();
            RunPage page = store.tracking().search(new RunSearch(experiment, filter, orders, 1000, null));
            List<String> actual = new ArrayList<>(page.runs().stream().map(Run::id).toList());
            assertThat(actual).as("%s ordered by %s", filter, orders).containsExactlyElementsOf(expected);
            assertThat(page.total()).isEqualTo(expected.size());
        }
    }
}
