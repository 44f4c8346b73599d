/**
 * The registry as people read it: a version's model card as data ({@link dev.kiln.app.registry.ModelCardData}) and the
 * aliases' history as intervals ({@link dev.kiln.app.registry.AliasTimeline}), shared by the CLI and the REST API.
 */
package dev.kiln.app.registry;
