/**
 * Checking a dataset against what a model expects: its input schema, the categories and ranges it saw in
 * training, and the training rows' missing rates. {@link dev.kiln.data.validate.Validator} produces a
 * {@link dev.kiln.data.validate.ValidationReport} in which every row of the data is accounted for.
 */
package dev.kiln.data.validate;
