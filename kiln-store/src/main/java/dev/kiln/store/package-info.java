/**
 * Kiln's store: tracking ({@link dev.kiln.store.TrackingStore}), registry ({@link dev.kiln.store.ModelRegistry})
 * and the content-addressed {@link dev.kiln.store.ArtifactStore}, opened together by
 * {@link dev.kiln.store.KilnStore#open}.
 *
 * <p>One JDBC backend: a SQLite file {@code HOME/kiln.db} (WAL, busy timeout, foreign keys) or PostgreSQL
 * by URL, with one Flyway script for both ({@code db/migration}). Writes are one transaction each; SQLite
 * writers start with {@code BEGIN IMMEDIATE} so they queue on the busy timeout, and lock failures are
 * retried. Version numbers come from a per-model counter bumped in the registering transaction, so they
 * are unique and gap-free across threads and processes. Bundles are copied into the artifact store
 * before that transaction, so a crash leaves at most an unreferenced bundle, never a broken version.
 */
package dev.kiln.store;
