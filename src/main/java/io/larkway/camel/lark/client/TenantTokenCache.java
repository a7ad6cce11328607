package io.larkway.camel.lark.client;

import io.larkway.camel.lark.LarkApp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
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
            if (current == null) {
                // the owner's tokens for credentials it no longer has
                tokens.keySet().removeIf(k -> k.owner().equals(key.owner()) && !k.equals(key));
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

    /**
     * The owner (integration) and a SHA-256 of the credentials: one integration never gets a token
     * another fetched (two organisations may register the same App ID, one without its secret),
     * and a changed secret or base URL fetches anew.
     */
    private record Key(String owner, String credentials) {
        static Key of(LarkApp app) {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            // length-prefixed, so no two different triples give the same input
            for (String part : new String[] {app.baseUrl(), app.appId(), app.appSecret()}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                sha256.update(bytes);
            }
            return new Key(app.owner(), HexFormat.of().formatHex(sha256.digest()));
        }
    }
}
