package io.larkway.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The {@code lark} Camel dev console: open windows with message counts and time to completion,
 * turns in progress with their expert and elapsed time, waiting messages, connection states.
 * Reachable at {@code /actuator/camel/lark} (trusted networks only).
 */
@DevConsole(name = "lark", displayName = "Lark", description = "larkway in-flight sessions: windows, turns, waiting messages, connections")
public class LarkDevConsole extends AbstractDevConsole {

    public LarkDevConsole() {
        super("camel", "lark", "Lark", "larkway in-flight sessions: windows, turns, waiting messages, connections");
    }

    private InFlight inFlight() {
        return getCamelContext().getRegistry().findSingleByType(InFlight.class);
    }

    private List<Map<String, Object>> connections() {
        ConnectionSupervisor supervisor = getCamelContext().getRegistry().findSingleByType(ConnectionSupervisor.class);
        if (supervisor == null) {
            return List.of();
        }
        return supervisor.statuses().stream().map(s -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("integrationId", s.integrationId());
            c.put("state", s.state().name());
            c.put("connectedSince", s.connectedSince() == null ? null : s.connectedSince().toString());
            c.put("failureCount", s.failureCount());
            c.put("lastError", s.lastError());
            return c;
        }).toList();
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        InFlight f = inFlight();
        StringBuilder sb = new StringBuilder();
        List<Map<String, Object>> windows = f.windows();
        sb.append("Open windows: ").append(windows.size()).append('\n');
        windows.forEach(w -> sb.append(String.format("  %s  messages=%s  closes in %s ms%n", w.get("scope"), w.get("messages"), w.get("closesInMs"))));
        List<Map<String, Object>> turns = f.turns();
        sb.append("Turns in progress: ").append(turns.size()).append('\n');
        turns.forEach(t -> sb.append(String.format("  %s  expert=%s  elapsed=%s ms  waiting=%s  instance=%s%n", t.get("scope"), t.get("expertId"),
                t.get("elapsedMs"), t.get("waiting"), t.get("instance"))));
        List<Map<String, Object>> connections = connections();
        sb.append("Connections: ").append(connections.size()).append('\n');
        connections.forEach(c -> sb.append("  ").append(c).append('\n'));
        return sb.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        InFlight f = inFlight();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windows", f.windows());
        out.put("turns", f.turns());
        out.put("connections", connections());
        return out;
    }
}
