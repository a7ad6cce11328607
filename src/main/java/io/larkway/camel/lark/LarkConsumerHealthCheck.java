package io.larkway.camel.lark;

import io.larkway.camel.lark.ws.ConnectionStatus;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Camel health check of the {@code lark:events} consumer's long connections (id
 * {@value #ID}, registered by {@link LarkConsumer} while it runs): DOWN, with each unhealthy
 * connection's integration id and reason, while any connection is {@code unhealthy} (bad
 * credentials, forbidden, connection limit); details give every connection's state. Neither a
 * liveness nor a readiness check: one tenant's credentials must not get the instance restarted or
 * taken out of service; it shows in Camel's health ({@code camelHealth} under
 * {@code /actuator/health}). Never shows credentials.
 */
public class LarkConsumerHealthCheck extends AbstractHealthCheck {
    public static final String ID = "lark-connections";
    private final ConnectionSupervisor supervisor;

    public LarkConsumerHealthCheck(ConnectionSupervisor supervisor) {
        super("camel", ID);
        this.supervisor = supervisor;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up();
        List<ConnectionStatus> statuses = List.copyOf(supervisor.statuses());
        statuses.forEach(s -> builder.detail("connection." + s.integrationId(), s.state().name()));
        String down = statuses.stream().filter(s -> s.downReason().isPresent())
                .map(s -> s.integrationId() + ": " + s.downReason().get()).sorted().collect(Collectors.joining("; "));
        if (!down.isEmpty()) {
            builder.down().message("long connection(s) unhealthy: " + down);
        }
    }
}
