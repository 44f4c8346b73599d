/**
 * {@code kiln server}: the REST API for tracking and the model registry, JSON under {@code /api}.
 *
 * <ul>
 *   <li>{@link dev.kiln.app.server.Api#routes()} is the one table of routes; each route names its access
 *       policy ({@link dev.kiln.app.server.Access}): public ({@code GET /api/health} only), or a minimum
 *       {@link dev.kiln.app.server.Role} ({@code viewer < editor < admin}). Moving an alias needs an editor,
 *       or an admin when the alias is protected ({@code production}, and those a model's
 *       {@code protected_aliases} tag names), in which case the move runs the promotion gates.</li>
 *   <li>Authentication: {@code Authorization: Bearer TOKEN} against {@link dev.kiln.app.server.ApiTokens}
 *       ({@code HOME/server-tokens.json}, hashes only). Without tokens the server listens on loopback only and
 *       every request is an admin named {@code local}.</li>
 *   <li>Errors: {@link dev.kiln.app.server.ApiServer} maps every failure in one place to
 *       {@code {"error": {"code", "message", "details"}}}: a {@link dev.kiln.runtime.KilnException}'s status
 *       comes from its code's category; the HTTP layer adds {@code unauthenticated} (401), {@code forbidden}
 *       (403), {@code route_not_found} (404), {@code payload_too_large} (413: a JSON body over 1 MiB, an
 *       upload over 64 MiB, a bundle zip that unpacks to more than 64 MiB) and {@code unsupported_media_type} (415).</li>
 *   <li>Path parameters are validated after URL decoding ({@link dev.kiln.app.server.Params}).</li>
 *   <li>Uploads: {@code POST /api/models/{name}/versions} takes a bundle as {@code application/zip}
 *       ({@link dev.kiln.app.server.BundleZip} unpacks it under {@code HOME/tmp}, refusing traversal, links,
 *       nesting and zip bombs); {@code POST /api/runs/{id}/artifacts/{artifact}} takes a file as
 *       {@code application/octet-stream} ({@link dev.kiln.app.server.Uploads}).</li>
 * </ul>
 */
package dev.kiln.app.server;
