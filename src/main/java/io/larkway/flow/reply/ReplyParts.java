package io.larkway.flow.reply;

import io.larkway.flow.FlowHeaders;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.larkway.expert.ExpertAnswer;
import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.LarkProducer;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.flow.reply.DeadLetters.Part;
import io.larkway.flow.reply.DeadLetters.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.camel.Body;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The answer of a turn as the reply stage sends it (routes/60-reply.yaml): ordered parts, each
 * with an idempotency {@code uuid} derived from the inbound message id and part number, so a
 * retried or re-run reply never posts twice; and the counters {@code larkway.replies.sent/failed}.
 */
@Component
public class ReplyParts {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyParts.class);

    private final ObjectMapper json;
    private final LarkwayProperties.Reply config;
    private final MeterRegistry meters;
    private final ReplyOutcomes outcomes;
    private final AnswerCards cards;

    public ReplyParts(ObjectMapper json, LarkwayProperties props, MeterRegistry meters, ReplyOutcomes outcomes, AnswerCards cards) {
        this.outcomes = outcomes;
        this.cards = cards;
        this.json = json;
        this.config = props.reply();
        this.meters = meters;
    }

    /**
     * The body as the reply: parts of at most larkway.reply.max-text-length characters, in order;
     * as text, or as cards (an expert's card as it is, Markdown rendered by {@link AnswerCards}).
     */
    public Reply answer(Exchange exchange) {
        Message m = exchange.getMessage();
        String text = m.getBody(String.class);
        // the expert's format applies to this answer only (the exchange goes on to the next turn)
        String format = (String) m.removeHeader(FlowHeaders.ANSWER_FORMAT);
        List<Part> parts = new ArrayList<>();
        if (ExpertAnswer.CARD.equals(format)) {
            parts.add(new Part(uuid(m, "expert-card", 0), "interactive", text));
            return reply(m, parts);
        }
        boolean card = cards.asCard(format, text);
        List<String> chunks = split(text == null ? "" : text, config.maxTextLength());
        for (int i = 0; i < chunks.size(); i++) {
            parts.add(card
                    ? new Part(uuid(m, "markdown", i), "interactive", cards.card(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class),
                            m.getHeader(FlowHeaders.MESSAGE_ID, String.class), chunks.get(i)))
                    : new Part(uuid(m, "text", i), "text", json.createObjectNode().put("text", chunks.get(i)).toString()));
        }
        return reply(m, parts);
    }

    /** These parts as the answer to the turn's message: a reply to it, or (direct chats unless reply-in-p2p or a card action) a message to the chat. */
    Reply reply(Message m, List<Part> parts) {
        // a topic thread's session (threadSessions) answers inside the thread; a card action's answer always replies to the card;
        // with no inbound message (a welcome) it is sent to the chat
        boolean thread = m.getHeader(FlowHeaders.THREAD_ID) != null;
        boolean asReply = m.getHeader(FlowHeaders.MESSAGE_ID) != null
                && (thread || !"p2p".equals(m.getHeader(FlowHeaders.CHAT_TYPE)) || config.replyInP2p() || m.getHeader(FlowHeaders.ACTION_ID) != null);
        return Reply.of(m, asReply, thread || config.replyInThread(), parts);
    }

    /** The part's content as the lark producer takes it: a JSON object, sent as it is. */
    public JsonNode content(@Body Part part) throws JsonProcessingException {
        return json.readTree(part.content());
    }

    public void sent(@Header(FlowHeaders.REPLY) Reply reply) {
        delivered(reply.integrationId());
        LOG.debug("Reply sent integrationId={} message_id={} parts={}", reply.integrationId(), reply.messageId(), reply.parts().size());
    }

    /** An answer got out (a reply, or a streamed card finished): counted, and the integration's replies are {@code ok}. */
    void delivered(String integrationId) {
        meters.counter("larkway.replies.sent", "integration", String.valueOf(integrationId)).increment();
        outcomes.sent(integrationId);
    }

    /**
     * Counts the failed reply, marks the integration's replies {@code failing} with the reason and
     * answers it (the exception caught by the route's error handling).
     */
    public String failed(Exchange exchange) {
        Reply reply = exchange.getMessage().getHeader(FlowHeaders.REPLY, Reply.class);
        String integrationId = reply != null ? reply.integrationId() : exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        meters.counter("larkway.replies.failed", "integration", String.valueOf(integrationId)).increment();
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(caught != null ? caught : exchange.getException());
        outcomes.failed(integrationId, reason);
        return reason;
    }

    /** A Lark call's failure in words: Lark's code and message, or the open breaker. */
    static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof CamelExchangeException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t == null) {
            return "unknown";
        }
        return t instanceof CallNotPermittedException ? "circuit breaker open for this integration" : LarkApiClient.unwrap(t).getMessage();
    }

    /** Stable per (inbound message, kind, part): Lark keeps one message per uuid for an hour. */
    static String uuid(Message m, String kind, int part) {
        // a card action replies to the card: its own event id keeps two clicks on one card two answers;
        // an event that is no message (a bot added to a chat): its event id
        String inbound = m.getHeader(FlowHeaders.ACTION_ID, m.getHeader(FlowHeaders.MESSAGE_ID, String.class), String.class);
        return LarkProducer.uuid(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class), inbound != null ? inbound : m.getHeader(FlowHeaders.EVENT_ID, String.class),
                kind, part);
    }

    /** Splits at line or word boundaries into parts of at most {@code max} characters, in order. */
    static List<String> split(String text, int max) {
        List<String> parts = new ArrayList<>();
        String rest = text;
        while (rest.length() > max) {
            int cut = rest.lastIndexOf('\n', max);
            if (cut < max / 2) {
                cut = rest.lastIndexOf(' ', max);
            }
            if (cut < max / 2) {
                cut = max;
            }
            parts.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty() || parts.isEmpty()) {
            parts.add(rest);
        }
        return parts;
    }
}
