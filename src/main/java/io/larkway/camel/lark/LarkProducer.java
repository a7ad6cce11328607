package io.larkway.camel.lark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkPaths;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/**
 * The {@code lark} producer: the endpoint's IM operation, every call through {@link LarkClient}
 * (cached tenant token, retries with backoff and jitter on 5xx / network / rate limiting, the
 * integration's circuit breaker). The body is left as it was; Lark's answer goes into headers
 * ({@link LarkConstants#RESPONSE_MESSAGE_ID}, {@link LarkConstants#REACTION_ID}). What still fails
 * becomes the exchange's exception: {@link io.larkway.camel.lark.client.LarkApiException} (Lark's code and
 * message; 4xx business errors are never retried), {@code CallNotPermittedException} while the
 * breaker is open, {@link IllegalArgumentException} for a missing integration, id or body.
 */
public class LarkProducer extends DefaultProducer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESSAGES = "/open-apis/im/v1/messages";
    private static final String CARDS = "/open-apis/cardkit/v1/cards";

    private final LarkConfiguration config;
    private final LarkOperation operation;

    public LarkProducer(LarkEndpoint endpoint) {
        super(endpoint);
        this.config = endpoint.getConfiguration();
        this.operation = LarkOperation.of(config.getOperation());
    }

    @Override
    public LarkEndpoint getEndpoint() {
        return (LarkEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        LarkApp app = app(m);
        switch (operation) {
            case send -> send(m, app);
            case reply -> reply(m, app);
            case patch -> patch(m, app);
            case addReaction -> addReaction(m, app);
            case removeReaction -> removeReaction(m, app);
            case uploadImage -> uploadImage(m, app);
            case createCard -> createCard(m, app);
            case updateCardElement -> updateCardElement(m, app);
            case updateCardSettings -> updateCardSettings(m, app);
            default -> throw new IllegalStateException("lark:" + operation + " has no producer");
        }
    }

    private void send(Message m, LarkApp app) {
        String type = option(m, LarkConstants.RECEIVE_ID_TYPE, config.getReceiveIdType());
        if (!LarkConfiguration.RECEIVE_ID_TYPES.contains(type)) {
            throw new IllegalArgumentException("Unknown receive id type '" + type + "': use one of " + LarkConfiguration.RECEIVE_ID_TYPES);
        }
        String receiveId = required(option(m, LarkConstants.RECEIVE_ID, config.getReceiveId()), "option receiveId or header " + LarkConstants.RECEIVE_ID);
        String msgType = msgType(m);
        ObjectNode body = content(m, msgType).put("receive_id", receiveId);
        putUuid(m, app, body, "send/" + msgType + "/" + type + "/" + receiveId);
        m.setHeader(LarkConstants.RESPONSE_MESSAGE_ID, getEndpoint().client().sendMessage(app, type, body,
                "chat_id".equals(type) ? receiveId : option(m, LarkConstants.CHAT_ID, type + ":" + receiveId)));
    }

    private void reply(Message m, LarkApp app) {
        String messageId = messageId(m);
        String msgType = msgType(m);
        ObjectNode body = content(m, msgType).put("reply_in_thread", config.isReplyInThread());
        putUuid(m, app, body, "reply/" + msgType);
        m.setHeader(LarkConstants.RESPONSE_MESSAGE_ID, getEndpoint().client().replyTo(app, messageId, body,
                m.getHeader(LarkConstants.CHAT_ID, String.class)));
    }

    /** Only the bot's own card can be updated, never the inbound message: so no fallback header. */
    private void patch(Message m, LarkApp app) {
        String messageId = required(m.getHeader(LarkConstants.MESSAGE_ID, String.class), "header " + LarkConstants.MESSAGE_ID + " (the card to update)");
        ObjectNode body = JSON.createObjectNode().put("content", json(m.getBody()));
        getEndpoint().client().call(app, "PATCH", MESSAGES + "/" + LarkPaths.segment(messageId), body);
    }

    private void addReaction(Message m, LarkApp app) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("reaction_type").put("emoji_type", option(m, LarkConstants.EMOJI_TYPE, config.getEmojiType()));
        JsonNode answer = getEndpoint().client().call(app, "POST", MESSAGES + "/" + LarkPaths.segment(messageId(m)) + "/reactions", body);
        m.setHeader(LarkConstants.REACTION_ID, answer.path("data").path("reaction_id").asText(null));
    }

    private void removeReaction(Message m, LarkApp app) {
        String reactionId = required(m.getHeader(LarkConstants.REACTION_ID, String.class), "header " + LarkConstants.REACTION_ID);
        getEndpoint().client().call(app, "DELETE", MESSAGES + "/" + LarkPaths.segment(messageId(m)) + "/reactions/" + LarkPaths.segment(reactionId), null);
    }

    private void uploadImage(Message m, LarkApp app) {
        byte[] image = required(m.getBody(byte[].class), "a body with the image's bytes");
        JsonNode answer = getEndpoint().client().call(app, "POST", "/open-apis/im/v1/images",
                new LarkApiClient.Multipart(Map.of("image_type", "message"), "image", "image", image));
        m.setHeader(LarkConstants.IMAGE_KEY, required(answer.path("data").path("image_key").asText(null), "an image_key in Lark's answer"));
    }

    private void createCard(Message m, LarkApp app) {
        ObjectNode body = JSON.createObjectNode().put("type", "card_json").put("data", json(m.getBody()));
        JsonNode answer = getEndpoint().client().call(app, "POST", CARDS, body);
        m.setHeader(LarkConstants.CARD_ID, required(answer.path("data").path("card_id").asText(null), "a card_id in Lark's answer"));
    }

    private void updateCardElement(Message m, LarkApp app) {
        String elementId = required(m.getHeader(LarkConstants.ELEMENT_ID, String.class), "header " + LarkConstants.ELEMENT_ID);
        ObjectNode body = JSON.createObjectNode().put("content", required(m.getBody(String.class), "a body with the element's text"))
                .put("sequence", sequence(m));
        getEndpoint().client().call(app, "PUT", card(m) + "/elements/" + LarkPaths.segment(elementId) + "/content", body);
    }

    private void updateCardSettings(Message m, LarkApp app) {
        ObjectNode body = JSON.createObjectNode().put("settings", json(m.getBody())).put("sequence", sequence(m));
        getEndpoint().client().call(app, "PATCH", card(m) + "/settings", body);
    }

    private String card(Message m) {
        return CARDS + "/" + LarkPaths.segment(required(m.getHeader(LarkConstants.CARD_ID, String.class), "header " + LarkConstants.CARD_ID));
    }

    private int sequence(Message m) {
        return required(m.getHeader(LarkConstants.SEQUENCE, Integer.class), "header " + LarkConstants.SEQUENCE + " (strictly increasing per card)");
    }

    /** Header, then option, then the configured fallback header (the application's own): explicit beats ambient. */
    private LarkApp app(Message m) {
        String id = m.getHeader(LarkConstants.INTEGRATION_ID, String.class);
        if (id == null) {
            id = config.getIntegrationId() != null ? config.getIntegrationId() : fallback(m, config.getIntegrationIdHeader());
        }
        String chosen = required(id, "option integrationId or header " + LarkConstants.INTEGRATION_ID + orHeader(config.getIntegrationIdHeader()));
        return getEndpoint().apps().app(chosen)
                .orElseThrow(() -> new IllegalArgumentException("lark:" + operation + ": no integration " + chosen));
    }

    private String messageId(Message m) {
        return required(inboundMessageId(m), "header " + LarkConstants.MESSAGE_ID + orHeader(config.getMessageIdHeader()));
    }

    private String inboundMessageId(Message m) {
        String id = m.getHeader(LarkConstants.MESSAGE_ID, String.class);
        return id != null ? id : fallback(m, config.getMessageIdHeader());
    }

    private static String fallback(Message m, String header) {
        return header == null ? null : m.getHeader(header, String.class);
    }

    private static String orHeader(String header) {
        return header == null ? "" : " or " + header;
    }

    private String msgType(Message m) {
        return option(m, LarkConstants.MSG_TYPE, config.getMsgType());
    }

    /** {@code msg_type} and {@code content}: a text body is wrapped, anything else must already be the content's JSON. */
    private ObjectNode content(Message m, String msgType) {
        Object body = m.getBody();
        String content = "text".equals(msgType) && !(body instanceof Map<?, ?>) && !(body instanceof JsonNode)
                ? JSON.createObjectNode().put("text", required(m.getBody(String.class), "a message body")).toString()
                : json(body);
        return JSON.createObjectNode().put("msg_type", msgType).put("content", content);
    }

    /**
     * The uuid header as given, else one derived from the inbound message, so a re-run of the same
     * exchange posts nothing new. Without an inbound message id every call posts.
     */
    private void putUuid(Message m, LarkApp app, ObjectNode body, String kind) {
        String uuid = m.getHeader(LarkConstants.UUID, String.class);
        String inbound = inboundMessageId(m);
        if (uuid == null && inbound != null) {
            uuid = uuid(app.owner(), inbound, kind, m.getHeader(LarkConstants.PART, 0, Integer.class));
        }
        if (uuid != null) {
            body.put("uuid", uuid);
        }
    }

    /** The body as a JSON object string: a String must parse as one, a Map, JsonNode or bean is serialised. */
    private String json(Object body) {
        JsonNode node;
        try {
            node = body instanceof String s ? JSON.readTree(s) : JSON.valueToTree(required(body, "a message body"));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("lark:" + operation + ": the body is not JSON (" + e.getMessage() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("lark:" + operation + ": the body must be a JSON object (the message content)");
        }
        return node.toString();
    }

    private static String option(Message m, String header, String option) {
        String value = m.getHeader(header, String.class);
        return value != null ? value : option;
    }

    private <T> T required(T value, String what) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new IllegalArgumentException("lark:" + operation + " needs " + what);
        }
        return value;
    }

    /**
     * The idempotency uuid of one outgoing message answering {@code inboundMessageId}: the same
     * integration, inbound message, kind and part always give the same uuid.
     */
    public static String uuid(String integrationId, String inboundMessageId, String kind, int part) {
        String key = integrationId + "/" + inboundMessageId + "/" + kind + "/" + part;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
