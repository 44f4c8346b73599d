package dev.kiln.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.server.MonitoredModel;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitoring page's computation: the row cap, versions without a bundle, several log directories. */
class MonitoringTimelineTest {
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
    static final LogWindow DAY = new LogWindow(START, START.plus(Duration.ofDays(1)));
    static final Buckets HOUR = Buckets.of(Duration.ofHours(1));

    @TempDir
    Path logs;

    static Function<String, KilnModel> bundle() {
        KilnModel model = KilnModel.load(MonitoredModel.bundle());
        return v -> model;
    }

    @Test
    void theRowCapStopsTheReadAndSaysWhere() {
        MonitoredModel.writeLog(logs, "credit", START, 4, 100);
        MonitoringTimeline.Result r = MonitoringTimeline.compute(List.of(new PredictionLogReader(logs, "credit")), DAY, HOUR,
                bundle(), DriftThresholds.defaults(), 250);
        assertThat(r.rows()).isEqualTo(250);
        assertThat(r.windows()).hasSize(3);
        assertThat(r.windows().get(2).requests()).isEqualTo(50);
        assertThat(r.truncatedAt()).isEqualTo(START.plus(Duration.ofMinutes(150)));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("stopped after 250 rows"));
    }

    @Test
    void aVersionWhoseBundleCannotBeFoundIsLeftOutWithANote() {
        MonitoredModel.writeLog(logs, "credit", START, 12, 20);
        KilnModel model = KilnModel.load(MonitoredModel.bundle());
        MonitoringTimeline.Result r = MonitoringTimeline.compute(List.of(new PredictionLogReader(logs, "credit")), DAY, HOUR,
                v -> {
                    if (v.equals("2")) {
                        throw new KilnException(ErrorCode.MODEL_VERSION_NOT_FOUND, "no version 2");
                    }
                    return model;
                }, DriftThresholds.defaults(), 1_000_000);
        assertThat(r.rows()).isEqualTo(240);
        assertThat(r.windows()).allSatisfy(w -> assertThat(w.versions()).containsOnlyKeys("1"));
        assertThat(r.performance()).allSatisfy(p -> assertThat(p.version()).isEqualTo("1"));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("version 2 left out").contains("no version 2"));
    }

    @Test
    void logsOfTheSameModelInTwoDirectoriesAreAddedUp() {
        MonitoredModel.writeLog(logs.resolve("a"), "credit", START, 2, 30);
        MonitoredModel.writeLog(logs.resolve("b"), "credit", START, 2, 30);
        MonitoringTimeline.Result r = MonitoringTimeline.compute(List.of(new PredictionLogReader(logs.resolve("a"), "credit"),
                new PredictionLogReader(logs.resolve("b"), "credit")), DAY, HOUR, bundle(), DriftThresholds.defaults(), 1_000_000);
        assertThat(r.windows()).hasSize(2).allSatisfy(w -> assertThat(w.requests()).isEqualTo(60));
        assertThat(r.performance()).as("each log joined with its own labels, versions 1 and 2").hasSize(6)
                .allSatisfy(p -> assertThat(p.labelled()).isEqualTo(p.predictions() / 2));
        assertThat(r.performance()).extracting(MonitoringTimeline.Performance::logDir).containsOnly(logs.resolve("a").toString(),
                logs.resolve("b").toString());
    }
}
