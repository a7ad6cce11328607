package io.larkway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.larkway.LarkwayTest;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import java.time.Duration;
import static org.awaitility.Awaitility.await;
import io.larkway.camel.lark.LarkConsumerHealthCheck;
import org.apache.camel.console.DevConsole;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.CamelContext;
import org.apache.camel.console.DevConsoleRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Each integration is its own health component, shown only to the admin key; the liveness group
 * never includes them. A context (and database) of its own: the overall status it asserts would otherwise
 * depend on what other test classes left in the shared one (a dead letter makes its integration DOWN).
 */
@org.springframework.test.context.TestPropertySource(properties = "larkway-test.context=health")
class HealthTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    @Autowired
    LarkClient calls;
    @Autowired
    CamelContext camel;

    @Test
    void anOpenReplyBreakerMakesOnlyThatIntegrationDown() {
        String key = newOrg();
        String sick = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        String fine = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        calls.breaker(sick).transitionToOpenState();
        try {
            JsonNode health = call("GET", "/actuator/health", ADMIN_KEY, null).json();
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
    void aLongConnectionThatFailsIsDownWithItsReasonAndUpAgainOnceItRecovers() {
        LarkEmulator.App app = LARK.newApp();
        WS.failHandshake(app.appId(), new LarkWebSocketServer.HandshakeFailure(400, "514", "connection limit exceeded", "1000040350"));
        String key = newOrg();
        String id = newIntegration(key, app, "long_connection", null).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "DOWN".equals(component(id).path("status").asText()));
        assertThat(component(id).path("details").path("reason").asText()).contains("connection limit");
        assertThat(call("GET", "/actuator/health/liveness", null, null).json().path("status").asText()).isEqualTo("UP");

        WS.clearHandshakeFailure(app.appId());
        assertThat(call("POST", "/api/integrations/" + id + "/reconnect", key, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> "UP".equals(component(id).path("status").asText()));
        assertThat(component(id).path("details").path("connection").asText()).isEqualTo("connected");
    }

    @Test
    void theLarkComponentsHealthCheckIsDownWithTheReasonAndItsConsoleListsConnections() {
        LarkEmulator.App refused = LARK.newApp();
        WS.failHandshake(refused.appId(), new LarkWebSocketServer.HandshakeFailure(403, "403", "app forbidden", null));
        LarkEmulator.App fine = LARK.newApp();
        String key = newOrg();
        String sick = newIntegration(key, refused, "long_connection", null).path("id").asText();
        String ok = newIntegration(key, fine, "long_connection", null).path("id").asText();
        try {
            // Camel's own health (the component's check, registered by the lark:events consumer)
            await().atMost(Duration.ofSeconds(15)).until(() -> larkCheck().getState() == HealthCheck.State.DOWN);
            HealthCheck.Result result = larkCheck();
            assertThat(result.getMessage().orElse("")).contains(sick + ": ").contains("forbidden").doesNotContain(refused.appSecret());
            assertThat(result.getDetails()).containsEntry("connection." + sick, "unhealthy");
            assertThat(HealthCheckHelper.invokeReadiness(camel)).noneMatch(r -> r.getCheck().getId().equals(LarkConsumerHealthCheck.ID));
            // … and in Spring's actuator through Camel's health contributor
            JsonNode camelHealth = call("GET", "/actuator/health", ADMIN_KEY, null).json().path("components").path("camelHealth");
            assertThat(camelHealth.path("details").path(LarkConsumerHealthCheck.ID).asText()).isEqualTo("DOWN");
            assertThat(call("GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);

            // the component's dev console lists the connected integration, found through Camel's registry and on actuator
            await().atMost(Duration.ofSeconds(15)).until(() -> "connected".equals(connection(ok).path("state").asText()));
            assertThat(connection(ok).path("lastConnectedAt").asText()).isNotBlank();
            assertThat(connection(sick).path("state").asText()).isEqualTo("unhealthy");
            assertThat(connection(sick).path("lastError").asText()).contains("forbidden");
            DevConsole console = DevConsoleRegistry.get(camel).resolveById("lark-connections");
            assertThat(console.call(DevConsole.MediaType.TEXT).toString()).contains(ok + "  connected");
        } finally {
            call("DELETE", "/api/integrations/" + sick, key, null);
            call("DELETE", "/api/integrations/" + ok, key, null);
            WS.clearHandshakeFailure(refused.appId());
        }
    }

    private HealthCheck.Result larkCheck() {
        // exposure level "full": every check's result (the default level leaves out checks that are UP)
        return HealthCheckHelper.invoke(camel, "full").stream().filter(r -> r.getCheck().getId().equals(LarkConsumerHealthCheck.ID)).findFirst().orElseThrow();
    }

    private JsonNode connection(String integrationId) {
        for (JsonNode c : call("GET", "/actuator/camel/lark-connections", null, null).json().path("lark-connections").path("connections")) {
            if (c.path("integrationId").asText().equals(integrationId)) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private JsonNode component(String integrationId) {
        return call("GET", "/actuator/health", ADMIN_KEY, null).json().path("components").path("integrations").path("components").path(integrationId);
    }

    @Test
    void withoutTheAdminKeyHealthIsTheOverallStatusOnly() {
        String key = newOrg();
        String id = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        assertThat(component(id).path("status").asText()).isEqualTo("UP");
        for (String caller : new String[] {null, key, "not-a-key"}) {
            Answer health = call("GET", "/actuator/health", caller, null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("status").asText()).isEqualTo("UP");
            assertThat(health.json().has("components")).as("components shown to %s", caller).isFalse();
            assertThat(health.raw()).doesNotContain(id).doesNotContain("webhook");
            assertThat(call("GET", "/actuator/health/integrations/" + id, caller, null).raw()).doesNotContain("webhook");
        }
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
