/**
 * Kiln's inference server: {@link dev.kiln.serve.ModelHost} holds the served models by name and swaps them
 * atomically; {@link dev.kiln.serve.InferenceServer} answers the Open Inference Protocol v2 REST routes, a
 * records route ({@code POST /v1/models/{name}:predict}) and Prometheus metrics. Depends on kiln-runtime only
 * (no training code), plus Javalin and Micrometer.
 */
package dev.kiln.serve;
