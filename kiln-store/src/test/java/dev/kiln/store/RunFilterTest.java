package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter grammar: what it reads, how it prints, and where and why it refuses. */
class RunFilterTest {
    private static void refused(String text, int position, String... messageParts) {
        assertThatThrownBy(() -> RunFilter.parse(text)).as(text).isInstanceOf(KilnException.class)
                .satisfies(e -> {
                    KilnException k = (KilnException) e;
                    assertThat(k.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(k.details()).containsEntry("field", "filter").containsEntry("position", position).containsKey("expected");
                    assertThat(k.getMessage()).startsWith("filter at " + position + ": expected ").contains(messageParts);
                });
    }

    @Test
    void readsComparisonsWithPrecedenceAndPrintsThemCanonically() {
        RunFilter f = RunFilter.parse("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'");
        assertThat(f).isEqualTo(new RunFilter.And(new RunFilter.Compare(RunKey.metric("roc_auc"), RunFilter.Op.GT, 0.8),
                new RunFilter.Compare(RunKey.param("algorithm"), RunFilter.Op.EQ, "gbdt")));
        assertThat(f).hasToString("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'");

        assertThat(RunFilter.parse("metric.a < 1 OR tag.x = \"y\" AND NOT attr.status == 'FINISHED'"))
                .hasToString("metrics.a < 1.0 or (tags.x = 'y' and not attributes.status = 'finished')");
        assertThat(RunFilter.parse("(metrics.a < 1 or metrics.b <> 2) and metrics.`my-metric` >= 1e-3"))
                .hasToString("(metrics.a < 1.0 or metrics.b != 2.0) and metrics.`my-metric` >= 0.001");
        assertThat(RunFilter.parse("metrics.my-metric>-.5")).isEqualTo(new RunFilter.Compare(RunKey.metric("my-metric"), RunFilter.Op.GT, -0.5));
        assertThat(RunFilter.parse("params.note = 'it''s' and params.`odd ``key``` like 'a\\%%' and tags.t not in ('a', \"b\")"))
                .isEqualTo(new RunFilter.And(new RunFilter.And(
                        new RunFilter.Compare(RunKey.param("note"), RunFilter.Op.EQ, "it's"),
                        new RunFilter.Compare(RunKey.param("odd `key`"), RunFilter.Op.LIKE, "a\\%%")),
                        new RunFilter.In(RunKey.tag("t"), true, List.of("a", "b"))));
        assertThat(RunFilter.parse("params.note = 'it\\'s'").toString()).isEqualTo("params.note = 'it\\'s'");
        assertThat(RunFilter.parse("attributes.start_time > '2026-01-31T12:00:00Z'"))
                .isEqualTo(new RunFilter.Compare(RunKey.attribute("start_time"), RunFilter.Op.GT, 1769860800000.0));
        assertThat(RunFilter.parse("  ")).isSameAs(RunFilter.ALL);
        assertThat(RunFilter.parse(null)).isSameAs(RunFilter.ALL);
        assertThat(RunFilter.parse("a.b = 1 or c.d = 2".replace("a.b", "metrics.b").replace("c.d", "metrics.d")))
                .isInstanceOf(RunFilter.Or.class);
    }

    @Test
    void refusalsPointAtThePositionAndSayWhatWasExpected() {
        refused("metrics.roc_auc 'gbdt'", 17, "a comparison operator after metrics.roc_auc", "found ''gbdt''");
        refused("metrics.roc_auc > 0.8 and params.algorithm > 'gbdt'", 44, "=, !=, like, ilike, in or not in after params.algorithm");
        refused("metrics.roc_auc like 'x'", 17, "=, !=, <, <=, > or >= after metrics.roc_auc");
        refused("metrics.roc_auc > 'high'", 19, "a number after metrics.roc_auc >");
        refused("params.depth = 6", 16, "a quoted string after params.depth =", "found '6'");
        refused("roc_auc > 0.8", 1, "a key such as metrics.NAME");
        refused("foo.bar > 1", 1, "a key such as metrics.NAME");
        refused("attributes.color = 'red'", 12, "an attribute: one of status, name, run_id, start_time, end_time, experiment");
        refused("metrics.a > 1 and", 18, "a key", "found the end of the filter");
        refused("(metrics.a > 1", 15, "')' to close the '(' at 1");
        refused("metrics.a > 1)", 14, "and, or or the end of the filter", "found ')'");
        refused("params.a = 'open", 12, "a closing ' for the string");
        refused("metrics.`open > 1", 9, "a closing `");
        refused("metrics.`` > 1", 9, "a name between the backquotes");
        refused("metrics.a > 1e999", 13, "a number within the range");
        refused("metrics.a > 12abc", 13, "a number", "found '12abc'");
        refused("metrics.a # 1", 11, "a key, an operator, a value or a parenthesis", "found '#'");
        refused("metrics.a ! 1", 11, "!=");
        refused("params.a in 'x'", 13, "'(' and a list");
        refused("params.a in ('x' 'y')", 18, "',' or ')'");
        refused("params.a in ()", 14, "a quoted string in the list");
        refused("attributes.start_time > 'yesterday'", 25, "an ISO-8601 UTC time");
        refused("(".repeat(60) + "metrics.a > 1" + ")".repeat(60), 51, "at most 50 nested");
        refused("x".repeat(10_001), 10_001, "at most 10000 characters");
        StringBuilder many = new StringBuilder("metrics.a > 1");
        for (int i = 0; i < 200; i++) {
            many.append(" or metrics.a > 1");
        }
        refused(many.toString(), 13 + 200 * 17 - 12, "at most 200 comparisons");
    }

    @Test
    void ordersReadAKeyAndADirection() {
        assertThat(RunOrder.parse("metrics.roc_auc DESC")).isEqualTo(new RunOrder(RunKey.metric("roc_auc"), false));
        assertThat(RunOrder.parse("params.`a b`")).isEqualTo(new RunOrder(RunKey.param("a b"), true));
        assertThat(RunOrder.parse("attributes.start_time desc")).isEqualTo(RunOrder.DEFAULT);
        assertThat(RunOrder.parse("metrics.`x y` asc").toString()).isEqualTo("metrics.`x y` ASC");
        assertThatThrownBy(() -> RunOrder.parse("metrics.a sideways")).isInstanceOf(KilnException.class)
                .hasMessageContaining("ASC or DESC").satisfies(e -> assertThat(((KilnException) e).details()).containsEntry("field", "order_by"));
        assertThatThrownBy(() -> RunOrder.parse("nonsense")).isInstanceOf(KilnException.class)
                .hasMessageStartingWith("order_by at 1: expected a key").satisfies(e -> assertThat(((KilnException) e).details())
                        .containsEntry("field", "order_by").containsEntry("position", 1));
    }
}
