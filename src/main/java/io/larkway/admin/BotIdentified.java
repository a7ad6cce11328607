package io.larkway.admin;

import io.larkway.camel.lark.client.BotInfo;

/** Lark answered a saved integration's bot info (its credential test): the identity Status and dispatch use. */
public record BotIdentified(String integrationId, BotInfo bot) {
}
