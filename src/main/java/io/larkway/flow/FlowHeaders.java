package io.larkway.flow;

/**
 * The flow's header (and exchange property) names, one vocabulary for the Java beans; the routes under
 * {@code routes/} use the same names as literals ({@code ${header.larkwayIntegrationId}}). The lark component has its
 * own {@code CamelLark*} headers; the app tells it which of these carry the integration and message ids.
 */
public final class FlowHeaders {
    // Ingress and inbox: the accepted event, its row in {@code inbound_events} and what became of it; strings, so they
    // survive JDBC aggregation.
    public static final String INTEGRATION_ID = "larkwayIntegrationId";
    public static final String EVENT_ID = "larkwayEventId";
    public static final String EVENT_TYPE = "larkwayEventType";
    public static final String MESSAGE_ID = "larkwayMessageId";
    public static final String INBOX_ID = "larkwayInboxId";
    /** Accepted, duplicate or stale. */
    public static final String OUTCOME = "larkwayOutcome";
    /** The claim an event was queued with (epoch ms); dispatch takes it only if still unchanged. */
    public static final String INBOX_CLAIMED_UNTIL = "larkwayInboxClaimedUntil";
    public static final String INBOX_TAKEN = "larkwayInboxTaken";
    /** Exchange property: the answer Lark gets for the event (the webhook's 200 body, a card action's toast in the long connection's ack). */
    public static final String CALLBACK_ANSWER = "larkwayCallbackAnswer";
    /** Exchange property: what the webhook receiver made of a request ({@code event}, {@code challenge} or {@code rejected}). */
    public static final String WEBHOOK = "larkwayWebhook";
    /**
     * Exchange property: the accepted event's body and its JSON as the ingress parsed it ({@code Map.Entry<String,
     * JsonNode>}), so that dispatch need not parse the body again while the body is still that one ({@link
     * AcceptedEvent}); only on an event handed on at once (one resumed from the database has its body alone).
     */
    public static final String EVENT_JSON = "larkwayEventJson";

    // Dispatch: the facts of the message and of the integration's published trigger, the routing decisions.
    public static final String CHAT_TYPE = "larkwayChatType";
    /** The integration's preferred language ({@code en}, {@code zh-Hans}, {@code ja}), as a camel expert gets it. */
    public static final String LANGUAGE = "larkwayLanguage";
    public static final String CHAT_ID = "larkwayChatId";
    public static final String SENDER_OPEN_ID = "larkwaySenderOpenId";
    public static final String MESSAGE_TYPE = "larkwayMessageType";
    public static final String FROM_BOT = "larkwayFromBot";
    public static final String SCOPE_KEY = "larkwayScopeKey";
    public static final String ROOT_ID = "larkwayRootId";
    /** The topic thread a trigger with threadSessions scopes the message to (thread_id, else root_id); answers go into it. */
    public static final String THREAD_ID = "larkwayThreadId";
    /** The sender is a bot or app other than ours (its messages count only with acceptBotMessages and an @mention of ours). */
    public static final String ACCEPT_BOTS = "larkwayAcceptBots";
    /** The sender is our own bot: always dropped. */
    public static final String FROM_OWN_BOT = "larkwayFromOwnBot";
    public static final String TRIGGER_ID = "larkwayTriggerId";
    public static final String EXPERT_ID = "larkwayExpertId";
    public static final String DIRECT_MODE = "larkwayDirectMode";
    public static final String GROUP_MODE = "larkwayGroupMode";
    public static final String REPLY_STRATEGY = "larkwayReplyStrategy";
    public static final String USER_SELECTED = "larkwayUserSelected";
    public static final String CHAT_SELECTED = "larkwayChatSelected";
    public static final String WINDOW_SECONDS = "larkwayWindowSeconds";
    public static final String SESSION_TIMEOUT_SECONDS = "larkwaySessionTimeoutSeconds";
    public static final String BOT_KNOWN = "larkwayBotKnown";
    public static final String MENTIONED = "larkwayMentioned";
    /**
     * A card action's turn: {@code action{value, tag, option, formValue, inputValue, operator{openId, name}}} (a Map) that
     * the expert request carries as {@code action}.
     */
    public static final String ACTION = "larkwayAction";
    /** A card action's event id: the reply's idempotency uuid comes from it (each click on one card gets its own answer). */
    public static final String ACTION_ID = "larkwayActionId";
    /** Why the message is dropped. */
    public static final String DROP = "larkwayDrop";
    /**
     * Exchange property: the event cannot be routed yet (the bot identity it needs is being fetched); the inbox gives it
     * back to be dispatched again shortly (EventInbox.defer).
     */
    public static final String DEFERRED = "larkwayDeferred";

    // Window: the messages merged into one turn and the window's timing.
    public static final String MESSAGE_IDS = "larkwayMessageIds";
    /** The turn's messages as JSON (an array of MessageText.describe's objects), merged by the window and the waiting queue (TurnMessages). */
    public static final String TURN_MESSAGES = "larkwayTurnMessages";
    public static final String WINDOW_TIMEOUT_MS = "larkwayWindowTimeoutMs";
    public static final String WINDOW_OPENED_AT = "larkwayWindowOpenedAt";
    public static final String WINDOW_UPDATED_AT = "larkwayWindowUpdatedAt";
    /** The window's messages one by one (JSON [{id, text, sender}]), so a recalled one can be taken out (Lifecycle). */
    public static final String WINDOW_PARTS = "larkwayWindowParts";

    // Converse: the session, its conversation, the turn claim and a user's command.
    public static final String SESSION_ID = "larkwaySessionId";
    public static final String CONVERSATION_ID = "larkwayConversationId";
    /** The turn that took the waiting messages it answers. */
    public static final String TURN_TOKEN = "larkwayTurnToken";
    public static final String TURN = "larkwayTurn";
    public static final String NEXT_TURN = "larkwayNextTurn";
    /** A user's session command ({@code new}). */
    public static final String COMMAND = "larkwayCommand";
    public static final String STREAMING_CARD = "larkwayStreamingCard";
    /** Exchange property: the turn's expert call broke off because this instance is stopping; the turn is left to be run again. */
    public static final String TURN_LEFT = "larkwayTurnLeft";

    // Reply: what the reply stage sent or failed to send.
    /** The Typing reaction's id, a future completed by the add (reply stage). */
    public static final String TYPING = "larkwayTyping";
    /** The reply being sent: its parts and uuids (reply stage). */
    public static final String REPLY = "larkwayReply";
    /** How the expert wants its answer shown: text, markdown, card (io.larkway.expert.ExpertAnswer), or absent (larkway.reply.format decides). */
    public static final String ANSWER_FORMAT = "larkwayAnswerFormat";
    /** Exchange property: the turn's question and the expert's answer ({@code flow.converse.TurnHistory}), written with the turn's end. */
    public static final String TURN_HISTORY = "larkwayTurnHistory";
    /** Why a reply failed, for its dead letter (reply stage). */
    public static final String REPLY_FAILURE = "larkwayReplyFailure";
    private FlowHeaders() {
    }
}
