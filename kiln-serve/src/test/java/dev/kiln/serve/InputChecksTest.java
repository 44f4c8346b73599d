package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.schema.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a request's keys and categories are matched to the model without copies: {@link InputChecks#column}, {@link InputChecks#known}. */
class InputChecksTest {
    private static final KilnModel MODEL = new ModelHost().load("credit", Fixtures.bundle("credit-gbdt"), "1").model();
    private static final InputChecks CHECKS = InputChecks.of(MODEL);

    private static int position(String column) {
        List<Field> fields = MODEL.requiredFields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new AssertionError(column);
    }

    @Test
    void columnsAreFoundInOrderOutOfOrderAndAsCopies() {
        List<Field> fields = MODEL.requiredFields();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).name();
            assertThat(CHECKS.column(name.intern(), i)).as(name + " in its place").isEqualTo(i);
            assertThat(CHECKS.column(new String(name.toCharArray()), i)).as(name + " as a copy").isEqualTo(i);
            assertThat(CHECKS.column(name.intern(), (i + 1) % fields.size())).as(name + " elsewhere").isEqualTo(i);
        }
        assertThat(CHECKS.column("no_such_column", 0)).isEqualTo(-1);
        assertThat(CHECKS.column("no_such_column", 10_000)).isEqualTo(-1);
    }

    @Test
    void knownCategoriesAreTheEncodersOwnStrings() {
        int checked = 0;
        for (FeatureTransform t : MODEL.bundle().pipeline().transforms()) {
            if (!(t instanceof FeatureTransform.OneHot oh)) {
                continue;
            }
            int column = position(oh.column());
            for (String level : oh.levels()) {
                char[] text = ("xx" + level + "yy").toCharArray();
                assertThat(CHECKS.known(column, text, 2, level.length())).as(oh.column() + "=" + level).isSameAs(level);
                byte[] bytes = ("xx" + level + "yy").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(CHECKS.known(column, bytes, 2, level.length())).as(oh.column() + "=" + level + " as bytes").isSameAs(level);
                checked++;
            }
            String first = oh.levels().get(0);
            assertThat(CHECKS.known(column, (first + "!").toCharArray(), 0, first.length() + 1)).isNull();
            assertThat(CHECKS.known(column, first.toCharArray(), 0, first.length() - 1)).isNull();
            assertThat(CHECKS.known(column, "spaceship".toCharArray(), 0, 9)).isNull();
            assertThat(CHECKS.known(column, "spaceship".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 9)).isNull();
        }
        assertThat(checked).isGreaterThan(10);
        assertThat(CHECKS.known(position("duration"), "12".toCharArray(), 0, 2)).as("a numeric column knows no categories").isNull();
        assertThat(InputChecks.NONE.known(0, "a".toCharArray(), 0, 1)).isNull();
    }
}
