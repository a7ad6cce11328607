package io.larkway.camel.lark.client;

/** The bytes of a message's resource ({@code GET …/messages/{id}/resources/{file_key}}), with what Lark said of them. */
public record LarkResource(byte[] bytes, String mimeType, String fileName) {
}
