package io.larkway.admin;

import java.time.Instant;
import java.util.List;

/** A Lark trigger: binds one integration to one expert, with the scopes it answers in. */
public record Trigger(String id, String orgId, String integrationId, String expertId, DirectMode directMode, List<String> directUsers,
        GroupMode groupMode, List<String> groupChats, ReplyStrategy groupReplyStrategy, int sessionTimeoutSeconds,
        int aggregationWindowSeconds, boolean threadSessions, boolean acceptBotMessages, String welcomeMessage, boolean published,
        Instant createdAt, Instant updatedAt) {
    /** The longest welcomeMessage (its column). */
    public static final int MAX_WELCOME_LENGTH = 2000;

    public enum DirectMode { all_users, selected_users, off }

    public enum GroupMode { all_chats, selected_chats, off }

    public enum ReplyStrategy { mention_only, all_messages }
}
