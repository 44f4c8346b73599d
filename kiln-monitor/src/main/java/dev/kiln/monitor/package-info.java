/** Drift statistics, windows over prediction logs, delayed-label performance, alert rules and retrain policies. */
package dev.kiln.monitor;
