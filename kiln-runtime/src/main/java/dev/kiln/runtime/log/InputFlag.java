package dev.kiln.runtime.log;

/**
 * A value of a row flagged by the server's input checks. {@link #value()} is at most
 * {@link LogFormat#MAX_FLAG_VALUE_CHARS} chars of a string value; {@link #valueLength()} is the full length when it
 * was cut, else null.
 */
public interface InputFlag {
    String column();

    Object value();

    Integer valueLength();

    String reason();
}
