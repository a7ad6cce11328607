package io.larkway.ops;

import io.larkway.InstanceId;
import io.larkway.api.ApiException;
import io.larkway.api.ApiHandlers;
import io.larkway.camel.ConnectionStatus;
import io.larkway.camel.ConnectionSupervisor;
import io.larkway.integration.Integration;
import io.larkway.integration.Integrations;
import io.larkway.integration.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Status tab verbs (first version): {@code GET /api/integrations/{id}/status},
 * {@code POST …/reconnect}, {@code POST …/disconnect}. Instances lists this instance only;
 * the operations stage adds the other instances and the counters.
 */
@Component
public class LongConnectionApi implements ApiHandlers {
    private final Integrations integrations;
    private final ConnectionSupervisor supervisor;
    private final JdbcClient db;
    private final String instanceId;

    public LongConnectionApi(Integrations integrations, ConnectionSupervisor supervisor, JdbcClient db, InstanceId instanceId) {
        this.integrations = integrations;
        this.supervisor = supervisor;
        this.db = db;
        this.instanceId = instanceId.toString();
    }

    @Override
    public void register(Registrar api) {
        api.register("integration-status", "GET", "/api/integrations/{id}/status",
                (c, r) -> status(integrations.get(c.requireOrg(), r.path("id"))));
        api.register("integration-reconnect", "POST", "/api/integrations/{id}/reconnect", (c, r) -> {
            Integration i = longConnection(integrations.get(c.requireOrg(), r.path("id")));
            try {
                supervisor.reconnect(i);
            } catch (IllegalStateException e) {
                throw new ApiException(503, "unavailable", e.getMessage());
            }
            return status(i);
        });
        api.register("integration-disconnect", "POST", "/api/integrations/{id}/disconnect", (c, r) -> {
            Integration i = longConnection(integrations.get(c.requireOrg(), r.path("id")));
            supervisor.disconnect(i.id());
            return status(i);
        });
    }

    private static Integration longConnection(Integration i) {
        if (!i.isLongConnection()) {
            throw ApiException.conflict("integration " + i.id() + " is in webhook mode; only long connections reconnect or disconnect");
        }
        if (!i.enabled()) {
            throw ApiException.conflict("integration " + i.id() + " is disabled");
        }
        return i;
    }

    public Map<String, Object> status(Integration i) {
        Map<String, Object> out = new LinkedHashMap<>();
        Instant lastDelivery = db.sql("SELECT MAX(accepted_at) AS last_at FROM inbound_events WHERE integration_id = ?").param(i.id())
                .query((rs, n) -> Timestamps.instant(rs, "last_at")).list().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
        out.put("integrationId", i.id());
        out.put("mode", i.connectionMode().name());
        List<Map<String, Object>> instances = new ArrayList<>();
        String status;
        String lastError = null;
        Instant lastConnectedAt = null;
        if (i.isLongConnection()) {
            ConnectionStatus s = supervisor.status(i.id()).orElse(null);
            status = !i.enabled() ? "disabled" : s == null ? "idle" : s.state().name();
            if (s != null) {
                lastError = s.lastError();
                lastConnectedAt = s.lastConnectedAt();
                Map<String, Object> instance = new LinkedHashMap<>();
                instance.put("id", s.instanceId());
                instance.put("state", s.state().name());
                instance.put("connectedSince", s.connectedSince());
                instance.put("failureCount", s.failureCount());
                instance.put("nextReconnectAt", s.nextReconnectAt());
                instance.put("pingIntervalSeconds", s.pingIntervalSeconds());
                instance.put("received", s.received());
                instance.put("acked", s.acked());
                instance.put("ackFailures", s.ackFailures());
                instances.add(instance);
            } else {
                Map<String, Object> instance = new LinkedHashMap<>();
                instance.put("id", instanceId);
                instance.put("state", status);
                instance.put("connectedSince", null);
                instances.add(instance);
            }
        } else {
            status = !i.enabled() ? "disabled" : lastDelivery == null ? "waiting_for_first_delivery" : "receiving";
        }
        out.put("status", status);
        out.put("instances", instances);
        out.put("lastConnectedAt", lastConnectedAt);
        out.put("lastDeliveryAt", lastDelivery);
        out.put("lastError", lastError);
        return out;
    }
}
