/**
 * The HTTP layer of {@code kiln serve}, apart from what it serves: the route table's types ({@link
 * dev.kiln.serve.http.Route}, {@link dev.kiln.serve.http.Access}), the per-request policy ({@link
 * dev.kiln.serve.http.Dispatcher}: tokens, host, media type, in-flight count), reading bodies ({@link
 * dev.kiln.serve.http.Bodies}) and the one place that writes an error response ({@link
 * dev.kiln.serve.http.ErrorWriter}, also behind Jetty's own errors: {@link dev.kiln.serve.http.JsonErrorHandler}).
 * Internal to kiln-serve: public only so that the handler packages can use it.
 */
package dev.kiln.serve.http;
