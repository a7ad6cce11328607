package io.larkway.lark;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Tenant access tokens per app, refreshed {@code margin} before they expire. Single flight:
 * concurrent callers for one app share one fetch. A token Lark calls invalid is evicted with
 * {@link #invalidate} so the next caller fetches a fresh one.
 */
public final class TenantTokenCache {
    private final Map<Key, CompletableFuture<TenantToken>> tokens = new ConcurrentHashMap<>();
    private final Function<LarkApp, CompletableFuture<TenantToken>> fetcher;
    private final Clock clock;

    public TenantTokenCache(Function<LarkApp, CompletableFuture<TenantToken>> fetcher, Clock clock) {
        this.fetcher = fetcher;
        this.clock = clock;
    }

    public CompletableFuture<TenantToken> get(LarkApp app) {
        Key key = Key.of(app);
        while (true) {
            CompletableFuture<TenantToken> current = tokens.get(key);
            if (current != null && usable(current)) {
                return current;
            }
            CompletableFuture<TenantToken> mine = new CompletableFuture<>();
            boolean won = current == null ? tokens.putIfAbsent(key, mine) == null : tokens.replace(key, current, mine);
            if (won) {
                fetcher.apply(app).whenComplete((token, error) -> {
                    if (error != null) {
                        tokens.remove(key, mine); // a failed fetch is not cached
                        mine.completeExceptionally(error);
                    } else {
                        mine.complete(token);
                    }
                });
                return mine;
            }
        }
    }

    /** Evicts {@code stale} if it is still the cached token of {@code app}. */
    public void invalidate(LarkApp app, TenantToken stale) {
        tokens.computeIfPresent(Key.of(app), (k, f) -> f.isDone() && !f.isCompletedExceptionally() && f.join().equals(stale) ? null : f);
    }

    private boolean usable(CompletableFuture<TenantToken> f) {
        if (!f.isDone()) {
            return true; // a fetch in flight: join it
        }
        return !f.isCompletedExceptionally() && clock.instant().isBefore(f.join().refreshAt());
    }

    /** The secret is part of the key so new credentials never reuse an old token. */
    private record Key(String baseUrl, String appId, int secretHash) {
        static Key of(LarkApp app) {
            return new Key(app.baseUrl(), app.appId(), app.appSecret().hashCode());
        }
    }
}
