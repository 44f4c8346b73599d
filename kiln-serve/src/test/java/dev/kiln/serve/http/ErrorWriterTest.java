package dev.kiln.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.metrics.ServeMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;

class ErrorWriterTest {
    @Test
    void aClientThatClosedTheConnectionIsAClientErrorNotAnInternalOne() {
        ErrorWriter writer = new ErrorWriter(new ServeMeters(new dev.kiln.serve.ModelHost(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "Kiln-Model-Version"));
        assertThat(writer.classify(new EofException("reset"), "GET", "/v2/health/live").code())
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(writer.classify(new UncheckedIOException(new EofException("closed")), "POST", "/v1/models/m:predict").code())
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(writer.classify(new IllegalStateException("bug"), "POST", "/v1/models/m:predict").code())
                .isEqualTo(ErrorCode.INTERNAL);
    }
}
