package io.larkway.flow.window;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.LarkwayProperties;
import java.time.Clock;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Merges the messages of one scope's window into one turn: texts joined by newlines in arrival
 * order, the newest message is the one answered, every message id kept. Sets
 * {@code larkwayWindowTimeoutMs} so the window slides with each message but never outlives its
 * cap ({@code window-max-wait-factor} × the window), which 40-window.yaml reads.
 */
@Component("windowMerge")
public class WindowMerge implements AggregationStrategy {
    private final LarkwayProperties.Conversation config;
    private final Clock clock;

    public WindowMerge(LarkwayProperties props, Clock clock) {
        this.clock = clock;
        this.config = props.conversation();
    }

    @Override
    public Exchange aggregate(Exchange merged, Exchange next) {
        long now = clock.millis();
        Message in = next.getMessage();
        long windowMs = in.getHeader(FlowHeaders.WINDOW_SECONDS, 0, Integer.class) * 1000L;
        if (merged == null) {
            in.setHeader(FlowHeaders.WINDOW_OPENED_AT, now);
            in.setHeader(FlowHeaders.MESSAGE_IDS, in.getHeader(FlowHeaders.MESSAGE_ID, String.class));
            in.setHeader(FlowHeaders.WINDOW_TIMEOUT_MS, Math.max(1, windowMs));
            in.setHeader(FlowHeaders.WINDOW_UPDATED_AT, now);
            in.setHeader(FlowHeaders.WINDOW_PARTS, WindowParts.with(null, in));
            return next;
        }
        Message m = merged.getMessage();
        long opened = m.getHeader(FlowHeaders.WINDOW_OPENED_AT, now, Long.class);
        String ids = m.getHeader(FlowHeaders.MESSAGE_IDS, String.class) + "," + in.getHeader(FlowHeaders.MESSAGE_ID, String.class);
        String text = m.getBody(String.class) + "\n" + in.getBody(String.class);
        String parts = WindowParts.with(m.getHeader(FlowHeaders.WINDOW_PARTS, String.class), in);
        String turnMessages = io.larkway.flow.TurnMessages.join(m.getHeader(FlowHeaders.TURN_MESSAGES, String.class), in.getHeader(FlowHeaders.TURN_MESSAGES, String.class));
        // the newest message's headers win: it is the one the answer replies to
        m.getHeaders().putAll(in.getHeaders());
        m.setHeader(FlowHeaders.WINDOW_OPENED_AT, opened);
        m.setHeader(FlowHeaders.MESSAGE_IDS, ids);
        m.setHeader(FlowHeaders.WINDOW_PARTS, parts);
        m.setHeader(FlowHeaders.TURN_MESSAGES, turnMessages);
        long capMs = windowMs * config.windowMaxWaitFactor();
        long timeoutMs = Math.max(1, Math.min(windowMs, opened + capMs - now));
        m.setHeader(FlowHeaders.WINDOW_TIMEOUT_MS, timeoutMs);
        // the aggregator may read the timeout off the incoming exchange rather than the merged one
        in.setHeader(FlowHeaders.WINDOW_TIMEOUT_MS, timeoutMs);
        m.setHeader(FlowHeaders.WINDOW_UPDATED_AT, now);
        m.setBody(text);
        return merged;
    }
}
