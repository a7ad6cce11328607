package io.larkway;

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
        @DefaultValue Lark lark,
        @DefaultValue Ingress ingress,
        @DefaultValue LongConnectionSettings longConnection) {

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
            @DefaultValue("8388608") int maxMessageBytes) {
    }

    public record Ingress(
            @DefaultValue("1800") int staleAfterSeconds,
            @DefaultValue("24") int dedupeRetentionHours,
            @DefaultValue("60") int claimLeaseSeconds,
            @DefaultValue("5000") long recoveryIntervalMs) {
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
