package io.larkway.camel.lark.client;

import io.larkway.camel.lark.LarkApp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Lark/Feishu Open API over one shared JDK {@link HttpClient} (non-blocking, no thread per
 * call). Each call carries the cached tenant token; an invalid-token answer evicts it, fetches a
 * new one and retries once. Other failures surface as {@link LarkApiException}; retry policy
 * and circuit breaking belong to the caller.
 */
public final class LarkApiClient {
    private static final String JSON = "application/json; charset=utf-8";

    private final HttpClient http;
    private final ObjectMapper json;
    private final TenantTokenCache tokens;
    private final Clock clock;
    private final Duration refreshMargin;
    private final Duration requestTimeout;
    private final LongAdder calls = new LongAdder();

    public LarkApiClient(ObjectMapper json, Duration connectTimeout, Duration requestTimeout, Duration refreshMargin, Clock clock) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.json = json;
        this.clock = clock;
        this.refreshMargin = refreshMargin;
        this.requestTimeout = requestTimeout;
        this.tokens = new TenantTokenCache(this::fetchTenantToken, clock);
    }

    public TenantTokenCache tokens() { return tokens; }

    /** Open API calls made so far (all apps), tokens included. */
    public long callCount() { return calls.sum(); }

    /** {@code POST /open-apis/auth/v3/tenant_access_token/internal}, uncached. */
    public CompletableFuture<TenantToken> fetchTenantToken(LarkApp app) {
        ObjectNode body = json.createObjectNode().put("app_id", app.appId()).put("app_secret", app.appSecret());
        return send(app.baseUrl(), "POST", "/open-apis/auth/v3/tenant_access_token/internal", body, null)
                .thenApply(answer -> {
                    long expire = answer.path("expire").asLong(0);
                    String value = answer.path("tenant_access_token").asText("");
                    if (value.isEmpty()) {
                        throw new LarkApiException(200, answer.path("code").asInt(-1), "no tenant_access_token in answer");
                    }
                    long ttl = Math.max(0, expire - refreshMargin.toSeconds());
                    return new TenantToken(value, clock.instant().plusSeconds(ttl));
                });
    }

    /** {@code GET /open-apis/bot/v3/info} with the cached token. */
    public CompletableFuture<BotInfo> botInfo(LarkApp app) {
        return call(app, "GET", "/open-apis/bot/v3/info", null).thenApply(LarkApiClient::bot);
    }

    /** {@code GET /open-apis/bot/v3/info} with a given token (the credential test uses a fresh one). */
    public CompletableFuture<BotInfo> botInfo(LarkApp app, TenantToken token) {
        return send(app.baseUrl(), "GET", "/open-apis/bot/v3/info", null, token.value()).thenApply(LarkApiClient::bot);
    }

    private static BotInfo bot(JsonNode answer) {
        JsonNode bot = answer.path("bot");
        return new BotInfo(bot.path("open_id").asText(null), bot.path("app_name").asText(null), bot.path("avatar_url").asText(null));
    }

    /**
     * An authorised call; answers Lark's whole JSON ({@code code} 0). {@code body} is serialised
     * as JSON when not null.
     */
    public CompletableFuture<JsonNode> call(LarkApp app, String method, String pathAndQuery, Object body) {
        return tokens.get(app).thenCompose(token -> send(app.baseUrl(), method, pathAndQuery, body, token.value())
                .handle((answer, error) -> {
                    LarkApiException failure = unwrap(error);
                    if (failure != null && failure.invalidToken()) {
                        tokens.invalidate(app, token);
                        return tokens.get(app).thenCompose(fresh -> send(app.baseUrl(), method, pathAndQuery, body, fresh.value()));
                    }
                    return failure != null ? CompletableFuture.<JsonNode>failedFuture(failure) : CompletableFuture.completedFuture(answer);
                })
                .thenCompose(f -> f));
    }

    /**
     * {@code GET …/messages/{message_id}/resources/{file_key}?type=image|file}: the resource's bytes, at most
     * {@code maxBytes} (a larger one fails before its body is read when Lark gives its length, else once past the cap).
     * An invalid-token answer fetches a new token and tries once more.
     */
    public LarkResource resource(LarkApp app, String messageId, String fileKey, String type, long maxBytes) {
        String path = "/open-apis/im/v1/messages/" + LarkPaths.segment(messageId) + "/resources/" + LarkPaths.segment(fileKey)
                + "?type=" + LarkPaths.segment(type);
        TenantToken token = tokens.get(app).join();
        try {
            return download(app.baseUrl() + path, token.value(), maxBytes);
        } catch (LarkApiException e) {
            if (!e.invalidToken()) {
                throw e;
            }
            tokens.invalidate(app, token);
            return download(app.baseUrl() + path, tokens.get(app).join().value(), maxBytes);
        }
    }

    private LarkResource download(String url, String bearer, long maxBytes) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout).header("Authorization", "Bearer " + bearer).GET().build();
        calls.increment();
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new LarkApiException("Lark unreachable: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LarkApiException("interrupted while downloading", e);
        }
        try (java.io.InputStream in = response.body()) {
            String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
            if (response.statusCode() != 200 || contentType.startsWith("application/json")) {
                parse(response.statusCode(), in.readNBytes(64 * 1024));
                throw new LarkApiException(response.statusCode(), -1, "HTTP " + response.statusCode() + " without the resource");
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length > maxBytes) {
                throw new LarkApiException(413, -2, "larger than the cap of " + maxBytes + " bytes (" + length + " bytes)");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new LarkApiException(413, -2, "larger than the cap of " + maxBytes + " bytes");
            }
            return new LarkResource(bytes, contentType.replaceAll(";.*", "").strip(), fileName(response.headers().firstValue("Content-Disposition").orElse("")));
        } catch (IOException e) {
            throw new LarkApiException("download broke off: " + e.getClass().getSimpleName(), e);
        }
    }

    /** The file name of a {@code Content-Disposition} header ({@code filename="…"}), or null. */
    private static String fileName(String disposition) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=\"?([^\";]+)\"?").matcher(disposition);
        return m.find() ? m.group(1) : null;
    }

    /** One HTTP exchange without token handling; code != 0 or a non-JSON answer fails. */
    public CompletableFuture<JsonNode> send(String baseUrl, String method, String pathAndQuery, Object body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(requestTimeout);
        request.header("Content-Type", body instanceof Multipart form ? form.contentType() : JSON);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body instanceof Multipart form ? form.bytes() : json.writeValueAsBytes(body)));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new LarkApiException("cannot serialise request", e));
        }
        calls.increment();
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        throw new LarkApiException("Lark unreachable at " + baseUrl + ": " + cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause);
                    }
                    return parse(response.statusCode(), response.body());
                });
    }

    private JsonNode parse(int status, byte[] body) {
        JsonNode answer;
        try {
            answer = json.readTree(body);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            throw new LarkApiException(status, -1, "HTTP " + status + " without a Lark JSON answer");
        }
        int code = answer.path("code").asInt(status == 200 ? 0 : -1);
        if (status != 200 || code != 0) {
            String msg = answer.path("msg").asText("HTTP " + status);
            throw new LarkApiException(status, code, msg);
        }
        return answer;
    }

    /** The {@link LarkApiException} inside a future's failure, or a wrapper of anything else. */
    public static LarkApiException unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t == null) {
            return null;
        }
        return t instanceof LarkApiException lae ? lae : new LarkApiException(String.valueOf(t.getMessage()), t);
    }

    /** A {@code multipart/form-data} body (an upload): text fields and one file. */
    public record Multipart(java.util.Map<String, String> fields, String fileField, String fileName, byte[] file) {
        private static final String BOUNDARY = "larkway-" + java.util.UUID.randomUUID();

        String contentType() {
            return "multipart/form-data; boundary=" + BOUNDARY;
        }

        byte[] bytes() {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(file.length + 512);
            fields.forEach((name, value) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
                    + value + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeBytes(file);
            out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return out.toByteArray();
        }
    }
}
