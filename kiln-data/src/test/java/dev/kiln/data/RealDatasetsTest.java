package dev.kiln.data;

import static dev.kiln.data.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import org.junit.jupiter.api.Test;

/** Reads the real datasets in test resources; expected values computed with numpy. */
class RealDatasetsTest {
    @Test
    void germanCredit() {
        DataFrame df = DataReader.read(resource("credit-g.csv"));
        assertThat(df.rowCount()).isEqualTo(1000);
        assertThat(df.columns()).hasSize(21);
        assertThat(df.column("class").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("duration").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("credit_amount").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("age").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("checking_status").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("own_telephone").type()).isEqualTo(ColumnType.CATEGORICAL); // yes / none
        assertThat(df.column("foreign_worker").type()).isEqualTo(ColumnType.BOOLEAN); // yes / no
        assertThat(df.schema().fields()).noneMatch(f -> f.nullable());
        assertThat(df.sha256()).isEqualTo(DatasetVersion.sha256(resource("credit-g.csv")));

        DatasetProfile profile = Profiler.profile(df);
        assertThat(profile.rows()).isEqualTo(1000);
        ColumnProfile cls = profile.column("class").orElseThrow();
        assertThat(cls.topCategories()).containsExactly(
                new CategoryCount("good", 700, 0.7), new CategoryCount("bad", 300, 0.3));
        assertThat(cls.distinct()).isEqualTo(2);

        ColumnProfile amount = profile.column("credit_amount").orElseThrow();
        assertThat(amount.count()).isEqualTo(1000);
        assertThat(amount.distinct()).isEqualTo(921);
        assertThat(amount.min()).isEqualTo(250.0);
        assertThat(amount.max()).isEqualTo(18424.0);
        assertThat(amount.mean()).isCloseTo(3271.258, within(1e-9));
        assertThat(amount.std()).isCloseTo(2822.7368759604406, within(1e-9));
        assertThat(amount.quantiles().get("p90")).isCloseTo(7179.4000000000015, within(1e-9));
        assertThat(amount.quantiles().get("p99")).isCloseTo(14180.39, within(1e-9));
        assertThat(amount.histogram().counts()).containsExactly(
                151, 294, 170, 123, 66, 31, 45, 35, 24, 14, 10, 9, 7, 7, 2, 6, 3, 2, 0, 1);

        ColumnProfile duration = profile.column("duration").orElseThrow();
        assertThat(duration.std()).isCloseTo(12.058814452756375, within(1e-9));
        assertThat(duration.histogram().counts()).containsExactly(
                87, 84, 196, 66, 121, 216, 14, 43, 3, 83, 6, 11, 54, 0, 2, 0, 13, 0, 0, 1);
    }

    @Test
    void seattleWeather() {
        DataFrame df = DataReader.read(resource("seattle-weather.csv"));
        assertThat(df.rowCount()).isEqualTo(1461);
        assertThat(df.names()).containsExactly("date", "precipitation", "temp_max", "temp_min", "wind", "weather");
        assertThat(df.column("date").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(df.column("precipitation").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.column("weather").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("date").value(0)).isEqualTo(1325376000000.0); // 2012-01-01T00:00Z

        Splitter.Split split = Splitter.byTime(((NumericColumn) df.column("date")).values(), 0.25);
        assertThat(split.test()).hasSize(365);
        assertThat(split.test()[0]).isEqualTo(1096); // rows are in date order
    }
}
