/**
 * The inference server's meters: per model and version, scoring requests by outcome and their latency ({@link
 * dev.kiln.serve.metrics.ModelMeters}, looked up once per version, not per request), the input flags, and every
 * error answered by code ({@link dev.kiln.serve.metrics.ServeMeters}). Exposed on {@code /metrics}.
 */
package dev.kiln.serve.metrics;
