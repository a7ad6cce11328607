package io.larkway.sandbox;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The made-up world of one sandbox integration, in memory and bounded: three users (fixed), a direct
 * chat with each and one group (fixed), at most {@code maxMessages} messages and {@link #MAX_CHARS} characters
 * of content (the oldest dropped first,
 * with their reactions; at most {@link #MAX_REACTIONS} reactions a message), at most {@link #MAX_TOKENS}
 * live tenant tokens. Every change is handed to {@code changes} (the chat window's event stream).
 */
public final class SandboxState {
    public static final int MAX_REACTIONS = 20;
    public static final int MAX_TOKENS = 8;
    /** The most content (characters) a sandbox keeps in all, the oldest messages dropped first: sandboxes are in memory, many a tenant. */
    public static final int MAX_CHARS = 1 << 20;
    public static final long TOKEN_SECONDS = 7200;
    /** The largest image a sandbox takes (Spring's multipart default, 1 MB, stops larger ones before) and how many bytes of images it keeps. */
    public static final int MAX_IMAGE_BYTES = 1024 * 1024;
    public static final int MAX_IMAGES = 16;
    public static final long MAX_IMAGES_BYTES = 8L * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    public record User(String openId, String name) {
    }

    /** A chat: {@code p2p} with one user ({@code userId}), or the {@code group} every user and the bot are in. */
    public record Chat(String chatId, String type, String name, String userId) {
    }

    public record Reaction(String reactionId, String emoji, String operatorId) {
    }

    /** A message; {@code senderId} is a user's open_id or the bot's app id ({@code fromBot}). */
    public static final class Message {
        public final String messageId;
        public final String chatId;
        public final String senderId;
        public final boolean fromBot;
        public final String msgType;
        public final String parentId;
        public final long createTime;
        public volatile String content;
        public volatile long updateTime;
        public final Map<String, Reaction> reactions = new LinkedHashMap<>();

        Message(String messageId, String chatId, String senderId, boolean fromBot, String msgType, String content, String parentId, long at) {
            this.messageId = messageId;
            this.chatId = chatId;
            this.senderId = senderId;
            this.fromBot = fromBot;
            this.msgType = msgType;
            this.content = content;
            this.parentId = parentId;
            this.createTime = at;
            this.updateTime = at;
        }
    }

    /**
     * A CardKit card entity ({@code POST /open-apis/cardkit/v1/cards}): its card JSON as it shows now (element
     * contents applied), the last sequence applied and whether it streams; guarded by the state's lock.
     */
    public static final class Card {
        public final String cardId;
        final com.fasterxml.jackson.databind.node.ObjectNode json;
        int sequence = Integer.MIN_VALUE;

        Card(String cardId, com.fasterxml.jackson.databind.node.ObjectNode json) {
            this.cardId = cardId;
            this.json = json;
        }
    }

    /** An uploaded image ({@code POST /open-apis/im/v1/images}). */
    public record Image(String imageKey, byte[] bytes) {
    }

    /** A change for the chat window: {@code message.created}, {@code message.updated}, {@code reaction.added}, {@code reaction.removed}. */
    public record Change(String type, Message message, Reaction reaction) {
    }

    private final String integrationId;
    private final String botOpenId;
    private final int maxMessages;
    private final Consumer<Change> changes;
    private final List<User> users;
    private final List<Chat> chats;
    private final LinkedHashMap<String, Message> messages = new LinkedHashMap<>();
    /** Send idempotency (Lark keeps a uuid an hour): uuid → message id, bounded like the messages. */
    private final LinkedHashMap<String, String> byUuid = new LinkedHashMap<>();
    private final LinkedHashMap<String, Long> tokens = new LinkedHashMap<>();
    /** Card entities, at most {@code maxMessages} (the oldest dropped first). */
    private final LinkedHashMap<String, Card> cards = new LinkedHashMap<>();
    /** Uploaded images, at most {@link #MAX_IMAGES} and {@link #MAX_IMAGES_BYTES} together (the oldest dropped first). */
    private final LinkedHashMap<String, Image> images = new LinkedHashMap<>();
    private long imageBytes;
    /** The characters of content of the kept messages. */
    private long chars;

    SandboxState(String integrationId, int maxMessages, Consumer<Change> changes) {
        this.integrationId = integrationId;
        this.botOpenId = "ou_sandbox_bot_" + integrationId;
        this.maxMessages = Math.max(1, maxMessages);
        this.changes = changes;
        this.users = List.of(new User("ou_sandbox_ada", "Ada Lovelace"), new User("ou_sandbox_grace", "Grace Hopper"),
                new User("ou_sandbox_alan", "Alan Turing"));
        List<Chat> all = new ArrayList<>();
        users.forEach(u -> all.add(new Chat("oc_sandbox_p2p_" + u.openId().substring("ou_sandbox_".length()), "p2p", u.name(), u.openId())));
        all.add(new Chat("oc_sandbox_group", "group", "Sandbox group", null));
        this.chats = List.copyOf(all);
    }

    public String integrationId() {
        return integrationId;
    }

    public String botOpenId() {
        return botOpenId;
    }

    public List<User> users() {
        return users;
    }

    public List<Chat> chats() {
        return chats;
    }

    public Optional<User> user(String openId) {
        return users.stream().filter(u -> u.openId().equals(openId)).findFirst();
    }

    public Optional<Chat> chat(String chatId) {
        return chats.stream().filter(c -> c.chatId().equals(chatId)).findFirst();
    }

    /** The direct chat of a user (Lark's send with receive_id_type=open_id). */
    public Optional<Chat> p2pOf(String openId) {
        return chats.stream().filter(c -> openId.equals(c.userId())).findFirst();
    }

    /** A new tenant token valid {@link #TOKEN_SECONDS} from {@code nowMillis}; the oldest of more than {@link #MAX_TOKENS} is dropped. */
    public synchronized String issueToken(long nowMillis) {
        String token = "t-sandbox-" + random(16);
        tokens.put(token, nowMillis + TOKEN_SECONDS * 1000);
        while (tokens.size() > MAX_TOKENS) {
            tokens.remove(tokens.keySet().iterator().next());
        }
        return token;
    }

    public synchronized boolean tokenValid(String token, long nowMillis) {
        Long expires = token == null ? null : tokens.get(token);
        return expires != null && expires > nowMillis;
    }

    /** The messages kept, oldest first. */
    public synchronized List<Message> messages() {
        return List.copyOf(messages.values());
    }

    public synchronized Optional<Message> message(String messageId) {
        return Optional.ofNullable(messages.get(messageId));
    }

    /** A user's message (the chat window's); announced once it is kept. */
    public Message userMessage(String chatId, String userId, String content, long at) {
        Message m = new Message("om_sandbox_" + random(12), chatId, userId, false, "text", content, null, at);
        keep(m, null);
        return m;
    }

    /** A message of the bot; a {@code uuid} seen before answers the message it made then (nothing new). */
    public Message botMessage(String chatId, String appId, String msgType, String content, String parentId, String uuid, long at) {
        synchronized (this) {
            String earlier = uuid == null ? null : byUuid.get(uuid);
            if (earlier != null && messages.containsKey(earlier)) {
                return messages.get(earlier);
            }
        }
        Message m = new Message("om_sandbox_" + random(12), chatId, appId, true, msgType, content, parentId, at);
        keep(m, uuid);
        return m;
    }

    private void keep(Message m, String uuid) {
        synchronized (this) {
            messages.put(m.messageId, m);
            chars += m.content.length();
            trim();
            if (uuid != null) {
                byUuid.put(uuid, m.messageId);
                while (byUuid.size() > maxMessages) {
                    byUuid.remove(byUuid.keySet().iterator().next());
                }
            }
        }
        changes.accept(new Change("message.created", m, null));
    }

    /** Replaces a message's content (a card update); false when there is no such message. */
    public boolean patch(String messageId, String content, long at) {
        Message m;
        synchronized (this) {
            m = messages.get(messageId);
            if (m == null) {
                return false;
            }
            chars += content.length() - m.content.length();
            m.content = content;
            m.updateTime = at;
            trim();
        }
        changes.accept(new Change("message.updated", m, null));
        return true;
    }

    /** Drops the oldest messages while more than maxMessages or {@link #MAX_CHARS} are kept (the newest always stays). */
    private void trim() {
        while (messages.size() > maxMessages || chars > MAX_CHARS && messages.size() > 1) {
            Message oldest = messages.remove(messages.keySet().iterator().next());
            chars -= oldest.content.length();
        }
    }

    /** Adds a reaction; empty when there is no such message or it has {@link #MAX_REACTIONS} already. */
    public Optional<Reaction> react(String messageId, String emoji, String operatorId) {
        Message m;
        Reaction r = new Reaction("r_sandbox_" + random(10), emoji, operatorId);
        synchronized (this) {
            m = messages.get(messageId);
            if (m == null || m.reactions.size() >= MAX_REACTIONS) {
                return Optional.empty();
            }
            m.reactions.put(r.reactionId(), r);
        }
        changes.accept(new Change("reaction.added", m, r));
        return Optional.of(r);
    }

    /** Removes a reaction; empty when the message has no such reaction. */
    public Optional<Reaction> unreact(String messageId, String reactionId) {
        Message m;
        Reaction r;
        synchronized (this) {
            m = messages.get(messageId);
            r = m == null ? null : m.reactions.remove(reactionId);
        }
        if (r == null) {
            return Optional.empty();
        }
        changes.accept(new Change("reaction.removed", m, r));
        return Optional.of(r);
    }

    /** A new card entity showing {@code json}; the oldest of more than {@code maxMessages} is dropped. */
    public synchronized Card createCard(com.fasterxml.jackson.databind.node.ObjectNode json) {
        Card card = new Card("7" + random(9), json);
        cards.put(card.cardId, card);
        while (cards.size() > maxMessages) {
            cards.remove(cards.keySet().iterator().next());
        }
        return card;
    }

    public synchronized Optional<Card> card(String cardId) {
        return Optional.ofNullable(cardId == null ? null : cards.get(cardId));
    }

    /** What changing a card entity answers: done, or Lark's refusal (code and message). */
    public record CardChange(int code, String msg) {
        static final CardChange DONE = new CardChange(0, "success");
    }

    /**
     * Applies {@code change} to the card with a {@code sequence} above every earlier one (Lark's rule), then announces
     * {@code message.updated} for every kept message that shows the card.
     */
    public CardChange changeCard(Card card, int sequence, java.util.function.Function<com.fasterxml.jackson.databind.node.ObjectNode, CardChange> change,
            long at) {
        List<Message> showing = new ArrayList<>();
        synchronized (this) {
            if (card.sequence != Integer.MIN_VALUE && sequence <= card.sequence) {
                return new CardChange(300317, "sequence number compare failed");
            }
            CardChange done = change.apply(card.json);
            if (done.code() != 0) {
                return done;
            }
            card.sequence = sequence;
            for (Message m : messages.values()) {
                if (m.fromBot && card.cardId.equals(cardIdOf(m))) {
                    m.updateTime = at;
                    showing.add(m);
                }
            }
        }
        showing.forEach(m -> changes.accept(new Change("message.updated", m, null)));
        return CardChange.DONE;
    }

    /** The card JSON a message shows: a card entity's as it is now, else null (the message's content is the card). */
    public synchronized String cardJson(Message m) {
        Card card = "interactive".equals(m.msgType) ? cards.get(cardIdOf(m)) : null;
        return card == null ? null : card.json.toString();
    }

    /** The card_id of an interactive message's {@code {"type":"card","data":{"card_id":…}}}, else null. */
    static String cardIdOf(Message m) {
        String c = m.content;
        if (!"interactive".equals(m.msgType) || c == null || !c.contains("card_id")) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = CARD_READER.readTree(c);
            return "card".equals(n.path("type").asText()) ? n.path("data").path("card_id").asText(null) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CARD_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Keeps an uploaded image; the oldest go when there are more than {@link #MAX_IMAGES} or {@link #MAX_IMAGES_BYTES}. */
    public synchronized Image image(byte[] bytes) {
        Image image = new Image("img_v3_sandbox_" + random(10), bytes);
        images.put(image.imageKey(), image);
        imageBytes += bytes.length;
        while (images.size() > MAX_IMAGES || imageBytes > MAX_IMAGES_BYTES) {
            Image oldest = images.remove(images.keySet().iterator().next());
            imageBytes -= oldest.bytes().length;
        }
        return image;
    }

    public synchronized Optional<Image> image(String imageKey) {
        return Optional.ofNullable(imageKey == null ? null : images.get(imageKey));
    }

    /** A copy of a message's reactions, for reading outside the lock. */
    public synchronized List<Reaction> reactions(Message m) {
        return List.copyOf(m.reactions.values());
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
