/**
 * The model repository extension of {@code kiln serve} (admin token only): load, unload, canary, shadow, bandit and
 * the index, over a {@link dev.kiln.serve.ModelRepository} ({@link dev.kiln.serve.admin.RepositoryRoutes}), with the
 * canary's request body read by {@link dev.kiln.serve.admin.CanaryRequest}.
 */
package dev.kiln.serve.admin;
