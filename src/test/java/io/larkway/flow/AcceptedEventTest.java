package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Dispatch and the lifecycle events read the event the ingress parsed only while the body is still the one it parsed. */
class AcceptedEventTest {
    final ObjectMapper json = new ObjectMapper();

    @Test
    void theIngressesParseServesOnlyTheBodyItWasMadeFrom() throws Exception {
        String payload = "{\"message\":{\"chat_id\":\"oc_as_accepted\"}}";
        JsonNode parsed = json.readTree(payload);

        Exchange handedOn = exchange(payload, parsed);
        assertThat(AcceptedEvent.json(handedOn, json)).isSameAs(parsed);
        assertThat(handedOn.getProperty(FlowHeaders.EVENT_JSON)).as("taken off the exchange").isNull();

        // a step an integrator added between the inbox and dispatch replaced the body
        Exchange edited = exchange(payload, parsed);
        edited.getMessage().setBody("{\"message\":{\"chat_id\":\"oc_as_edited\"}}");
        assertThat(AcceptedEvent.json(edited, json).path("message").path("chat_id").asText()).isEqualTo("oc_as_edited");

        Exchange resumed = exchange(payload, null); // from the database: the body alone
        assertThat(AcceptedEvent.json(resumed, json)).isEqualTo(parsed).isNotSameAs(parsed);
    }

    private static Exchange exchange(String body, JsonNode parsed) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        if (parsed != null) {
            exchange.setProperty(FlowHeaders.EVENT_JSON, Map.entry(body, parsed));
        }
        return exchange;
    }
}
