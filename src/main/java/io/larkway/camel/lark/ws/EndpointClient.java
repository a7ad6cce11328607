package io.larkway.camel.lark.ws;

import io.larkway.camel.lark.LarkApp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks Lark for a long-connection endpoint: {@code POST {base}/callback/ws/endpoint} with
 * {@code {"AppID","AppSecret"}} and header {@code locale: zh}, answering
 * {@code data.URL} and {@code data.ClientConfig}. Non-blocking (one shared JDK client); failures
 * complete the future with a classified {@link LongConnectionException}.
 */
public final class EndpointClient {
    public static final String PATH = "/callback/ws/endpoint";

    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration timeout;

    public EndpointClient(ObjectMapper json, Duration connectTimeout, Duration timeout) {
        // HTTP/1.1: on HTTP/2 every endpoint request shares one connection, and past the server's
        // SETTINGS_MAX_CONCURRENT_STREAMS (100 on common servers) the JDK client fails the request
        // ("too many concurrent streams") instead of queueing it: hundreds of integrations
        // (re)connecting at once (a start, a Lark outage ending) then wait a whole reconnect interval
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
        this.json = json;
        this.timeout = timeout;
    }

    /** Fetches an endpoint; fields of ClientConfig the answer leaves out keep their value from {@code current}. */
    public CompletableFuture<ConnectionEndpoint> fetch(LarkApp app, ClientConfig current) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("AppID", app.appId());
        body.put("AppSecret", app.appSecret());
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(app.baseUrl() + PATH)).timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8").header("locale", "zh")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new LongConnectionException(true, -1, "cannot build the endpoint request: " + e.getMessage()));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw new LongConnectionException("Lark unreachable: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause);
            }
            return parse(response.statusCode(), response.body(), current);
        });
    }

    /** Interprets an endpoint answer (public for tests of the classification). */
    public ConnectionEndpoint parse(int status, byte[] raw, ClientConfig current) {
        JsonNode answer;
        try {
            answer = json.readTree(raw);
        } catch (IOException e) {
            answer = null;
        }
        if (status != 200 || answer == null || !answer.isObject()) {
            // as the SDKs: a non-200 or non-JSON answer is the platform being busy, worth another try
            throw new LongConnectionException(false, status, "endpoint answered HTTP " + status + " without a Lark JSON answer");
        }
        int code = answer.path("code").asInt(-1);
        if (code != 0) {
            throw LongConnectionException.endpointCode(code, answer.path("msg").asText(null));
        }
        JsonNode data = answer.path("data");
        String url = data.path("URL").asText("");
        if (url.isEmpty()) {
            throw new LongConnectionException(false, code, "endpoint answer has no data.URL");
        }
        return ConnectionEndpoint.of(url, current.merge(data.get("ClientConfig")));
    }
}
