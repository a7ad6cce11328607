package io.larkway.camel.lark;

import io.larkway.camel.lark.ws.ConnectionStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The {@code lark-connections} Camel dev console: every long connection of this instance with its
 * integration id, state, when it last connected and its last error (never credentials).
 * Reachable at {@code /actuator/camel/lark-connections} where the {@code camel} actuator endpoint is exposed.
 */
@DevConsole(name = "lark-connections", displayName = "Lark connections", description = "Lark long connections: state, last connected, last error")
public class LarkConnectionsDevConsole extends AbstractDevConsole {

    public LarkConnectionsDevConsole() {
        super("camel", "lark-connections", "Lark connections", "Lark long connections: state, last connected, last error");
    }

    private List<Map<String, Object>> connections() {
        LarkComponent lark = getCamelContext().getComponentNames().stream().map(n -> getCamelContext().hasComponent(n))
                .filter(LarkComponent.class::isInstance).map(LarkComponent.class::cast).findFirst().orElse(null);
        if (lark == null || lark.getSupervisor() == null) {
            return List.of();
        }
        return lark.getSupervisor().statuses().stream().sorted(java.util.Comparator.comparing(ConnectionStatus::integrationId)).map(s -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("integrationId", s.integrationId());
            c.put("state", s.state().name());
            c.put("lastConnectedAt", text(s.lastConnectedAt()));
            c.put("lastError", s.lastError());
            c.put("lastErrorAt", text(s.lastErrorAt()));
            return c;
        }).toList();
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        List<Map<String, Object>> connections = connections();
        StringBuilder sb = new StringBuilder("Connections: ").append(connections.size()).append('\n');
        connections.forEach(c -> sb.append(String.format("  %s  %s  last connected %s  last error %s%n", c.get("integrationId"), c.get("state"),
                Objects.toString(c.get("lastConnectedAt"), "never"), Objects.toString(c.get("lastError"), "none"))));
        return sb.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        return Map.of("connections", connections());
    }
}
