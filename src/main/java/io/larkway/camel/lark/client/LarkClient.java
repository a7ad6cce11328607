package io.larkway.camel.lark.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.larkway.camel.lark.LarkApp;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component's client of Lark's Open API for one integration's app: retries with exponential backoff and jitter on
 * 5xx, network errors and rate limiting (never on 4xx business errors), behind a circuit breaker
 * per integration (the app's owner). Token refresh on invalid-token codes happens below, in
 * {@link LarkApiClient}. The {@code lark} producer calls Lark through it.
 */
public class LarkClient {
    private static final Logger LOG = LoggerFactory.getLogger(LarkClient.class);
    private final LarkApiClient lark;
    private final RetryPolicy retries;
    private final CircuitBreakerRegistry breakers;
    private final MeterRegistry meters;
    private volatile SendLimiter sends = SendLimiter.none(java.time.Clock.systemUTC());

    /**
     * Retries with exponential backoff and jitter, from {@code backoffInitialMs} doubling up to
     * {@code backoffMaxMs}, at most {@code maxAttempts} attempts in all.
     */
    public record RetryPolicy(int maxAttempts, long backoffInitialMs, long backoffMaxMs) {
    }

    /** {@code breaker}: the policy of each integration's breaker (which failures count is the client's decision). */
    public LarkClient(LarkApiClient lark, RetryPolicy retries, CircuitBreakerConfig breaker, MeterRegistry meters) {
        this.lark = lark;
        this.retries = retries;
        this.meters = meters;
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.from(breaker)
                // business errors (4xx) say nothing about Lark's health
                .recordException(e -> !(e instanceof LarkApiException lae) || lae.retryable())
                .build());
    }

    /** Keeps message sends within Lark's per-app and per-chat limits (none until set). */
    public void setSendLimiter(SendLimiter sends) {
        this.sends = sends;
    }

    /** The Open API client below (tenant tokens, single calls). */
    public LarkApiClient api() {
        return lark;
    }

    public CircuitBreaker breaker(String integrationId) {
        return breakers.circuitBreaker(integrationId);
    }

    /**
     * One logical call, retried as configured; throws {@link LarkApiException} (last failure) or
     * {@link CallNotPermittedException} when the integration's breaker is open.
     */
    public JsonNode call(LarkApp app, String method, String pathAndQuery, Object body) {
        RetryPolicy r = retries;
        CircuitBreaker breaker = breaker(app.owner());
        long delay = r.backoffInitialMs();
        for (int attempt = 1; ; attempt++) {
            try {
                return breaker.executeSupplier(() -> {
                    // Status counter apiCalls (quota awareness): every attempt that goes out, not those the open breaker refuses
                    meters.counter("larkway.lark.calls", "integration", app.owner()).increment();
                    try {
                        return lark.call(app, method, pathAndQuery, body).join();
                    } catch (RuntimeException e) {
                        throw LarkApiClient.unwrap(e);
                    }
                });
            } catch (LarkApiException e) {
                if (!e.retryable() || attempt >= r.maxAttempts()) {
                    throw e;
                }
                long wait = Math.min(r.backoffMaxMs(), delay) / 2 + ThreadLocalRandom.current().nextLong(Math.min(r.backoffMaxMs(), delay) / 2 + 1);
                LOG.info("Lark call failed, retrying integrationId={} call={} {} attempt={} in {} ms: {}", app.owner(), method,
                        pathAndQuery.replaceAll("\\?.*", ""), attempt, wait, e.getMessage());
                sleep(wait);
                delay = Math.min(r.backoffMaxMs(), delay * 2);
            }
        }
    }

    /** {@code GET /open-apis/im/v1/chats}: one page (at most 100) of the chats the bot is in; answers Lark's {@code data}. */
    public JsonNode chats(LarkApp app, int pageSize, String pageToken) {
        return call(app, "GET", "/open-apis/im/v1/chats?page_size=" + Math.min(pageSize, 100)
                + (pageToken == null ? "" : "&page_token=" + java.net.URLEncoder.encode(pageToken, java.nio.charset.StandardCharsets.UTF_8)), null)
                .path("data");
    }

    /**
     * {@code POST /open-apis/im/v1/messages?receive_id_type=…} (body with receive_id); answers the new message id.
     * {@code chat}: the chat (or user) it goes to, for the per-chat limit.
     */
    public String sendMessage(LarkApp app, String receiveIdType, Object body, String chat) {
        sends.acquire(app.owner(), chat);
        return call(app, "POST", "/open-apis/im/v1/messages?receive_id_type=" + LarkPaths.segment(receiveIdType), body).path("data").path("message_id").asText(null);
    }

    /** {@code POST /open-apis/im/v1/messages/{id}/reply}; answers the new message id. {@code chat}: the message's chat when known (per-chat limit). */
    public String replyTo(LarkApp app, String messageId, Object body, String chat) {
        sends.acquire(app.owner(), chat != null ? chat : "message:" + messageId);
        return call(app, "POST", "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId)
                + "/reply", body).path("data").path("message_id").asText(null);
    }

    /**
     * {@code GET /open-apis/im/v1/messages/{id}}: the message's items (a {@code merge_forward} answers itself first,
     * then the messages it forwards, each with {@code upper_message_id}).
     */
    public JsonNode message(LarkApp app, String messageId) {
        return call(app, "GET", "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId), null).path("data").path("items");
    }

    /** {@code GET /open-apis/contact/v3/users/{open_id}?user_id_type=open_id}: Lark's {@code data.user}. */
    public JsonNode user(LarkApp app, String openId) {
        return call(app, "GET", "/open-apis/contact/v3/users/" + LarkPaths.segment(openId) + "?user_id_type=open_id", null).path("data").path("user");
    }

    /** A message's resource ({@code type} image or file), at most {@code maxBytes}; see {@link LarkApiClient#resource}. */
    public LarkResource resource(LarkApp app, String messageId, String fileKey, String type, long maxBytes) {
        meters.counter("larkway.lark.calls", "integration", app.owner()).increment();
        try {
            return breaker(app.owner()).executeSupplier(() -> lark.resource(app, messageId, fileKey, type, maxBytes));
        } catch (RuntimeException e) {
            throw LarkApiClient.unwrap(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LarkApiException("interrupted while backing off", e);
        }
    }
}
