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
