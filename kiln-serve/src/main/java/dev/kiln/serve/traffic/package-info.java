/**
 * The traffic policies a served name may have beside its model: a canary's routing bucket ({@link
 * dev.kiln.serve.traffic.RouteBuckets}) and its stepwise rollout with automatic rollback ({@link
 * dev.kiln.serve.traffic.CanaryRollout}), a shadow scored off the response path ({@link
 * dev.kiln.serve.traffic.ShadowScorer}, whose rows go to a {@link dev.kiln.serve.traffic.ShadowScorer.Sink}: the
 * server's is the prediction log), and a Thompson-sampling bandit over versions ({@link
 * dev.kiln.serve.traffic.Bandit}). {@link dev.kiln.serve.ModelHost} holds them per name; they see the server through
 * its public API only ({@code ModelHost}, {@code ModelHost.Served}), and the server calls their public methods.
 */
package dev.kiln.serve.traffic;
