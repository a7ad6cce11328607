package io.larkway.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Lark's card callbacks ({@code card.action.trigger}, schema 2.0) as the platform sends them when
 * someone clicks a button or submits a form in a card the bot sent: the plain envelope, for the
 * webhook ({@link WebhookSender#wrap}) and for the long connection
 * ({@link LarkWebSocketServer#pushCard}). Field names as the official SDK's
 * {@code com.lark.oapi.event.cardcallback.model.P2CardActionTrigger} reads them.
 */
public final class CardCallbacks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CardCallbacks() {
    }

    /**
     * A button click: {@code value} (a JSON object) on the card {@code cardMessageId} in chat {@code chatId},
     * by {@code operatorOpenId}; {@code token} the app's Verification Token (as in the header of every callback).
     */
    public static ObjectNode buttonClick(String appId, String token, String eventId, String cardMessageId, String chatId, String operatorOpenId,
            ObjectNode value, Instant created) {
        ObjectNode envelope = JSON.createObjectNode().put("schema", "2.0");
        envelope.putObject("header").put("event_id", eventId).put("event_type", "card.action.trigger")
                // card callbacks give create_time in microseconds (events in milliseconds)
                .put("create_time", String.valueOf(created.toEpochMilli() * 1000)).put("token", token).put("app_id", appId)
                .put("tenant_key", "tenant-1");
        ObjectNode event = envelope.putObject("event");
        event.putObject("operator").put("tenant_key", "tenant-1").put("user_id", "u_" + operatorOpenId).put("open_id", operatorOpenId)
                .put("union_id", "on_" + operatorOpenId);
        event.put("token", "c-" + eventId);
        ObjectNode action = event.putObject("action");
        action.set("value", value);
        action.put("tag", "button");
        event.put("host", "im_message");
        event.putObject("context").put("open_message_id", cardMessageId).put("open_chat_id", chatId);
        return envelope;
    }
}
