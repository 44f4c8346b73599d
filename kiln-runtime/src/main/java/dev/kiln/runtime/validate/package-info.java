/**
 * Checking a dataset against what a model expects: its input schema, the categories and ranges it saw in
 * training, and the training rows' missing rates. The rule is here, in the runtime, so that every reader applies the
 * same one: {@link dev.kiln.runtime.validate.ColumnCheck} puts each value of a column in one class and tallies them
 * (mergeably, for data checked in parts), and {@link dev.kiln.runtime.validate.ValidationReport#of} assembles the
 * {@link dev.kiln.runtime.validate.ValidationReport}, in which every row of the data is accounted for. kiln-data's
 * {@code Validator} checks a file on one machine, kiln-spark's {@code kiln spark validate} each partition of a Spark
 * dataset.
 */
package dev.kiln.runtime.validate;
