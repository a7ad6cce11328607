package io.larkway.platform;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Settings under {@code larkway.}; every default is repeated and commented in application.yaml. */
@ConfigurationProperties("larkway")
public record LarkwayProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue("") String adminKey,
        @DefaultValue("") String masterKey,
        @DefaultValue("http://localhost:8080") String publicBaseUrl,
        @DefaultValue("1048576") int maxBodyBytes,
        @DefaultValue("1000") long h2HousekeepingMs,
        @DefaultValue("5000") long countersFlushMs,
        @DefaultValue(FlowRoutes.DEFAULT_ROUTES_DIR) Path routesDir,
        @DefaultValue("false") boolean routesReload,
        @DefaultValue Lark lark,
        @DefaultValue Ingress ingress,
        @DefaultValue Conversation conversation,
        @DefaultValue Reply reply,
        @DefaultValue LongConnectionSettings longConnection,
        @DefaultValue Experts experts,
        @DefaultValue Limits limits,
        @DefaultValue Sandbox sandbox,
        @DefaultValue Attachments attachments,
        @DefaultValue Memory memory,
        // larkway.texts.<language>.<key>: overrides of the bundles texts/<language>.properties (io.larkway.flow.SystemTexts)
        java.util.Map<String, java.util.Map<String, String>> texts) {

    /** {@code larkway.memory.*}: the JVM's heap when idle ({@link IdleMemory}). */
    public record Memory(@DefaultValue("60") long idleCollectSeconds) {
    }

    /** {@code larkway.limits.*}: what one organisation may hold of the shared resources. */
    public record Limits(@DefaultValue("4") int turnsPerOrg, @DefaultValue("16") int turnThreads,
            @DefaultValue("60") long limitedRecordIntervalSeconds) {
        public Limits {
            if (turnThreads < 2 || turnsPerOrg < 1 || turnsPerOrg >= turnThreads) {
                throw new IllegalArgumentException("larkway.limits.turns-per-org must be at least 1 and below larkway.limits.turn-threads");
            }
        }
    }

    /** {@code larkway.sandbox.*}: sandbox integrations, served by larkway itself playing Lark (io.larkway.sandbox). */
    public record Sandbox(
            @DefaultValue("") String baseUrl,
            @DefaultValue("60") int ticketSeconds,
            @DefaultValue("200") int maxMessages) {
    }

    /** {@code larkway.attachments.*}: the files, images, audio and videos of messages, fetched at turn time. */
    public record Attachments(@DefaultValue("20971520") long maxBytes, @DefaultValue("52428800") long maxTurnBytes,
            @DefaultValue("3600") long urlTtlSeconds) {
    }

    /** {@code larkway.experts.*}. */
    public record Experts(
            @DefaultValue("false") boolean allowPrivateNetworks,
            @DefaultValue("1048576") int maxResponseBytes) {
    }

    @Override
    public String toString() {
        return "LarkwayProperties[dataDir=" + dataDir + ", publicBaseUrl=" + publicBaseUrl + "]"; // never the keys
    }

    public record Conversation(
            @DefaultValue("8") int windowMaxMessages,
            @DefaultValue("4") int windowMaxWaitFactor,
            @DefaultValue("120") int expertTimeoutSeconds,
            @DefaultValue("300") int turnLeaseSeconds,
            @DefaultValue("/new") String newConversationCommand,
            // the older keys of the texts: unset (null) by default; when set, they override the en texts (SystemTexts)
            String newConversationReply,
            String unsupportedMessageReply,
            String expertFailureReply,
            @DefaultValue("5000") long recoveryIntervalMs,
            @DefaultValue("5") int windowOrphanGraceSeconds,
            @DefaultValue("50") int expertBreakerFailureRatePercent,
            @DefaultValue("5") int expertBreakerMinimumCalls,
            @DefaultValue("30") int expertBreakerOpenSeconds,
            @DefaultValue("100") int maxWaitingMessages) {
    }

    public record Reply(
            @DefaultValue("true") boolean replyInP2p,
            @DefaultValue("false") boolean replyInThread,
            @DefaultValue("4000") int maxTextLength,
            @DefaultValue("4") int maxAttempts,
            @DefaultValue("200") long backoffInitialMs,
            @DefaultValue("5000") long backoffMaxMs,
            @DefaultValue("50") int breakerFailureRatePercent,
            @DefaultValue("10") int breakerMinimumCalls,
            @DefaultValue("30") int breakerOpenSeconds,
            @DefaultValue("1000") long streamUpdateIntervalMs,
            @DefaultValue("Typing") String typingEmoji,
            @DefaultValue("auto") Format format,
            @DefaultValue("10485760") int maxImageBytes,
            @DefaultValue("5") int sendRatePerChat,
            @DefaultValue("50") int sendRatePerApp) {

        /** {@code larkway.reply.format}: text answers as text, as cards, or (auto) as cards when they contain Markdown. */
        public enum Format { auto, text, card }
    }

    /** {@code larkway.long-connection.*}: the managed WebSocket connections of long-connection integrations. */
    public record LongConnectionSettings(
            @DefaultValue("2") int eventLoopThreads,
            @DefaultValue("16") int workerThreads,
            @DefaultValue("10000") int workerQueueSize,
            @DefaultValue("10000") int connectTimeoutMs,
            @DefaultValue("false") boolean honourReconnectCount,
            @DefaultValue("120") int defaultPingIntervalSeconds,
            @DefaultValue("120") int defaultReconnectIntervalSeconds,
            @DefaultValue("30") int defaultReconnectNonceSeconds,
            @DefaultValue("300") int partialTtlSeconds,
            @DefaultValue("10000") int probeTimeoutMs,
            @DefaultValue("8388608") int maxMessageBytes,
            @DefaultValue("10000") long syncIntervalMs) {
    }

    public record Ingress(
            @DefaultValue("1800") int staleAfterSeconds,
            @DefaultValue("24") int dedupeRetentionHours,
            @DefaultValue("60") int claimLeaseSeconds,
            @DefaultValue("5000") long recoveryIntervalMs,
            @DefaultValue("10000") int handOffQueueSize,
            @DefaultValue("3600") long signatureMaxAgeSeconds,
            @DefaultValue("60") long unverifiedRecordIntervalSeconds) {
    }

    public record Lark(
            @DefaultValue("https://open.feishu.cn") String feishuBaseUrl,
            @DefaultValue("https://open.larksuite.com") String larkBaseUrl,
            @DefaultValue("180") int tokenRefreshMarginSeconds,
            @DefaultValue("5000") int connectTimeoutMs,
            @DefaultValue("10000") int requestTimeoutMs) {

        public String baseUrl(boolean international) {
            return international ? larkBaseUrl : feishuBaseUrl;
        }
    }

    public String webhookUrl(String integrationId) {
        String base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        return base + "/api/lark/webhook/" + integrationId;
    }
}
