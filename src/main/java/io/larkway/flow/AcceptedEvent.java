package io.larkway.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Exchange;

/** The accepted event in an exchange's body, for the dispatch stages that read it. */
public final class AcceptedEvent {
    private AcceptedEvent() {
    }

    /**
     * The event in the body: as the ingress parsed it when it handed the event on at once and the body is still the one
     * it parsed ({@link FlowHeaders#EVENT_JSON}: a step an integrator adds may have changed it), else parsed here.
     */
    public static JsonNode json(Exchange exchange, ObjectMapper json) throws IOException {
        Object parsed = exchange.removeProperty(FlowHeaders.EVENT_JSON);
        Object body = exchange.getMessage().getBody();
        if (parsed instanceof Map.Entry<?, ?> e && e.getKey() == body && e.getValue() instanceof JsonNode event) {
            return event;
        }
        return json.readTree(exchange.getMessage().getBody(String.class));
    }
}
