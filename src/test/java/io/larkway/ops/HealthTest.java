package io.larkway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.larkway.LarkwayTest;
import io.larkway.camel.LarkCalls;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Each integration is its own health component; the liveness group never includes them. */
class HealthTest extends LarkwayTest {
    @Autowired
    LarkCalls calls;

    @Test
    void anOpenReplyBreakerMakesOnlyThatIntegrationDown() {
        String key = newOrg();
        String sick = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        String fine = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        calls.breaker(sick).transitionToOpenState();
        try {
            JsonNode health = call("GET", "/actuator/health", null, null).json();
            JsonNode components = health.path("components").path("integrations").path("components");
            assertThat(components.path(sick).path("status").asText()).isEqualTo("DOWN");
            assertThat(components.path(sick).path("details").path("reason").asText()).contains("circuit breaker");
            assertThat(components.path(fine).path("status").asText()).isEqualTo("UP");
            Answer liveness = call("GET", "/actuator/health/liveness", null, null);
            assertThat(liveness.status()).isEqualTo(200);
            assertThat(liveness.json().path("status").asText()).isEqualTo("UP");
            assertThat(call("GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
        } finally {
            calls.breaker(sick).transitionToClosedState();
        }
        assertThat(calls.breaker(sick).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void prometheusAndTheDevConsoleAnswerWithoutAKey() {
        Answer prometheus = call("GET", "/actuator/prometheus", null, null);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.raw()).contains("camel_");
        Answer console = call("GET", "/actuator/camel/lark", null, null);
        assertThat(console.status()).isEqualTo(200);
        assertThat(console.json().path("lark").has("windows")).isTrue();
        assertThat(console.json().path("lark").has("turns")).isTrue();
    }
}
