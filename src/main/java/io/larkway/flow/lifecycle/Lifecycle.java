package io.larkway.flow.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.admin.Trigger;
import io.larkway.admin.Triggers;
import io.larkway.flow.AcceptedEvent;
import io.larkway.flow.FlowHeaders;
import io.larkway.flow.SystemTexts;
import io.larkway.flow.converse.Conversations;
import io.larkway.flow.converse.WaitingMessages;
import io.larkway.flow.window.WindowParts;
import java.util.List;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The chat lifecycle events of PRODUCT.md §10, the state behind their branches in routes/30-dispatch.yaml: the bot
 * added to a chat ({@link #facts}: the welcome to send), removed from one ({@link #botRemoved}: the chat's sessions
 * end, its open windows and waiting messages go), a message recalled ({@link #recalled}: out of its open window or the
 * waiting queue).
 */
@Component("lifecycle")
public class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
    /** Another instance changed the window meanwhile: read it again, this often at most. */
    private static final int ATTEMPTS = 5;

    private final Integrations integrations;
    private final Triggers triggers;
    private final Conversations conversations;
    private final WaitingMessages waiting;
    private final JdbcAggregationRepository windows;
    private final JdbcClient db;
    private final ObjectMapper json;
    private final SystemTexts texts;

    public Lifecycle(Integrations integrations, Triggers triggers, Conversations conversations, WaitingMessages waiting,
            JdbcAggregationRepository windowRepository, JdbcClient db, ObjectMapper json, SystemTexts texts) {
        this.texts = texts;
        this.integrations = integrations;
        this.triggers = triggers;
        this.conversations = conversations;
        this.waiting = waiting;
        this.windows = windowRepository;
        this.db = db;
        this.json = json;
    }

    /**
     * The facts of a bot-added event as headers (chat, the published trigger's group settings); the body becomes the
     * trigger's welcomeMessage, else the text {@code welcome-message} in the integration's language, or null when both are empty.
     */
    public void facts(Exchange exchange) throws Exception {
        Message m = exchange.getMessage();
        String chatId = event(exchange).path("chat_id").asText("");
        m.setHeader(FlowHeaders.CHAT_ID, chatId);
        m.setHeader(FlowHeaders.CHAT_TYPE, "group");
        m.setBody(null);
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        Trigger trigger = integrations.find(integrationId).filter(Integration::enabled).flatMap(i -> triggers.publishedFor(integrationId)).orElse(null);
        if (trigger == null || chatId.isEmpty()) {
            return;
        }
        m.setHeader(FlowHeaders.TRIGGER_ID, trigger.id());
        m.setHeader(FlowHeaders.GROUP_MODE, trigger.groupMode().name());
        m.setHeader(FlowHeaders.CHAT_SELECTED, trigger.groupChats().contains(chatId));
        // the trigger's own welcome, else the operator's default in the integration's language (texts: welcome-message, empty = none)
        String welcome = trigger.welcomeMessage() != null ? trigger.welcomeMessage() : texts.reply(SystemTexts.WELCOME, exchange);
        m.setBody(welcome);
        LOG.info("Bot added to a chat integrationId={} chat_id={} welcome={}", integrationId, chatId, welcome != null);
    }

    /** The bot left the chat: its sessions' conversations end, their waiting messages and the chat's open windows are dropped. */
    public void botRemoved(Exchange exchange) throws Exception {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String chatId = event(exchange).path("chat_id").asText("");
        if (chatId.isEmpty()) {
            return;
        }
        int dropped = 0;
        // a window's key: integrationId|scopeKey|expertId, the scope of a group chat its chat id (a thread's: chatId#thread)
        for (String key : windowsOf(integrationId, k -> k.startsWith(integrationId + "|" + chatId + "|") || k.startsWith(integrationId + "|" + chatId + "#"))) {
            dropped += edit(exchange.getContext(), key, w -> true, true) ? 1 : 0;
        }
        List<String> sessions = db.sql("SELECT id FROM sessions WHERE integration_id = ? AND chat_id = ?").params(integrationId, chatId)
                .query(String.class).list();
        int waitingDropped = 0;
        for (String session : sessions) {
            waitingDropped += waiting.dropWaiting(session);
            conversations.rotate(session);
        }
        LOG.info("Bot removed from a chat integrationId={} chat_id={} sessions ended={} windows dropped={} waiting messages dropped={}",
                integrationId, chatId, sessions.size(), dropped, waitingDropped);
    }

    /** A recalled message leaves the open window that holds it (a window left empty makes no turn) or the waiting queue. */
    public void recalled(Exchange exchange) throws Exception {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String messageId = event(exchange).path("message_id").asText("");
        if (messageId.isEmpty()) {
            return;
        }
        boolean removed = false;
        for (String key : windowsOf(integrationId, k -> k.startsWith(integrationId + "|"))) {
            removed |= edit(exchange.getContext(), key, w -> WindowParts.without(w, messageId), false);
        }
        removed |= waiting.recalled(integrationId, messageId);
        LOG.info("Message recalled integrationId={} message_id={} removed={}", integrationId, messageId, removed);
    }

    private JsonNode event(Exchange exchange) throws Exception {
        return exchange.getMessage().getBody() == null ? json.createObjectNode() : AcceptedEvent.json(exchange, json);
    }

    private List<String> windowsOf(String integrationId, Predicate<String> key) {
        return windows.getKeys().stream().filter(key).toList();
    }

    /**
     * Changes the open window {@code key} with {@code change} (true: changed); {@code drop}, or a window left with no
     * message, drops it (its timeout then finds nothing to complete). Optimistic, as the aggregator itself: a window another instance
     * changed meanwhile is read again. True when the window was changed or dropped.
     */
    private boolean edit(CamelContext camel, String key, Predicate<Message> change, boolean drop) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Exchange window = windows.get(camel, key);
            if (window == null || !change.test(window.getMessage())) {
                return false;
            }
            try {
                if (drop || WindowParts.count(window.getMessage()) == 0) {
                    windows.remove(camel, key, window);
                    windows.confirm(camel, window.getExchangeId());
                } else {
                    windows.add(camel, key, window, window);
                }
                return true;
            } catch (RuntimeException raced) {
                LOG.debug("Window changed meanwhile, read again key={}", key, raced);
            }
        }
        LOG.warn("Window kept changing, left as it is key={}", key);
        return false;
    }
}
