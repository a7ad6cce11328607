package io.larkway.flow.inbox;

import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.stereotype.Component;

/** The in-memory hand-off queue between the ingress routes and the inbox ({@code seda:inbound}). */
@Component("inboxQueue")
public class InboxQueue {
    private final CamelContext camel;

    public InboxQueue(CamelContext camel) {
        this.camel = camel;
    }

    /** How many more events the queue takes now, at most {@code max}. */
    public int room(int max) {
        // every endpoint of seda:inbound shares the one queue, whatever its parameters
        SedaEndpoint inbound = camel.getEndpoint("seda:inbound", SedaEndpoint.class);
        return Math.max(0, Math.min(max, inbound.getQueue().remainingCapacity()));
    }
}
