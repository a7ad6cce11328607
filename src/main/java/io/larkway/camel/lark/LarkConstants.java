package io.larkway.camel.lark;

import org.apache.camel.spi.Metadata;

/**
 * Headers of the {@code lark} component, one {@code CamelLark*} vocabulary in both directions.
 * The consumer sets {@link #INTEGRATION_ID}, {@link #APP_ID}, {@link #FRAME_MESSAGE_ID},
 * {@link #TRACE_ID} and {@link #FRAME_TYPE} on every event exchange (the body is the
 * {@link LarkEvent}). The producer reads the others; a header, when present, wins over the
 * endpoint option of the same meaning. Where neither is given, the producer can fall back to the
 * application's own headers (options {@code integrationIdHeader}, {@code messageIdHeader}).
 */
public final class LarkConstants {
    @Metadata(description = "The integration (app owner) an event arrived for (consumer); for the producer, the integration that calls Lark,"
            + " winning over option integrationId, which wins over the integrationIdHeader fallback.", javaType = "String")
    public static final String INTEGRATION_ID = "CamelLarkIntegrationId";
    @Metadata(label = "consumer", description = "The Lark App ID of the integration.", javaType = "String")
    public static final String APP_ID = "CamelLarkAppId";
    @Metadata(label = "consumer", description = "The frame's message_id header (Lark's delivery id, not the chat message id).", javaType = "String")
    public static final String FRAME_MESSAGE_ID = "CamelLarkFrameMessageId";
    @Metadata(label = "consumer", description = "The frame's trace_id header, for correlating with Lark support.", javaType = "String")
    public static final String TRACE_ID = "CamelLarkTraceId";
    @Metadata(label = "consumer", description = "The data frame type: event or card.", javaType = "String")
    public static final String FRAME_TYPE = "CamelLarkFrameType";
    @Metadata(label = "consumer", description = "What the exchange carries: event (an event subscription) or card_action (a card.action.trigger"
            + " callback, on a frame of type card or event).", javaType = "String", enums = "event,card_action")
    public static final String EVENT_KIND = "CamelLarkEventKind";
    /** {@link #EVENT_KIND} of an event. */
    public static final String KIND_EVENT = "event";
    /** {@link #EVENT_KIND} of a card callback. */
    public static final String KIND_CARD_ACTION = "card_action";
    @Metadata(label = "consumer", description = "Set by the route for a card_action: the callback's answer (a JSON object as String, e.g."
            + " {\"toast\":{\"type\":\"info\",\"content\":\"…\"}}), sent to Lark in the ack's data.", javaType = "String")
    public static final String CALLBACK_RESPONSE = "CamelLarkCallbackResponse";

    @Metadata(label = "producer", description = "For send: the chat or user to send to; wins over option receiveId.", javaType = "String")
    public static final String RECEIVE_ID = "CamelLarkReceiveId";
    @Metadata(label = "producer", description = "For send: chat_id, open_id, user_id, union_id or email; wins over option receiveIdType.",
            javaType = "String")
    public static final String RECEIVE_ID_TYPE = "CamelLarkReceiveIdType";
    @Metadata(label = "producer", description = "Lark's msg_type of the body (text, post, interactive, …); wins over option msgType.", javaType = "String")
    public static final String MSG_TYPE = "CamelLarkMsgType";
    @Metadata(label = "producer", description = "The message to reply to, react on (fallback: the header named by option messageIdHeader) or patch (no fallback).",
            javaType = "String")
    public static final String MESSAGE_ID = "CamelLarkMessageId";
    @Metadata(label = "producer", description = "For addReaction: the emoji_type; wins over option emojiType.", javaType = "String")
    public static final String EMOJI_TYPE = "CamelLarkEmojiType";
    @Metadata(label = "producer", description = "Set by addReaction to the new reaction's id; read by removeReaction.", javaType = "String")
    public static final String REACTION_ID = "CamelLarkReactionId";
    @Metadata(label = "producer", description = "For send and reply: the idempotency uuid Lark keeps for an hour (at most 50 characters);"
            + " without it one is derived from the inbound message id, the operation, the msg_type, the receiver and CamelLarkPart.",
            javaType = "String")
    public static final String UUID = "CamelLarkUuid";
    @Metadata(label = "producer", description = "For send and reply: the part number that goes into the derived uuid, so the parts of one answer are distinct messages.",
            javaType = "Integer", defaultValue = "0")
    public static final String PART = "CamelLarkPart";
    @Metadata(label = "producer", description = "Set by send and reply to the id of the message Lark created (or already had for this uuid).",
            javaType = "String")
    public static final String RESPONSE_MESSAGE_ID = "CamelLarkResponseMessageId";

    @Metadata(label = "producer", description = "For send and reply: the chat the message goes to, when the receiver or replied-to message does"
            + " not say it; keys the per-chat rate limit.", javaType = "String")
    public static final String CHAT_ID = "CamelLarkChatId";
    @Metadata(label = "producer", description = "Set by uploadImage to the image_key of the uploaded image.", javaType = "String")
    public static final String IMAGE_KEY = "CamelLarkImageKey";
    @Metadata(label = "producer", description = "Set by createCard to the new card entity's id; read by updateCardElement and updateCardSettings.",
            javaType = "String")
    public static final String CARD_ID = "CamelLarkCardId";
    @Metadata(label = "producer", description = "For updateCardElement: the element_id of the element to update.", javaType = "String")
    public static final String ELEMENT_ID = "CamelLarkElementId";
    @Metadata(label = "producer", description = "For updateCardElement and updateCardSettings: the card's operation sequence, strictly increasing per card.",
            javaType = "Integer")
    public static final String SEQUENCE = "CamelLarkSequence";

    private LarkConstants() {
    }
}
