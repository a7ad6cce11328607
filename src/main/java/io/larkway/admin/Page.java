package io.larkway.admin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** One page of a list answer: {@code {"items":[…],"nextPageToken":…}}. */
public record Page<T>(List<T> items, String nextPageToken) {

    public <R> Page<R> map(java.util.function.Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), nextPageToken);
    }

    /** Offset paging: {@code pageSize} defaults to 50, 200 at most; the token is opaque to callers. */
    public record Request(int offset, int size) {
        public static Request of(String pageToken, String pageSize) {
            int size = 50;
            if (pageSize != null && !pageSize.isBlank()) {
                try {
                    size = Integer.parseInt(pageSize.trim());
                } catch (NumberFormatException e) {
                    throw ApiException.invalid("pageSize must be a number");
                }
                if (size < 1) {
                    throw ApiException.invalid("pageSize must be at least 1");
                }
            }
            int offset = 0;
            if (pageToken != null && !pageToken.isBlank()) {
                try {
                    offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("pageToken is not valid");
                }
                if (offset < 0) {
                    throw ApiException.invalid("pageToken is not valid");
                }
            }
            return new Request(offset, Math.min(size, 200));
        }

        /** Builds the page from up to size+1 rows fetched at this offset. */
        public <T> Page<T> page(List<T> rowsPlusOne) {
            if (rowsPlusOne.size() <= size) {
                return new Page<>(rowsPlusOne, null);
            }
            String next = Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(offset + size).getBytes(StandardCharsets.UTF_8));
            return new Page<>(rowsPlusOne.subList(0, size), next);
        }
    }
}
