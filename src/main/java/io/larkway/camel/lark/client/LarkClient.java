package io.larkway.camel.lark.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.larkway.Breakers;
import io.larkway.LarkwayProperties;
import io.larkway.integration.Integration;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Lark calls made on behalf of an integration: retries with exponential backoff and jitter on
 * 5xx, network errors and rate limiting (never on 4xx business errors), behind a circuit breaker
 * per integration. Token refresh on invalid-token codes happens below, in {@link LarkApiClient}.
 */
@Component
public class LarkClient {
    private static final Logger LOG = LoggerFactory.getLogger(LarkClient.class);
    private final LarkApiClient lark;
    private final LarkwayProperties props;
    private final CircuitBreakerRegistry breakers;
    private final MeterRegistry meters;

    public LarkClient(LarkApiClient lark, LarkwayProperties props, MeterRegistry meters) {
        this.lark = lark;
        this.props = props;
        this.meters = meters;
        LarkwayProperties.Reply r = props.reply();
        this.breakers = CircuitBreakerRegistry.of(Breakers.config(r.breakerFailureRatePercent(), r.breakerMinimumCalls(), r.breakerOpenSeconds())
                // business errors (4xx) say nothing about Lark's health
                .recordException(e -> !(e instanceof LarkApiException lae) || lae.retryable())
                .build());
    }

    public CircuitBreaker breaker(String integrationId) {
        return breakers.circuitBreaker(integrationId);
    }

    /**
     * One logical call, retried as configured; throws {@link LarkApiException} (last failure) or
     * {@link CallNotPermittedException} when the integration's breaker is open.
     */
    public JsonNode call(Integration integration, String method, String pathAndQuery, Object body) {
        LarkwayProperties.Reply r = props.reply();
        CircuitBreaker breaker = breaker(integration.id());
        long delay = r.backoffInitialMs();
        for (int attempt = 1; ; attempt++) {
            try {
                return breaker.executeSupplier(() -> {
                    // Status counter apiCalls (quota awareness): every attempt that goes out, not those the open breaker refuses
                    meters.counter("larkway.lark.calls", "integration", integration.id()).increment();
                    try {
                        return lark.call(integration.app(props.lark()), method, pathAndQuery, body).join();
                    } catch (RuntimeException e) {
                        throw LarkApiClient.unwrap(e);
                    }
                });
            } catch (LarkApiException e) {
                if (!e.retryable() || attempt >= r.maxAttempts()) {
                    throw e;
                }
                long wait = Math.min(r.backoffMaxMs(), delay) / 2 + ThreadLocalRandom.current().nextLong(Math.min(r.backoffMaxMs(), delay) / 2 + 1);
                LOG.info("Lark call failed, retrying integrationId={} call={} {} attempt={} in {} ms: {}", integration.id(), method,
                        pathAndQuery.replaceAll("\\?.*", ""), attempt, wait, e.getMessage());
                sleep(wait);
                delay = Math.min(r.backoffMaxMs(), delay * 2);
            }
        }
    }

    /** {@code POST /open-apis/im/v1/messages?receive_id_type=…} (body with receive_id); answers the new message id. */
    public String sendMessage(Integration integration, String receiveIdType, Object body) {
        return call(integration, "POST", "/open-apis/im/v1/messages?receive_id_type=" + LarkPaths.segment(receiveIdType), body).path("data").path("message_id").asText(null);
    }

    /** {@code POST /open-apis/im/v1/messages/{id}/reply}; answers the new message id. */
    public String replyTo(Integration integration, String messageId, Object body) {
        return call(integration, "POST", "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId)
                + "/reply", body).path("data").path("message_id").asText(null);
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
