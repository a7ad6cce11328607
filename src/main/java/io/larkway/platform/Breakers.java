package io.larkway.platform;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;

/** The one circuit-breaker policy of larkway's outbound calls (Lark per integration, each expert), from its three settings. */
public final class Breakers {
    private Breakers() {
    }

    /**
     * Opens at {@code failureRatePercent} of the last max({@code minimumCalls}, 10) calls once it has
     * seen {@code minimumCalls}; stays open {@code openSeconds}, then lets one call through to try.
     */
    public static CircuitBreakerConfig.Builder config(int failureRatePercent, int minimumCalls, int openSeconds) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRatePercent)
                .minimumNumberOfCalls(minimumCalls)
                .slidingWindowSize(Math.max(minimumCalls, 10))
                .waitDurationInOpenState(Duration.ofSeconds(openSeconds))
                .permittedNumberOfCallsInHalfOpenState(1);
    }
}
