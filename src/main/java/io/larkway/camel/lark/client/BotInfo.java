package io.larkway.camel.lark.client;

/** The bot identity of an app, from {@code GET /open-apis/bot/v3/info}. */
public record BotInfo(String openId, String name, String avatarUrl) {
}
