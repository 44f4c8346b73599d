package dev.kiln.serve.http;

/** A route's answer with a status other than 200. */
public record Reply(int status, Object body) {
}
