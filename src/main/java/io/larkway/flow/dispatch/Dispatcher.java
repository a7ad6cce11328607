package io.larkway.flow.dispatch;

import io.larkway.flow.AcceptedEvent;
import io.larkway.flow.FlowHeaders;
import io.larkway.admin.Trigger;
import io.larkway.admin.Triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.camel.lark.client.BotInfo;
import io.larkway.platform.RecentErrors;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads the facts the dispatch route routes on from an {@code im.message.receive_v1} event and
 * the integration's published trigger, as headers: trigger, chat, sender, mention, allow-list
 * membership. The decisions themselves are in routes/30-dispatch.yaml.
 */
@Component
public class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Integrations integrations;
    private final Triggers triggers;
    private final BotIdentities bots;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final RecentErrors errors;
    private final io.larkway.flow.SystemTexts texts;
    private final ProvisionedUsers users;

    public Dispatcher(Integrations integrations, Triggers triggers, BotIdentities bots, ObjectMapper json, MeterRegistry meters, RecentErrors errors,
            io.larkway.flow.SystemTexts texts, ProvisionedUsers users) {
        this.users = users;
        this.texts = texts;
        this.integrations = integrations;
        this.triggers = triggers;
        this.bots = bots;
        this.json = json;
        this.meters = meters;
        this.errors = errors;
    }

    /** Sets the routing headers; the body becomes the prepared text. */
    public void facts(Exchange exchange) throws IOException {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        Integration integration = integrations.find(integrationId).orElse(null);
        Trigger trigger = integration == null || !integration.enabled() ? null : triggers.publishedFor(integrationId).orElse(null);
        JsonNode event = AcceptedEvent.json(exchange, json);
        JsonNode message = event.path("message");
        JsonNode sender = event.path("sender");
        String chatType = message.path("chat_type").asText("");
        String chatId = message.path("chat_id").asText("");
        String senderOpenId = sender.path("sender_id").path("open_id").asText("");
        m.setHeader(FlowHeaders.CHAT_TYPE, chatType);
        m.setHeader(FlowHeaders.CHAT_ID, chatId);
        m.setHeader(FlowHeaders.SENDER_OPEN_ID, senderOpenId);
        m.setHeader(FlowHeaders.MESSAGE_TYPE, message.path("message_type").asText(""));
        m.setHeader(FlowHeaders.FROM_BOT, !"user".equals(sender.path("sender_type").asText("user")));
        m.setHeader(FlowHeaders.SCOPE_KEY, "group".equals(chatType) ? chatId : senderOpenId);
        m.setHeader(FlowHeaders.ROOT_ID, message.path("root_id").asText(null));
        if (integration != null && "user".equals(sender.path("sender_type").asText("user"))) {
            users.seen(integration, senderOpenId);
        }
        if (trigger == null) {
            return;
        }
        m.setHeader(FlowHeaders.TRIGGER_ID, trigger.id());
        m.setHeader(FlowHeaders.EXPERT_ID, trigger.expertId());
        m.setHeader(FlowHeaders.DIRECT_MODE, trigger.directMode().name());
        m.setHeader(FlowHeaders.GROUP_MODE, trigger.groupMode().name());
        m.setHeader(FlowHeaders.REPLY_STRATEGY, trigger.groupReplyStrategy().name());
        m.setHeader(FlowHeaders.USER_SELECTED, trigger.directUsers().contains(senderOpenId));
        m.setHeader(FlowHeaders.CHAT_SELECTED, trigger.groupChats().contains(chatId));
        m.setHeader(FlowHeaders.WINDOW_SECONDS, trigger.aggregationWindowSeconds());
        m.setHeader(FlowHeaders.SESSION_TIMEOUT_SECONDS, trigger.sessionTimeoutSeconds());
        m.setHeader(FlowHeaders.ACCEPT_BOTS, trigger.acceptBotMessages());
        String thread = trigger.threadSessions() && "group".equals(chatType) ? thread(message) : null;
        if (thread != null) {
            // one session per topic thread, answered inside it
            m.setHeader(FlowHeaders.THREAD_ID, thread);
            m.setHeader(FlowHeaders.SCOPE_KEY, chatId + "#" + thread);
        }
        // only group chats need the bot's identity (mention_only); direct chats use it when already known. Never a Lark
        // call here: this is the inbox's one thread. An identity still being asked for defers the event (FlowHeaders.DEFERRED).
        BotInfo known = bots.cached(integrationId);
        String botOpenId = known == null ? null : known.openId();
        if (botOpenId == null && !"p2p".equals(chatType)) {
            BotIdentities.Lookup lookup = bots.lookUp(integration);
            if (lookup.pending()) {
                exchange.setProperty(FlowHeaders.DEFERRED, true);
                return;
            }
            if (lookup.bot() != null) {
                botOpenId = lookup.bot().openId();
            } else {
                LOG.warn("Bot info unavailable integrationId={} message_id={}: {}", integrationId, m.getHeader(FlowHeaders.MESSAGE_ID), lookup.unavailable());
                errors.record(integrationId, "dispatch", "bot info unavailable: " + lookup.unavailable(), m.getHeader(FlowHeaders.MESSAGE_ID, String.class));
            }
        }
        m.setHeader(FlowHeaders.BOT_KNOWN, botOpenId != null);
        m.setHeader(FlowHeaders.FROM_OWN_BOT, botOpenId != null && botOpenId.equals(senderOpenId));
        boolean mentioned = false;
        for (JsonNode mention : message.path("mentions")) {
            mentioned |= botOpenId != null && botOpenId.equals(mention.path("id").path("open_id").asText());
        }
        m.setHeader(FlowHeaders.MENTIONED, mentioned);
        // the message as the turn will see it (attachments, names and quotes are fetched at turn time, not here)
        com.fasterxml.jackson.databind.node.ObjectNode described = MessageText.describe(message, senderOpenId, botOpenId, json);
        m.setHeader(FlowHeaders.TURN_MESSAGES, described == null ? null : json.createArrayNode().add(described).toString());
        m.setBody(described == null ? null : described.path("text").asText());
    }

    /** The message's topic thread: thread_id, else root_id; null when none (or an id no Lark id is as long as). */
    private static String thread(JsonNode message) {
        String thread = message.path("thread_id").asText("");
        if (thread.isEmpty()) {
            thread = message.path("root_id").asText("");
        }
        return thread.isEmpty() || thread.length() > MAX_THREAD_ID_LENGTH ? null : thread;
    }

    /** Longer thread ids are not Lark's: such a message keeps its chat's scope (the scope key column is 200 wide). */
    private static final int MAX_THREAD_ID_LENGTH = 100;

    /** The body becomes the polite reply to an unsupported message, or null when none is configured. */
    public void unsupportedReply(Exchange exchange) {
        String reply = texts.reply(io.larkway.flow.SystemTexts.UNSUPPORTED_MESSAGE, exchange);
        exchange.getMessage().setBody(reply == null || reply.isBlank() ? null : reply);
    }

    /** Counts and logs a drop; the reason is header {@link FlowHeaders#DROP}. */
    public void dropped(@Header(FlowHeaders.INTEGRATION_ID) String integrationId, @Header(FlowHeaders.MESSAGE_ID) String messageId,
            @Header(FlowHeaders.DROP) String reason) {
        meters.counter("larkway.events.dropped", "integration", String.valueOf(integrationId), "reason", reason).increment();
        LOG.debug("Message dropped integrationId={} message_id={} reason={}", integrationId, messageId, reason);
    }
}
