/**
 * Kiln's data layer: reading files into typed, column-oriented {@link dev.kiln.data.DataFrame}s
 * ({@link dev.kiln.data.DataReader}), type inference ({@link dev.kiln.data.SchemaInference}),
 * profiling ({@link dev.kiln.data.Profiler}), train/test splits ({@link dev.kiln.data.Splitter}) and
 * dataset versions ({@link dev.kiln.data.DatasetVersion}). Value rules (missing tokens, numbers,
 * booleans, datetimes) come from {@link dev.kiln.runtime.schema.Values} so training and scoring agree.
 * Every failure a user can act on is a {@link dev.kiln.runtime.KilnException} naming the file and,
 * for text sources, the line and column.
 */
package dev.kiln.data;
