package io.larkway.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * The v2 envelopes of the chat lifecycle events, as Lark sends them through the webhook ({@link WebhookSender#wrap}) and
 * the long connection ({@link LarkWebSocketServer#push}); shapes as the SDK's {@code P2ChatMemberBotAddedV1},
 * {@code P2ChatMemberBotDeletedV1} and {@code P2MessageRecalledV1} (checked by LarkLifecycleEventsSdkTest).
 */
public final class LarkLifecycleEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LarkLifecycleEvents() {
    }

    /** {@code im.chat.member.bot.added_v1}: the bot was added to chat {@code chatId} by {@code operatorOpenId}. */
    public static ObjectNode botAdded(String appId, String verificationToken, String chatId, String operatorOpenId) {
        return member("im.chat.member.bot.added_v1", appId, verificationToken, chatId, operatorOpenId);
    }

    /** {@code im.chat.member.bot.deleted_v1}: the bot was removed from chat {@code chatId}. */
    public static ObjectNode botDeleted(String appId, String verificationToken, String chatId, String operatorOpenId) {
        return member("im.chat.member.bot.deleted_v1", appId, verificationToken, chatId, operatorOpenId);
    }

    /** {@code im.message.recalled_v1}: message {@code messageId} of chat {@code chatId} was recalled by its sender. */
    public static ObjectNode recalled(String appId, String verificationToken, String chatId, String messageId) {
        ObjectNode envelope = envelope("im.message.recalled_v1", appId, verificationToken);
        envelope.putObject("event").put("message_id", messageId).put("chat_id", chatId)
                .put("recall_time", String.valueOf(Instant.now().toEpochMilli())).put("recall_type", "message_owner");
        return envelope;
    }

    private static ObjectNode member(String type, String appId, String verificationToken, String chatId, String operatorOpenId) {
        ObjectNode envelope = envelope(type, appId, verificationToken);
        ObjectNode event = envelope.putObject("event").put("chat_id", chatId);
        event.putObject("operator_id").put("open_id", operatorOpenId).put("union_id", "on_" + operatorOpenId).put("user_id", "u_" + operatorOpenId);
        event.put("external", false).put("operator_tenant_key", "tenant-1").put("name", "Group " + chatId);
        event.putObject("i18n_names").put("zh_cn", "群 " + chatId).put("en_us", "Group " + chatId).put("ja_jp", "グループ " + chatId);
        return envelope;
    }

    private static ObjectNode envelope(String type, String appId, String verificationToken) {
        ObjectNode envelope = JSON.createObjectNode().put("schema", "2.0");
        envelope.putObject("header").put("event_id", UUID.randomUUID().toString()).put("event_type", type)
                .put("create_time", String.valueOf(Instant.now().toEpochMilli())).put("token", verificationToken).put("app_id", appId)
                .put("tenant_key", "tenant-1");
        return envelope;
    }
}
