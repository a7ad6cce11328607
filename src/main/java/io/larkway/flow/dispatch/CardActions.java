package io.larkway.flow.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.admin.Trigger;
import io.larkway.admin.Triggers;
import io.larkway.camel.lark.LarkEvent;
import io.larkway.flow.AcceptedEvent;
import io.larkway.flow.FlowHeaders;
import io.larkway.flow.SystemTexts;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Card actions ({@code card.action.trigger}, PRODUCT.md §11): the answer Lark shows the user at once
 * (a toast in the integration's preferred language, given once the callback is durably accepted),
 * and the facts that make the action a turn for the expert in the card's chat scope, answered as a
 * reply to the card message. The decisions are in routes/30-dispatch.yaml.
 */
@Component
public class CardActions {
    private static final Logger LOG = LoggerFactory.getLogger(CardActions.class);
    public static final String TOAST = "card-action-toast";
    /** Longest text a card action puts into its turn. */
    static final int MAX_TEXT = 4000;

    private final Integrations integrations;
    private final Triggers triggers;
    private final SystemTexts texts;
    private final ObjectMapper json;
    private final JdbcClient db;

    public CardActions(Integrations integrations, Triggers triggers, SystemTexts texts, ObjectMapper json, JdbcClient db) {
        this.integrations = integrations;
        this.triggers = triggers;
        this.texts = texts;
        this.json = json;
        this.db = db;
    }

    /**
     * Property {@link FlowHeaders#CALLBACK_ANSWER}: the long connection's answer for a card action
     * ({@code {"toast":{"type":"info","content":…}}}), none for any other event. Body: the {@link LarkEvent},
     * header {@link FlowHeaders#INTEGRATION_ID}. (A bean step, not a {@code setProperty} with a bean expression:
     * that copies the whole exchange twice on every event.)
     */
    public void callbackAnswer(Exchange exchange) {
        exchange.setProperty(FlowHeaders.CALLBACK_ANSWER, answer(exchange));
    }

    /** Property {@link FlowHeaders#CALLBACK_ANSWER}: the webhook's 200 body, the card action's answer, else {@code {}}. */
    public void webhookAnswer(Exchange exchange) {
        String answer = answer(exchange);
        exchange.setProperty(FlowHeaders.CALLBACK_ANSWER, answer == null ? "{}" : answer);
    }

    private String answer(Exchange exchange) {
        Message m = exchange.getMessage();
        if (!(m.getBody() instanceof LarkEvent event) || !event.isCardAction()) {
            return null;
        }
        String toast = texts.text(TOAST, texts.language(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class)));
        if (toast.isEmpty()) {
            return "{}";
        }
        var answer = json.createObjectNode();
        answer.putObject("toast").put("type", "info").put("content", toast);
        return answer.toString();
    }

    /**
     * Sets the routing headers of an accepted card action (body: its event JSON): chat and scope of
     * the card's chat, the operator as sender, the card message as the message to reply to, the
     * trigger and header {@link FlowHeaders#ACTION}; the body becomes the turn's text.
     */
    public void facts(Exchange exchange) throws Exception {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        JsonNode event = AcceptedEvent.json(exchange, json);
        JsonNode action = event.path("action");
        String operator = text(event.path("operator").path("open_id"));
        String chatId = text(event.path("context").path("open_chat_id"));
        String cardMessageId = text(event.path("context").path("open_message_id"));
        // the callback does not say the chat's type: the chat's session does (a direct chat's scope is its user)
        // (a topic thread's session, threadSessions: the newest of the chat's; its answer goes into the thread)
        Map<String, String> known = chatId == null ? null : db.sql("SELECT chat_type, scope_key, thread_id FROM sessions WHERE integration_id = ? AND chat_id = ? "
                + "ORDER BY updated_at DESC").params(integrationId, chatId).query((rs, n) -> {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("type", rs.getString(1));
                    row.put("scope", rs.getString(2));
                    row.put("thread", rs.getString(3));
                    return row;
                }).list().stream().findFirst().orElse(null);
        String chatType = known == null ? "group" : known.get("type");
        if (known != null && known.get("thread") != null) {
            m.setHeader(FlowHeaders.THREAD_ID, known.get("thread"));
        }
        m.setHeader(FlowHeaders.CHAT_TYPE, chatType);
        m.setHeader(FlowHeaders.CHAT_ID, chatId);
        m.setHeader(FlowHeaders.SENDER_OPEN_ID, operator);
        m.setHeader(FlowHeaders.SCOPE_KEY, known != null ? known.get("scope") : "p2p".equals(chatType) ? operator : chatId);
        m.setHeader(FlowHeaders.MESSAGE_ID, cardMessageId);
        m.setHeader(FlowHeaders.MESSAGE_IDS, cardMessageId);
        m.setHeader(FlowHeaders.ACTION_ID, m.getHeader(FlowHeaders.EVENT_ID));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("value", json.treeToValue(action.path("value"), Object.class));
        a.put("tag", text(action.path("tag")));
        a.put("option", text(action.path("option")));
        a.put("formValue", json.treeToValue(action.path("form_value"), Object.class));
        a.put("inputValue", text(action.path("input_value")));
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("openId", operator);
        op.put("name", text(event.path("operator").path("name")));
        a.put("operator", op);
        m.setHeader(FlowHeaders.ACTION, a);
        Integration integration = integrations.find(integrationId).orElse(null);
        Trigger trigger = integration == null || !integration.enabled() ? null : triggers.publishedFor(integrationId).orElse(null);
        if (trigger != null) {
            m.setHeader(FlowHeaders.TRIGGER_ID, trigger.id());
            m.setHeader(FlowHeaders.EXPERT_ID, trigger.expertId());
            m.setHeader(FlowHeaders.SESSION_TIMEOUT_SECONDS, trigger.sessionTimeoutSeconds());
            // who and where the trigger answers: a click counts as a message would (routes/30-dispatch.yaml, trigger-scope)
            m.setHeader(FlowHeaders.DIRECT_MODE, trigger.directMode().name());
            m.setHeader(FlowHeaders.GROUP_MODE, trigger.groupMode().name());
            m.setHeader(FlowHeaders.USER_SELECTED, operator != null && trigger.directUsers().contains(operator));
            m.setHeader(FlowHeaders.CHAT_SELECTED, chatId != null && trigger.groupChats().contains(chatId));
        }
        // what an expert that reads only text sees: the input, the option chosen, or the button's value
        String text = a.get("inputValue") != null ? (String) a.get("inputValue") : a.get("option") != null ? (String) a.get("option")
                : action.path("value").isTextual() ? action.path("value").asText() : action.path("value").isMissingNode() ? "" : action.path("value").toString();
        m.setBody(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text);
        LOG.debug("Card action integrationId={} message_id={} tag={}", integrationId, cardMessageId, a.get("tag"));
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() && !node.asText().isEmpty() ? node.asText() : null;
    }
}
