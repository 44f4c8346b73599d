/**
 * The Open Inference Protocol's read-only routes: server and model metadata, readiness and health ({@link
 * dev.kiln.serve.oip.OipMetadata}, {@link dev.kiln.serve.oip.Health}). Inference itself ({@code .../infer}) lives
 * with the other scoring routes in {@code dev.kiln.serve}.
 */
package dev.kiln.serve.oip;
