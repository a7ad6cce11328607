package io.larkway.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The {@code lark} Camel dev console: open windows with message counts and time to completion,
 * turns in progress with their expert and elapsed time, waiting messages. Connections are the
 * {@code lark} component's own console ({@code /actuator/camel/lark-connections}).
 * Reachable at {@code /actuator/camel/lark} (trusted networks only).
 */
@DevConsole(name = "lark", displayName = "Lark", description = "larkway in-flight sessions: windows, turns, waiting messages")
public class LarkDevConsole extends AbstractDevConsole {

    public LarkDevConsole() {
        super("camel", "lark", "Lark", "larkway in-flight sessions: windows, turns, waiting messages");
    }

    private InFlight inFlight() {
        return getCamelContext().getRegistry().findSingleByType(InFlight.class);
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
        return sb.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        InFlight f = inFlight();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windows", f.windows());
        out.put("turns", f.turns());
        return out;
    }
}
