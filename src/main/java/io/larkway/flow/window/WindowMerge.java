package io.larkway.flow.window;

import io.larkway.platform.LarkwayProperties;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Merges the messages of one scope's window into one turn: texts joined by newlines in arrival
 * order, the newest message is the one answered, every message id kept. Sets
 * {@code larkwayWindowTimeoutMs} so the window slides with each message but never outlives its
 * cap ({@code window-max-wait-factor} × the window), which window.yaml reads.
 */
@Component("windowMerge")
public class WindowMerge implements AggregationStrategy {
    private final LarkwayProperties.Conversation config;

    public WindowMerge(LarkwayProperties props) {
        this.config = props.conversation();
    }

    @Override
    public Exchange aggregate(Exchange merged, Exchange next) {
        long now = System.currentTimeMillis();
        Message in = next.getMessage();
        long windowMs = in.getHeader("larkwayWindowSeconds", 0, Integer.class) * 1000L;
        if (merged == null) {
            in.setHeader("larkwayWindowOpenedAt", now);
            in.setHeader("larkwayMessageIds", in.getHeader("larkwayMessageId", String.class));
            in.setHeader("larkwayWindowTimeoutMs", Math.max(1, windowMs));
            in.setHeader("larkwayWindowUpdatedAt", now);
            return next;
        }
        Message m = merged.getMessage();
        long opened = m.getHeader("larkwayWindowOpenedAt", now, Long.class);
        String ids = m.getHeader("larkwayMessageIds", String.class) + "," + in.getHeader("larkwayMessageId", String.class);
        String text = m.getBody(String.class) + "\n" + in.getBody(String.class);
        // the newest message's headers win: it is the one the answer replies to
        m.getHeaders().putAll(in.getHeaders());
        m.setHeader("larkwayWindowOpenedAt", opened);
        m.setHeader("larkwayMessageIds", ids);
        long capMs = windowMs * config.windowMaxWaitFactor();
        long timeoutMs = Math.max(1, Math.min(windowMs, opened + capMs - now));
        m.setHeader("larkwayWindowTimeoutMs", timeoutMs);
        // the aggregator may read the timeout off the incoming exchange rather than the merged one
        in.setHeader("larkwayWindowTimeoutMs", timeoutMs);
        m.setHeader("larkwayWindowUpdatedAt", now);
        m.setBody(text);
        return merged;
    }
}
