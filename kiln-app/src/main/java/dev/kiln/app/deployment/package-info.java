/**
 * A running {@code kiln serve} in the store: it registers itself ({@link dev.kiln.app.deployment.DeploymentHeartbeat}),
 * writes what it serves and its traffic with every heartbeat ({@link dev.kiln.app.deployment.DeploymentStatus}) and
 * deregisters when it stops. kiln-serve only exposes its snapshot; writing it to the store is done here.
 */
package dev.kiln.app.deployment;
