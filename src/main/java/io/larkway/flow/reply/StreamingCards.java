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
 * {@code lark} component: a CardKit card entity ({@code lark:createCard}, {@code lark:updateCardElement},
 * {@code lark:updateCardSettings}) or, where CardKit is refused, a card updated with {@code lark:patch};
 * either is sent as the answer's one part ({@code direct:reply-part}, {@code lark:reply} or {@code lark:send}).
 */
@Component
public class StreamingCards {
    /** The turn's card, while its expert streams. */
    public static final String CARD = FlowHeaders.STREAMING_CARD;
    private static final Logger LOG = LoggerFactory.getLogger(StreamingCards.class);
    /** The element of a CardKit streaming card that holds the answer. */
    static final String ELEMENT_ID = "answer";

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
     * One card per turn: created with the first text, updated at most once per interval by its one
     * writer (the expert's stream), and always finished with the full text. Where the tenant has
     * CardKit, the card is a card entity in streaming mode, its markdown element set with a strictly
     * increasing sequence and streaming ended at the finish; where CardKit is refused, a card message
     * patched as a whole. If the card fails, the answer goes out once as a plain reply instead.
     */
    public final class StreamingCard implements Consumer<String> {
        private final Message turn;
        private String cardMessageId;
        private String cardId;
        private int sequence;
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
            if (!failed && cardId != null) {
                Exchange closed = call("lark:updateCardSettings", e -> {
                    e.getMessage().setHeader(LarkConstants.CARD_ID, cardId);
                    e.getMessage().setHeader(LarkConstants.SEQUENCE, ++sequence);
                    e.getMessage().setBody(json.createObjectNode().set("config", json.createObjectNode().put("streaming_mode", false)).toString());
                });
                if (closed.getException() != null) {
                    // the full text is shown; Lark ends streaming mode by itself after a while
                    LOG.warn("Streaming card not closed integrationId={} message_id={}: {}", integrationId(), turn.getHeader(FlowHeaders.MESSAGE_ID),
                            ReplyParts.reason(closed.getException()));
                }
            }
            if (!failed) {
                parts.delivered(integrationId());
            }
            return !failed;
        }

        private void update(String text, long now) {
            Exchange done;
            if (cardMessageId == null) {
                cardId = cardEntity(text);
                String content = cardId != null
                        ? json.createObjectNode().put("type", "card").set("data", json.createObjectNode().put("card_id", cardId)).toString()
                        : card(text);
                Reply card = parts.reply(turn, List.of(new Part(ReplyParts.uuid(turn, "card", 0), "interactive", content)));
                done = lark.send("direct:reply-part", e -> {
                    e.getMessage().setHeader(FlowHeaders.REPLY, card);
                    e.getMessage().setBody(card.parts().get(0));
                });
            } else if (cardId != null) {
                done = call("lark:updateCardElement", e -> {
                    e.getMessage().setHeader(LarkConstants.CARD_ID, cardId);
                    e.getMessage().setHeader(LarkConstants.ELEMENT_ID, ELEMENT_ID);
                    e.getMessage().setHeader(LarkConstants.SEQUENCE, ++sequence);
                    e.getMessage().setBody(text);
                });
            } else {
                done = call("lark:patch", e -> {
                    e.getMessage().setHeader(LarkConstants.MESSAGE_ID, cardMessageId);
                    e.getMessage().setBody(card(text));
                });
            }
            if (done.getException() != null) {
                failed = true;
                LOG.warn("Streaming card failed integrationId={} message_id={}: {}", integrationId(),
                        turn.getHeader(FlowHeaders.MESSAGE_ID), ReplyParts.reason(done.getException()));
                return;
            }
            if (cardMessageId == null) {
                cardMessageId = done.getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID, String.class);
            }
            shown = text;
            lastUpdate = now;
        }

        /** A CardKit card entity in streaming mode showing {@code text}: its id, or null where CardKit is refused (the PATCH path then). */
        private String cardEntity(String text) {
            ObjectNode card = json.createObjectNode().put("schema", "2.0");
            card.putObject("config").put("streaming_mode", true).put("update_multi", true);
            card.putObject("body").putArray("elements").addObject().put("tag", "markdown").put("element_id", ELEMENT_ID).put("content", text);
            Exchange created = call("lark:createCard", e -> e.getMessage().setBody(card.toString()));
            if (created.getException() != null) {
                LOG.info("CardKit refused, streaming by patching the message integrationId={} message_id={}: {}", integrationId(),
                        turn.getHeader(FlowHeaders.MESSAGE_ID), ReplyParts.reason(created.getException()));
                return null;
            }
            return created.getMessage().getHeader(LarkConstants.CARD_ID, String.class);
        }

        private Exchange call(String uri, Consumer<Exchange> request) {
            return lark.send(uri, e -> {
                e.getMessage().setHeader(LarkConstants.INTEGRATION_ID, integrationId());
                request.accept(e);
            });
        }

        private String integrationId() {
            return turn.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        }
    }

    private String card(String text) {
        ObjectNode card = json.createObjectNode();
        card.putObject("config").put("wide_screen_mode", true).put("update_multi", true);
        card.putArray("elements").addObject().put("tag", "markdown").put("content", text);
        return card.toString();
    }
}
