package io.larkway.ops;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.flow.reply.ReplyOutcomes;
import java.util.Iterator;
import java.util.List;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.stereotype.Component;

/**
 * One health component per enabled integration under {@code /actuator/health} ("integrations"):
 * DOWN with the reason when its long connection is unhealthy, its last reply failed (until one gets
 * out again) or its reply breaker is open. The
 * liveness and readiness groups do not include it, so one tenant's bad credentials never get the
 * instance restarted. The connection part follows the component's rule ({@code ConnectionStatus.downReason},
 * also behind Camel's {@code lark-connections} health check); the reply breaker is larkway's own.
 */
@Component("integrationsHealthContributor")
public class IntegrationHealth implements CompositeHealthContributor {
    private final Integrations integrations;
    private final LarkClient calls;
    private final ConnectionSupervisor connections;
    private final ReplyOutcomes replies;

    public IntegrationHealth(Integrations integrations, LarkClient calls, ConnectionSupervisor connections, ReplyOutcomes replies) {
        this.replies = replies;
        this.integrations = integrations;
        this.calls = calls;
        this.connections = connections;
    }

    @Override
    public HealthContributor getContributor(String name) {
        return integrations.find(name).filter(Integration::enabled).map(this::indicator).orElse(null);
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        List<NamedContributor<HealthContributor>> all = new java.util.ArrayList<>();
        for (Integration.ConnectionMode mode : Integration.ConnectionMode.values()) {
            integrations.enabled(mode).forEach(i -> all.add(NamedContributor.of(i.id(), indicator(i))));
        }
        return all.iterator();
    }

    private HealthIndicator indicator(Integration integration) {
        return () -> {
            Health.Builder health = Health.up().withDetail("mode", integration.connectionMode().name());
            CircuitBreaker breaker = calls.breaker(integration.id());
            health.withDetail("replyBreaker", breaker.getState().name());
            ReplyOutcomes.Outcome answers = replies.of(integration.id());
            health.withDetail("replies", answers.status());
            if (answers.failing()) {
                health.down().withDetail("reason", "replies failing: " + answers.lastError());
            }
            if (breaker.getState() == CircuitBreaker.State.OPEN) {
                health.down().withDetail("reason", "Lark calls failing: the reply circuit breaker is open");
            }
            if (integration.isLongConnection()) {
                connections.status(integration.id()).ifPresent(s -> {
                    health.withDetail("connection", s.state().name());
                    s.downReason().ifPresent(reason -> health.down().withDetail("reason", reason));
                });
            }
            return health.build();
        };
    }
}
