package dev.kiln.serve.http;

/**
 * Who may call a route: anyone ({@link #OPEN}: probes, scrapers), holders of the inference token when one is set
 * ({@link #MODEL}; the admin token opens these too), holders of the admin token ({@link #ADMIN}; 403 when the server
 * has none).
 */
public enum Access { OPEN, MODEL, ADMIN }
