package io.larkway.flow.reply;

import io.larkway.flow.FlowHeaders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.LarkConstants;
import io.larkway.flow.reply.DeadLetters.Part;
import io.larkway.flow.reply.DeadLetters.Reply;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The card of a streaming answer, a small state machine kept in Java; its Lark calls go through the
 * {@code lark} component: the card is created as the answer's one part ({@code direct:reply-part},
 * {@code lark:reply} or {@code lark:send}) and updated with {@code lark:patch}.
 */
@Component
public class StreamingCards {
    /** The turn's card, while its expert streams. */
    public static final String CARD = FlowHeaders.STREAMING_CARD;
    private static final Logger LOG = LoggerFactory.getLogger(StreamingCards.class);

    private final ReplyParts parts;
    private final ProducerTemplate lark;
    private final ObjectMapper json;
    private final LarkwayProperties.Reply config;
    private final Clock clock;

    public StreamingCards(ReplyParts parts, ProducerTemplate lark, ObjectMapper json, LarkwayProperties props, Clock clock) {
        this.parts = parts;
        this.lark = lark;
        this.json = json;
        this.config = props.reply();
        this.clock = clock;
    }

    /** A card for a streaming answer of this turn's expert; put it in header {@link #CARD}. */
    public StreamingCard start(Exchange exchange) {
        return new StreamingCard(exchange.getMessage());
    }

    /** Writes the body (the full answer) to the turn's card; answers false when a plain reply must go instead (no card, or it failed). */
    public boolean finish(Exchange exchange) {
        StreamingCard card = exchange.getMessage().getHeader(CARD, StreamingCard.class);
        return card != null && card.finish(exchange.getMessage().getBody(String.class));
    }

    /**
     * One card per turn: created with the first text, patched at most once per interval by its
     * one writer (the expert's stream), and always finished with the full text. If the card
     * fails, the answer goes out once as a plain reply instead.
     */
    public final class StreamingCard implements Consumer<String> {
        private final Message turn;
        private String cardMessageId;
        private long lastUpdate;
        private String shown = "";
        private boolean failed;

        private StreamingCard(Message turn) {
            this.turn = turn;
        }

        @Override
        public void accept(String text) {
            long now = clock.millis();
            if (!failed && (cardMessageId == null || now - lastUpdate >= config.streamUpdateIntervalMs())) {
                update(text, now);
            }
        }

        boolean finish(String text) {
            if (cardMessageId == null || failed) {
                return false;
            }
            if (!text.equals(shown)) {
                update(text, clock.millis());
            }
            if (!failed) {
                parts.delivered(turn.getHeader(FlowHeaders.INTEGRATION_ID, String.class));
            }
            return !failed;
        }

        private void update(String text, long now) {
            Exchange done;
            if (cardMessageId == null) {
                Reply card = parts.reply(turn, List.of(new Part(ReplyParts.uuid(turn, "card", 0), "interactive", card(text))));
                done = lark.send("direct:reply-part", e -> {
                    e.getMessage().setHeader(FlowHeaders.REPLY, card);
                    e.getMessage().setBody(card.parts().get(0));
                });
            } else {
                done = lark.send("lark:patch", e -> {
                    e.getMessage().setHeader(LarkConstants.INTEGRATION_ID, turn.getHeader(FlowHeaders.INTEGRATION_ID));
                    e.getMessage().setHeader(LarkConstants.MESSAGE_ID, cardMessageId);
                    e.getMessage().setBody(card(text));
                });
            }
            if (done.getException() != null) {
                failed = true;
                LOG.warn("Streaming card failed integrationId={} message_id={}: {}", turn.getHeader(FlowHeaders.INTEGRATION_ID),
                        turn.getHeader(FlowHeaders.MESSAGE_ID), ReplyParts.reason(done.getException()));
                return;
            }
            if (cardMessageId == null) {
                cardMessageId = done.getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID, String.class);
            }
            shown = text;
            lastUpdate = now;
        }
    }

    private String card(String text) {
        ObjectNode card = json.createObjectNode();
        card.putObject("config").put("wide_screen_mode", true).put("update_multi", true);
        card.putArray("elements").addObject().put("tag", "markdown").put("content", text);
        return card.toString();
    }
}
