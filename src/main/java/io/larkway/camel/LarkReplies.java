package io.larkway.camel;

import io.larkway.camel.lark.client.LarkClient;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.platform.LarkwayProperties;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkPaths;
import io.larkway.platform.RecentErrors;
import io.larkway.camel.lark.LarkProducer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import jakarta.annotation.PreDestroy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The IM side of a turn: the Typing reaction, the answer (split in ordered parts, or one card
 * updated while a streaming expert writes), each send with an idempotency {@code uuid} derived
 * from the inbound message id and part number, so a retried or re-run reply never posts twice.
 * A reply that still fails goes to {@link DeadLetters}.
 */
@Component
public class LarkReplies {
    public static final String REACTION_ID = "larkwayReactionId";
    private static final Logger LOG = LoggerFactory.getLogger(LarkReplies.class);

    private final Integrations integrations;
    private final LarkClient calls;
    private final ObjectMapper json;
    private final LarkwayProperties.Reply config;
    private final LarkwayProperties.Lark lark;
    private final DeadLetters deadLetters;
    private final RecentErrors errors;
    private final MeterRegistry meters;
    /** Typing reactions go out on these threads, beside the turn; bounded, shared by all integrations. */
    private final ExecutorService sideCalls = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "lark-typing");
        t.setDaemon(true);
        return t;
    });

    public LarkReplies(Integrations integrations, LarkClient calls, ObjectMapper json, LarkwayProperties props, DeadLetters deadLetters,
            RecentErrors errors, MeterRegistry meters) {
        this.integrations = integrations;
        this.calls = calls;
        this.json = json;
        this.config = props.reply();
        this.lark = props.lark();
        this.deadLetters = deadLetters;
        this.errors = errors;
        this.meters = meters;
    }

    /**
     * Adds the Typing reaction to the triggering message without waiting for Lark: the expert
     * starts at once instead of after a Lark round trip. A failure is recorded, never fatal.
     */
    public void addTyping(Exchange exchange) {
        Message m = exchange.getMessage();
        Integration integration = integrations.find(m.getHeader("larkwayIntegrationId", String.class)).orElse(null);
        if (integration == null) {
            return; // deleted meanwhile: the reply goes to a dead letter, the turn still ends
        }
        String messageId = m.getHeader("larkwayMessageId", String.class);
        ObjectNode body = json.createObjectNode();
        body.putObject("reaction_type").put("emoji_type", config.typingEmoji());
        m.setHeader(REACTION_ID, CompletableFuture.supplyAsync(() -> {
            try {
                return calls.call(integration.app(lark), "POST", "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId) + "/reactions", body)
                        .path("data").path("reaction_id").asText(null);
            } catch (RuntimeException e) {
                failedSideCall(integration.id(), messageId, "typing reaction", e);
                return null;
            }
        }, sideCalls));
    }

    /** Removes the Typing reaction once it was added (waits for the add if it is still under way). */
    public void removeTyping(Exchange exchange) {
        Message m = exchange.getMessage();
        CompletableFuture<?> added = m.getHeader(REACTION_ID, CompletableFuture.class);
        m.removeHeader(REACTION_ID);
        String reaction = added == null ? null : (String) added.join();
        if (reaction == null) {
            return;
        }
        String messageId = m.getHeader("larkwayMessageId", String.class);
        Integration integration = integrations.find(m.getHeader("larkwayIntegrationId", String.class)).orElse(null);
        if (integration == null) {
            return;
        }
        try {
            calls.call(integration.app(lark), "DELETE", "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId) + "/reactions/" + LarkPaths.segment(reaction), null);
        } catch (RuntimeException e) {
            failedSideCall(m.getHeader("larkwayIntegrationId", String.class), messageId, "typing reaction removal", e);
        }
    }

    @PreDestroy
    void stop() {
        sideCalls.shutdown();
    }

    /** Sends the body text as the answer to the turn's message, in parts when it is long. */
    public void reply(Exchange exchange) {
        Message m = exchange.getMessage();
        String text = m.getBody(String.class);
        List<DeadLetters.Part> parts = new ArrayList<>();
        List<String> chunks = split(text == null ? "" : text, config.maxTextLength());
        for (int i = 0; i < chunks.size(); i++) {
            parts.add(new DeadLetters.Part(uuid(m, "text", i), "text", json.createObjectNode().put("text", chunks.get(i)).toString()));
        }
        deliver(exchange, DeadLetters.Reply.of(m, replies(m), config.replyInThread(), parts));
    }

    /** A card for a streaming answer of this turn's expert; put it in header {@code larkwayStreamingCard}. */
    public StreamingCard streamingCard(Exchange exchange) {
        return new StreamingCard(exchange.getMessage());
    }

    /** Ends a streamed turn with the card's final update, or a plain reply when there is no card. */
    public void finishStream(Exchange exchange) {
        StreamingCard card = exchange.getMessage().getHeader("larkwayStreamingCard", StreamingCard.class);
        if (card == null || !card.finish(exchange.getMessage().getBody(String.class))) {
            reply(exchange);
        }
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
            long now = System.currentTimeMillis();
            if (!failed && (cardMessageId == null || now - lastUpdate >= config.streamUpdateIntervalMs())) {
                update(text, now);
            }
        }

        /** Writes the final text; answers false when the caller must send a plain reply instead. */
        boolean finish(String text) {
            if (cardMessageId == null || failed) {
                return false;
            }
            if (!text.equals(shown)) {
                update(text, System.currentTimeMillis());
            }
            if (!failed) {
                meters.counter("larkway.replies.sent", "integration", String.valueOf(turn.getHeader("larkwayIntegrationId"))).increment();
            }
            return !failed;
        }

        private void update(String text, long now) {
            try {
                if (cardMessageId == null) {
                    DeadLetters.Reply card = DeadLetters.Reply.of(turn, replies(turn), config.replyInThread(),
                            List.of(new DeadLetters.Part(uuid(turn, "card", 0), "interactive", card(text))));
                    cardMessageId = send(card, card.parts().get(0));
                } else {
                    calls.call(integration(turn).app(lark), "PATCH", "/open-apis/im/v1/messages/" + LarkPaths.segment(cardMessageId),
                            json.createObjectNode().put("content", card(text)));
                }
                shown = text;
                lastUpdate = now;
            } catch (RuntimeException e) {
                failed = true;
                LOG.warn("Streaming card failed integrationId={} message_id={}: {}", turn.getHeader("larkwayIntegrationId"),
                        turn.getHeader("larkwayMessageId"), LarkApiClient.unwrap(e).getMessage());
            }
        }
    }

    /** Sends every part; a reply that still fails is stored as a dead letter. Answers true when all went out. */
    public boolean deliver(Exchange exchange, DeadLetters.Reply reply) {
        String reason = send(exchange.getMessage(), reply);
        if (reason == null) {
            return true;
        }
        String id = deadLetters.store(reply, reason);
        LOG.warn("Reply failed integrationId={} message_id={} deadLetter={}: {}", reply.integrationId(), reply.messageId(), id, reason);
        errors.record(reply.integrationId(), "reply", "reply failed, dead letter " + id + ": " + reason, reply.messageId());
        exchange.getMessage().setHeader("larkwayReplyFailed", true);
        return false;
    }

    /** Sends every part in order (uuids make parts that went out before no-ops); answers null, or why it failed. */
    String send(Message m, DeadLetters.Reply reply) {
        for (DeadLetters.Part part : reply.parts()) {
            try {
                m.setHeader("larkwayReplyMessageId", send(reply, part));
            } catch (RuntimeException e) {
                meters.counter("larkway.replies.failed", "integration", reply.integrationId()).increment();
                return e instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException
                        ? "circuit breaker open for this integration" : LarkApiClient.unwrap(e).getMessage();
            }
        }
        meters.counter("larkway.replies.sent", "integration", reply.integrationId()).increment();
        LOG.info("Reply sent integrationId={} message_id={} parts={}", reply.integrationId(), reply.messageId(), reply.parts().size());
        return null;
    }

    /** One part: a reply to the message, or a message to the chat. Answers the new message id. */
    String send(DeadLetters.Reply reply, DeadLetters.Part part) {
        Integration integration = integrations.find(reply.integrationId())
                .orElseThrow(() -> new IllegalStateException("integration " + reply.integrationId() + " no longer exists"));
        ObjectNode body = json.createObjectNode().put("msg_type", part.msgType()).put("content", part.content()).put("uuid", part.uuid());
        if (reply.asReply()) {
            return calls.replyTo(integration.app(lark), reply.messageId(), body.put("reply_in_thread", reply.inThread()));
        }
        return calls.sendMessage(integration.app(lark), "chat_id", body.put("receive_id", reply.chatId()));
    }

    private boolean replies(Message m) {
        return !"p2p".equals(m.getHeader("larkwayChatType")) || config.replyInP2p();
    }

    private String card(String text) {
        ObjectNode card = json.createObjectNode();
        card.putObject("config").put("wide_screen_mode", true).put("update_multi", true);
        card.putArray("elements").addObject().put("tag", "markdown").put("content", text);
        return card.toString();
    }

    /** Stable per (inbound message, kind, part): Lark keeps one message per uuid for an hour. */
    static String uuid(Message m, String kind, int part) {
        return LarkProducer.uuid(m.getHeader("larkwayIntegrationId", String.class), m.getHeader("larkwayMessageId", String.class), kind, part);
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

    private Integration integration(Message m) {
        String id = m.getHeader("larkwayIntegrationId", String.class);
        return integrations.find(id).orElseThrow(() -> new IllegalStateException("integration " + id + " no longer exists"));
    }

    private void failedSideCall(String integrationId, String messageId, String what, RuntimeException e) {
        String reason = e instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException ? "circuit breaker open"
                : LarkApiClient.unwrap(e).getMessage();
        LOG.warn("{} failed integrationId={} message_id={}: {}", what, integrationId, messageId, reason);
        errors.record(integrationId, "reply", what + " failed: " + reason, messageId);
    }
}
