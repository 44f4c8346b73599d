package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What {@link TrackingStore#search} looks for: the runs of one experiment (null: all), those a filter lets through,
 * in an order (default: newest first), one page of {@code pageSize} runs (1 to 1000, default 50) from the page a
 * {@code pageToken} of an earlier answer names (null: the first).
 */
public record RunSearch(String experiment, RunFilter filter, List<RunOrder> orderBy, int pageSize, String pageToken) {
    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 1000;
    private static final String TOKEN_PREFIX = "runs:";

    public RunSearch {
        filter = filter == null ? RunFilter.ALL : filter;
        orderBy = orderBy == null || orderBy.isEmpty() ? List.of(RunOrder.DEFAULT) : List.copyOf(orderBy);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "page_size " + pageSize + " must be from 1 to " + MAX_PAGE_SIZE,
                    Map.of("field", "page_size", "value", pageSize));
        }
        if (orderBy.size() > 10) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "order_by takes at most 10 keys", Map.of("field", "order_by"));
        }
        if (pageToken != null && pageToken.isEmpty()) {
            pageToken = null;
        }
        offset(pageToken); // refuses a malformed token now
    }

    /** Every run, newest first, first page. */
    public static RunSearch all() {
        return new RunSearch(null, RunFilter.ALL, List.of(), DEFAULT_PAGE_SIZE, null);
    }

    public RunSearch withExperiment(String e) {
        return new RunSearch(e, filter, orderBy, pageSize, pageToken);
    }

    public RunSearch withFilter(RunFilter f) {
        return new RunSearch(experiment, f, orderBy, pageSize, pageToken);
    }

    public RunSearch withOrder(RunOrder... orders) {
        return new RunSearch(experiment, filter, List.of(orders), pageSize, pageToken);
    }

    public RunSearch withPageSize(int n) {
        return new RunSearch(experiment, filter, orderBy, n, pageToken);
    }

    public RunSearch withPageToken(String token) {
        return new RunSearch(experiment, filter, orderBy, pageSize, token);
    }

    /** The number of runs before this page. */
    public long offset() {
        return offset(pageToken);
    }

    /** The token of the page before this one (the first page's token when this is the second), or null on the first. */
    public String previousPageToken() {
        long offset = offset();
        return offset == 0 ? null : token(Math.max(0, offset - pageSize));
    }

    /** The opaque token of the page that starts after {@code offset} runs. */
    static String token(long offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((TOKEN_PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static long offset(String token) {
        if (token == null) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith(TOKEN_PREFIX)) {
                long n = Long.parseLong(s.substring(TOKEN_PREFIX.length()));
                if (n >= 0) {
                    return n;
                }
            }
        } catch (IllegalArgumentException e) {
            // NumberFormatException included: reported below
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "page_token '" + (token.length() > 60 ? token.substring(0, 60) + "…" : token)
                + "' is not a token this search gave out", Map.of("field", "page_token"));
    }
}
