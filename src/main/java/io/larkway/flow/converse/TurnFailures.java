package io.larkway.flow.converse;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.RecentErrors;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Records a failed expert turn (log, counter, recent error); the route then sends the failure reply. A turn whose
 * expert call broke off because this instance is stopping has not failed: it is left (property
 * {@code larkwayTurnLeft}), keeps its lease and its waiting messages, and runs again on another instance (or on this
 * one, restarted) once the lease runs out; an apology sent now would come before that answer.
 */
@Component
public class TurnFailures {
    private static final Logger LOG = LoggerFactory.getLogger(TurnFailures.class);
    private final RecentErrors errors;
    private final MeterRegistry meters;

    public TurnFailures(RecentErrors errors, MeterRegistry meters) {
        this.errors = errors;
        this.meters = meters;
    }

    public void failed(Exchange exchange) {
        Message m = exchange.getMessage();
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        if (exchange.getContext().isStopping()) {
            LOG.info("Expert turn left to run again, the instance is stopping integrationId={} message_id={} expert={}: {}", integrationId,
                    m.getHeader(FlowHeaders.MESSAGE_ID), m.getHeader(FlowHeaders.EXPERT_ID), reason);
            exchange.setProperty(FlowHeaders.TURN_LEFT, true);
            return;
        }
        LOG.warn("Expert turn failed integrationId={} message_id={} expert={}: {}", integrationId, m.getHeader(FlowHeaders.MESSAGE_ID),
                m.getHeader(FlowHeaders.EXPERT_ID), reason);
        meters.counter("larkway.turns.failed", "integration", String.valueOf(integrationId)).increment();
        errors.record(integrationId, "expert", reason, m.getHeader(FlowHeaders.MESSAGE_ID, String.class));
    }
}
