package io.larkway.flow.window;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.LarkwayProperties;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Windows nobody closes: an aggregator only times out the windows it saw open, so a window whose
 * instance died stays in the shared repository. Any instance closes such a window through its own
 * aggregate EIP ({@code forceCompletionOfGroup}) once it is {@code window-orphan-grace-seconds}
 * past its closing time.
 */
@Component
public class WindowOrphans {
    private static final Logger LOG = LoggerFactory.getLogger(WindowOrphans.class);
    private final JdbcAggregationRepository windows;
    private final Clock clock;
    private final long graceMs;

    public WindowOrphans(JdbcAggregationRepository windowRepository, Clock clock, LarkwayProperties props) {
        this.windows = windowRepository;
        this.clock = clock;
        this.graceMs = props.conversation().windowOrphanGraceSeconds() * 1000L;
    }

    public int complete(Exchange exchange) {
        CamelContext camel = exchange.getContext();
        AggregateProcessor aggregator = camel.getProcessor("window-aggregate", AggregateProcessor.class);
        if (aggregator == null) {
            return 0;
        }
        long now = clock.millis();
        int closed = 0;
        for (String key : windows.getKeys()) {
            Exchange window = windows.get(camel, key);
            if (window == null) {
                continue;
            }
            long updated = window.getMessage().getHeader(FlowHeaders.WINDOW_UPDATED_AT, now, Long.class);
            long timeout = window.getMessage().getHeader(FlowHeaders.WINDOW_TIMEOUT_MS, 0L, Long.class);
            if (updated + timeout + graceMs < now) {
                LOG.info("Closing an orphan window scope={} message_id={}", key, window.getMessage().getHeader(FlowHeaders.MESSAGE_ID));
                closed += aggregator.forceCompletionOfGroup(key);
            }
        }
        return closed;
    }
}
